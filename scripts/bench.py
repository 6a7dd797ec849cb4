#!/usr/bin/env python3
"""The measurements behind docs/benchmarks.md (run through scripts/bench). Every figure is
measured in this run, on this machine, against the same local emulator."""
import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import resource
import signal
import socket
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start_emulator(fleet=None, extra=()):
    directory = tempfile.mkdtemp(prefix="ssm-bench-")
    ready = os.path.join(directory, "ready.json")
    args = [os.path.join(ROOT, "scripts", "emulator", "start"), "--ready-file", ready, *extra]
    if fleet:
        path = os.path.join(directory, "fleet.json")
        json.dump(fleet, open(path, "w"))
        args += ["--fleet", path]
    process = subprocess.Popen(args, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not os.path.exists(ready):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            sys.exit("the emulator did not start within 30 s")
        time.sleep(0.05)
    return process, json.load(open(ready))


def control(info, path, body=None):
    import urllib.request
    request = urllib.request.Request(info["endpoint"] + "/_emulator/" + path, data=None if body is None else json.dumps(body).encode(),
                                     method="POST" if body is not None else "GET", headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(request).read())


def environment(info, identity="admin"):
    creds = info["identities"][identity]
    home = tempfile.mkdtemp(prefix="ssm-bench-home-")
    return {"PATH": os.environ["PATH"], "HOME": home, "AWS_ACCESS_KEY_ID": creds["access_key_id"],
            "AWS_SECRET_ACCESS_KEY": creds["secret_access_key"], "AWS_REGION": info["region"], "AWS_DEFAULT_REGION": info["region"],
            "AWS_ENDPOINT_URL": info["endpoint"], "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": ""}


def timed(args, env, stdin=subprocess.DEVNULL):
    """Runs a command; returns (wall seconds, CPU seconds of it and its children, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(args, env=env, stdin=stdin, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(args[:3]), result.stderr[-500:]))
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), result.stdout


def summary(values):
    return {"min": min(values), "median": statistics.median(values), "max": max(values), "n": len(values)}


def startup(binary, aws, info, runs):
    env = environment(info)
    ours = [timed([binary, "-c", "use"], env)[0] for _ in range(runs)]
    theirs = [timed([aws, "--version"], env)[0] for _ in range(runs)]
    return {"ssm-shell -c 'use'": summary(ours), "aws --version": summary(theirs)}


def run_cycle(binary, aws, info, runs):
    env = environment(info, "advanced")
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(timed([binary, "-c", "use web-1; run uptime; wait; output"], env))
        script = ("id=$(%s ssm send-command --endpoint-url $AWS_ENDPOINT_URL --document-name AWS-RunShellScript --instance-ids i-0a1b2c3d4e5f60001 "
                  "--parameters commands=uptime --query Command.CommandId --output text); "
                  "n=0; while [ $n -lt 120 ]; do n=$((n+1)); s=$(%s ssm get-command-invocation --endpoint-url $AWS_ENDPOINT_URL --command-id $id --instance-id i-0a1b2c3d4e5f60001 "
                  "--query Status --output text 2>/dev/null); case $s in Success|Failed|Cancelled|TimedOut) break;; esac; sleep 1; done; "
                  "%s ssm get-command-invocation --endpoint-url $AWS_ENDPOINT_URL --command-id $id --instance-id i-0a1b2c3d4e5f60001 "
                  "--query StandardOutputContent --output text") % (aws, aws, aws)
        theirs.append(timed(["/bin/sh", "-c", script], env))
    return {"ssm-shell": {"wall": summary([w for w, _, _ in ours]), "cpu": summary([c for _, c, _ in ours])},
            "aws cli": {"wall": summary([w for w, _, _ in theirs]), "cpu": summary([c for _, c, _ in theirs])}}


def fan_out(binary):
    nodes = [{"id": "i-%017x" % (0x300000 + n), "tags": {"Name": "node-%03d" % n, "Fleet": "big"}, "platform": "Linux",
              "platform_name": "Amazon Linux", "platform_version": "2023", "agent_version": "3.3.1142.0", "ping_status": "Online",
              "ip": "10.2.%d.%d" % (n // 250, n % 250 + 1), "computer_name": "node-%03d" % n, "resource_type": "EC2Instance",
              "delivery_delay": 0.2 + (n % 10) * 0.1} for n in range(200)]
    process, info = start_emulator({"region": "us-east-1", "nodes": nodes})
    try:
        wall, cpu, _ = timed([binary, "-c", "use tag:Fleet=big; run sleep 2; wait; output"], environment(info, "advanced"))
        calls = {op: sum(v.values()) for op, v in control(info, "state")["api_calls"].items()}
        slowest = 0.2 + 0.9 + 2
        return {"wall": wall, "slowest_node": slowest, "cpu": cpu, "calls": calls}
    finally:
        process.terminate()
        process.wait()


class Sink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SinkHandler(socketserver.BaseRequestHandler):
    """"GIVE M": M MiB towards the client; "TAKE N\n" then N bytes: answered "done" on the same connection.
    Never a half-close: at a stream's FIN the agent closes the whole connection to the destination
    (amazon-ssm-agent port_mux.go handleDataTransfer; the emulator does the same), so an answer after
    the client's FIN would never arrive."""

    def handle(self):
        first = self.request.recv(64)
        if first.startswith(b"GIVE "):
            block = os.urandom(1 << 16)
            for _ in range(int(first[5:]) * 16):
                self.request.sendall(block)
            return
        header, _, rest = first.partition(b"\n")
        remaining = int(header[5:]) - len(rest)
        while remaining > 0:
            chunk = self.request.recv(min(1 << 16, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
        self.request.sendall(b"done")


def forward_throughput(binary, info, mib, pacing):
    """One forward, `mib` MiB up then down; wall time from the client, CPU of ssm-shell only."""
    server = Sink(("127.0.0.1", 0), SinkHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = environment(info)
    if pacing:
        env["SSM_SHELL_REFERENCE_PACING"] = "1"
    process = subprocess.Popen([binary, "-c", "forward web-1 0:%d --foreground" % server.server_address[1]], env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    line = process.stderr.readline()
    port = int(re.search(r"127\.0\.0\.1:(\d+)", line).group(1))
    results = {}
    data = os.urandom(1 << 20)
    cpu_before = cpu_of(process.pid)
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
        s.sendall(b"TAKE %d\n" % (mib << 20))
        for _ in range(mib):
            s.sendall(data)
        if s.recv(10) != b"done":
            raise RuntimeError("the upload did not reach the sink")
    up = time.perf_counter() - start
    cpu_up = cpu_of(process.pid) - cpu_before
    start = time.perf_counter()
    got = 0
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"GIVE %d" % mib)
        while got < mib << 20:
            chunk = s.recv(1 << 16)
            if not chunk:
                break
            got += len(chunk)
    down = time.perf_counter() - start
    cpu_down = cpu_of(process.pid) - cpu_before - cpu_up
    rss = rss_of(process.pid)
    process.send_signal(signal.SIGINT)
    process.wait(timeout=30)
    server.shutdown()
    size = (mib << 20) / 1e6
    return {"upload_MBps": size / up, "download_MBps": size / down, "cpu_s_per_MB_up": cpu_up / size,
            "cpu_s_per_MB_down": cpu_down / size, "rss_MB_under_load": rss}


class Blackhole:
    """A port that never answers: a listener whose accept queue is full drops every further SYN,
    as a firewall that drops packets does (Linux), so connections hang until the client gives up."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(0)
        self.port = self.listener.getsockname()[1]
        self.fillers = []
        for _ in range(3):
            c = socket.socket()
            c.setblocking(False)
            try:
                c.connect(("127.0.0.1", self.port))
            except BlockingIOError:
                pass
            self.fillers.append(c)
        time.sleep(0.2)

    def close(self):
        for c in self.fillers + [self.listener]:
            c.close()


def unreachable(binary, aws, info, cap):
    """Seconds until the endpoint that never answers is reported: doctor, a plain command, the AWS CLI."""
    hole = Blackhole()
    url = "http://127.0.0.1:%d" % hole.port
    env = environment(info)
    env["AWS_ENDPOINT_URL"] = url
    results = {}
    cases = {"ssm-shell doctor": [binary, "doctor"], "ssm-shell -c instances": [binary, "-c", "instances"],
             "aws ssm describe-instance-information": [aws, "--endpoint-url", url, "ssm", "describe-instance-information"]}
    for name, argv in cases.items():
        start = time.perf_counter()
        try:
            done = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=cap)
            results[name] = {"seconds": time.perf_counter() - start, "status": done.returncode, "capped": False}
        except subprocess.TimeoutExpired:
            results[name] = {"seconds": cap, "status": None, "capped": True}
    hole.close()
    return results


def many_forwards(binary, info, count):
    """`count` forwards opened one after another, each a new session; each must carry data both ways."""
    server = Sink(("127.0.0.1", 0), SinkHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = environment(info)
    carried, failures = 0, []
    start = time.perf_counter()
    for i in range(count):
        process = subprocess.Popen([binary, "-c", "forward web-1 0:%d --foreground" % server.server_address[1]], env=env,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            line = process.stderr.readline()
            port = int(re.search(r"127\.0\.0\.1:(\d+)", line).group(1))
            with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
                s.sendall(b"TAKE 4096\n" + b"x" * 4096)
                if s.recv(10) == b"done":
                    carried += 1
                else:
                    failures.append(i)
        except Exception as error:  # a lost session shows up here; count it and go on
            failures.append("%d: %s" % (i, error))
        finally:
            stop_forward(process, timeout=20)
    server.shutdown()
    return {"opened": count, "carried_data": carried, "failures": failures[:10], "seconds": time.perf_counter() - start}


def stop_forward(process, timeout=30):
    """Ends a `forward --foreground` as Ctrl-C would, and kills it if it does not end in TIMEOUT s."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def cpu_of(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_of(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def memory(binary, info):
    import pexpect
    env = environment(info)
    env["TERM"] = "xterm"
    prompt = pexpect.spawn(binary, env=env, encoding="utf-8", timeout=20)
    prompt.expect("> ")
    prompt.sendline("instances")
    prompt.expect("> ")
    idle = rss_of(prompt.pid)
    prompt.sendline("connect web-1")
    prompt.expect(r"\$ ")
    prompt.sendline("seq 1 20000")
    prompt.expect("20000")
    session = rss_of(prompt.pid)
    prompt.sendline("exit")
    prompt.expect("> ")
    prompt.sendeof()
    prompt.expect(pexpect.EOF)
    return {"prompt_MB": idle, "connect_session_MB": session}


def keystrokes(binary, info, samples):
    """Time from a key written to the pty to its echo, through connect (client + emulator)."""
    import pexpect
    env = environment(info)
    child = pexpect.spawn(binary, ["-c", "connect web-1"], env=env, timeout=20)
    child.delaybeforesend = None   # pexpect otherwise sleeps 50 ms before every send
    child.expect(rb"\$ ")
    latencies = []
    for i in range(samples):
        key = b"abcdefghij"[i % 10:i % 10 + 1]
        start = time.perf_counter()
        child.send(key)
        child.expect_exact(key)
        latencies.append((time.perf_counter() - start) * 1000)
    child.send(b"\x15exit\r")
    child.expect(pexpect.EOF)
    latencies.sort()
    direct = direct_keystrokes(info, samples)
    return {"median_ms": statistics.median(latencies), "p99_ms": latencies[int(len(latencies) * 0.99) - 1],
            "direct_median_ms": statistics.median(direct), "direct_p99_ms": direct[int(len(direct) * 0.99) - 1]}


def direct_keystrokes(info, samples):
    """The same echo round trip with the tests' minimal Python client instead of ssm-shell."""
    import asyncio
    import boto3
    sys.path.insert(0, os.path.join(ROOT, "Tests", "EndToEnd"))
    from dcclient import DataChannelClient
    admin = info["identities"]["admin"]
    ssm = boto3.session.Session().client("ssm", region_name=info["region"], endpoint_url=info["endpoint"],
                                          aws_access_key_id=admin["access_key_id"], aws_secret_access_key=admin["secret_access_key"])

    async def measure():
        response = ssm.start_session(Target="i-0a1b2c3d4e5f60001")
        client = DataChannelClient(response["StreamUrl"], response["TokenValue"],
                                   credentials=(admin["access_key_id"], admin["secret_access_key"], info["region"]))
        await client.connect()
        await client.read_until(lambda d: b"$ " in d)
        out = []
        for i in range(samples):
            key = b"abcdefghij"[i % 10:i % 10 + 1]
            start = time.perf_counter()
            await client.send(1, key)
            await client.read_until(lambda d: key in d)
            out.append((time.perf_counter() - start) * 1000)
        await client.close()
        return sorted(out)
    return asyncio.run(measure())


def emulator_limit(mib):
    out = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "emulator", "bench.py"), "--mib", str(mib), "--json"],
                         capture_output=True, text=True, timeout=600)
    return json.loads(out.stdout)


def machine():
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return "%s, %d cores (%s), %s, Linux %s" % (platform.platform(terse=True), os.cpu_count(), model, 
                                                 "%.0f GiB" % (os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30), platform.release())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--aws", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--plugin", help="session-manager-plugin to measure beside ssm-shell (default: SSM_PLUGIN_BIN, else PATH)")
    parser.add_argument("--scale", action="store_true",
                        help="also run scripts/bench_scale.py's benchmark; without it the page keeps the scale section it has")
    args = parser.parse_args()
    quick = args.quick
    runs = 3 if quick else 7
    mib = 16 if quick else 64
    # --unpaced: port sessions as fast as the client reads; by default the emulator sends at the
    # real agent's pace (~0.6 MiB/s, issue 18), and the forward figures would measure that pace.
    # --unsigned-upgrades: the public session-manager-plugin does not sign its data-channel upgrade.
    process, info = start_emulator(extra=("--unpaced", "--unsigned-upgrades"))
    results = {"binary": args.binary, "binary_version": subprocess.run([args.binary, "--version"], capture_output=True, text=True).stdout.strip()}
    try:
        print("bench: start-up", flush=True)
        results["startup"] = startup(args.binary, args.aws, info, runs)
        print("bench: run/wait/output cycle", flush=True)
        results["cycle"] = run_cycle(args.binary, args.aws, info, max(2, runs // 2))
        print("bench: forward throughput", flush=True)
        results["forward"] = forward_throughput(args.binary, info, mib, pacing=False)
        results["forward_reference_pacing"] = forward_throughput(args.binary, info, max(4, mib // 8), pacing=True)
        print("bench: put and get", flush=True)
        import bench_putget  # issue 13: its own module
        results["putget"] = bench_putget.measure(args.binary, info, process.pid, mib, 3)
        print("bench: keystrokes and memory", flush=True)
        results["keystrokes"] = keystrokes(args.binary, info, 100 if quick else 300)
        results["memory"] = memory(args.binary, info)
        print("bench: an endpoint that never answers", flush=True)
        results["unreachable"] = unreachable(args.binary, args.aws, info, 10 if quick else 60)
        count = 50 if quick else 1000
        print("bench: %d forwards in a row" % count, flush=True)
        results["many_forwards"] = many_forwards(args.binary, info, count)
        import bench_plugin  # issue 17: beside session-manager-plugin, its own module
        results["side_by_side"] = bench_plugin.measure(args.binary, args.aws, info, quick, results["startup"], args.plugin)
    finally:
        process.terminate()
        process.wait()
    print("bench: attach", flush=True)
    from bench_attach import measure as measure_attach  # issue 15: its own module
    results["attach"] = measure_attach(args.binary, quick)
    print("bench: fan-out to 200 nodes", flush=True)
    results["fanout"] = fan_out(args.binary)
    if args.scale:
        print("bench: scale, 10,000 nodes over 4 accounts x 2 regions", flush=True)
        import bench_scale  # issue 14's scale benchmark: its own module
        results["scale"] = bench_scale.measure(args.binary, args.aws, quick)
    print("bench: the emulator's own limit", flush=True)
    results["emulator"] = emulator_limit(mib)
    from bench_real_agent import measure_under_with_agent  # the real-agent figures, when SSM_AGENT_BIN is set
    results["real_agent"] = measure_under_with_agent(args.binary, quick)
    write_page(results, quick)


def real_agent_lines(r):
    from bench_real_agent import page_lines
    return page_lines(r.get("real_agent"), r["forward"], r["keystrokes"])


def scale_lines(r):
    """This run's scale section, or (without --scale) the one the page has: bench_scale.py writes it between its markers."""
    from bench_scale import SECTION_END, SECTION_START, page_lines
    if r.get("scale"):
        return page_lines(r["scale"], raw=False)
    return kept_section(SECTION_START, SECTION_END)


# Text others write on the page and the bench keeps as it is: PERF's profile of the forward path and
# what was tried for the goals not met (issue 17) goes between these markers, after the side-by-side table.
PROFILE_START, PROFILE_END = "<!-- perf profile: start -->", "<!-- perf profile: end -->"


def kept_section(start, end):
    """The page's text from START to END, markers included, as lines; [] when the page has none."""
    path = os.path.join(ROOT, "docs", "benchmarks.md")
    text = open(path).read() if os.path.exists(path) else ""
    if start in text and end in text.split(start, 1)[1]:
        return (start + text.split(start, 1)[1].split(end, 1)[0] + end).split("\n")
    return []


def side_by_side_lines(r):
    from bench_plugin_page import page_lines
    return page_lines(r["side_by_side"], r.get("unreachable")) if "side_by_side" in r else []


def putget_lines(r):
    from bench_putget import page_lines
    return page_lines(r.get("putget"))


def attach_lines(r):
    from bench_attach import page_lines
    return page_lines(r["attach"]) if "attach" in r else []


def write_page(r, quick):
    s, c, f, p = r["startup"], r["cycle"], r["forward"], r["forward_reference_pacing"]
    ours, theirs = s["ssm-shell -c 'use'"], s["aws --version"]
    def ms(x):
        return "%.1f ms" % (x * 1000)
    def trio(d, fmt):
        return "%s / %s / %s" % (fmt(d["min"]), fmt(d["median"]), fmt(d["max"]))
    fan = r["fanout"]
    list_calls = fan["calls"].get("ListCommandInvocations", 0)
    rows = [
        ("start-up to a finished `-c 'use'`", "≤ 1/20 of `aws --version`", "%s vs %s (min/median/max)" % (trio(ours, ms), trio(theirs, ms)),
         "1/%.0f" % (theirs["median"] / ours["median"]), ours["median"] * 20 <= theirs["median"]),
        ("run/wait/output on one node: client CPU", "≤ 1/20 of the AWS CLI's", "%.3f s vs %.3f s CPU (median); wall %.2f s vs %.2f s" % (
            c["ssm-shell"]["cpu"]["median"], c["aws cli"]["cpu"]["median"], c["ssm-shell"]["wall"]["median"], c["aws cli"]["wall"]["median"]),
         "1/%.0f" % (c["aws cli"]["cpu"]["median"] / max(c["ssm-shell"]["cpu"]["median"], 1e-6)),
         c["ssm-shell"]["cpu"]["median"] * 20 <= c["aws cli"]["cpu"]["median"]),
        ("fan-out to 200 nodes: calls", "≤ ceil(200/50) a poll round + 1 GetCommandInvocation a node",
         "SendCommand %d, ListCommandInvocations %d (%d rounds of 4), GetCommandInvocation %d" % (
             fan["calls"].get("SendCommand", 0), list_calls, list_calls // 4, fan["calls"].get("GetCommandInvocation", 0)),
         "", list_calls % 4 == 0 and fan["calls"].get("GetCommandInvocation", 0) <= 200),
        ("fan-out to 200 nodes: wall time", "within 1 s of the slowest node (%.1f s)" % fan["slowest_node"], "%.2f s" % fan["wall"],
         "+%.2f s" % (fan["wall"] - fan["slowest_node"]), fan["wall"] - fan["slowest_node"] <= 1),
        ("forward upload", "≥ 16 MB/s", "%.1f MB/s (reference pacing in the same client: %.2f MB/s)" % (f["upload_MBps"], p["upload_MBps"]),
         "%.0fx the paced figure" % (f["upload_MBps"] / p["upload_MBps"]), f["upload_MBps"] >= 16),
        ("forward download", "(emulator's limit beside it)", "%.1f MB/s (emulator alone: %.1f MB/s down, %.1f up)" % (
            f["download_MBps"], r["emulator"]["download"]["MB_per_s"], r["emulator"]["upload"]["MB_per_s"]), "", None),
        ("forward client CPU per MB", "≤ 1/4 of the reference (≈ 0.058 up, 0.015 down s/MB)",
         "%.3f s/MB up, %.3f s/MB down" % (f["cpu_s_per_MB_up"], f["cpu_s_per_MB_down"]), "",
         f["cpu_s_per_MB_up"] <= 0.233 / 4 and f["cpu_s_per_MB_down"] <= 0.059 / 4),
        ("keystroke to echo through `connect`", "median ≤ 0.22 ms added by the client",
         "%.2f ms median, %.2f ms p99 through ssm-shell; %.2f / %.2f ms with the tests' minimal Python client (whole round trip through the emulator's pty)" % (
             r["keystrokes"]["median_ms"], r["keystrokes"]["p99_ms"], r["keystrokes"]["direct_median_ms"], r["keystrokes"]["direct_p99_ms"]),
         "%+.2f ms" % (r["keystrokes"]["median_ms"] - r["keystrokes"]["direct_median_ms"]),
         r["keystrokes"]["median_ms"] - r["keystrokes"]["direct_median_ms"] <= 0.22),
        ("resident memory", "interactive session < 16 MB", "prompt %.1f MB, connect session %.1f MB, forward under load %.1f MB (peak RSS)" % (
            r["memory"]["prompt_MB"], r["memory"]["connect_session_MB"], f["rss_MB_under_load"]), "", r["memory"]["connect_session_MB"] < 16),
    ]
    u = r["unreachable"]
    def secs(d):
        return ("> %.0f s (stopped)" if d["capped"] else "%.2f s") % d["seconds"]
    doctor, plain, cli = u["ssm-shell doctor"], u["ssm-shell -c instances"], u["aws ssm describe-instance-information"]
    rows.append(("an endpoint that never answers, reported", "< 3 s (the AWS CLI's retries take about 10 s)",
                 "doctor %s; `-c instances` %s; AWS CLI %s" % (secs(doctor), secs(plain), secs(cli)), "",
                 not doctor["capped"] and doctor["seconds"] < 3 and not plain["capped"] and plain["seconds"] < 3))
    m = r["many_forwards"]
    rows.append(("forwards opened in a row, each a new session", "1,000, all carry data",
                 "%d opened, %d carried data (%.1f s in all)" % (m["opened"], m["carried_data"], m["seconds"]), "",
                 m["opened"] >= 1000 and m["carried_data"] == m["opened"]))
    lines = ["# Benchmarks", "", "Measured by `scripts/bench%s` on %s, %s. Every figure below%s comes from that one run, on this machine, against the "
             "local emulator (scripts/emulator), with the AWS CLI (PyPI awscli 1.45.11) side by side where the goal compares with it, "
             "and AWS's session-manager-plugin where issue 17 compares with it. ssm-shell: `%s` (%s). "
             "Reproduce with `scripts/bench` (add `--quick` for a short run)." % (
                 " --quick" if quick else "", datetime.date.today().isoformat(), machine(),
                 "" if r.get("scale") else " (except the scale section, kept from its own run of scripts/bench_scale.py, which says when and with which binary)",
                 r.get("binary", "?"), r.get("binary_version", "?")),
             "", "| figure | goal (architecture section 7) | measured | ratio | met |", "| --- | --- | --- | --- | --- |"]
    for name, goal, measured, ratio, met in rows:
        lines.append("| %s | %s | %s | %s | %s |" % (name, goal, measured, ratio, {True: "yes", False: "no", None: "not measured as a goal"}[met]))
    lines += [*side_by_side_lines(r)]
    lines += [*putget_lines(r)]
    profile = kept_section(PROFILE_START, PROFILE_END)
    lines += ["", *profile] if profile else []
    lines += ["", "Notes:", "",
              "- The forward figures are the client's: the emulator runs with `--unpaced`. By default its port sessions send towards "
              "the client at the real agent's pace (about 0.6 MiB/s, issue 18: amazon-ssm-agent sleeps 1 ms after each 1 KiB it "
              "reads), which caps any client's download there; the emulator's own limit is the row below it.",
              "- The first table's \"reference pacing\" is ssm-shell itself with `SSM_SHELL_REFERENCE_PACING=1` (the plugin's 1 KiB "
              "messages and 1 ms pause); the real plugin's figures are in the side-by-side table (%s)." % (
                  "measured" if "session-manager-plugin" in r.get("side_by_side", {}).get("clients", []) else "not measured in this run: no plugin"),
              "- The side-by-side table needs session-manager-plugin, built from its public source with `scripts/build-plugin SRC_TREE "
              "[OUT_DIR]` (GOPATH mode with its vendor directory, Debian's golang-go 1.19; nothing of it enters this repo), and the AWS CLI "
              "that starts it. The plugin dials its data channel unsigned (src/websocketutil/websocketutil.go), which the emulator "
              "refuses unless started with `--unsigned-upgrades`; it does not watch its parent, so the bench stops it by its own pid.",
              "- Keystrokes: ssm-shell runs under a pty driven by pexpect, the comparison client in the bench's own process; their difference is the best "
              "available estimate of what the client adds (it includes the pty hop the minimal client does not have).",
              "- The emulator's own figures come from scripts/emulator/bench.py, whose client is the minimal Python data-channel client of the tests: "
              "they bound that pair, so ssm-shell (a faster client) can exceed them.",
              "- The endpoint that never answers is a local listener whose accept queue is full, so its SYNs are dropped as a firewall "
              "drops them. `doctor` gives each endpoint 2.5 s; other commands give the attempts of a call that never connect one 2 s "
              "budget (`--cli-connect-timeout`), while the AWS CLI retries with its own 60 s connect timeout.",
              "- `--quick` opens 50 forwards in a row instead of 1,000 and stops the AWS CLI after 10 s; the goal is only met by a full run.",
              *real_agent_lines(r),
              "", *scale_lines(r),
              "", *attach_lines(r),
              "", "Raw results:", "", "```json", json.dumps(r, indent=1, default=float), "```", ""]
    path = os.path.join(ROOT, "docs", "benchmarks.md")
    open(path, "w").write("\n".join(lines))
    print("\n".join(lines[:40]))
    print("bench: wrote %s" % path)


if __name__ == "__main__":
    main()
