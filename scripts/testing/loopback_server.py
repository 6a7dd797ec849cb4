#!/usr/bin/env python3
"""Loopback servers for the transport tests (Tests/SystemIOTests): an HTTP/1.1 keep-alive echo
server (optionally TLS), an HTTP proxy (absolute-form forwarding and CONNECT tunnels), and a
WebSocket upgrade server that fails the upgrade on purpose (by path: /refuse answers 403,
/bad-accept answers 101 with a wrong Sec-WebSocket-Accept, /close closes without answering), or
on /stream upgrades and, for each 1-byte message it reads, sends 8 binary messages of 1 KiB at
once the first time (a download), one of 10 bytes after that (a typed key's echo).
Listens on 127.0.0.1 only, prints its port on the first line of stdout, runs until killed.

  loopback_server.py echo  [--tls CERT KEY]
  loopback_server.py proxy
  loopback_server.py upgrade
"""
import json
import os
import select
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

connections = 0
drops = 0
requests_seen = []
lock = threading.Lock()


class Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        global connections
        with lock:
            connections += 1
            self.connection_number = connections
        super().setup()

    def log_message(self, *args):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path == "/slow":
            time.sleep(float(query.get("seconds", ["2"])[0]))
        if url.path == "/drop":
            # Read the request, then close without a byte of answer (a cut after the server took it).
            global drops
            with lock:
                drops += 1
            self.close_connection = True
            return
        status = int(url.path.split("/")[2]) if url.path.startswith("/status/") else 200
        reply = json.dumps({
            "method": self.command, "path": self.path, "connection": self.connection_number, "drops": drops,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
        }).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("x-amzn-RequestId", "loopback-%d" % self.connection_number)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    do_GET = do_POST = do_PUT = handle_any


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_CONNECT(self):
        host, port = self.path.rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        self.send_response(200, "Connection Established")
        self.send_header("X-Loopback-Proxy", "tunnel")
        self.end_headers()
        sockets = [self.connection, upstream]
        while True:
            ready, _, _ = select.select(sockets, [], [], 10)
            if not ready:
                break
            for s in ready:
                data = s.recv(65536)
                if not data:
                    upstream.close()
                    return
                (upstream if s is self.connection else self.connection).sendall(data)

    def forward(self):
        """Absolute-form requests: answer as the origin would, marking that the proxy saw it."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        reply = json.dumps({"proxied": self.path, "method": self.command,
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                            "body": body.decode("utf-8", "replace")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    do_GET = do_POST = forward


class Upgrade(BaseHTTPRequestHandler):
    """Answers a WebSocket upgrade the wrong way, as a refusing or broken service would."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = urlsplit(self.path).path
        if path == "/stream":
            return self.stream()
        if path == "/close":
            self.close_connection = True
            return
        if path == "/bad-accept":
            self.send_response(101, "Switching Protocols")
            self.send_header("Upgrade", "websocket")
            self.send_header("Connection", "Upgrade")
            self.send_header("Sec-WebSocket-Accept", "bm90IHRoZSByaWdodCBhbnN3ZXI=")
            self.end_headers()
            self.close_connection = True
            return
        reply = b"forbidden"
        self.send_response(403)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


    def stream(self):
        import base64
        import hashlib
        key = self.headers.get("Sec-WebSocket-Key", "")
        accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.wfile.flush()
        first = True
        while True:
            frame = self.rfile.read(7)  # a client's masked 1-byte frame: 2 + 4 + 1
            if len(frame) < 7:
                return
            # RFC 6455 5.2: a server's binary frame, unmasked (16-bit length for the 1 KiB ones).
            self.wfile.write((b"\x82\x7e\x04\x00" + b"d" * 1024) * 8 if first else b"\x82\x0a" + b"e" * 10)
            self.wfile.flush()
            first = False
        self.close_connection = True


def exit_with_parent(parent):
    """A test process that crashes never stops its servers: they end with it, rather than keep
    its output pipe open and hang `swift test`. (PR_SET_PDEATHSIG would follow the spawning
    thread, which a concurrency pool may retire mid-test; the parent process is what counts.)"""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def main():
    threading.Thread(target=exit_with_parent, args=(os.getppid(),), daemon=True).start()
    mode = sys.argv[1]
    handlers = {"echo": Echo, "proxy": Proxy, "upgrade": Upgrade}
    server = ThreadingHTTPServer(("127.0.0.1", 0), handlers[mode])
    server.daemon_threads = True
    if "--tls" in sys.argv:
        i = sys.argv.index("--tls")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[i + 1], sys.argv[i + 2])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
