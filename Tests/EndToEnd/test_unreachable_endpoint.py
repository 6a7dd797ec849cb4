"""An endpoint that never answers is reported by every command within 3 s (issue 17), with what to
do next, while a slow but live endpoint (an answer after 2 s) still works: the connect timeout
(2 s, shared by a call's attempts, `--cli-connect-timeout`) is not a read timeout."""
import socket
import subprocess
import time

import pytest

from test_shell import BINARY, shell_env


class NeverAnswers:
    """A listener whose accept queue is full: Linux drops every further SYN, as a firewall that
    drops packets does, so a connection hangs until the client gives up (scripts/bench.py)."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(0)
        self.port = self.listener.getsockname()[1]
        self.fillers = []
        for _ in range(3):
            filler = socket.socket()
            filler.setblocking(False)
            try:
                filler.connect(("127.0.0.1", self.port))
            except BlockingIOError:
                pass
            self.fillers.append(filler)
        self.url = "http://127.0.0.1:%d" % self.port
        self.assert_drops_syns()

    def assert_drops_syns(self):
        # The fixture itself must hold: a fresh connection gets no answer (else the test proves nothing).
        probe = socket.socket()
        probe.settimeout(0.5)
        try:
            with pytest.raises(socket.timeout):
                probe.connect(("127.0.0.1", self.port))
        finally:
            probe.close()

    def close(self):
        for s in self.fillers + [self.listener]:
            s.close()


@pytest.fixture
def never_answers():
    hole = NeverAnswers()
    yield hole
    hole.close()


# One command of each kind: a listing, Run Command, a session, a port forward, the sessions table,
# `api`, a file copy. Each must fail on its first AWS call.
COMMANDS = [
    ["-c", "instances"],
    ["-c", "run --on web-1 uptime"],
    ["-c", "connect web-1"],
    ["-c", "forward web-1 0:22 --foreground"],
    ["-c", "sessions"],
    ["api", "ssm", "describe-instance-information"],
    ["-c", "get web-1:/etc/hostname /dev/null"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(a[1:]) if a[0] == "-c" else " ".join(a) for a in COMMANDS])
def test_an_endpoint_that_never_answers_is_reported_within_3_s(emulator, never_answers, argv):
    env = dict(shell_env(emulator, "admin"), AWS_ENDPOINT_URL=never_answers.url)
    start = time.monotonic()
    result = subprocess.run([BINARY, *argv], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    elapsed = time.monotonic() - start
    assert result.returncode != 0
    assert "Could not reach %s/: nothing answered (no connection within 2 s)" % never_answers.url in result.stderr, result.stderr
    assert "--cli-connect-timeout" in result.stderr
    # The figure; the connect timeout is 2 s, so a second of margin for a loaded machine.
    assert elapsed < 3, "reported after %.1f s" % elapsed


def test_cli_connect_timeout_sets_the_wait(emulator, never_answers):
    env = dict(shell_env(emulator, "admin"), AWS_ENDPOINT_URL=never_answers.url)
    result = subprocess.run([BINARY, "--cli-connect-timeout", "0.5", "-c", "instances"], env=env, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "nothing answered (no connection within 0.5 s)" in result.stderr, result.stderr


def test_a_slow_but_live_endpoint_still_works(emulator):
    # Every API call answers 2 s late: longer than the connect timeout, which it must not hit.
    emulator.faults(latency_ms=2000)
    env = shell_env(emulator, "admin")
    result = subprocess.run([BINARY, "-c", "instances"], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "web-1" in result.stdout


def test_cli_read_timeout_ends_a_stalled_answer(emulator):
    # The read timeout is the AWS CLI's --cli-read-timeout: an answer slower than it fails, and
    # the error says how to allow longer.
    emulator.faults(latency_ms=3000)
    env = shell_env(emulator, "admin", AWS_MAX_ATTEMPTS="1")
    result = subprocess.run([BINARY, "--cli-read-timeout", "1", "-c", "instances"], env=env, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "timed out" in result.stderr and "--cli-read-timeout" in result.stderr, result.stderr
