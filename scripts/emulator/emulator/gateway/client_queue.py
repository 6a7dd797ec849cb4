"""What the gateway holds for a session's client, so that it never stops reading the agent's data
channel. The real agent pings its data channel every 54 s and only a pong extends its read
deadline, by 60 s (agent/session/communicator/websocketchannel.go, agent/session/config/config.go);
aiohttp answers a ping only while the socket is read. A relay that waited on a slow client before
reading the agent's next frame left the ping unanswered, and a client more than about 6 s behind
made the agent drop and reopen its data channel. So the agent's frames are read at once and queued
here, and a task of its own writes them to whichever client connection is current.

The queue is bounded: a stream-data frame that would pass `LIMIT` bytes is dropped, and the
agent's retransmission delivers it again (spec 5.3). The service's own frames (channel_closed)
are never dropped. `room` is for the simulated agent, which shares this process: it waits while
the queue is over half full, as its writes once waited on the relay's socket, so a fast simulated
agent does not run into the limit (the real agent cannot see it and relies on retransmission)."""
import asyncio
import collections

LIMIT = 8 * 1024 * 1024   # bytes held for one client; at 0.6 MiB/s (the agent's port pace) about 13 s of output


class ClientQueue:
    def __init__(self, send, limit=LIMIT):
        self.send = send                 # async (frame): to the current client connection, or nowhere
        self.limit = limit
        self.frames = collections.deque()
        self.held = 0                    # bytes queued or being written
        self.dropped = 0                 # frames dropped at the limit
        self.ready = asyncio.Event()     # something is queued
        self.roomy = asyncio.Event()     # at most half full (for the simulated agent)
        self.roomy.set()
        self.idle = asyncio.Event()      # nothing queued or being written
        self.idle.set()
        self.task = None

    def put(self, frame, droppable=True):
        """Queues FRAME for the client; False when it was dropped at the limit."""
        if droppable and self.held + len(frame) > self.limit:
            self.dropped += 1
            return False
        self.frames.append(frame)
        self._held(len(frame))
        self.ready.set()
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._write())
        return True

    async def room(self):
        await self.roomy.wait()

    async def flushed(self, timeout):
        """Waits, at most TIMEOUT seconds, until everything queued so far was written."""
        try:
            await asyncio.wait_for(self.idle.wait(), timeout)
        except asyncio.TimeoutError:
            pass

    def close(self):
        if self.task is not None:
            self.task.cancel()
            self.task = None
        self.frames.clear()
        self._held(-self.held)

    def _held(self, change):
        self.held += change
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
