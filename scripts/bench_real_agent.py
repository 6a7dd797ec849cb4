#!/usr/bin/env python3
"""The real-agent figures of docs/benchmarks.md: forward throughput, CPU per MB and keystroke latency of ssm-shell
against a real amazon-ssm-agent node. Runs as the COMMAND of scripts/real-agent/with-agent (SSM_EMULATOR_READY names
its ready file, with "real_nodes"); scripts/bench starts it when SSM_AGENT_BIN is set. Prints the results as JSON."""
import argparse
import json
import os
import re
import socket
import socketserver
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import Sink, cpu_of, environment, rss_of, stop_forward  # noqa: E402

# The agent's processes, by /proc/PID/comm (15 characters at most): its CPU is the node's share of the work.
AGENT_COMMS = ("amazon-ssm-agen", "ssm-agent-worke", "ssm-session-wor")


def agent_cpu():
    total = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/comm" % pid) as f:
                if f.read().strip() in AGENT_COMMS:
                    total += cpu_of(int(pid))
        except (OSError, ValueError):
            continue  # ended meanwhile
    return total


class CountingSinkHandler(socketserver.BaseRequestHandler):
    """"TAKE N\n" then N bytes, answered "done" on the same connection; or "GIVE M" for M MiB. Unlike bench.py's sink it
    never relies on a half-close: the real agent closes the whole connection to the target when the client's stream
    ends (agent/session/plugins/port/port_mux.go handleDataTransfer: io.Copy, then Close)."""

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


def real_environment(ready):
    env = environment(ready)
    env["AWS_CA_BUNDLE"] = ready["ca_bundle"]
    return env


