#!/usr/bin/env python3
"""ssm-shell beside AWS's session-manager-plugin (issue 17, "Measured side by side with the real plugin"):
both clients against the same emulator in one run, alternating (one ssm-shell sample, then one plugin
sample, three times), each figure the median of 3. The plugin runs as users run it, under
`aws ssm start-session`; its figures are the session-manager-plugin process's. A transfer or session
that makes no progress for STALL_S seconds is a stall: counted for its client, its sample taken again
(at most MAX_EXTRA more times), never fatal. Run by scripts/bench; alone:
  python3 scripts/bench_plugin.py --binary SSM_SHELL [--aws AWS] [--plugin PLUGIN] [--quick]
(starts its own emulator; prints the results as JSON)."""
import math
import os
import random
import shutil
import socket
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import Blackhole, Sink, SinkHandler, cpu_of, environment, rss_of  # noqa: E402
from bench_clients import PluginClient, SsmShellClient, private_mb  # noqa: E402

NODE_NAME, NODE_ID = "web-1", "i-0a1b2c3d4e5f60001"
ROUNDS = 3
MAX_EXTRA = 3
STALL_S = 10


class Stall(Exception):
    """A transfer or session that stopped making progress."""


def find_plugin(given=None):
    """--plugin, else SSM_PLUGIN_BIN, else session-manager-plugin on PATH; None when there is none."""
    for candidate in (given, os.environ.get("SSM_PLUGIN_BIN"), shutil.which("session-manager-plugin")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return os.path.abspath(candidate)
    return None


class SideBySide:
    """Every figure of issue 17's list for each client, alternating, medians of ROUNDS."""

    def __init__(self, binary, aws, plugin, info, quick):
        self.info = info
        self.quick = quick
        self.clients = [SsmShellClient(binary, NODE_NAME)]
        if plugin:
            self.clients.append(PluginClient(aws, plugin, NODE_ID, info["endpoint"]))
        self.stalls = {c.name: [] for c in self.clients}
        self.sessions = {c.name: 0 for c in self.clients}
        self.down_mib = 16 if quick else 64
        self.up_mib = 2 if quick else 8   # the plugin paces its upload (~0.8 MB/s): 8 MiB is ~10 s of it
        self.keys = 40 if quick else 200
        self.rng = random.Random(17)

    def alternate(self, figure, what):
        """ROUNDS samples of FIGURE(client) per client, alternating; a Stall is counted and retried."""
        samples = {c.name: [] for c in self.clients}
        for _ in range(ROUNDS):
            for client in self.clients:
                for _attempt in range(1 + MAX_EXTRA):
                    self.sessions[client.name] += 1
                    try:
                        samples[client.name].append(figure(client))
                        break
                    except (Stall, RuntimeError, OSError) as error:
                        self.stalls[client.name].append("%s: %s" % (what, str(error)[:200]))
        return samples

    def forward_sample(self, client):
        server = Sink(("127.0.0.1", 0), SinkHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        forward = None
        try:
            forward = client.open_forward(environment(self.info), server.server_address[1], 30)
            pid = forward.measured_pid
            with PrivatePeak(pid) as private:
                before = cpu_of(pid)
                up = upload(forward.local_port, self.up_mib)
                middle = cpu_of(pid)
                down = download(forward.local_port, self.down_mib)
                after = cpu_of(pid)
            sample = {"upload_MBps": mb(self.up_mib) / up, "download_MBps": mb(self.down_mib) / down,
                      "cpu_s_per_MB_up": (middle - before) / mb(self.up_mib), "cpu_s_per_MB_down": (after - middle) / mb(self.down_mib),
                      "peak_rss_MB_under_load": rss_of(pid), "private_MB_under_load": private.peak}
        finally:
            if forward:
                forward.stop()
            server.shutdown()
            server.server_close()
        return sample

    def shell_sample(self, client):
        """An idle shell session's memory, then keystroke to echo with typing-like pauses (30-70 ms)."""
        import pexpect
        env = environment(self.info)
        env["TERM"] = "xterm"
        if isinstance(client, PluginClient):
            env = client.environment(env)
        program, argv = client.shell_argv()
        child = pexpect.spawn(program, argv, env=env, timeout=STALL_S)
        child.delaybeforesend = None   # pexpect otherwise sleeps 50 ms before every send
        pid = None
        try:
            try:
                child.expect(rb"\$ ")
                pid = client.shell_pid(child)
                child.send(b"echo ready\r")
                child.expect(rb"ready\r*\n[^\n]*\$ ")  # the plugin's echo ends lines "\r\r\n"
                time.sleep(1.0)  # idle: whatever the session does while nobody types (PERF: prompt + 1 s)
                sample = {"idle_peak_rss_MB": rss_of(pid), "idle_private_MB": private_mb(pid)}
                latencies = []
                for i in range(self.keys):
                    time.sleep(self.rng.uniform(0.030, 0.070))
                    key = b"abcdefghij"[i % 10:i % 10 + 1]
                    start = time.perf_counter()
                    child.send(key)
                    child.expect_exact(key)
                    latencies.append((time.perf_counter() - start) * 1000)
                    if i % 50 == 49:
                        child.send(b"\x15")  # clear the line now and then (Ctrl-U)
                latencies.sort()
                sample["keystroke_median_ms"] = statistics.median(latencies)
                sample["keystroke_p99_ms"] = latencies[math.ceil(0.99 * len(latencies)) - 1]  # nearest rank
                child.send(b"\x15exit\r")
                child.expect(pexpect.EOF)
                return sample
            except (pexpect.TIMEOUT, pexpect.EOF) as error:
                raise Stall("the shell session made no progress for %d s (%s)" % (STALL_S, type(error).__name__))
        finally:
            child.close(force=True)
            if pid is None and isinstance(client, PluginClient):
                try:
                    pid = client.shell_pid(child)
                except RuntimeError:
                    pass
            if pid and pid != child.pid:
                stop_process(pid)  # the plugin does not watch its parent: a killed AWS CLI leaves it running

    def dead_endpoint(self, cap):
        """Seconds until each client reports an endpoint that never answers (a full accept queue), median of
        ROUNDS, alternating; a client stopped at CAP is not run again. Exit status and last words kept."""
        import subprocess
        hole = Blackhole()
        url = "http://127.0.0.1:%d" % hole.port
        env = environment(self.info)
        env["AWS_ENDPOINT_URL"] = url
        runs = {c.name: [] for c in self.clients}
        try:
            for _ in range(ROUNDS):
                for client in self.clients:
                    if runs[client.name] and runs[client.name][-1]["capped"]:
                        continue
                    if isinstance(client, PluginClient):
                        argv = [client.aws, "--endpoint-url", url, "ssm", "start-session", "--target", NODE_ID]
                        run_env = client.environment(env)
                    else:
                        argv, run_env = [client.binary, "-c", "connect %s" % NODE_NAME], env
                    start = time.perf_counter()
                    try:
                        done = subprocess.run(argv, env=run_env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=cap)
                        words = (done.stderr.strip().splitlines() or [""])[-1][:300]
                        runs[client.name].append({"seconds": time.perf_counter() - start, "status": done.returncode,
                                                  "capped": False, "stderr": words})
                    except subprocess.TimeoutExpired:
                        runs[client.name].append({"seconds": cap, "status": None, "capped": True, "stderr": ""})
        finally:
            hole.close()
        result = {}
        for name, entries in runs.items():
            middle = sorted(entries, key=lambda e: e["seconds"])[len(entries) // 2]
            result[name] = dict(middle, samples=[e["seconds"] for e in entries])
        return result

    def measure(self, startup):
        results = {"clients": [c.name for c in self.clients], "rounds": ROUNDS, "upload_MiB": self.up_mib,
                   "download_MiB": self.down_mib, "keystrokes": self.keys, "stall_s": STALL_S}
        print("bench: side by side: forwards (%d MiB up, %d MiB down)" % (self.up_mib, self.down_mib), flush=True)
        results["forward"] = medians(self.alternate(self.forward_sample, "forward"))
        print("bench: side by side: shell sessions (memory, %d keystrokes)" % self.keys, flush=True)
        results["shell"] = medians(self.alternate(self.shell_sample, "shell"))
        print("bench: side by side: an endpoint that never answers", flush=True)
        results["dead_endpoint"] = self.dead_endpoint(15 if self.quick else 60)
        results["startup"] = startup
        results["sessions"] = self.sessions
        results["stalls"] = {name: {"count": len(s), "first": s[:5]} for name, s in self.stalls.items()}
        return results


class PrivatePeak:
    """The largest private memory of PID (smaps_rollup) seen every 100 ms while the block runs: under load,
    not after it (a client may give its buffers back when the transfer ends)."""

    def __init__(self, pid):
        self.pid = pid
        self.peak = 0.0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)

    def watch(self):
        while True:
            try:
                self.peak = max(self.peak, private_mb(self.pid))
            except OSError:
                return
            if self.done.wait(0.1):
                return

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join()
        try:
            self.peak = max(self.peak, private_mb(self.pid))
        except OSError:
            pass
        return False


def mb(mib):
    return (mib << 20) / 1e6


def upload(port, mib):
    """MIB MiB to the sink, answered "done" once all arrived: seconds. No progress for STALL_S: Stall."""
    block = os.urandom(1 << 16)
    start = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=STALL_S) as s:
            s.sendall(b"TAKE %d\n" % (mib << 20))
            for _ in range(mib * 16):
                s.sendall(block)
            if s.recv(10) != b"done":
                raise Stall("the upload's end was not acknowledged")
    except socket.timeout:
        raise Stall("the upload made no progress for %d s" % STALL_S)
    return time.perf_counter() - start


def download(port, mib):
    start = time.perf_counter()
    got = 0
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=STALL_S) as s:
            s.sendall(b"GIVE %d" % mib)
            while got < mib << 20:
                chunk = s.recv(1 << 16)
                if not chunk:
                    break
                got += len(chunk)
    except socket.timeout:
        raise Stall("the download stopped for %d s after %d of %d bytes" % (STALL_S, got, mib << 20))
    if got != mib << 20:
        raise Stall("the download ended after %d of %d bytes" % (got, mib << 20))
    return time.perf_counter() - start


