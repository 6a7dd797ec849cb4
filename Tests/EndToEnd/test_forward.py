"""`forward` (issue 6) against the emulator: many connections over one smux session, a
remote-host forward, basic mode, 64 MiB each way with equal sha256 (also under faults and a
socket close every 5 s), and stop ending the session."""
import hashlib
import http.server
import os
import socket
import socketserver
import subprocess
import sys
import threading

import pytest

from test_shell import BINARY, shell_env

CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "forward_client.py")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("item %s" % self.path.rsplit("/", 1)[-1]).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def web():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


class DataServer(socketserver.ThreadingTCPServer):
    """Upload: hashes what it gets and answers the hex digest. Download: 'GIVE N' gets N MiB of a
    seeded stream whose digest the test computes the same way."""
    daemon_threads = True
    allow_reuse_address = True


class DataHandler(socketserver.BaseRequestHandler):
    def handle(self):
        first = self.request.recv(65536)
        if first.startswith(b"PUT "):
            self.put(first)
            return
        if first.startswith(b"GIVE "):
            mib = int(first[5:].strip())
            for block in stream_blocks(mib):
                self.request.sendall(block)
            return
        digest = hashlib.sha256(first)
        while True:
            chunk = self.request.recv(1 << 16)
            if not chunk:
                break
            digest.update(chunk)
        self.request.sendall(digest.hexdigest().encode())

    def put(self, first):
        """'PUT N' and a newline, then N bytes: answers their digest without waiting for the end of
        the stream, which the real agent never passes on alone (it closes the whole connection at the
        client's FIN: agent/session/plugins/port/port_mux.go handleDataTransfer)."""
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


def stream_blocks(mib):
    seed = hashlib.sha256(b"ssm-shell").digest()
    block = (seed * 2048)[:1 << 16]
    for i in range(mib * 16):
        yield bytes([i & 0xff]) + block[1:]


