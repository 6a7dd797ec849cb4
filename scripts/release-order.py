#!/usr/bin/env python3
"""Writes scripts/release-order.txt: the functions an idle shell session and a forward run, which
scripts/release-build has the linker place first so that they share a few pages of code (issue 17's
memory goal; docs/benchmarks.md, "Where an idle session's memory goes"). Each scenario runs under
`valgrind --tool=callgrind` against the emulator: `connect web-1` to its prompt, a command and a few
keys, then exit; `forward web-1` with 1 MiB up and 2 MiB down. Every function callgrind saw that the
binary defines is listed: the shell session's first, then the forward's others, each sorted by name
(stable diffs). The static Swift libraries keep many
functions in one shared `.text` section, which the linker moves as a whole: naming their hot
functions too still helps (measured: 9.3 MB private with them, 10.7 MB without). A stale list only costs memory: the linker
skips names it does not know. Run it again after large changes:
  python3 scripts/release-order.py --binary "$(scripts/release-build | tail -1)"
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import Sink, SinkHandler, environment, start_emulator  # noqa: E402
from bench_clients import read_port  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEADLINE_S = 120  # valgrind runs the client about 50 times slower
HEADER = """# The functions an idle `connect` runs, then those only a forward adds (callgrind against the emulator),
# placed first by the linker (scripts/release-build). Made by scripts/release-order.py; do not edit by hand.
"""


class OrderTrace:
    """Runs the scenarios under callgrind and collects the functions they ran."""

    def __init__(self, binary, info, directory):
        self.binary = binary
        self.info = info
        self.directory = directory

    def valgrind(self, name):
        out = os.path.join(self.directory, "callgrind." + name)
        return ["valgrind", "--tool=callgrind", "--demangle=no", "--compress-strings=no", "--callgrind-out-file=" + out], out

    def shell(self):
        import pexpect
        prefix, out = self.valgrind("shell")
        env = environment(self.info)
        env["TERM"] = "xterm"
        child = pexpect.spawn(prefix[0], prefix[1:] + [self.binary, "-c", "connect web-1"], env=env, timeout=DEADLINE_S)
        try:
            child.expect(rb"\$ ")
            child.send(b"echo ready\r")
            child.expect(rb"ready\r*\n[^\n]*\$ ")
            for key in b"abcdef":
                child.send(bytes([key]))
                child.expect_exact(bytes([key]))
            child.send(b"\x15exit\r")
            child.expect(pexpect.EOF)
        finally:
            child.close(force=True)
        return out

    def forward(self):
        import bench_plugin
        prefix, out = self.valgrind("forward")
        sink = Sink(("127.0.0.1", 0), SinkHandler)
        threading.Thread(target=sink.serve_forever, daemon=True).start()
        argv = prefix + [self.binary, "-c", "forward web-1 0:%d --foreground" % sink.server_address[1]]
        process = subprocess.Popen(argv, env=environment(self.info), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            port = read_port(process.stderr.fileno(), r"127\.0\.0\.1:(\d+)\D", DEADLINE_S)
            bench_plugin.STALL_S = DEADLINE_S
            bench_plugin.upload(port, 1)
            bench_plugin.download(port, 2)
        finally:
            process.terminate()  # callgrind writes its file on SIGTERM
            process.wait(timeout=DEADLINE_S)
            sink.shutdown()
            sink.server_close()
        return out


def functions_run(path):
    """Names of callgrind's `fn=` lines; a recursion's `'N` suffix is callgrind's, not the symbol's."""
    names = set()
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("fn="):
                name = re.sub(r"^\(\d+\) ", "", line[3:].strip())
                names.add(re.sub(r"'\d+$", "", name))
    return names


def defined_functions(binary):
    listing = subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True, check=True).stdout
    return {p[2] for p in (line.split() for line in listing.splitlines()) if len(p) == 3 and p[1] in "tTwW"}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True, help="a release build of ssm-shell (scripts/release-build)")
    parser.add_argument("--output", default=os.path.join(ROOT, "scripts", "release-order.txt"))
    args = parser.parse_args()
    if subprocess.run(["valgrind", "--version"], capture_output=True).returncode != 0:
        sys.exit("release-order: valgrind is needed (apt-get install valgrind)")
    process, info = start_emulator(extra=("--unpaced",))
    try:
        with tempfile.TemporaryDirectory(prefix="release-order-") as directory:
            trace = OrderTrace(os.path.abspath(args.binary), info, directory)
            shell, forward = functions_run(trace.shell()), functions_run(trace.forward())
    finally:
        process.terminate()
        process.wait()
    # The idle session's functions first, then those only a forward runs: an idle session's pages
    # hold no forward-only code (which would otherwise sit between them, sorted by name, and be
    # mapped in with them), and a forward still finds all of its code in one place.
    defined = defined_functions(args.binary)
    names = sorted(shell & defined) + sorted((forward - shell) & defined)
    with open(args.output, "w") as f:
        f.write(HEADER + "".join(name + "\n" for name in names))
    print("release-order: %d functions written to %s" % (len(names), args.output))


if __name__ == "__main__":
    main()
