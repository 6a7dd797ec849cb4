"""`attach` (issue 15) on the local emulator: the median `pwd` round trip on one attached node
beside the run/wait/output cycle for the same command (both typed at one ssm-shell prompt, so
neither pays the process start), the time to attach 50 nodes, and ssm-shell's resident memory
with 50 attached. Called by scripts/bench.py; alone, `python3 scripts/bench_attach.py --binary
BIN` measures and rewrites the attach section of docs/benchmarks.md in place."""
import argparse
import os
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ROOT, environment, machine, start_emulator  # noqa: E402

NODES = 50
PROMPT = r"attach \S+( \[\d+\])?> "
SECTION_START, SECTION_END = "<!-- attach: scripts/bench_attach.py -->", "<!-- end attach -->"


def fleet():
    """NODES Linux nodes with simulated agents (each session a real sh on a pty in the emulator)."""
    nodes = [{"id": "i-%017x" % (0x500000 + n), "tags": {"Name": "box-%02d" % n, "Fleet": "attach"}, "platform": "Linux",
              "platform_name": "Amazon Linux", "platform_version": "2023", "agent_version": "3.3.1142.0", "ping_status": "Online",
              "ip": "10.5.0.%d" % (n + 1), "computer_name": "box-%02d" % n, "resource_type": "EC2Instance"} for n in range(NODES)]
    return {"region": "us-east-1", "nodes": nodes}


def rss(pid):
    """(current, peak) resident memory in MB."""
    values = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                values[line.split(":")[0]] = int(line.split()[1]) / 1024
    return values["VmRSS"], values["VmHWM"]


def spawn(binary, info):
    import pexpect
    env = environment(info)
    env["TERM"] = "dumb"
    env["NO_COLOR"] = "1"   # prefixes without colour codes, so the samples can wait for "box-49 | /"
    child = pexpect.spawn(binary, env=env, encoding="utf-8", timeout=60)
    child.delaybeforesend = None   # pexpect otherwise sleeps 50 ms before every send
    child.expect("> ")
    return child


def round_trips(child, text, prompt, samples, output):
    """Milliseconds from a line sent to its OUTPUT and the next prompt, each time (the output is
    what the node prints, never in the typed line: the echo cannot end a sample early; a pattern)."""
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        child.sendline(text)
        child.expect(output)
        child.expect(prompt)
        times.append((time.perf_counter() - start) * 1000)
    return times


def measure(binary, quick=False):
    samples = 30 if quick else 100
    process, info = start_emulator(fleet())
    try:
        child = spawn(binary, info)
        child.sendline("use box-00")
        child.expect("> ")
        child.sendline("attach")
        child.expect(PROMPT)
        child.sendline("pwd")
        child.expect(r"\n(/[^\r\n]+)\r\n")
        directory = child.match.group(1)
        child.expect(PROMPT)
        attach_one = round_trips(child, "pwd", PROMPT, samples, re.escape(directory + "\r\n"))
        child.sendline("detach")
        child.expect("> ")
        cycle = round_trips(child, "run pwd; wait; output", r"box-00\S*> ", max(5, samples // 10), re.escape(directory + "\r\n"))
        before = rss(child.pid)[0]
        start = time.perf_counter()
        child.sendline("attach tag:Fleet=attach")
        child.expect("Attached to", timeout=120)
        child.expect(PROMPT)
        attach_seconds = time.perf_counter() - start
        fifty = round_trips(child, "pwd", PROMPT, max(5, samples // 10), r"(box-49|i-%017x) +\| /" % (0x500000 + NODES - 1))
        current, peak = rss(child.pid)
        child.sendline("detach")
        child.expect("> ")
        child.sendeof()
        child.expect(__import__("pexpect").EOF)
        return {"pwd_one_node_ms": summary(attach_one), "run_wait_output_ms": summary(cycle), "attach_50_s": attach_seconds,
                "pwd_50_nodes_ms": summary(fifty), "rss_before_MB": before, "rss_50_attached_MB": current, "peak_rss_MB": peak}
    finally:
        process.terminate()
        process.wait()


def summary(values):
    return {"min": min(values), "median": statistics.median(values), "max": max(values), "n": len(values)}


def rows(r):
    """The benchmark page's rows: (figure, goal, measured, ratio, met)."""
    one, cycle = r["pwd_one_node_ms"], r["run_wait_output_ms"]
    return [
        ("`attach`: `pwd` round trip on one node", "median < 50 ms", "%.1f ms median (%.1f-%.1f); the run/wait/output cycle for the same `pwd`: %.0f ms median" % (
            one["median"], one["min"], one["max"], cycle["median"]), "1/%.0f of the cycle" % (cycle["median"] / one["median"]), one["median"] < 50),
        ("`attach`: 50 nodes attached, resident memory", "< 60 MB", "%.1f MB (peak %.1f MB; %.1f MB at the prompt before)" % (
            r["rss_50_attached_MB"], r["peak_rss_MB"], r["rss_before_MB"]), "", r["peak_rss_MB"] < 60),
        ("`attach`: time to attach 50 nodes", "< 3 s", "%.2f s (then `pwd` on all 50: %.0f ms median)" % (r["attach_50_s"], r["pwd_50_nodes_ms"]["median"]),
         "", r["attach_50_s"] < 3),
    ]


def page_lines(r):
    """The attach section of docs/benchmarks.md."""
    lines = [SECTION_START, "", "## attach (issue 15)", "",
             "Typed at one ssm-shell prompt through a pty (pexpect), on the emulator with %d simulated Linux nodes (each session a real `sh` "
             "on a pty in the emulator's process tree). The cycle is `run pwd; wait; output` typed at the same prompt, so neither figure pays "
             "the process start. Memory is ssm-shell's own (VmRSS, VmHWM), the emulator's shells not counted." % NODES, "",
             "| figure | goal (issue 15) | measured | ratio | met |", "| --- | --- | --- | --- | --- |"]
    for name, goal, measured, ratio, met in rows(r):
        lines.append("| %s | %s | %s | %s | %s |" % (name, goal, measured, ratio, "yes" if met else "no"))
    return lines + ["", SECTION_END]


def rewrite_section(r, binary):
    path = os.path.join(ROOT, "docs", "benchmarks.md")
    text = open(path).read()
    section = "\n".join(page_lines(r) + ["", "Measured alone by `scripts/bench_attach.py --binary %s` (a release build) on %s, %s; "
                                          "load average %.1f at the end (the machine was shared)." % (
        os.path.relpath(binary, ROOT), time.strftime("%Y-%m-%d"), machine(), os.getloadavg()[0])])
    pattern = re.compile(re.escape(SECTION_START) + ".*?" + re.escape(SECTION_END) + r"(\n\nMeasured alone[^\n]*)?", re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section + "\n"
    open(path, "w").write(text)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    r = measure(args.binary, args.quick)
    print("\n".join(page_lines(r)))
    rewrite_section(r, args.binary)


if __name__ == "__main__":
    main()
