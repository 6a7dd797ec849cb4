#!/usr/bin/env python3
"""How fast the emulator itself is, so client benchmarks know when it is the limit: payload
throughput through a port session (AWS-StartSSHSession, raw stream mode) each way in 1 KiB
messages with agent pacing off, and the emulator's CPU time per MB.

  python3 scripts/emulator/bench.py [--mib N] [--json]

The client side is the minimal data-channel client of the end-to-end tests (Tests/EndToEnd/
dcclient.py), running in this process; the emulator runs in its own process, whose CPU is read
from /proc."""
import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

import boto3

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "Tests", "EndToEnd"))
from dcclient import DataChannelClient  # noqa: E402


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Peer:
    """A TCP peer on loopback: 'sink' counts what it receives, 'source' sends N bytes then closes."""

    def __init__(self, mode, size=0):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.received = 0
        self.done = threading.Event()
        threading.Thread(target=self._run, args=(mode, size), daemon=True).start()

    def _run(self, mode, size):
        conn, _ = self.sock.accept()
        with conn:
            if mode == "sink":
                while True:
                    data = conn.recv(1 << 20)
                    if not data:
                        break
                    self.received += len(data)
                    if self.received >= self.expected:
                        self.done.set()
            else:
                block = os.urandom(1 << 16)
                sent = 0
                while sent < size:
                    conn.sendall(block[:min(len(block), size - sent)])
                    sent += min(len(block), size - sent)
                conn.shutdown(socket.SHUT_WR)
                conn.recv(1)


async def session(ssm, port):
    response = ssm.start_session(Target="i-0a1b2c3d4e5f60001", DocumentName="AWS-StartSSHSession", Parameters={"portNumber": [str(port)]})
    client = DataChannelClient(response["StreamUrl"], response["TokenValue"])
    await client.connect()
    await client.handshake()
    return client


async def upload(ssm, size, pid):
    sink = Peer("sink")
    sink.expected = size
    client = await session(ssm, sink.port)
    chunk = os.urandom(1024)
    cpu0, t0 = cpu_seconds(pid), time.perf_counter()
    for _ in range(size // 1024):
        await client.send(1, chunk)
        while len(client.unacked) > 2000:       # keep a bounded window so the client does not just queue
            await asyncio.sleep(0.001)
    while not sink.done.is_set():
        await asyncio.sleep(0.005)
    elapsed, cpu = time.perf_counter() - t0, cpu_seconds(pid) - cpu0
    await client.close()
    return elapsed, cpu


async def download(ssm, size, pid):
    source = Peer("source", size)
    client = await session(ssm, source.port)
    cpu0, t0 = cpu_seconds(pid), time.perf_counter()
    got = 0
    while got < size:
        ptype, payload = await client.next(30)
        if ptype == 1:
            got += len(payload)
    elapsed, cpu = time.perf_counter() - t0, cpu_seconds(pid) - cpu0
    await client.close()
    return elapsed, cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=64)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    ready = os.path.join(tempfile.mkdtemp(), "ready.json")
    # --unpaced: the emulator's own limit, not the real agent's pace (~0.6 MiB/s) it has by default.
    process = subprocess.Popen([os.path.join(HERE, "start"), "--ready-file", ready, "--unpaced"], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(ready):
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit("the emulator did not start within 30 s")
            time.sleep(0.05)
        info = json.load(open(ready))
        admin = info["identities"]["admin"]
        DataChannelClient.default_credentials = (admin["access_key_id"], admin["secret_access_key"], info["region"])
        ssm = boto3.session.Session().client("ssm", region_name=info["region"], endpoint_url=info["endpoint"],
                                              aws_access_key_id=admin["access_key_id"], aws_secret_access_key=admin["secret_access_key"])
        size = args.mib << 20
        results = {}
        for name, run in (("upload", upload), ("download", download)):
            elapsed, cpu = asyncio.run(run(ssm, size, process.pid))
            results[name] = {"MB_per_s": round(size / elapsed / 1e6, 1), "seconds": round(elapsed, 2),
                             "emulator_cpu_s_per_MB": round(cpu / (size / 1e6), 4), "messages": size // 1024}
        results["method"] = ("%d MiB through one AWS-StartSSHSession port session in 1 KiB Output messages, agent pacing off, "
                             "minimal Python client in the same machine; emulator CPU from /proc/<pid>/stat" % args.mib)
        print(json.dumps(results, indent=1) if args.json else
              "\n".join("%-9s %6.1f MB/s  %.4f emulator CPU s/MB" % (k, v["MB_per_s"], v["emulator_cpu_s_per_MB"])
                        for k, v in results.items() if isinstance(v, dict)))
    finally:
        process.terminate()
        process.wait()


if __name__ == "__main__":
    main()
