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


def test_a_client_that_hangs_up_without_a_close_is_recorded_as_1006(emulator):
    """The record tells the two apart: a client that drops the TCP connection sent no Close."""
    import asyncio

    from dcclient import DataChannelClient

    async def scenario():
        response = emulator.client("ssm").start_session(Target="i-0a1b2c3d4e5f60001")
        client = DataChannelClient(response["StreamUrl"], response["TokenValue"])
        await client.connect()
        await client.read_until(lambda d: b"$ " in d)
        client.reader.cancel()
        client.resender.cancel()
        client.ws._writer.transport.abort()   # the TCP connection ends with no Close frame
        await client.session.close()
        emulator.client("ssm").terminate_session(SessionId=response["SessionId"])
        return response["SessionId"]

    session_id = asyncio.run(asyncio.wait_for(scenario(), 60))
    deadline = time.monotonic() + 15
    while not emulator.control("state")["sessions"][session_id]["client_close_codes"]:
        assert time.monotonic() < deadline, "the connection's end was never recorded"
        time.sleep(0.05)
    assert emulator.control("state")["sessions"][session_id]["client_close_codes"] == [1006]