def forward_throughput(binary, ready, node, mib, deadline_s):
    """One forward to the real node: MIB MiB up, then MIB MiB down; wall time at the client, CPU of ssm-shell and of
    the agent's processes. Every transfer has a deadline (the agent paces what it sends: ~0.6 MiB/s)."""
    server = Sink(("127.0.0.1", 0), CountingSinkHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    process = subprocess.Popen([binary, "-c", "forward %s 0:%d --foreground" % (node, server.server_address[1])],
                               env=real_environment(ready), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    try:
        line = process.stderr.readline()
        found = re.search(r"127\.0\.0\.1:(\d+)", line)
        if not found:
            raise RuntimeError("the forward did not start: %s" % (line + process.stderr.read(2000)))
        port = int(found.group(1))
        data = os.urandom(1 << 20)
        size = (mib << 20) / 1e6
        client_before, agent_before = cpu_of(process.pid), agent_cpu()
        start = time.perf_counter()
        with socket.create_connection(("127.0.0.1", port), timeout=deadline_s) as s:
            s.sendall(b"TAKE %d\n" % (mib << 20))
            for _ in range(mib):
                s.sendall(data)
            if s.recv(10) != b"done":
                raise RuntimeError("the upload did not reach the sink")
        up = time.perf_counter() - start
        client_up, agent_up = cpu_of(process.pid) - client_before, agent_cpu() - agent_before
        client_before, agent_before = cpu_of(process.pid), agent_cpu()
        start = time.perf_counter()
        got = 0
        with socket.create_connection(("127.0.0.1", port), timeout=deadline_s) as s:
            s.sendall(b"GIVE %d" % mib)
            while got < mib << 20:
                chunk = s.recv(1 << 16)
                if not chunk:
                    break
                got += len(chunk)
        if got != mib << 20:
            raise RuntimeError("the download stopped after %d of %d bytes" % (got, mib << 20))
        down = time.perf_counter() - start
        client_down, agent_down = cpu_of(process.pid) - client_before, agent_cpu() - agent_before
        rss = rss_of(process.pid)
    finally:
        stop_forward(process)
        server.shutdown()
    return {"MiB": mib, "upload_MBps": size / up, "download_MBps": size / down,
            "cpu_s_per_MB_up": client_up / size, "cpu_s_per_MB_down": client_down / size,
            "agent_cpu_s_per_MB_up": agent_up / size, "agent_cpu_s_per_MB_down": agent_down / size,
            "rss_MB_under_load": rss}


def keystrokes(binary, ready, node, samples):
    """Time from a key written to the pty to its echo, through `connect` to the real node's shell."""
    import pexpect
    env = real_environment(ready)
    env["TERM"] = "xterm"
    child = pexpect.spawn(binary, ["-c", "connect %s" % node], env=env, timeout=30)
    child.delaybeforesend = None   # pexpect otherwise sleeps 50 ms before every send
    child.expect(rb"[$#] ")
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
    return {"samples": samples, "median_ms": statistics.median(latencies),
            "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)]}


def measure_under_with_agent(binary, quick):
    """For scripts/bench: runs this file under with-agent when SSM_AGENT_BIN names built agent binaries; None when it
    is not set, {"error": ...} when the run failed (a benchmark reports, it never fails)."""
    agent_bin = os.environ.get("SSM_AGENT_BIN")
    if not agent_bin:
        return None
    import tempfile
    out = os.path.join(tempfile.mkdtemp(prefix="ssm-bench-real-"), "real-agent.json")
    here = os.path.dirname(os.path.abspath(__file__))
    command = [os.path.join(here, "real-agent", "with-agent"), "--agent-bin", agent_bin, "--nodes", "1", "--",
               sys.executable, os.path.abspath(__file__), "--binary", os.path.abspath(binary),
               "--mib", "4" if quick else "16", "--samples", "100" if quick else "300", "--json", out]
    try:
        status = subprocess.run(command, stdin=subprocess.DEVNULL, timeout=1800).returncode
    except subprocess.TimeoutExpired:
        return {"error": "with-agent did not finish within 30 minutes"}
    if status != 0 or not os.path.exists(out):
        return {"error": "with-agent exited %d (see its output above)" % status}
    with open(out) as f:
        return json.load(f)


def page_lines(real, simulated_forward, simulated_keystrokes):
    """The real-agent section of docs/benchmarks.md, beside the same figures against the emulator's agent."""
    if real is None:
        return ["", "## Against the real agent", "",
                "Not measured in this run: set `SSM_AGENT_BIN` to binaries built by `scripts/real-agent/build` "
                "(see scripts/real-agent/README.md) and run `scripts/bench` again."]
    if "error" in real:
        return ["", "## Against the real agent", "", "Not measured: %s." % real["error"]]
    f, k = real["forward"], real["keystrokes"]
    return ["", "## Against the real agent", "",
            "The same ssm-shell through `scripts/real-agent/with-agent` (the emulator as the gateway, TLS) to one node running "
            "amazon-ssm-agent %s built from its public source; %d MiB each way through one forward, %d keystrokes." % (
                real["agent_version"], f["MiB"], k["samples"]),
            "", "| figure | real agent | emulator's agent (above) |", "| --- | --- | --- |",
            "| forward upload | %.2f MB/s | %.1f MB/s |" % (f["upload_MBps"], simulated_forward["upload_MBps"]),
            "| forward download | %.2f MB/s | %.1f MB/s |" % (f["download_MBps"], simulated_forward["download_MBps"]),
            "| ssm-shell CPU per MB | %.3f s/MB up, %.3f s/MB down | %.3f s/MB up, %.3f s/MB down |" % (
                f["cpu_s_per_MB_up"], f["cpu_s_per_MB_down"], simulated_forward["cpu_s_per_MB_up"], simulated_forward["cpu_s_per_MB_down"]),
            "| the agent's CPU per MB (its processes) | %.3f s/MB up, %.3f s/MB down | |" % (
                f["agent_cpu_s_per_MB_up"], f["agent_cpu_s_per_MB_down"]),
            "| keystroke to echo through `connect` | %.2f ms median, %.2f ms p99 | %.2f ms median, %.2f ms p99 |" % (
                k["median_ms"], k["p99_ms"], simulated_keystrokes["median_ms"], simulated_keystrokes["p99_ms"]),
            "", "The real agent paces what it sends towards the client (it reads at most 1 KiB from the port, sends it, then "
            "sleeps 1 ms: agent/session/plugins/port), so the download figure is the agent's, not the client's."]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--binary", required=True, help="the ssm-shell to measure")
    parser.add_argument("--mib", type=int, default=16, help="MiB each way through the forward (default 16)")
    parser.add_argument("--samples", type=int, default=200, help="keystrokes (default 200)")
    parser.add_argument("--json", metavar="FILE", help="also write the results to FILE")
    args = parser.parse_args()
    ready_file = os.environ.get("SSM_EMULATOR_READY")
    if not ready_file:
        sys.exit("bench_real_agent: run it under scripts/real-agent/with-agent (SSM_EMULATOR_READY is not set)")
    with open(ready_file) as f:
        ready = json.load(f)
    node = ready["real_nodes"][0]
    results = {"agent_version": ready.get("agent_version", "")}
    print("bench: real agent %s: forward throughput (%d MiB each way)" % (results["agent_version"], args.mib), flush=True)
    results["forward"] = forward_throughput(args.binary, ready, node, args.mib, deadline_s=max(60, args.mib * 10))
    print("bench: real agent: keystrokes", flush=True)
    results["keystrokes"] = keystrokes(args.binary, ready, node, args.samples)
    text = json.dumps(results, indent=1)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text)
    print(text)


if __name__ == "__main__":
    main()