def medians(samples):
    """{client: {figure: median}} with the samples kept beside them."""
    out = {}
    for name, rows in samples.items():
        figures = {key: statistics.median(row[key] for row in rows) for key in (rows[0] if rows else {})}
        out[name] = {"median": figures, "samples": rows}
    return out


def stop_process(pid):
    import signal
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def versions(aws, plugin):
    import subprocess
    out = {}
    for name, argv in (("aws", [aws, "--version"]), ("session-manager-plugin", [plugin, "--version"] if plugin else None)):
        if argv:
            done = subprocess.run(argv, capture_output=True, text=True)
            out[name] = (done.stdout + done.stderr).strip().split("\n")[0]
    return out


def measure(binary, aws, info, quick, startup, plugin=None):
    """For scripts/bench: the side-by-side figures against INFO's emulator (started with --unpaced and
    --unsigned-upgrades). Without a plugin, ssm-shell's column alone, and the page says so."""
    plugin = find_plugin(plugin)
    results = SideBySide(binary, aws, plugin, info, quick).measure(startup)
    results["plugin"] = plugin
    results["binary"] = binary
    results["versions"] = versions(aws, plugin)
    return results


def main():
    import argparse
    import json
    from bench import start_emulator, startup
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True, help="the ssm-shell to measure")
    parser.add_argument("--aws", default=shutil.which("aws"), help="the AWS CLI that starts the plugin (default: aws on PATH)")
    parser.add_argument("--plugin", help="session-manager-plugin (default: SSM_PLUGIN_BIN, else the one on PATH)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", metavar="FILE", help="also write the results to FILE")
    args = parser.parse_args()
    process, info = start_emulator(extra=("--unpaced", "--unsigned-upgrades"))
    try:
        results = measure(args.binary, args.aws, info, args.quick, startup(args.binary, args.aws, info, 3 if args.quick else 7), args.plugin)
    finally:
        process.terminate()
        process.wait()
    text = json.dumps(results, indent=1)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text)
    print(text)
    from bench_plugin_page import page_lines
    print("\n".join(page_lines(results)))


if __name__ == "__main__":
    main()
