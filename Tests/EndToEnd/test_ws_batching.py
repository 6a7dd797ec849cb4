"""The emulator's batched WebSocket writes (ws_batching.py) on aiohttp's own writer, with a
transport that records each write: data frames written in one turn of the event loop go out in
one write, in order, and a Close is never held back behind them nor sent before them."""
import asyncio
import os
import sys

from aiohttp import WSMsgType
from aiohttp._websocket.writer import WebSocketWriter
from aiohttp.base_protocol import BaseProtocol

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "emulator"))
from emulator.ws_batching import BatchedWrites  # noqa: E402


class RecordingTransport(asyncio.Transport):
    def __init__(self):
        super().__init__()
        self.writes = []
        self.closed = False

    def write(self, data):
        assert not self.closed, "a write after the transport was closed is lost"
        self.writes.append(bytes(data))

    def is_closing(self):
        return self.closed

    def close(self):
        self.closed = True


def frames_in(data):
    """The (opcode, payload) of each unmasked frame in the bytes written (RFC 6455 section 5.2)."""
    frames, i = [], 0
    while i < len(data):
        opcode, length, i = data[i] & 0x0F, data[i + 1] & 0x7F, i + 2
        if length == 126:
            length, i = int.from_bytes(data[i:i + 2], "big"), i + 2
        elif length == 127:
            length, i = int.from_bytes(data[i:i + 8], "big"), i + 8
        frames.append((opcode, data[i:i + length]))
        i += length
    return frames


def test_data_frames_of_one_turn_go_in_one_write_and_a_close_follows_them_at_once():
    async def scenario():
        loop = asyncio.get_running_loop()
        transport = RecordingTransport()
        writer = WebSocketWriter(BaseProtocol(loop), transport)
        BatchedWrites(writer)
        for n in range(5):
            await writer.send_frame(b"data %d" % n, WSMsgType.BINARY)
        assert transport.writes == [], "held until the turn ends"
        await asyncio.sleep(0)
        assert len(transport.writes) == 1
        await writer.send_frame(b"late", WSMsgType.BINARY)
        await writer.close(1000, b"bye")
        # The Close went out before close() returned, after the data written before it: the
        # caller may close the transport at once (aiohttp does when the peer closed first).
        transport.close()
        assert len(transport.writes) == 3
        await asyncio.sleep(0)
        return b"".join(transport.writes)

    written = asyncio.run(scenario())
    frames = frames_in(written)
    assert frames[:-1] == [(WSMsgType.BINARY, b"data %d" % n) for n in range(5)] + [(WSMsgType.BINARY, b"late")]
    assert frames[-1] == (WSMsgType.CLOSE, (1000).to_bytes(2, "big") + b"bye")


def test_a_large_burst_is_sent_without_waiting_for_the_turn_to_end():
    async def scenario():
        loop = asyncio.get_running_loop()
        transport = RecordingTransport()
        writer = WebSocketWriter(BaseProtocol(loop), transport)
        BatchedWrites(writer)
        for _ in range(100):
            await writer.send_frame(b"x" * 1024, WSMsgType.BINARY)
        return transport.writes

    writes = asyncio.run(scenario())
    assert writes and sum(map(len, writes)) >= 64 * 1024
