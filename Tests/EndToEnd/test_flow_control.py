"""The client's own windows and buffers (issue 11, items 7, 8 and 19), against an agent that, like
the real one, has no send window and resends only its oldest unacked message every 100 ms: input
pauses instead of dropping, a stalled local reader neither grows memory nor hangs the forward,
and oversize, empty and publication messages from the agent lose nothing."""
import hashlib
import os
import socket
import subprocess
import sys
import threading
import time

import pexpect
import pytest

from test_shell import BINARY, shell_env

STALLED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stalled_reader.py")


class Sink:
    """A TCP server that hashes everything one connection sends it."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(1)
        self.port = self.server.getsockname()[1]
        self.digest = hashlib.sha256()
        self.size = 0
        self.done = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        conn, _ = self.server.accept()
        while True:
            chunk = conn.recv(1 << 16)
            if not chunk:
                break
            self.digest.update(chunk)
            self.size += len(chunk)
        conn.close()
        self.server.close()
        self.done.set()


class Firehose:
    """A TCP server that sends to each connection as fast as it takes bytes, until it goes away."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.port = self.server.getsockname()[1]
        self.sent = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        block = os.urandom(1 << 16)
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._pour, args=(conn, block), daemon=True).start()

    def _pour(self, conn, block):
        try:
            while True:
                conn.sendall(block)
                self.sent += len(block)
        except OSError:
            conn.close()

    def close(self):
        self.server.close()


def connected_session(emulator, target):
    for session_id, facts in emulator.control("state")["sessions"].items():
        if facts["target"] == target and facts["status"] == "Connected":
            return session_id, facts
    return None, None


def test_input_pauses_while_acks_are_withheld_and_nothing_is_lost(emulator, tmp_path):
    """Item 7: 50 MB piped through `proxy` while the agent acknowledges nothing and half of what
    the client sends never arrives. The plugin would evict unacked messages past 10,000 and the
    stream would lose them; the client must stop reading its input instead, then finish intact."""
    sink = Sink()
    blob = tmp_path / "blob"
    blob.write_bytes(os.urandom(50 * 1000 * 1000))
    emulator.faults(withhold_acks=True, drop_input=0.5)
    with open(blob, "rb") as stdin:
        proxy = subprocess.Popen([BINARY, "proxy", "web-3", str(sink.port)], stdin=stdin, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, env=shell_env(emulator, "basic"))
    # Wait until the client has sent past the plugin's 10,000 messages, or has stopped sending.
    deadline = time.time() + 30
    sent, last_change = 0, time.time()
    while True:
        assert time.time() < deadline, "the proxy session did not start sending"
        _, facts = connected_session(emulator, "i-0a1b2c3d4e5f60003")
        now_sent = facts["client_sent"] if facts else 0
        if now_sent >= 12000:
            break
        if now_sent != sent:
            sent, last_change = now_sent, time.time()
        elif sent > 100 and time.time() - last_change > 1.5:
            break
        time.sleep(0.05)
    paused_at = now_sent
    emulator.faults(withhold_acks=False, drop_input=0.0)
    try:
        # 50 MB through the gateway's relay and the simulated agent behind it, on a loaded machine.
        _, stderr = proxy.communicate(timeout=150)
    except subprocess.TimeoutExpired:
        proxy.kill()
        _, stderr = proxy.communicate()
    assert sink.done.wait(20), "the agent never closed the connection to the sink"
    assert (sink.size, sink.digest.hexdigest()) == (blob.stat().st_size, hashlib.sha256(blob.read_bytes()).hexdigest()), stderr.decode()
    assert proxy.returncode == 0, stderr.decode()
    assert paused_at < 10000, "input must pause while the send window is full (it reached message %d)" % paused_at


