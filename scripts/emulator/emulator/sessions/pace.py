"""The real agent's pace in port sessions (issue 18 item 4). Each turn of the agent's loop reads
at most StreamDataPayloadSize bytes (1024, agent/session/config/config.go), sends them as one
message and sleeps 1 ms (agent/session/plugins/port/port_basic.go WritePump; port_mux.go
transferDataToMgs reads the smux byte stream, so every stream of a session shares the one pace).
Against 3.3.1142.0 that came to about 0.6 MiB/s towards the client (issue 18)."""
import asyncio
import time

MESSAGE_BYTES = 1024
RATE = 0.6 * 1024 * 1024           # bytes per second towards the client
TURN = MESSAGE_BYTES / RATE        # seconds per turn of the agent's loop (about 1.63 ms)
SLACK = 0.01                       # a sleep that overran is made up within this much time


class AgentPace:
    """When the next bytes of a session may go out: one turn per 1 KiB message, the first at once
    after an idle spell (the agent's read returns as soon as data arrives)."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.free_at = None

    def delay(self, nbytes):
        """Seconds to wait before sending `nbytes`, which take the turns after it."""
        now = self.clock()
        start = now if self.free_at is None else max(self.free_at, now - SLACK)
        self.free_at = start + TURN * max(1, -(-nbytes // MESSAGE_BYTES))
        return max(0.0, start - now)

    async def before(self, nbytes):
        wait = self.delay(nbytes)
        if wait > 0:
            await asyncio.sleep(wait)
