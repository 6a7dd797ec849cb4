"""One session's life on the simulated agent's side, as amazon-ssm-agent runs it
(agent/session/plugins/sessionplugin/sessionplugin.go Execute): its data channel to the gateway
(opened at StartSession, before any client may be there), `agent_session_state` Connected, the
handshake or the handler at once, the delivery of the client's stream data to the handler of its
kind, output in 1 KiB messages, and the end: `agent_session_state` Terminating on the data channel
and `agent_task_complete` on the control channel (the service, not the agent, sends the client
`channel_closed`; agent/session/shell/shell.go, messageservice/.../sessioncompletereplytype.go).
The handshake and KMS are in handshake.py; the handlers in shell.py, command.py and port.py."""
import asyncio
import json
import struct

from .. import clientmessage as cm
from ..channel import Channel
from ..ssm_api import SESSION_DOCUMENTS
from .command import CommandHandler
from .handshake import Handshake
from .port import PortHandler
from .shell import PtyHandler

CHUNK = 1024
AGENT_SESSION_STATE = "agent_session_state"
# A failed plugin's output is its stdout, this line, then its errors (iohandler.go MarkAsFailed adds
# the error to stderr); agent_task_complete's Output is that text (sessioncompletereplytype.go).
ERROR_SEPARATOR = "\n----------ERROR-------\n"


def version_tuple(text):
    try:
        return tuple(int(p) for p in str(text).split("."))
    except ValueError:
        return None


def version_above(text, threshold):
    v, t = version_tuple(text), version_tuple(threshold)
    return v is not None and len(v) == len(t) and v > t


class Session:
    """`registry` is the node's agent (agent/sessions.py): its KMS and its control channel."""

    def __init__(self, registry, state, session_id, node, document, parameters):
        self.registry = registry
        self.state = state
        self.id = session_id
        self.node = node
        self.document = document or "SSM-SessionManagerRunShell"
        self.session_type = SESSION_DOCUMENTS[document]
        self.parameters = {k: (v[0] if isinstance(v, list) and v else v) for k, v in parameters.items()}
        self.channel = Channel(self, state.faults, self._deliver)
        self.handler = None
        self.client_version = None  # from the HandshakeResponse
        self.handshake = Handshake(self)
        self.closing = False
        self.close_reason = ""
        self.say_terminating = True
        self.done = asyncio.Event()

    # -- the data channel -----------------------------------------------------------------------

    def reopen(self, ws):
        """The data channel opened again after its read deadline passed (datachannel.go Reconnect):
        no new Connected or handshake; what is unacked goes out again."""
        self.channel.attach(ws)

    def open(self, ws):
        """The agent's data channel is open: Connected, then the handshake or the handler at once."""
        self.channel.attach(ws)
        self._send_state("Connected")
        if self.handshake.phase == "pending" and not self.state.faults.no_handshake:
            self.handshake.send_request()
        else:
            self.start_handler()

    async def receive(self, frame):
        """A frame from the gateway: the service's publication control and channel_closed, or the
        client's stream data and acks, relayed."""
        kind = bytes(frame[4:36]).strip(b"\x00 ").decode("ascii", "replace") if len(frame) >= 120 else ""
        if kind == cm.CHANNEL_CLOSED:
            self.end("")   # datachannel.go handleChannelClosedMessage: the session is cancelled
        elif kind == cm.START_PUBLICATION:
            # A client (re)connected: every unacked message goes out again at once (the real
            # agent resends only the oldest, once per RTO).
            self.channel.paused = False
            self.channel.resend_unacked()
        else:
            await self.channel.receive(frame)

    def _send_state(self, state):
        body = json.dumps({"SchemaVersion": 1, "SessionState": state, "SessionId": self.id}, separators=(",", ":")).encode()
        self.channel.write_control(cm.ClientMessage(AGENT_SESSION_STATE, 0, 0, 0, body).encode())

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
        # The gateway reads the agent's channel at once and holds what a slow client has not taken
        # (gateway/client_queue.py); this agent shares the process and waits while that is half full,
        # as its writes waited on the relay's socket before, so it does not run into the drop limit.
        queue = self.state.client_queues.get(self.id)
        if queue is not None:
            await queue.room()

    # -- the end (spec section 8) ---------------------------------------------------------------

    def end(self, reason, terminating=None):
        """The session ends; a REASON marks the plugin failed (its error). Terminating is sent when
        the session ended well, unless TERMINATING says otherwise (a command that could not be
        started still says it, shell.go executeCommandsWithExec)."""
        if self.closing:
            return
        self.closing = True
        self.close_reason = reason
        self.say_terminating = not reason if terminating is None else terminating
        asyncio.get_running_loop().create_task(self._finish())

    def task_output(self):
        """agent_task_complete's Output: empty when the session ended well."""
        return ERROR_SEPARATOR + self.close_reason if self.close_reason else ""

    async def _finish(self):
        if self.handler is not None:
            await self.handler.stop()
        try:
            await asyncio.wait_for(self.channel.drained.wait(), timeout=2)
        except asyncio.TimeoutError:
            pass
        if self.say_terminating:
            # A session that ended well says Terminating; one whose plugin failed before it
            # started only reports its error in agent_task_complete (shell.go; sessionplugin.go
            # output.MarkAsFailed).
            self._send_state("Terminating")
        await self.channel.flushed(timeout=10)
        self.registry.task_complete(self, "Failed" if self.close_reason else "Success")
        ws = self.channel.ws
        self.channel.stop()
        if ws is not None and not ws.closed:
            await ws.close()
        self.done.set()

    def facts(self):
        return {"client_version": self.client_version, "unacked": len(self.channel.outgoing), "client_sent": self.channel.highest_in + 1,
                "mode": getattr(self.handler, "mode", None), "run_as": getattr(getattr(self.handler, "run_as", None), "name", None)}
