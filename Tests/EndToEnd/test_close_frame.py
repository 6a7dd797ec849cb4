"""After ChannelClosed ssm-shell sends a WebSocket Close with 1000 before it hangs up (issue 18
item 6): the service saw 1006 (no Close) from it before. The emulator records, per connection of a
session, the code of the client's Close (`client_close_codes` in the control API's state)."""
import subprocess
import time

import pexpect

from test_shell import BINARY, shell_env


def new_session(emulator, before, seconds=15):
    """The one session started since `before` (a set of ids), once its connection has ended."""
    deadline = time.monotonic() + seconds
    while True:
        sessions = emulator.control("state")["sessions"]
        fresh = [facts for sid, facts in sessions.items() if sid not in before]
        if len(fresh) == 1 and fresh[0]["client_close_codes"]:
            return fresh[0]
        assert time.monotonic() < deadline, "no ended connection of a new session within %d s: %r" % (seconds, fresh)
        time.sleep(0.05)


def test_a_command_on_a_pipe_closes_with_1000(emulator):
    before = set(emulator.control("state")["sessions"])
    result = subprocess.run([BINARY, "-c", "connect web-1 --command 'echo closing'"], env=shell_env(emulator, "basic"),
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (0, "closing\n"), result.stderr
    assert new_session(emulator, before)["client_close_codes"] == [1000]


def test_a_shell_left_with_exit_closes_with_1000(emulator):
    before = set(emulator.control("state")["sessions"])
    child = pexpect.spawn(BINARY, ["-c", "connect web-2"], env=shell_env(emulator, "basic"), encoding="utf-8", timeout=30)
    try:
        child.expect(r"\$ ")
        child.sendline("exit 4")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert new_session(emulator, before)["client_close_codes"] == [1000]
