"""Port sessions at the real agent's pace (issue 18 item 4): about 0.6 MiB/s towards the client by
default, as fast as the client reads with the `unpaced` switch (fault field, `--unpaced` at start)."""
import asyncio
import os
import socket
import sys
import threading
import time

import pytest

from conftest import start_emulator
from dcclient import DataChannelClient

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "emulator"))
from emulator.sessions.pace import SLACK, TURN, AgentPace  # noqa: E402

MIB = 1 << 20


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_one_turn_per_kib_shared_by_every_sender():
    clock = Clock()
    pace = AgentPace(clock)
    assert pace.delay(1024) == 0                             # the first bytes go at once
    assert pace.delay(8 + 32768) == pytest.approx(TURN)      # 33 messages after the first one's turn
    assert pace.delay(10) == pytest.approx(TURN * 34)        # a second smux stream waits behind them
    clock.now += 60
    waits = [pace.delay(1024) for _ in range(9)]             # an idle spell earns no burst beyond the slack
    assert waits[:7] == [0] * 7
    assert waits[7] == pytest.approx(7 * TURN - SLACK)
    assert waits[8] == pytest.approx(8 * TURN - SLACK)


def test_a_sleep_that_overran_is_made_up_within_the_slack():
    clock = Clock()
    pace = AgentPace(clock)
    pace.delay(1024)
    clock.now += TURN + 0.002                                # the event loop woke 2 ms late
    assert pace.delay(1024) == 0
    assert pace.free_at == pytest.approx(100.0 + 2 * TURN)   # the next turn keeps the long-run rate


class Source:
    """A port on the node that sends `size` bytes to whoever connects, then closes."""

    def __init__(self, size):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.data = os.urandom(size)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        conn, _ = self.sock.accept()
        with conn:
            conn.sendall(self.data)


def download_seconds(emulator, size):
    """Seconds from the first Output byte to the last of `size` bytes through an SSH-style port session."""
    source = Source(size)

    async def scenario():
        response = emulator.client("ssm").start_session(Target="i-0a1b2c3d4e5f60001", DocumentName="AWS-StartSSHSession",
                                                        Parameters={"portNumber": [str(source.port)]})
        client = DataChannelClient(response["StreamUrl"], response["TokenValue"])
        await client.connect()
        await client.handshake()
        got = await client.read_until(lambda d: len(d) > 0, timeout=20)
        started = time.monotonic()
        got += await client.read_until(lambda d: len(got) + len(d) >= size, timeout=60)
        elapsed = time.monotonic() - started
        await client.close()
        assert got == source.data
        return elapsed

    return asyncio.run(asyncio.wait_for(scenario(), 90))


def test_port_sessions_are_paced_like_the_real_agent_by_default(emulator):
    elapsed = download_seconds(emulator, MIB)
    # 1,024 turns of ~1.63 ms: at most 0.6 MiB/s; the lower bound leaves room for a loaded machine.
    assert 1023 * TURN - 0.02 <= elapsed < 6, "1 MiB took %.2f s" % elapsed


def test_the_unpaced_switch_lets_the_client_set_the_pace(emulator):
    emulator.faults(unpaced=True)
    elapsed = download_seconds(emulator, MIB)
    assert elapsed < 1023 * TURN / 2, "1 MiB unpaced took %.2f s" % elapsed


def test_unpaced_at_start_is_what_a_reset_restores():
    started = start_emulator("--unpaced")
    try:
        assert started.control("state")["faults"]["unpaced"] is True
        started.faults(unpaced=False)
        started.control("reset", {})
        assert started.control("state")["faults"]["unpaced"] is True
    finally:
        started.process.terminate()
        started.process.wait(timeout=10)
