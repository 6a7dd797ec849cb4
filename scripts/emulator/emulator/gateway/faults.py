"""The loss faults on the link between client and agent, applied by the gateway to the stream data
it relays, so they act alike on the simulated agent and on a real one: `drop`, `duplicate` and
`reorder` in both directions, `drop_input` towards the agent only. Acks and the service's own
messages are never touched (the retransmission of both ends recovers what is lost, spec 5.3)."""
import asyncio
import random

from .. import clientmessage as cm

# What the gateway applies; the simulated agent (channel.py) leaves them alone.
LINK_FAULTS = ("drop", "duplicate", "reorder", "drop_input")
REORDER_FLUSH = 0.1   # a frame held back goes out after the next one, or after this long


class LossyLink:
    """One direction of the relay: `towards_agent` for the client's stream data."""

    def __init__(self, faults, send, towards_agent):
        self.faults = faults
        self.send = send                 # async (frame)
        self.data_type = cm.INPUT_STREAM_DATA if towards_agent else cm.OUTPUT_STREAM_DATA
        self.towards_agent = towards_agent
        self.held = None

    async def relay(self, kind, frame):
        f = self.faults
        if kind != self.data_type:
            await self.send(frame)
            return
        if f.drop and random.random() < f.drop:
            return
        if self.towards_agent and f.drop_input and random.random() < f.drop_input:
            return
        if f.reorder and self.held is None and random.random() < f.reorder:
            self.held = frame
            loop = asyncio.get_running_loop()
            loop.call_later(REORDER_FLUSH, lambda: loop.create_task(self._flush(frame)))
            return
        await self.send(frame)
        if f.duplicate and random.random() < f.duplicate:
            await self.send(frame)
        if self.held is not None:
            await self._flush(self.held)

    async def _flush(self, frame):
        if self.held is frame:
            self.held = None
            await self.send(frame)
