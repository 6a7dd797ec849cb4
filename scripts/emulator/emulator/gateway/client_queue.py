"""What the gateway holds for a session's client, so that it never stops reading the agent's data
channel. The real agent pings its data channel every 54 s and only a pong extends its read
deadline, by 60 s (agent/session/communicator/websocketchannel.go, agent/session/config/config.go);
aiohttp answers a ping only while the socket is read. A relay that waited on a slow client before
reading the agent's next frame left the ping unanswered, and a client more than about 6 s behind
made the agent drop and reopen its data channel. So the agent's frames are read at once and queued
here, and a task of its own writes them to whichever client connection is current.

The queue is bounded, and nothing is dropped: at `LIMIT` the relay waits (`wait_for_room`) and so
stops reading the agent's channel, as TCP back-pressure would. Dropping would lose data for good
against the real agent, which resends only its oldest unacknowledged message, once every 100 ms,
and keeps no copy past its window (agent/session/datachannel/datachannel.go). So only a client more
than `LIMIT` behind can leave the agent's pings unanswered. `room` is for the simulated agent,
which shares this process: it waits while the queue is over half full, as its writes once waited
on the relay's socket."""
import asyncio
import collections

LIMIT = 8 * 1024 * 1024   # bytes held for one client; at 0.6 MiB/s (the agent's port pace) about 13 s of output


class ClientQueue:
    def __init__(self, send, limit=LIMIT):
        self.send = send                 # async (frame): to the current client connection, or nowhere
        self.limit = limit
        self.frames = collections.deque()
        self.held = 0                    # bytes queued or being written
        self.closed = False
        self.ready = asyncio.Event()     # something is queued
        self.roomy = asyncio.Event()     # at most half full (for the simulated agent)
        self.roomy.set()
        self.idle = asyncio.Event()      # nothing queued or being written
        self.idle.set()
        self.shrunk = asyncio.Event()    # something was written or the queue closed
        self.task = None

    def put(self, frame):
        """Queues FRAME for the client; False once the queue is closed (the session ended)."""
        if self.closed:
            return False
        self.frames.append(frame)
        self._held(len(frame))
        self.ready.set()
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._write())
        return True

    async def room(self):
        await self.roomy.wait()

    async def wait_for_room(self, size):
        """Back-pressure: waits until SIZE more bytes fit under the limit (a frame larger than the
        limit waits for an empty queue), or the queue is closed."""
        while not self.closed and self.held and self.held + size > self.limit:
            self.shrunk.clear()
            await self.shrunk.wait()

    async def flushed(self, timeout):
        """Waits, at most TIMEOUT seconds, until everything queued so far was written."""
        try:
            await asyncio.wait_for(self.idle.wait(), timeout)
        except asyncio.TimeoutError:
            pass

    def close(self):
        self.closed = True
        if self.task is not None:
            self.task.cancel()
            self.task = None
        self.frames.clear()
        self._held(-self.held)

    def _held(self, change):
        self.held += change
        if change < 0 or self.closed:
            self.shrunk.set()
        if self.held * 2 > self.limit:
            self.roomy.clear()
        else:
            self.roomy.set()
        if self.held:
            self.idle.clear()
        else:
            self.idle.set()

    async def _write(self):
        while True:
            await self.ready.wait()
            self.ready.clear()
            while self.frames:
                frame = self.frames[0]
                await self.send(frame)
                self.frames.popleft()
                self._held(-len(frame))
