"""One send for the WebSocket data frames written in one turn of the event loop: the relay
receives many frames in one read, and each written on its own cost a send(2), and a wakeup of
the reader on the other end, per 1 KiB message (most of the emulator's time in a put). Framing,
masking and flow control stay aiohttp's: its writer writes into this buffer instead of the
socket. Any other frame (Close, ping, pong, text) first sends what is buffered, then itself at
once, so the order on the wire is the order of the writes and a Close is never held back."""
import asyncio

from aiohttp import WSMsgType

FLUSH_BYTES = 64 * 1024   # past this many buffered bytes they go at once


class BatchedWrites:
    """Installed on one WebSocket (server or client side) by `batch_writes`."""

    def __init__(self, writer):
        self.transport = writer.transport
        self.loop = asyncio.get_running_loop()
        self.pending = []
        self.size = 0
        self.scheduled = False
        send_frame = writer.send_frame

        async def batched_send_frame(message, opcode, compress=None):
            if opcode == WSMsgType.BINARY:
                await send_frame(message, opcode, compress)
                return
            self.flush()
            try:
                await send_frame(message, opcode, compress)
            finally:
                self.flush()

        writer.send_frame = batched_send_frame
        writer.transport = self

    # What aiohttp's writer asks of its transport.
    def write(self, data):
        self.pending.append(data)
        self.size += len(data)
        if self.size >= FLUSH_BYTES:
            self.flush()
        elif not self.scheduled:
            self.scheduled = True
            self.loop.call_soon(self.flush)

    def is_closing(self):
        return self.transport.is_closing()

    def get_extra_info(self, name, default=None):
        return self.transport.get_extra_info(name, default)

    def flush(self):
        self.scheduled = False
        if not self.pending:
            return
        data = b"".join(self.pending)
        self.pending.clear()
        self.size = 0
        if not self.transport.is_closing():
            self.transport.write(data)


def batch_writes(ws):
    """Once `ws` is prepared (server) or connected (client)."""
    writer = ws._writer
    if writer is not None and not isinstance(writer.transport, BatchedWrites):
        BatchedWrites(writer)
    return ws