def test_a_stalled_local_reader_neither_grows_memory_nor_hangs_the_forward(emulator):
    """Item 8: a local client that never reads, on a forward whose remote end sends without end.
    ssm-shell stops taking data from the channel (the agent's writes then block, as the real
    agent's do) instead of holding it, and closes that connection with a clear message after its
    deadline; the forward goes on working."""
    firehose = Firehose()
    try:
        script = "forward web-2 0:%d; ! %s %s $port 45; forwards" % (firehose.port, sys.executable, STALLED)
        result = subprocess.run([BINARY, "-c", script], env=shell_env(emulator, "basic"), capture_output=True, text=True, timeout=90)
    finally:
        firehose.close()
    assert result.returncode == 0, result.stderr
    line = [l for l in result.stdout.splitlines() if l.startswith("stalled")][0]
    facts = dict(part.split("=") for part in line.split()[1:])
    assert int(facts["peak_mib"]) - int(facts["baseline_mib"]) < 64, line
    assert facts["closed_after"] != "never", line
    assert "stopped reading" in result.stderr, result.stderr
    row = [l for l in result.stdout.splitlines() if l.startswith("1\t")][0].split("\t")
    assert (row[5], row[6], row[7]) == ("mux", "1", "0"), "the forward goes on, with no connection open: %s" % row


class Source:
    """A TCP server that sends one blob to the first connection, then closes it."""

    def __init__(self, data):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(1)
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._serve, args=(data,), daemon=True).start()

    def _serve(self, data):
        conn, _ = self.server.accept()
        conn.sendall(data)
        conn.close()
        self.server.close()


@pytest.mark.parametrize("fault", [{"oversize": 65536}, {"empty_publication": True}, {"empty_output": True}],
                         ids=["oversize-payloads", "empty-publication-messages", "empty-output"])
def test_agent_oddities_lose_nothing(emulator, fault):
    """Item 19 (spec 11.7): 64 KiB payloads, 0-length pause/start publication, and Output messages
    with no bytes, on 4 MiB coming back through `proxy`: every byte, in order, and a clean exit."""
    data = os.urandom(4 << 20)
    source = Source(data)
    emulator.faults(unpaced=True, **fault)
    proxy = subprocess.Popen([BINARY, "proxy", "web-1", str(source.port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=shell_env(emulator, "basic"))
    timer = threading.Timer(60, proxy.kill)
    timer.start()
    try:
        received = proxy.stdout.read()
        proxy.stdin.close()
        stderr = proxy.stderr.read().decode()
        proxy.wait()
    finally:
        timer.cancel()
    assert (len(received), hashlib.sha256(received).hexdigest()) == (len(data), hashlib.sha256(data).hexdigest()), stderr
    assert proxy.returncode == 0, stderr


def test_a_recorded_command_on_a_terminal_with_empty_output_payloads(emulator, tmp_path):
    """Items 3 and 19: Output payloads with no bytes (as is a payload that held only the exit marker)
    under `connect --command --record` on a terminal: no crash, the exit status and the transcript."""
    import json
    emulator.faults(empty_output=True)
    cast = tmp_path / "command.cast"
    child = pexpect.spawn(BINARY, ["-c", "connect web-1 --command 'echo hi-$((6*7)); exit 3' --record %s" % cast],
                          env=shell_env(emulator, "basic"), encoding="utf-8", timeout=30)
    child.expect("hi-42")
    child.expect(pexpect.EOF)
    child.close()
    assert (child.exitstatus, child.signalstatus) == (3, None), child.before
    events = [json.loads(line) for line in cast.read_text().splitlines()[1:]]
    assert "hi-42" in "".join(e[2] for e in events)
    assert all(e[2] for e in events), "no empty events"


def test_a_send_that_cannot_progress_ends_the_connection_not_the_session(emulator, tmp_path):
    """Item 8: the gateway stops reading the connection while 20 MB goes up through `proxy`. A send
    that makes no progress must give the connection up (20 s) and resume, not wait forever."""
    sink = Sink()
    blob = tmp_path / "blob"
    blob.write_bytes(os.urandom(20 * 1000 * 1000))
    emulator.faults(stall_reads=0.5)
    with open(blob, "rb") as stdin:
        proxy = subprocess.Popen([BINARY, "proxy", "staging-1", str(sink.port)], stdin=stdin, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, env=shell_env(emulator, "admin"))
    try:
        _, stderr = proxy.communicate(timeout=50)
    except subprocess.TimeoutExpired:
        proxy.kill()
        _, stderr = proxy.communicate()
    assert sink.done.wait(20), "the agent never closed the connection to the sink: " + stderr.decode()
    assert (sink.size, sink.digest.hexdigest()) == (blob.stat().st_size, hashlib.sha256(blob.read_bytes()).hexdigest()), stderr.decode()
    assert proxy.returncode == 0, stderr.decode()
