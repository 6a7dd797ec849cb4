"""`put` and `get` of one random file to one node on the local emulator, beside the same bytes
uploaded through `forward` (issue 13's speed goal: put of 64 MiB at least 10 MB/s, and within 1.5x
of forward's time). Each run measures the three in turn, with the load average, the client's CPU
and the emulator's (its node processes included). Called by scripts/bench.py; alone:
    python3 scripts/bench_putget.py --binary BIN [--mib 64] [--runs 3] [--profile-emulator FILE]
prints each run and the medians (--profile-emulator runs the emulator under cProfile and writes
its profile to FILE). A measurement: it reports, it never fails."""
import argparse
import hashlib
import json
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ROOT, Sink, SinkHandler, environment, start_emulator, stop_forward  # noqa: E402

NODE = "web-2"
PUT_GOAL_MBPS = 10.0
FORWARD_RATIO_GOAL = 1.5


def process_cpu(pid):
    """CPU seconds of a process and of the children it has waited for (the emulator's node shells)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def client_run(argv, env):
    """Runs ssm-shell to its end: (wall seconds, CPU seconds of it and its children, result)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=1800)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(argv[1:3]), result.returncode, result.stderr.strip()[-500:]))
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), result


def forward_upload(binary, env, sink_port, payload):
    """Seconds from connecting to the forward until the sink has all the bytes; the client's CPU."""
    process = subprocess.Popen([binary, "-c", "forward %s 0:%d --foreground" % (NODE, sink_port)], env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        port = int(re.search(r"127\.0\.0\.1:(\d+)", process.stderr.readline()).group(1))
        cpu_before = process_cpu(process.pid)
        start = time.perf_counter()
        with socket.create_connection(("127.0.0.1", port), timeout=600) as s:
            s.sendall(b"TAKE %d\n" % len(payload))
            s.sendall(payload)
            if s.recv(10) != b"done":
                raise RuntimeError("the upload through forward did not reach the sink")
        return time.perf_counter() - start, process_cpu(process.pid) - cpu_before
    finally:
        stop_forward(process)


def one_run(binary, env, emulator_pid, sink_port, path, payload, n):
    """forward upload, put, get of the same bytes: seconds, client and emulator CPU, load."""
    run = {"load": os.getloadavg()[0]}
    emulator_before = process_cpu(emulator_pid)
    run["forward_s"], run["forward_client_cpu_s"] = forward_upload(binary, env, sink_port, payload)
    run["forward_emulator_cpu_s"] = process_cpu(emulator_pid) - emulator_before
    remote, back = "bench-%d.bin" % n, "%s.back-%d" % (path, n)
    for verb, command in (("put", "put %s %s:%s" % (path, NODE, remote)), ("get", "get %s:%s %s" % (NODE, remote, back))):
        emulator_before = process_cpu(emulator_pid)
        run[verb + "_s"], run[verb + "_client_cpu_s"], _ = client_run([binary, "-c", command], env)
        run[verb + "_emulator_cpu_s"] = process_cpu(emulator_pid) - emulator_before
    with open(back, "rb") as f:
        if hashlib.sha256(f.read()).digest() != hashlib.sha256(payload).digest():
            raise RuntimeError("get brought back different bytes")
    os.unlink(back)
    run["load_after"] = os.getloadavg()[0]
    return run


def measure(binary, info, emulator_pid, mib, runs):
    """`runs` rounds of forward upload, put and get of one random file of `mib` MiB."""
    work = tempfile.mkdtemp(prefix="ssm-bench-putget-")
    path = os.path.join(work, "payload.bin")
    payload = os.urandom(mib << 20)
    with open(path, "wb") as f:
        f.write(payload)
    server = Sink(("127.0.0.1", 0), SinkHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = environment(info)
    try:
        rounds = [one_run(binary, env, emulator_pid, server.server_address[1], path, payload, n) for n in range(runs)]
    finally:
        server.shutdown()
        os.unlink(path)
    size = (mib << 20) / 1e6
    median = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
    return {"mib": mib, "node": NODE, "runs": rounds, "median": median,
            "put_MBps": size / median["put_s"], "get_MBps": size / median["get_s"], "forward_MBps": size / median["forward_s"],
            "put_over_forward": median["put_s"] / median["forward_s"]}


def page_lines(r):
    """The bench page's put/get section."""
    if not r:
        return []
    size = (r["mib"] << 20) / 1e6
    rates = lambda key: ", ".join("%.1f" % (size / x[key]) for x in r["runs"])  # noqa: E731
    loads = ", ".join("%.1f-%.1f" % (x["load"], x["load_after"]) for x in r["runs"])
    put_met = r["mib"] >= 64 and r["put_MBps"] >= PUT_GOAL_MBPS
    ratio_met = r["put_over_forward"] <= FORWARD_RATIO_GOAL
    m = r["median"]
    return ["", "## put and get (issue 13)", "",
            "One random file of %d MiB to `%s` and back, and the same bytes uploaded through `forward` to a local sink, in turn, "
            "%d times in this run (medians; each run's figure in brackets, load average at the start and end of each run: %s)." % (
                r["mib"], r["node"], len(r["runs"]), loads),
            "", "| figure | goal | measured | met |", "| --- | --- | --- | --- |",
            "| put, %d MiB to one node | ≥ %.0f MB/s for 64 MiB | %.1f MB/s (%s) | %s |" % (
                r["mib"], PUT_GOAL_MBPS, r["put_MBps"], rates("put_s"), "yes" if put_met else "no" + ("" if r["mib"] >= 64 else " (a %d MiB run)" % r["mib"])),
            "| put beside forward's upload of the same bytes | ≤ %.1fx forward's time | %.2fx (forward %.1f MB/s: %s) | %s |" % (
                FORWARD_RATIO_GOAL, r["put_over_forward"], r["forward_MBps"], rates("forward_s"), "yes" if ratio_met else "no"),
            "| get | (no goal) | %.1f MB/s (%s) | |" % (r["get_MBps"], rates("get_s")),
            "", "Method (scripts/bench_putget.py): `ssm-shell -c 'put FILE %s:NAME'`, then `get` of it back (its sha256 checked), timed "
            "as whole commands: the session's start, the receiver on the node and its sha256 are in put's time. forward's time runs "
            "from connecting to a running `forward %s 0:PORT --foreground` until the local sink has every byte. The ratio is of the "
            "medians. CPU seconds (medians), client / emulator with its node processes: forward upload %.2f / %.2f, put %.2f / %.2f, "
            "get %.2f / %.2f; the forward's client CPU is its process only (the uploader is the bench itself). The machine's other "
            "work shows in the load averages: figures taken under load are not the client's." % (
                r["node"], r["node"],
                m["forward_client_cpu_s"], m["forward_emulator_cpu_s"], m["put_client_cpu_s"], m["put_emulator_cpu_s"],
                m["get_client_cpu_s"], m["get_emulator_cpu_s"])]


def start_profiled_emulator(profile):
    """The emulator under cProfile: it writes FILE when it stops (SIGTERM ends it cleanly)."""
    directory = tempfile.mkdtemp(prefix="ssm-bench-")
    ready = os.path.join(directory, "ready.json")
    process = subprocess.Popen([sys.executable, "-m", "cProfile", "-o", os.path.abspath(profile), "-m", "emulator", "--ready-file", ready],
                               cwd=os.path.join(ROOT, "scripts", "emulator"), stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not os.path.exists(ready):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            sys.exit("the emulator did not start within 60 s")
        time.sleep(0.05)
    time.sleep(0.2)   # the ready file is written before its last byte lands
    return process, json.load(open(ready))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--mib", type=int, default=64)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile-emulator", metavar="FILE")
    args = parser.parse_args()
    process, info = start_profiled_emulator(args.profile_emulator) if args.profile_emulator else start_emulator()
    try:
        r = measure(args.binary, info, process.pid, args.mib, args.runs)
    finally:
        process.terminate()
        process.wait(timeout=60)
    size = (args.mib << 20) / 1e6
    for n, run in enumerate(r["runs"]):
        print("run %d (load %.1f-%.1f): forward %.1f MB/s, put %.1f MB/s, get %.1f MB/s, put/forward %.2fx; "
              "CPU client/emulator s: forward %.2f/%.2f put %.2f/%.2f get %.2f/%.2f" % (
                  n + 1, run["load"], run["load_after"], size / run["forward_s"], size / run["put_s"], size / run["get_s"],
                  run["put_s"] / run["forward_s"], run["forward_client_cpu_s"], run["forward_emulator_cpu_s"], run["put_client_cpu_s"],
                  run["put_emulator_cpu_s"], run["get_client_cpu_s"], run["get_emulator_cpu_s"]))
    print("median: forward %.1f MB/s, put %.1f MB/s, get %.1f MB/s, put/forward %.2fx" % (
        r["forward_MBps"], r["put_MBps"], r["get_MBps"], r["put_over_forward"]))
    print(json.dumps(r, default=float))


if __name__ == "__main__":
    main()
