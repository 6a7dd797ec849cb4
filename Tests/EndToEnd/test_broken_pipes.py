"""A reader that goes away is the end of that stream, never of the process (issue 11, item 5):
SIGPIPE is ignored and EPIPE handled. A local client that resets its connection to a forward
while data is flowing leaves ssm-shell, the prompt and every other forward running; `connect`
whose standard output is closed ends the session and restores the terminal."""
import os
import signal
import subprocess
import sys
import time

import pexpect
import pytest

from test_forward import CLIENT, data, expected_download, web  # noqa: F401 (fixtures)
from conftest import wait_until
from test_shell import BINARY, shell_env


def default_sigpipe():
    """As in a login shell (Python, and so pexpect's children, ignore SIGPIPE)."""
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)


@pytest.mark.parametrize("how", ["reset", "close"])
def test_a_local_client_that_goes_away_ends_only_its_stream(emulator, data, web, how):  # noqa: F811
    script = ("forward web-1 0:%d; set download $port; forward web-2 0:%d; set pages $port; "
              "! %s %s %s $download; ! %s %s %s $download; "
              "! %s %s download $download 2; ! %s %s http $pages 5; forwards; echo alive"
              % (data, web, sys.executable, CLIENT, how, sys.executable, CLIENT, how, sys.executable, CLIENT, sys.executable, CLIENT))
    result = subprocess.run([BINARY, "-c", script], env=shell_env(emulator, "basic"), capture_output=True, text=True, timeout=300,
                            preexec_fn=default_sigpipe)
    assert result.returncode == 0, "status %d: %s" % (result.returncode, result.stderr[-2000:])
    assert result.stdout.count("%s after " % how) == 2
    assert "download bytes=%d sha=%s" % (2 << 20, expected_download(2)) in result.stdout
    assert "http 5 ok=True" in result.stdout
    assert result.stdout.rstrip().endswith("alive")
    assert "ended" not in result.stdout, "both forwards are still running"


def test_connect_with_its_output_closed_ends_and_restores_the_terminal(emulator):
    env = shell_env(emulator, "basic")
    env["TERM"] = "xterm"
    # `| true`: the reader of ssm-shell's standard output is gone before the first byte.
    child = pexpect.spawn("/bin/bash", ["-c", "stty -g; %s -c 'connect web-1' | true; echo status=${PIPESTATUS[0]}; stty -g" % BINARY],
                          env=env, encoding="utf-8", timeout=30, preexec_fn=default_sigpipe)
    child.expect(r"(\S+:\S+)\r\n")
    before = child.match.group(1)
    child.expect(r"status=(\d+)")
    status = int(child.match.group(1))
    shown = child.before
    child.expect(r"(\S+:\S+)\r?\n")     # a terminal left raw prints no \r
    assert child.match.group(1) == before, "the terminal mode is restored"
    child.expect(pexpect.EOF)
    assert status == 1, "a clean exit, not SIGPIPE (141): %r" % shown
    assert "standard output was closed" in shown


def test_a_reset_connection_leaves_its_descriptor_clean_for_the_next_client(emulator, data):  # noqa: F811
    """A client that resets its connection (close with unread data: an RST) after ending its
    stream: once the node's end of the stream arrives too, the descriptor is closed, and the next
    local connection (which the kernel gives the same number) must be read like any other. It used
    to be read once more after the close (EBADF), which marked the number as finished for good."""
    import re
    import socket
    import struct
    import time
    child = pexpect.spawn(BINARY, env=shell_env(emulator, "basic"), encoding="utf-8", timeout=30, dimensions=(40, 200))
    try:
        child.expect("> ")
        child.sendline("forward web-1 0:%d; echo port=$port" % data)
        child.expect(r"port=(\d+)")
        port = int(child.match.group(1))
        child.expect("> ")
        first = socket.create_connection(("127.0.0.1", port), timeout=30)
        first.sendall(b"GIVE 1")
        got = 0
        while got < 65536:
            chunk = first.recv(65536)
            assert chunk, "the first client gets data"
            got += len(chunk)
        first.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        first.close()
        # Wait (with a deadline) until the forward has closed the first connection on both sides.
        deadline = time.monotonic() + 60
        while True:
            child.sendline("forwards")
            child.expect(r"127\.0\.0\.1:%d\s[^\r\n]*\r\n" % port)
            # The NODE column is `web-1 (i-...)`: the id in parentheses is left out of the count.
            columns = [c for c in re.sub(r"\x1b\[[0-9;]*m", "", child.match.group(0)).split() if not c.startswith("(")]
            child.expect("> ")
            if columns[6] == "0":    # LOCAL REMOTE NODE SESSION STATE CONNECTIONS OPEN ...
                break
            assert time.monotonic() < deadline, "the first connection is never closed: %r" % columns
        second = socket.create_connection(("127.0.0.1", port), timeout=20)
        second.sendall(b"GIVE 1")
        size = 0
        try:
            while True:
                chunk = second.recv(1 << 16)
                if not chunk:
                    break
                size += len(chunk)
        except socket.timeout:
            pytest.fail("the next connection is never read (%d bytes came back)" % size)
        second.close()
        assert size == 1 << 20
        child.sendline("exit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)


def session_of(emulator, target):
    """The status and facts of the one session on `target` (None before it exists)."""
    for facts in emulator.control("state")["sessions"].values():
        if facts["target"] == target:
            return facts
    return None


def test_output_lost_at_the_sessions_end_is_not_a_success(emulator):
    """Output is written after the round's acks go out. When the last output and channel_closed
    come in one read, the write comes after the session has its outcome: a failed write must still
    fail the command (it reported success). The client is stopped while the command ends, so that
    both wait in its socket; its output's reader is gone when it resumes."""
    web1 = "i-0a1b2c3d4e5f60001"
    read_end, write_end = os.pipe()
    shell = subprocess.Popen([BINARY, "-c", "connect web-1 --command 'sleep 2; echo the-end'"], stdin=subprocess.DEVNULL,
                             stdout=write_end, stderr=subprocess.PIPE, env=shell_env(emulator, "basic"))
    os.close(write_end)
    try:
        # After the handshake (its response names the client's version), before the output.
        wait_until(lambda: (session_of(emulator, web1) or {}).get("client_version"), 30, "the session never finished its handshake")
        os.kill(shell.pid, signal.SIGSTOP)
        # The agent waits (up to 10 s) for the acks of its output, then the service sends channel_closed.
        wait_until(lambda: session_of(emulator, web1)["status"] == "Terminated", 60, "the session never ended")
        os.close(read_end)
        read_end = None
        os.kill(shell.pid, signal.SIGCONT)
        status = shell.wait(timeout=60)
        err = shell.stderr.read().decode()
        assert status == 1, "status %d: %s" % (status, err)
        assert "standard output was closed" in err
    finally:
        if read_end is not None:
            os.close(read_end)
        if shell.poll() is None:
            os.kill(shell.pid, signal.SIGCONT)
            shell.kill()
            shell.wait()
