"""The agent's side of the reliability layer (data-channel spec section 5): sequence numbers,
per-message acks, RTO-driven retransmission of the oldest unacked message, an out-of-order buffer,
re-acked duplicates, pause/start publication, and the agent's own fault switches (the link's,
drop, duplicate and reorder, are the gateway's: gateway/faults.py). Like the
real agent it has no send window (spec 5.8): the only thing that slows it is a websocket write
that blocks because the client does not read."""
import asyncio
import json
import random
import time

from . import clientmessage as cm

INITIAL_RTO = 0.2
MAX_RTO = 1.0
RESEND_TICK = 0.1            # the agent's resend scheduler (spec 5.1)
OUTGOING_CAPACITY = 100000   # past it a new message is sent but not kept for resending (spec 5.1)
WRITE_QUEUE = 64             # frames waiting for the socket before a sender waits (a blocking write)


class Channel:
    def __init__(self, session, faults, on_deliver):
        self.session = session
        self.faults = faults
        self.on_deliver = on_deliver      # async (msg) -> bool ready
        self.out_seq = 0
        self.expected = 0
        self.outgoing = {}                # seq -> [frame, last_sent]
        self.incoming = {}                # seq -> ClientMessage
        self.rtt, self.rttvar, self.rto = 0.1, 0.0, INITIAL_RTO
        self.ws = None
        self.queue = asyncio.Queue()
        self.writer_task = None
        self.resend_task = None
        self.paused = False
        self.drained = asyncio.Event()
        self.drained.set()
        self.room = asyncio.Event()       # set while the socket takes writes (the agent's write blocks otherwise)
        self.room.set()
        self.highest_in = -1              # the highest client stream sequence number that arrived

    # -- connection ---------------------------------------------------------------------------

    def attach(self, ws):
        self.detach()
        self.ws = ws
        self.paused = False
        self.queue = asyncio.Queue()
        self.writer_task = asyncio.get_running_loop().create_task(self._writer(ws, self.queue))
        if self.resend_task is None:
            self.resend_task = asyncio.get_running_loop().create_task(self._resender())
        self.resend_unacked()

    def resend_unacked(self):
        """Every unacked message again at once, with its original bytes: after a reconnect, or
        when the gateway says a client is back (start_publication)."""
        now = time.monotonic()
        for seq in sorted(self.outgoing):
            entry = self.outgoing[seq]
            entry[1] = now
            self._enqueue(entry[0])

    def detach(self):
        if self.writer_task is not None:
            self.writer_task.cancel()
            self.writer_task = None
        self.ws = None
        self.room.set()   # a write to a closed connection fails at once: nothing blocks

    async def writable(self):
        """Waits while the socket does not take writes, as the agent's synchronous write does."""
        await self.room.wait()

    def stop(self):
        self.detach()
        if self.resend_task is not None:
            self.resend_task.cancel()
            self.resend_task = None

    async def flushed(self, timeout):
        """Waits, at most `timeout` seconds, until every frame queued so far is written: what goes
        to the connection outside the queue (the WebSocket's Close) then comes after them."""
        if self.ws is None:
            return
        marker = asyncio.get_running_loop().create_future()
        self.queue.put_nowait(marker)
        try:
            await asyncio.wait_for(marker, timeout)
        except asyncio.TimeoutError:
            pass

    async def _writer(self, ws, queue):
        async def write(item):
            if isinstance(item, asyncio.Future):
                item.set_result(None)   # a `flushed` marker: everything before it is written
            else:
                await ws.send_bytes(item)

        try:
            while True:
                frame = await queue.get()
                if self.faults.delay_ms:
                    await asyncio.sleep(self.faults.delay_ms / 1000)
                await write(frame)
                # Drain what is already queued without going back to the event loop for each frame.
                while not queue.empty() and not self.faults.delay_ms:
                    await write(queue.get_nowait())
                    if queue.qsize() <= WRITE_QUEUE // 2:
                        self.room.set()
                self.room.set()
        except (ConnectionResetError, RuntimeError, asyncio.CancelledError):
            pass
        except Exception:
            pass

    def write_control(self, msg):
        """Acks and control messages: never sequenced, never buffered."""
        if self.ws is not None:
            self._enqueue(msg if isinstance(msg, bytes) else msg.encode())

    def _enqueue(self, frame):
        self.queue.put_nowait(frame)
        if self.queue.qsize() > WRITE_QUEUE:
            self.room.clear()

    # -- sending --------------------------------------------------------------------------------

    def send(self, payload_type, payload):
        """One output_stream_data message: sequenced, buffered until acked, written (faults apply)."""
        if not payload:
            return  # never an empty payload: the agent drops empty stream data (spec 3)
        if self.faults.empty_publication and self.ws is not None:
            # The gateway's pause/start publication with no payload (spec 11.7): the client ignores both.
            self.write_control(cm.control_frame(cm.PAUSE_PUBLICATION))
            self.write_control(cm.control_frame(cm.START_PUBLICATION))
        if self.faults.empty_output and payload_type == cm.OUTPUT:
            self._sequence(payload_type, b"")   # a malformed but well-framed message: Output with no bytes
        self._sequence(payload_type, payload)

    def _sequence(self, payload_type, payload):
        seq = self.out_seq
        self.out_seq += 1
        frame = cm.output_frame(seq, payload_type, payload)
        if len(self.outgoing) < OUTGOING_CAPACITY:
            self.outgoing[seq] = [frame, time.monotonic()]
            self.drained.clear()
        if not self.paused:
            self._wire(frame, corruptible=True)

    def _wire(self, frame, corruptible=False):
        if self.ws is None:
            return
        # drop, duplicate and reorder act in the gateway's relay (gateway/faults.py), not here.
        f = self.faults
        if f.corrupt_digest and corruptible and random.random() < f.corrupt_digest:
            frame = frame[:80] + bytes(b ^ 0xFF for b in frame[80:112]) + frame[112:]
        self._enqueue(frame)

    async def _resender(self):
        """Every 100 ms the oldest unacked message, and only it, goes out again once it is older
        than the RTO; its send time moves on, so it is resent once per RTO (spec 5.3, the agent)."""
        try:
            while True:
                await asyncio.sleep(RESEND_TICK)
                if self.ws is None or self.paused:
                    continue
                if self.outgoing:
                    entry = self.outgoing[next(iter(self.outgoing))]   # sequence order is insertion order
                    now = time.monotonic()
                    if now - entry[1] > self.rto:
                        entry[1] = now
                        self._wire(entry[0])
        except asyncio.CancelledError:
            pass

    def _acked(self, seq):
        entry = self.outgoing.pop(seq, None)
        if entry is None:
            return
        r = time.monotonic() - entry[1]
        self.rttvar = 0.75 * self.rttvar + 0.25 * abs(self.rtt - r)
        self.rtt = 0.875 * self.rtt + 0.125 * r
        self.rto = min(self.rtt + max(0.01, 4 * self.rttvar), MAX_RTO)
        if not self.outgoing:
            self.drained.set()

    # -- receiving ------------------------------------------------------------------------------

    async def receive(self, frame):
        try:
            msg = cm.ClientMessage.decode(frame)
        except ValueError:
            return  # malformed frames are dropped, never fatal
        if msg.message_type == cm.ACKNOWLEDGE:
            self.paused = False
            try:
                self._acked(int(json.loads(msg.payload)["AcknowledgedMessageSequenceNumber"]))
            except (ValueError, KeyError, TypeError):
                pass
            return
        if msg.message_type in (cm.START_PUBLICATION,):
            self.paused = False
            return
        if msg.message_type == cm.PAUSE_PUBLICATION:
            self.paused = True
            return
        if msg.message_type != cm.INPUT_STREAM_DATA:
            return
        # The agent checks only HeaderLength, MessageType and CreatedDate, never the digest (spec 3).
        if not msg.created_date:
            return
        self.paused = False
        self.highest_in = max(self.highest_in, msg.sequence_number)
        await self._sequenced(msg)   # drop, drop_input, duplicate, reorder: in the gateway's relay

    async def _sequenced(self, msg):
        s, e = msg.sequence_number, self.expected
        if s == e:
            if not await self.on_deliver(msg):
                return  # not ready: no ack, the client resends
            self._ack(msg)
            self.expected += 1
            while self.expected in self.incoming:
                buffered = self.incoming.pop(self.expected)
                await self.on_deliver(buffered)
                self.expected += 1
        elif s > e:
            if len(self.incoming) < 100000:
                self.incoming.setdefault(s, msg)
                self._ack(msg)
        else:
            self._ack(msg)  # a duplicate: the agent re-acks it

    def _ack(self, msg):
        if not self.faults.withhold_acks:
            self.write_control(cm.acknowledge_frame(msg))