@pytest.fixture(scope="module")
def data():
    server = DataServer(("127.0.0.1", 0), DataHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def run(script, emulator, identity="basic", timeout=300):
    return subprocess.run([BINARY, "-c", script], env=shell_env(emulator, identity), capture_output=True, text=True, timeout=timeout)


def test_twenty_parallel_requests_over_one_session(emulator, web):
    result = run("forward web-1 0:%d; ! %s %s http $port 20; forwards" % (web, sys.executable, CLIENT), emulator)
    assert result.returncode == 0, result.stderr
    assert "http 20 ok=True" in result.stdout
    assert "\tmux\t20\t" in result.stdout


def test_remote_host_and_basic_mode(emulator, web):
    result = run("forward db-1 0:127.0.0.1:%d; ! %s %s http $port 3; forward legacy-1 0:%d; ! %s %s http $port 1; ! %s %s http $port 1; forwards"
                 % (web, sys.executable, CLIENT, web, sys.executable, CLIENT, sys.executable, CLIENT), emulator)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ok=True") == 3
    assert "127.0.0.1:%d\tdb-1 (i-0a1b2c3d4e5f60004)" % web in result.stdout
    assert "\tbasic\t2\t" in result.stdout, "two connections one after the other in basic mode"


def expected_download(mib):
    digest = hashlib.sha256()
    for block in stream_blocks(mib):
        digest.update(block)
    return digest.hexdigest()


@pytest.mark.parametrize("faults", ["clean", "faults"])
def test_64_mib_each_way_keeps_every_byte(emulator, data, faults):
    emulator.faults(unpaced=True)   # the client's pace, not the real agent's ~0.6 MiB/s (issue 18)
    identity = "basic"
    if faults == "faults":
        identity = "admin"    # reconnecting needs ssm:ResumeSession
        # Loss on the client's side: the agent, like the real one, repairs its own losses one message
        # per 100 ms (spec 5.3), which no 64 MiB download survives; test_datachannel covers those.
        emulator.faults(drop_input=0.05, duplicate=0.05, reorder=0.05, bye_every=5)
    result = run("forward web-2 0:%d; ! %s %s put $port 64; ! %s %s download $port 64; forwards"
                 % (data, sys.executable, CLIENT, sys.executable, CLIENT), emulator, identity, timeout=600)
    assert result.returncode == 0, result.stderr
    upload = [line for line in result.stdout.splitlines() if line.startswith("upload")][0].split()
    assert upload[1].split("=")[1] == upload[2].split("=")[1]
    download = [line for line in result.stdout.splitlines() if line.startswith("download")][0]
    assert download == "download bytes=%d sha=%s" % (64 << 20, expected_download(64))


def test_stop_ends_the_session(emulator, web):
    before = {s["SessionId"] for s in emulator.sessions("History") + emulator.sessions("Active")}
    result = run("forward web-3 0:%d; stop 1; forwards" % web, emulator)
    assert result.returncode == 0, result.stderr
    ended = emulator.wait_for_history(lambda s: s["SessionId"] not in before and s["Target"] == "i-0a1b2c3d4e5f60003"
                                      and s["Status"] == "Terminated")
    assert ended["Status"] == "Terminated"


def test_basic_mode_writes_each_byte_once_when_messages_arrive_out_of_order(emulator, data):
    # Basic mode carries raw Output: a message held behind a gap and released with the missing one
    # gives two chunks at once, which were written as A, A+B (review finding 1).
    emulator.faults(reorder=0.05, unpaced=True)
    result = run("forward legacy-1 0:%d; ! %s %s fetch $port 4; forwards" % (data, sys.executable, CLIENT), emulator, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "\tbasic\t1\t" in result.stdout
    download = [line for line in result.stdout.splitlines() if line.startswith("download")][0]
    assert download == "download bytes=%d sha=%s" % (4 << 20, expected_download(4))


def test_a_foreground_forward_the_agent_ended_says_why_and_fails(emulator, web):
    """Item (c) of wave 8: a client that does not answer the agent's HandshakeRequest within 15 s
    (amazon-ssm-agent datachannel.go handshakeTimeout; valgrind on a loaded machine did) loses the
    session. The forward used to end silently with status 0, its waiting local clients reset,
    which looked like lost bytes; it must say why and fail."""
    import re
    import signal
    import time
    shell = subprocess.Popen([BINARY, "-c", "forward web-3 0:%d --foreground" % web], env=shell_env(emulator, "basic"),
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        seen = b""
        deadline = time.time() + 30
        while not re.search(rb"127\.0\.0\.1:\d+ ", seen):
            assert time.time() < deadline, seen
            seen += os.read(shell.stderr.fileno(), 4096)
        # The agent's HandshakeRequest waits unanswered past its 15 s limit.
        shell.send_signal(signal.SIGSTOP)
        time.sleep(16)
        shell.send_signal(signal.SIGCONT)
        _, err = shell.communicate(timeout=30)
        assert shell.returncode == 1, err.decode()
        assert "forward 1 ended: Encountered error while initiating handshake. Handshake timed out" in err.decode(), err.decode()
    finally:
        if shell.poll() is None:
            shell.send_signal(signal.SIGCONT)
            shell.kill()
            shell.wait()


def test_a_forward_whose_agent_never_begins_the_handshake_says_so_within_a_bounded_time(emulator, web):
    """A port session cannot start without the handshake (the agent's port plugin asks for one, and
    session-manager-plugin learns the session type only from it): `forward` waited without end or word
    for an agent that never sent its HandshakeRequest. It must say why and fail, 20 s after connecting."""
    emulator.faults(no_handshake=True)
    result = subprocess.run([BINARY, "-c", "forward web-3 0:%d --foreground" % web], env=shell_env(emulator, "basic"),
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "forward 1 ended: the agent did not begin the port session's handshake within 20 s" in result.stderr, result.stderr
