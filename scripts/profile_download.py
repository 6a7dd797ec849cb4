#!/usr/bin/env python3
"""Where a forward download's client CPU goes (issue 17: client CPU per MB at most 1/4 of
session-manager-plugin's). Starts the emulator (--unpaced), opens `forward web-1 ... --foreground`
and downloads MIB MiB through it, as scripts/bench_plugin.py does, in one of two ways:

  --callgrind   under `valgrind --tool=callgrind` with instrumentation switched on only for the
                download (callgrind_control): instructions per MB, load-independent, and the
                callgrind file to read with callgrind_annotate. Under valgrind the client is ~50x
                slower than the emulator, so each poll round finds many messages waiting.
  (default)     at full speed, with `perf stat` counting the client's system calls during the
                download: how many loop rounds (polls) and sends, recvs and writes each MB costs,
                and the client's CPU seconds per MB (these depend on the machine's load).

  python3 scripts/profile_download.py --binary BIN [--mib 16] [--callgrind] [--out FILE]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import Sink, SinkHandler, cpu_of, environment, start_emulator  # noqa: E402
from bench_clients import read_port  # noqa: E402

SYSCALLS = ("poll", "recvfrom", "sendto", "write", "read")


def mb(mib):
    return (mib << 20) / 1e6


class DownloadProfile:
    """One forward, one download through it, measured one way."""

    def __init__(self, binary, info, mib, callgrind, out, record=None):
        self.record = record
        self.binary = binary
        self.info = info
        self.mib = mib
        self.callgrind = callgrind
        self.out = out

    def run(self):
        import bench_plugin
        sink = Sink(("127.0.0.1", 0), SinkHandler)
        threading.Thread(target=sink.serve_forever, daemon=True).start()
        prefix = []
        if self.callgrind:
            prefix = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=" + self.out]
        argv = prefix + [self.binary, "-c", "forward web-1 0:%d --foreground" % sink.server_address[1]]
        process = subprocess.Popen(argv, env=environment(self.info), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
        bench_plugin.STALL_S = 120 if self.callgrind else 10
        try:
            port = read_port(process.stderr.fileno(), r"127\.0\.0\.1:(\d+)\D", 120)
            bench_plugin.download(port, 1)  # the first connection's set-up is not the steady state
            result = self.callgrind_download(process, port) if self.callgrind else self.counted_download(process, port)
        finally:
            process.terminate()  # callgrind writes its file on SIGTERM
            process.wait(timeout=120)
            sink.shutdown()
            sink.server_close()
        if self.callgrind:
            result["instructions"] = total_instructions(self.out)
            result["instructions_per_MB"] = result["instructions"] / mb(self.mib)
        return result

    def callgrind_download(self, process, port):
        import bench_plugin
        subprocess.run(["callgrind_control", "--instr=on", str(process.pid)], check=True, capture_output=True)
        seconds = bench_plugin.download(port, self.mib)
        subprocess.run(["callgrind_control", "--instr=off", str(process.pid)], check=True, capture_output=True)
        return {"mib": self.mib, "seconds": seconds}

    def counted_download(self, process, port):
        import bench_plugin
        events = ",".join("syscalls:sys_enter_" + name for name in SYSCALLS)
        with tempfile.NamedTemporaryFile(prefix="perf-stat-", suffix=".txt", delete=False) as f:
            stat_path = f.name
        perf = subprocess.Popen(["perf", "stat", "-x", ",", "-o", stat_path, "-e", events, "-p", str(process.pid)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        recorder = None
        if self.record:
            recorder = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "4000", "-g", "-o", self.record, "-p", str(process.pid)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)  # perf attaches
        before = cpu_of(process.pid)
        seconds = bench_plugin.download(port, self.mib)
        after = cpu_of(process.pid)
        for watcher in (perf, recorder):
            if watcher:
                watcher.send_signal(2)
                watcher.wait(timeout=30)
        counts = {}
        with open(stat_path) as f:
            for line in f:
                fields = line.strip().split(",")
                if len(fields) > 2 and fields[2].startswith("syscalls:sys_enter_"):
                    counts[fields[2][len("syscalls:sys_enter_"):]] = int(fields[0]) if fields[0].isdigit() else None
        os.unlink(stat_path)
        per_mb = {name: (count / mb(self.mib) if count is not None else None) for name, count in counts.items()}
        return {"mib": self.mib, "seconds": seconds, "MBps": mb(self.mib) / seconds,
                "cpu_s_per_MB": (after - before) / mb(self.mib), "syscalls_per_MB": per_mb,
                "load_average": os.getloadavg()[0]}


def total_instructions(path):
    """callgrind's `totals:` line (its `summary:` is taken when instrumentation is off, at the exit)."""
    with open(path) as f:
        for line in f:
            match = re.match(r"totals: (\d+)", line)
            if match:
                return int(match.group(1))
    return None


def main():
    import json
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--mib", type=int, default=16)
    parser.add_argument("--callgrind", action="store_true")
    parser.add_argument("--out", default="callgrind.download", help="the callgrind file (with --callgrind)")
    parser.add_argument("--perf-record", metavar="FILE", help="also `perf record -g` the client during the download into FILE")
    args = parser.parse_args()
    process, info = start_emulator(extra=("--unpaced",))
    try:
        result = DownloadProfile(os.path.abspath(args.binary), info, args.mib, args.callgrind, os.path.abspath(args.out),
                                 args.perf_record).run()
    finally:
        process.terminate()
        process.wait()
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
