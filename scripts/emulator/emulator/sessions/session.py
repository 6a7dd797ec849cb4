"""One session's life on the agent's side: its connection (attach, detach, resume), the
delivery of the client's stream data to the handler of its kind, output in 1 KiB messages, and
the end (spec section 8). The handshake and KMS are in handshake.py; the handlers in shell.py,
command.py and port.py."""
import asyncio
import base64
import json
import secrets
import struct
import time
import uuid

from .. import clientmessage as cm
from ..channel import Channel
from ..ssm_api import SESSION_DOCUMENTS
from .command import CommandHandler
from .handshake import Handshake
from .port import PortHandler
from .shell import PtyHandler

CHUNK = 1024


def version_tuple(text):
    try:
        return tuple(int(p) for p in str(text).split("."))
    except ValueError:
        return None


def version_above(text, threshold):
    v, t = version_tuple(text), version_tuple(threshold)
    return v is not None and len(v) == len(t) and v > t


class Session:
    def __init__(self, registry, state, session_id, node, document, parameters, reason, owner):
        self.registry = registry
        self.state = state
        self.id = session_id
        self.node = node
        self.document = document or "SSM-SessionManagerRunShell"
        self.session_type = SESSION_DOCUMENTS[document]
        self.parameters = {k: (v[0] if isinstance(v, list) and v else v) for k, v in parameters.items()}
        self.reason = reason
        self.owner = owner
        self.token = "AAEAA" + secrets.token_urlsafe(48)
        self.stream_url = "%s/v1/data-channel/%s?role=publish_subscribe&cell-number=%s" % (
            registry.base_url, session_id, base64.b64encode(secrets.token_bytes(12)).decode())
        if state.faults.plain_stream_url and self.stream_url.startswith("wss://"):
            self.stream_url = "ws://" + self.stream_url[len("wss://"):]
        self.status = "Connecting"
        self.started = time.time()
        self.ended = None
        self.channel = Channel(self, state.faults, self._deliver)
        self.handler = None
        self.client_version = None  # from the HandshakeResponse
        self.handshake = Handshake(self)
        self.client_id = None
        self.connections = 0
        self.closing = False
        self.close_reason = ""
        self.reader = None      # the current connection's endpoint.Reader: the end hangs up through it
        self.client_close_codes = []   # per ended connection: the code of the client's Close, 1006 without one

    # -- facts for DescribeSessions and the control API -----------------------------------------

    def describe(self):
        d = {"SessionId": self.id, "Target": self.node["id"], "Status": self.status, "StartDate": self.started,
             "DocumentName": self.document, "Owner": self.owner, "Details": "", "MaxSessionDuration": "1200",
             "OutputUrl": {"S3OutputUrl": "", "CloudWatchOutputUrl": ""}}
        if self.reason:
            d["Reason"] = self.reason
        if self.ended:
            d["EndDate"] = self.ended
        return d

    def facts(self):
        return {"status": self.status, "target": self.node["id"], "document": self.document, "type": self.session_type,
                "connections": self.connections, "client_version": self.client_version,
                "agent_received": len(self.state.agent_bytes.get(self.id, b"")), "unacked": len(self.channel.outgoing),
                "client_sent": self.channel.highest_in + 1,
                "mode": getattr(self.handler, "mode", None), "client_close_codes": self.client_close_codes,
                "run_as": getattr(getattr(self.handler, "run_as", None), "name", None)}

    # -- connection -----------------------------------------------------------------------------

    async def attach(self, ws, reader=None):
        self.connections += 1
        self.reader = reader
        self.status = "Connected"
        self.channel.attach(ws)
        if self.closing:
            self._send_channel_closed()
            return
        if self.handler is None:
            if self.handshake.phase == "pending":
                self.handshake.send_request()
            else:
                self.start_handler()

    def detached(self, ws):
        if self.channel.ws is ws:
            self.channel.detach()
            if self.status == "Connected":
                self.status = "Disconnected"

    async def drop_connection(self, mode):
        ws = self.channel.ws
        if ws is None:
            return
        if mode == "reset":
            transport = ws._req.transport if ws._req is not None else None
            if transport is not None:
                transport.abort()
        else:
            await ws.close(code=1000, message=b"Bye")

    # -- delivery of client stream data ---------------------------------------------------------

    async def _deliver(self, msg):
        if self.handshake.intercept(msg):
            return True
        if msg.payload_type == cm.OUTPUT and self.handshake.client_key is not None:
            opened = self.handshake.open(msg.payload)
            if opened is None:
                return True  # a payload that does not authenticate is dropped
            msg.payload = opened
        if msg.payload_type == cm.OUTPUT:
            self.state.agent_bytes[self.id] += msg.payload
        if msg.payload_type == cm.FLAG and msg.payload == struct.pack(">I", cm.TERMINATE_SESSION):
            self.end("")
            return True
        if self.handler is None:
            return False
        return await self.handler.on_input(msg.payload_type, msg.payload)

    def start_handler(self):
        if self.session_type in ("Standard_Stream", "InteractiveCommands"):
            self.handler = PtyHandler(self)
        elif self.session_type == "NonInteractiveCommands":
            self.handler = CommandHandler(self)
        else:
            mux = (self.parameters.get("type", "LocalPortForwarding" if self.document != "AWS-StartSSHSession" else None) == "LocalPortForwarding"
                   and self.document != "AWS-StartSSHSession"
                   and not version_above("1.1.70.0", self.client_version or "0.0.0.0")
                   and version_above(self.node["agent_version"], "3.0.196.0"))
            if self.document == "AWS-StartSSHSession":
                self.handler = PortHandler(self, "stream")
            else:
                self.handler = PortHandler(self, "mux" if mux else "basic")
        asyncio.get_running_loop().create_task(self._run_handler(self.handler))

    async def _run_handler(self, handler):
        if self.state.faults.agent_start_delay:
            await asyncio.sleep(self.state.faults.agent_start_delay)
        await handler.start()

    @property
    def chunk(self):
        """Bytes per read and per message: 1 KiB like the agent, or the `oversize` fault's size."""
        return self.state.faults.oversize or CHUNK

    def send_output(self, data, payload_type=cm.OUTPUT):
        size = self.chunk
        for i in range(0, len(data), size):
            chunk = data[i:i + size]
            if self.handshake.agent_key is not None and payload_type in (cm.OUTPUT, cm.STDERR, cm.EXIT_CODE):
                chunk = self.handshake.seal(chunk)
            self.channel.send(payload_type, chunk)

    async def paced(self):
        """Agent pacing (1 ms after each 1 KiB message) when switched on, and a write that waits
        while the client does not read; no window on unacked data (spec 5.8)."""
        if self.state.faults.pacing:
            await asyncio.sleep(0.001)
        await self.channel.writable()

    # -- the end (spec section 8) ---------------------------------------------------------------

    def end(self, reason):
        if self.closing:
            return
        self.closing = True
        self.close_reason = reason
        asyncio.get_running_loop().create_task(self._finish())

    async def _finish(self):
        if self.handler is not None:
            await self.handler.stop()
        try:
            await asyncio.wait_for(self.channel.drained.wait(), timeout=2)
        except asyncio.TimeoutError:
            pass
        self._send_channel_closed()
        self.status = "Terminated"
        self.ended = time.time()
        # The WebSocket's Close does not go through the channel's queue: ChannelClosed and what
        # is queued before it are written first, or the Close would overtake them.
        await self.channel.flushed(timeout=10)
        if self.reader is not None and self.reader.ws is self.channel.ws:
            self.reader.hang_up()
        self.channel.stop()

    def terminate(self, reason):
        self.token = None
        self.end(reason)

    def _send_channel_closed(self):
        body = {"MessageId": str(uuid.uuid4()), "CreatedDate": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                "DestinationId": self.node["id"], "SessionId": self.id, "MessageType": "channel_closed", "SchemaVersion": 1,
                "Output": self.close_reason}
        self.channel.write_control(cm.ClientMessage(cm.CHANNEL_CLOSED, 0, 3, 0, json.dumps(body, separators=(",", ":")).encode()))
