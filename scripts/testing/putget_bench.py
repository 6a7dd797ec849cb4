"""put of one file against the same bytes through `forward` (issue 13's speed goal: at least
10 MB/s, within 1.5x of forward), on a local emulator of its own. Usage:
    python3 scripts/testing/putget_bench.py --binary .build/release/ssm-shell [--mib 64]
Prints the seconds and MB/s of each, and get's. A measurement: it reports, it never fails."""
import argparse
import hashlib
import json
import os
import socketserver
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Sink(socketserver.BaseRequestHandler):
    """'PUT N' and a newline, then N bytes: answers their sha256 (the real agent passes no end of stream on)."""
    def handle(self):
        first = self.request.recv(65536)
        header, _, rest = first.partition(b"\n")
        left = int(header[4:]) - len(rest)
        digest = hashlib.sha256(rest)
        while left > 0:
            chunk = self.request.recv(min(left, 1 << 16))
            if not chunk:
                break
            digest.update(chunk)
            left -= len(chunk)
        self.request.sendall(digest.hexdigest().encode())


UPLOAD = r'''
import socket, sys, time
port, path = int(sys.argv[1]), sys.argv[2]
data = open(path, "rb").read()
start = time.monotonic()
with socket.create_connection(("127.0.0.1", port), timeout=600) as s:
    s.sendall(b"PUT %d\n" % len(data))
    s.sendall(data)
    answer = s.recv(100)
print("forward-seconds %.3f %s" % (time.monotonic() - start, answer.decode()))
'''


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--mib", type=int, default=64)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="putget-bench-")
    ready = os.path.join(work, "ready.json")
    emulator = subprocess.Popen([os.path.join(ROOT, "scripts", "emulator", "start"), "--ready-file", ready],
                                stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "emulator.log"), "w"))
    deadline = time.monotonic() + 30
    while not os.path.exists(ready) and time.monotonic() < deadline:
        time.sleep(0.05)
    info = json.load(open(ready))
    identity = info["identities"]["basic"]
    env = dict(os.environ, AWS_ACCESS_KEY_ID=identity["access_key_id"], AWS_SECRET_ACCESS_KEY=identity["secret_access_key"],
               AWS_REGION=info["region"], AWS_ENDPOINT_URL=info["endpoint"], HOME=work, XDG_STATE_HOME=work + "/state")
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    path = os.path.join(work, "payload.bin")
    with open(path, "wb") as f:
        f.write(os.urandom(args.mib << 20))
    size = args.mib << 20
    upload = os.path.join(work, "upload.py")
    with open(upload, "w") as f:
        f.write(UPLOAD)
    try:
        result = subprocess.run([args.binary, "-c", "forward web-2 0:%d; ! %s %s $port %s" % (server.server_address[1], sys.executable, upload, path)],
                                env=env, capture_output=True, text=True, timeout=1800)
        line = [x for x in result.stdout.splitlines() if x.startswith("forward-seconds")]
        forward = float(line[0].split()[1]) if line else None
        timings = {}
        for verb, command in (("put", "put %s web-2:bench.bin" % path), ("get", "get web-2:bench.bin %s.back" % path)):
            start = time.monotonic()
            result = subprocess.run([args.binary, "-c", command], env=env, capture_output=True, text=True, timeout=1800)
            timings[verb] = time.monotonic() - start if result.returncode == 0 else None
            if result.returncode != 0:
                print("%s failed: %s" % (verb, result.stderr.strip()))
        for name, seconds in (("forward upload", forward), ("put", timings["put"]), ("get", timings["get"])):
            if seconds:
                print("%-15s %d MiB  %6.2f s  %6.1f MB/s" % (name, args.mib, seconds, size / seconds / 1e6))
        if forward and timings["put"]:
            print("put / forward: %.2fx (put includes starting its session and the node's sha256)" % (timings["put"] / forward))
    finally:
        emulator.terminate()
        emulator.wait(timeout=15)


if __name__ == "__main__":
    main()
