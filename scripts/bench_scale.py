#!/usr/bin/env python3
"""Issue 14's scale benchmark: 10,000 nodes (the emulator's cheap agent) over 4 accounts x 2
regions, `run` + `wait` + `output` with ssm-shell and the equivalent with the AWS CLI; wall time
against the slowest node, client CPU (user+sys of the client and its children, from wait4),
peak RSS, API calls per operation and throttles from /_emulator/state. It reports; it never fails.

Called by scripts/bench.py (`measure`, `page_lines`), or alone, which measures and rewrites only
its own section of docs/benchmarks.md:
  python3 scripts/bench_scale.py --binary .build/release/ssm-shell --aws .bench-venv/bin/aws [--quick]"""
import argparse
import datetime
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ROOT, control, machine, start_emulator  # noqa: E402

ACCOUNTS = {"111111111111": "alpha-admin", "222222222222": "beta-admin", "333333333333": "gamma-admin", "444444444444": "delta-admin"}
PROFILES = {"111111111111": "alpha", "222222222222": "beta", "333333333333": "gamma", "444444444444": "delta"}
REGIONS = ("us-east-1", "eu-west-1")
# Each node takes its command after 0.2-2.0 s (spread over the fleet) and the script sleeps 2 s.
DELAY = (0.2, 2.0)
SCRIPT_SECONDS = 2
# The bench's own choice of rate per account, region and operation (AWS does not publish SSM's
# per-operation rates): every operation 50 calls a second, 100 at once.
RATE_LIMIT = "*=50:100"
TIME = "/usr/bin/time"  # GNU time: the rusage of the client alone (see run_measured)
CLIENT_LIMIT = 300     # seconds a client may take before the bench stops it
SECTION_START = "<!-- bench_scale: start -->"
SECTION_END = "<!-- bench_scale: end -->"


def pairs():
    return [(account, region) for account in ACCOUNTS for region in REGIONS]


