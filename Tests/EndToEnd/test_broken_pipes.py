"""A reader that goes away is the end of that stream, never of the process (issue 11, item 5):
SIGPIPE is ignored and EPIPE handled. A local client that resets its connection to a forward
while data is flowing leaves ssm-shell, the prompt and every other forward running; `connect`
whose standard output is closed ends the session and restores the terminal."""
import os
import signal
import subprocess
import sys

import pexpect
import pytest

from test_forward import CLIENT, data, expected_download, web  # noqa: F401 (fixtures)
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
