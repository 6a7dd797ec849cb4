"""Helper run by the forward tests through `! python3 forward_client.py MODE PORT [MiB]` inside
ssm-shell: it talks to the forwarded local port and prints what it saw."""
import concurrent.futures
import hashlib
import os
import socket
import sys
import urllib.request


def http(port, count):
    def get(i):
        with urllib.request.urlopen("http://127.0.0.1:%d/item/%d" % (port, i), timeout=30) as r:
            return r.status, r.read().decode()
    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        results = list(pool.map(get, range(count)))
    ok = all(status == 200 and body == "item %d" % i for i, (status, body) in enumerate(results))
    print("http %d ok=%s" % (count, ok))


def abandon(port, how):
    """Asks for 64 MiB, reads the first 64 KiB, then goes away while the data is still flowing:
    'reset' with SO_LINGER 0 (an RST at once), 'close' plainly (the kernel answers the data that
    keeps arriving with RSTs)."""
    import struct
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    s.sendall(b"GIVE 64")
    got = 0
    while got < 65536:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += len(chunk)
    if how == "reset":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    print("%s after %d bytes" % (how, got))


def upload(port, mib):
    """Sends MiB of random bytes; the server answers with their sha256."""
    data = os.urandom(mib << 20)
    with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        answer = b""
        while True:
            chunk = s.recv(100)
            if not chunk:
                break
            answer += chunk
    print("upload sent=%s received=%s" % (hashlib.sha256(data).hexdigest(), answer.decode()))


def put(port, mib):
    """The same with the length first, for agents that pass no end of stream on alone (the real one)."""
    data = os.urandom(mib << 20)
    with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
        s.sendall(b"PUT %d\n" % len(data))
        for offset in range(0, len(data), 1 << 20):    # the timeout bounds each MiB: a paced agent takes minutes for all
            s.sendall(data[offset:offset + (1 << 20)])
        answer = b""
        while len(answer) < 64:
            chunk = s.recv(100)
            if not chunk:
                break
            answer += chunk
    print("upload sent=%s received=%s" % (hashlib.sha256(data).hexdigest(), answer.decode()))


def download(port, mib):
    """Asks for MiB of bytes; the server sends them and then their sha256 on a second connection."""
    digest = hashlib.sha256()
    size = 0
    with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
        s.sendall(b"GIVE %d\n" % mib)
        while True:
            chunk = s.recv(1 << 16)
            if not chunk:
                break
            digest.update(chunk)
            size += len(chunk)
    print("download bytes=%d sha=%s" % (size, digest.hexdigest()))


def fetch(port, mib):
    """The same for basic mode, which carries no end of stream: reads the MiB asked for, then for
    a second more (a byte written twice shows as too many)."""
    digest = hashlib.sha256()
    size, want = 0, mib << 20
    with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
        s.sendall(b"GIVE %d\n" % mib)
        while size < want:
            chunk = s.recv(1 << 16)
            if not chunk:
                break
            digest.update(chunk)
            size += len(chunk)
        s.settimeout(1)
        try:
            size += len(s.recv(1 << 16))
        except socket.timeout:
            pass
    print("download bytes=%d sha=%s" % (size, digest.hexdigest()))


if __name__ == "__main__":
    mode, port = sys.argv[1], int(sys.argv[2])
    {"http": lambda: http(port, int(sys.argv[3])), "upload": lambda: upload(port, int(sys.argv[3])),
     "put": lambda: put(port, int(sys.argv[3])),
     "download": lambda: download(port, int(sys.argv[3])),
     "fetch": lambda: fetch(port, int(sys.argv[3])), "reset": lambda: abandon(port, "reset"),
     "close": lambda: abandon(port, "close")}[mode]()