def aws_home(info):
    """A HOME whose ~/.aws names one profile per account (alpha, beta, gamma, delta) with its admin's keys."""
    home = tempfile.mkdtemp(prefix="ssm-bench-scale-")
    os.makedirs(os.path.join(home, ".aws"))
    with open(os.path.join(home, ".aws", "credentials"), "w") as f:
        for account, identity in ACCOUNTS.items():
            creds = info["identities"][identity]
            f.write("[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (PROFILES[account], creds["access_key_id"], creds["secret_access_key"]))
    with open(os.path.join(home, ".aws", "config"), "w") as f:
        for account in ACCOUNTS:
            f.write("[profile %s]\nregion = us-east-1\n" % PROFILES[account])
    return home


def environment(info, home):
    return {"PATH": os.environ["PATH"], "HOME": home, "AWS_ENDPOINT_URL": info["endpoint"], "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_PAGER": "", "XDG_STATE_HOME": home + "/state", "XDG_CONFIG_HOME": home + "/config"}


def run_measured(args, env, limit=CLIENT_LIMIT):
    """Runs ARGS; wall seconds, user+sys CPU seconds of it and the children it waited for, peak RSS
    in MB of the largest of them, stdout bytes and exit status. The figures are wait4's rusage as
    GNU time reports it: a process forked from this Python inherits its peak RSS (the kernel
    carries the forking process's high-water mark across exec), so the client is started by
    /usr/bin/time, a small process; without it, by this process (RSS then includes ours). A client
    still running after LIMIT seconds is killed (its process group) and marked "stopped"."""
    out = tempfile.TemporaryFile()
    report = tempfile.NamedTemporaryFile(prefix="bench-scale-rusage-")
    timer = [TIME, "-f", "%U %S %M", "-o", report.name] if os.path.exists(TIME) else []
    start = time.perf_counter()
    process = subprocess.Popen(timer + list(args), env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.PIPE,
                               start_new_session=True)
    stopped = threading.Event()

    def stop():
        stopped.set()
        os.killpg(process.pid, signal.SIGKILL)
    stopper = threading.Timer(limit, stop)
    stopper.start()
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    stopper.cancel()
    wall = time.perf_counter() - start
    cpu, rss_kb, rss_from = usage.ru_utime + usage.ru_stime, usage.ru_maxrss, "wait4 (includes the bench's own RSS)"
    measured = open(report.name).read().split() if timer else []
    if len(measured) >= 3 and not stopped.is_set():
        cpu, rss_kb, rss_from = float(measured[-3]) + float(measured[-2]), int(measured[-1]), TIME
    out.seek(0, os.SEEK_END)
    text = stderr.decode("utf-8", "replace")
    return {"wall": wall, "cpu": cpu, "rss_MB": rss_kb / 1024, "rss_from": rss_from, "stdout_bytes": out.tell(),
            "status": os.waitstatus_to_exitcode(status), "stopped": stopped.is_set(), "stderr_tail": text[-400:]}


def ssm_shell_script(binary):
    """ssm-shell's run + wait + output over every pair, in the multi-context syntax when the
    binary has it (`use context PROFILE@REGION ...`), else over one pair (said in the result)."""
    contexts = " ".join("%s@%s" % (PROFILES[a], r) for a, r in pairs())
    multi = "use context %s; use tag:Fleet=scale; run --concurrency 100%% sleep %d; wait; output" % (contexts, SCRIPT_SECONDS)
    single = "use profile alpha; use region us-east-1; use tag:Fleet=scale; run --concurrency 100%% sleep %d; wait; output" % SCRIPT_SECONDS
    return multi, single


def aws_cli_script(aws):
    """The AWS CLI's equivalent, each pair concurrently: send-command with Targets, list-commands
    until the command ends, then list-command-invocations --details (the CLI pages it itself)."""
    per_pair = ["pids=;"]
    for account, region in pairs():
        base = "%s --profile %s --region %s ssm" % (shlex.quote(aws), PROFILES[account], region)
        per_pair.append(
            "( id=$(%s send-command --document-name AWS-RunShellScript --targets Key=tag:Fleet,Values=scale --max-concurrency 100%% "
            "--parameters commands='sleep %d' --query Command.CommandId --output text) || exit 1; "
            "while :; do s=$(%s list-commands --command-id $id --query 'Commands[0].Status' --output text); "
            "case $s in Success|Failed|Cancelled|TimedOut) break;; esac; sleep 1; done; "
            "%s list-command-invocations --command-id $id --details --output json > /dev/null ) & pids=\"$pids $!\";" % (
                base, SCRIPT_SECONDS, base, base))
    # Each pair's own status: a bare `wait` would answer 0 whatever the pairs did.
    return " ".join(per_pair) + " rc=0; for p in $pids; do wait $p || rc=1; done; exit $rc"


def has_contexts(binary, env):
    """Whether BINARY knows `use context` (its help says so), decided before the run and not from its status."""
    result = subprocess.run([binary, "-c", "help use"], env=env, capture_output=True, text=True, timeout=30)
    return "use context" in result.stdout + result.stderr


def slowest_node(info, count, since):
    """Seconds from SendCommand to the last invocation's end, over the commands sent in the first
    COUNT pairs after SINCE, as the emulator recorded them (ListCommandInvocations' plugin times)."""
    import boto3
    from botocore.config import Config
    slowest = 0.0
    for account, region in pairs()[:count]:
        creds = info["identities"][ACCOUNTS[account]]
        ssm = boto3.session.Session().client("ssm", region_name=region, endpoint_url=info["endpoint"],
                                             aws_access_key_id=creds["access_key_id"], aws_secret_access_key=creds["secret_access_key"],
                                             config=Config(retries={"mode": "adaptive", "max_attempts": 20}))
        for command in [c for c in ssm.list_commands(MaxResults=5)["Commands"] if c["RequestedDateTime"] >= since]:
            pages = ssm.get_paginator("list_command_invocations").paginate(CommandId=command["CommandId"], Details=True)
            ends = [p["ResponseFinishDateTime"] for page in pages for i in page["CommandInvocations"] for p in i["CommandPlugins"]
                    if p.get("ResponseFinishDateTime")]
            if ends:
                slowest = max(slowest, (max(ends) - command["RequestedDateTime"]).total_seconds())
    return slowest


def one_run(info, args, env):
    control(info, "reset", {})
    # The machine's 1-minute load average as the run starts: on a shared machine the emulator
    # (one Python process serving every pair) gets what the others leave.
    load = os.getloadavg()[0]
    result = run_measured(args, env)
    result["load_before"] = load
    state = control(info, "state")
    result["calls"] = {op: sum(v.values()) for op, v in sorted(state["api_calls"].items())}
    result["throttled"] = {op: sum(v.values()) for op, v in sorted(state["throttled"].items())}
    return result


def measure(binary, aws, quick=False):
    nodes = 2000 if quick else 10000
    fleet = {"region": "us-east-1", "regions": list(REGIONS), "nodes": []}
    started = time.perf_counter()
    process, info = start_emulator(fleet, extra=("--identities", os.path.join(ROOT, "scripts", "emulator", "identities-multi.json"),
                                                 "--cheap-nodes", str(nodes), "--cheap-delay", "%g:%g" % DELAY, "--rate-limit", RATE_LIMIT))
    try:
        emulator_start = time.perf_counter() - started
        emulator_rss = _rss_mb(info["pid"])
        home = aws_home(info)
        env = environment(info, home)
        multi, single = ssm_shell_script(binary)
        since = datetime.datetime.now(datetime.timezone.utc)
        if has_contexts(binary, env):
            shell = one_run(info, [binary, "-c", multi], env)
            shell["pairs"] = len(pairs())
        else:
            # A binary from before `use context`: one pair, said so on the page.
            shell = one_run(info, [binary, "-c", single], env)
            shell["pairs"] = 1
        shell["script"] = single if shell["pairs"] == 1 else multi
        shell["slowest_node"] = slowest_node(info, shell["pairs"], since)
        since = datetime.datetime.now(datetime.timezone.utc)
        cli = one_run(info, ["/bin/sh", "-c", aws_cli_script(aws)], env)
        cli["pairs"] = len(pairs())
        cli["slowest_node"] = slowest_node(info, cli["pairs"], since)
        return {"nodes": nodes, "pairs": len(pairs()), "nodes_per_pair": nodes // len(pairs()), "rate_limit": RATE_LIMIT,
                "slowest_node": DELAY[1] + SCRIPT_SECONDS, "emulator_start_s": emulator_start, "emulator_rss_MB": emulator_rss,
                "emulator_rss_after_MB": _rss_mb(info["pid"]), "binary": binary, "ssm-shell": shell, "aws cli": cli}
    finally:
        process.terminate()
        process.wait()


def _rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def page_lines(r, raw=True):
    """The section of docs/benchmarks.md, with the goals of issue 14 (RAW: with its JSON; bench.py
    keeps every raw result at the end of the page instead)."""
    if not r:
        return []
    shell, cli = r["ssm-shell"], r["aws cli"]

    def calls(d):
        return ", ".join("%s %d" % (op, n) for op, n in d["calls"].items()) or "none"

    def throttles(d):
        return ", ".join("%s %d" % (op, n) for op, n in d["throttled"].items()) or "none"

    scope = "all %d pairs" % r["pairs"] if shell["pairs"] == r["pairs"] else (
        "ONE pair (alpha@us-east-1, %d nodes): the binary has no multi-context `use context` yet" % r["nodes_per_pair"])
    release = "/release/" in r["binary"]
    lines = [SECTION_START, "", "## Scale: %s nodes over 4 accounts x 2 regions (issue 14)" % format(r["nodes"], ","), "",
             "Measured by `scripts/bench_scale.py` on %s, %s. The emulator serves %s generated nodes from its cheap agent "
             "(scripts/emulator/README.md, \"The cheap agent\": no process per node, a computed result) over 4 accounts x 2 regions "
             "(%d a pair); each node takes the command after %.1f-%.1f s and the script sleeps %d s, so the slowest node ends %.1f s "
             "after SendCommand by design (each row's own slowest node is measured from the emulator's end times). Every operation is throttled at %s (rate:burst) per account and region (the bench's choice). "
             "Emulator: %.1f s to start, %.0f MB resident with the fleet, %.0f MB after the runs. ssm-shell: `%s`%s." % (
                 datetime.date.today().isoformat(), machine(), format(r["nodes"], ","), r["nodes_per_pair"], DELAY[0], DELAY[1],
                 SCRIPT_SECONDS, r["slowest_node"], r["rate_limit"], r["emulator_start_s"], r["emulator_rss_MB"], r["emulator_rss_after_MB"],
                 os.path.relpath(r["binary"], ROOT), "" if release else " (no release build found: a debug build)"), "",
             "| client | scope | goal | wall (vs slowest node) | client CPU | peak RSS | calls | throttled | met |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    met = (shell["wall"] - shell["slowest_node"] <= 5 and shell["cpu"] < 2 and shell["rss_MB"] < 100 and shell["pairs"] == r["pairs"]
           and shell["status"] == 0 and not shell["stopped"])
    lines.append("| ssm-shell `run` + `wait` + `output` | %s | wall within 5 s of the slowest node, CPU < 2 s, RSS < 100 MB | "
                 "%.2f s (slowest %.2f s: +%.2f s) | %.2f s | %.1f MB | %s | %s | %s |" % (
                     scope, shell["wall"], shell["slowest_node"], shell["wall"] - shell["slowest_node"], shell["cpu"], shell["rss_MB"], calls(shell), throttles(shell),
                     "yes" if met else "no"))
    lines.append("| AWS CLI send-command `--targets` + list-commands polling + list-command-invocations `--details`, the %d pairs "
                 "concurrently | all %d pairs | (side by side) | %.2f s (slowest %.2f s: +%.2f s) | %.2f s | %.1f MB (largest process) | %s | %s | |" % (
                     cli["pairs"], cli["pairs"], cli["wall"], cli["slowest_node"], cli["wall"] - cli["slowest_node"], cli["cpu"], cli["rss_MB"], calls(cli), throttles(cli)))
    lines += ["", "- ssm-shell exit status %d%s, %d bytes of output; the AWS CLI's exit status %d%s. The AWS CLI's AWS-RunShellScript by "
              "Targets skips the Windows nodes (1 in 25); ssm-shell sends them AWS-RunPowerShellScript." % (
                  shell["status"], " (stopped by the bench after %d s)" % CLIENT_LIMIT if shell["stopped"] else "", shell["stdout_bytes"],
                  cli["status"], " (stopped by the bench after %d s)" % CLIENT_LIMIT if cli["stopped"] else ""),
              *(["- ssm-shell's last words on stderr: `%s`" % shell["stderr_tail"].strip().splitlines()[-1]]
                if shell["status"] != 0 and shell["stderr_tail"].strip() else []),
              *(["- The machine's load average (1 minute) as each run started: ssm-shell %.1f, the AWS CLI %.1f, on %s; the "
                  "emulator is one Python process serving all 8 pairs, so its answers slow down with the load." % (
                      shell["load_before"], cli["load_before"], "2 cores" if "2 cores" in machine() else machine())]
                if "load_before" in shell and "load_before" in cli else []),
              "- Client CPU is user+sys of the client and every process it waited for, and peak RSS the largest of them, both from "
              "wait4's rusage as %s reports it (a client forked from the bench's Python would inherit the bench's own peak RSS)." % shell["rss_from"],
              *(["", "```json", json.dumps(r, indent=1, default=float), "```"] if raw else []), "", SECTION_END]
    return lines


def write_section(lines):
    """Replaces this benchmark's section of docs/benchmarks.md (or adds it before "Raw results")."""
    path = os.path.join(ROOT, "docs", "benchmarks.md")
    text = open(path).read()
    section = "\n".join(lines)
    if SECTION_START in text and SECTION_END in text:
        head, rest = text.split(SECTION_START, 1)
        text = head + section + rest.split(SECTION_END, 1)[1]
    elif "\nRaw results:" in text:
        head, rest = text.split("\nRaw results:", 1)
        text = head.rstrip("\n") + "\n\n" + section + "\n\nRaw results:" + rest
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    open(path, "w").write(text)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "ssm-shell"))
    parser.add_argument("--aws", default=os.path.join(ROOT, ".bench-venv", "bin", "aws"),
                        help="the AWS CLI (default: scripts/bench's venv, else aws on PATH)")
    parser.add_argument("--quick", action="store_true", help="2,000 nodes instead of 10,000")
    args = parser.parse_args()
    binary = args.binary
    aws = args.aws if os.path.exists(args.aws) else "aws"
    if not os.path.exists(binary):
        binary = os.path.join(ROOT, ".build", "debug", "ssm-shell")
        print("bench_scale: no release build at %s; using the debug build %s" % (args.binary, binary), flush=True)
    results = measure(binary, aws, args.quick)
    lines = page_lines(results)
    print("\n".join(lines[:12]))
    print("bench_scale: wrote %s" % write_section(lines))


if __name__ == "__main__":
    main()
