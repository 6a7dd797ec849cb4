"""One session on the service side: the client's data channel relayed to the agent's, as the message
gateway service does it. The service hands the session to the node's agent at StartSession
(`interactive_shell` on its control channel); the agent then calls CreateDataChannel and opens its
own data channel (agent/session/plugins/sessionplugin/sessionplugin.go Execute), whether or not
the client has connected yet. Stream data and acks are relayed end to end, untouched: the
sequence numbers, acks and retransmission are the client's and the agent's. What the service
adds:
- while no client is connected the agent is told `pause_publication`, and `start_publication`
  when one (re)connects (the agent stops and resumes sending; datachannel.go
  handlePausePublicationMessage); what either side sends while the other is absent is dropped,
  and their retransmission delivers it later;
- `agent_session_state` (Connected, Terminating) from the agent is kept, never relayed
  (datachannel.go SendAgentSessionStateMessage);
- `channel_closed` goes to the client from the service alone (the agent never sends it), once
  the agent reported the task complete (`agent_task_complete`, whose Output is the reason) or
  TerminateSession ended it; TerminateSession sends the agent `channel_closed` on its control
  channel and on its data channel (contracts/agentmessage.go parseTerminateSessionMessage,
  datachannel.go handleChannelClosedMessage)."""
import asyncio
import base64
import json
import secrets
import struct
import time
import uuid

from .. import clientmessage as cm
from . import documents
from .client_queue import ClientQueue
from .faults import LossyLink

TERMINATE_GRACE = 5.0   # seconds the service waits for the agent to end a terminated session
CLOSE_FLUSH = 20.0       # seconds the output before channel_closed may take to reach the client
AGENT_GONE_GRACE = 10.0  # seconds a data channel the agent closed unfinished may be opened again


def publication(kind):
    """pause_publication or start_publication for the agent, with a payload: amazon-ssm-agent's
    parser logs an error for a 0-byte payload (contracts/agentmessage.go getInteger wants one byte
    past the PayloadLength field), though it still acts on the message."""
    return cm.control_frame(kind, b"{}")


async def send_quietly(ws, frame):
    """Sends a frame on a socket that may be gone: a side that left loses the frame, and the
    data channel's retransmission (spec 5.3) is what recovers it."""
    if ws is None or ws.closed:
        return
    try:
        await ws.send_bytes(frame)
    except (ConnectionResetError, RuntimeError):
        pass


def message_type(frame):
    return bytes(frame[4:36]).strip(b"\x00 ").decode("ascii", "replace") if len(frame) >= 120 else ""


class GatewaySession:
    def __init__(self, registry, state, session_id, node, document, session_type, parameters, reason, owner):
        self.registry = registry
        self.state = state
        self.id = session_id
        self.node = node
        self.document = document or "SSM-SessionManagerRunShell"
        self.session_type = session_type
        self.parameters = {k: (v[0] if isinstance(v, list) and v else v) for k, v in parameters.items()}
        self.reason = reason
        self.owner = owner
        self.token = "AAEAA" + secrets.token_urlsafe(48)
        self.agent_token = None          # from the agent's CreateDataChannel
        self.stream_url = "%s/v1/data-channel/%s?role=publish_subscribe&cell-number=%s" % (
            registry.base_url, session_id, base64.b64encode(secrets.token_bytes(12)).decode())
        if state.faults.plain_stream_url and self.stream_url.startswith("wss://"):
            self.stream_url = "ws://" + self.stream_url[len("wss://"):]
        self.status = "Connecting"
        self.started = time.time()
        self.ended = None
        self.client_ws = None
        self.reader = None               # the client connection's endpoint.Reader: the end hangs up through it
        self.agent_ws = None
        self.agent_connections = 0       # data channels the agent opened (a real one reopens after a missed pong)
        self.connections = 0
        self.agent_state = None          # the agent's last agent_session_state
        self.terminating = False         # TerminateSession was called
        self.finished = False            # channel_closed is due to every client connection
        self.close_reason = ""
        self.client_close_codes = []     # the WebSocket close code of each client connection, as the service saw it
        self.highest_in = -1             # the highest client stream sequence number relayed
        self.client_version = None       # from the client's HandshakeResponse, relayed in clear
        self.last_agent_facts = {}
        self.to_agent_link = LossyLink(state.faults, self._to_agent, towards_agent=True)
        self.to_client_link = LossyLink(state.faults, self._to_client, towards_agent=False)
        # What the agent sends is read at once and waits here for the client (client_queue.py).
        self.client_queue = ClientQueue(self._write_to_client)
        state.client_queues[session_id] = self.client_queue

    # -- what the agent is handed ---------------------------------------------------------------

    def task_payload(self, kms_key_id="", run_as_enabled=False, run_as_default_user=""):
        """The MGSPayload of `interactive_shell` (contracts/model.go MGSPayload, AgentTaskPayload)."""
        content = documents.content(self.document, kms_key_id, run_as_enabled, run_as_default_user)
        task = {"DocumentName": self.document, "DocumentContent": content, "SessionId": self.id,
                "Parameters": self.parameters, "RunAsUser": "", "SessionOwner": self.owner}
        return {"Content": json.dumps(task, separators=(",", ":")), "TaskId": self.id, "Topic": "aws.ssm.sessionManager.startSession",
                "SchemaVersion": 1}

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
                "agent_received": len(self.state.agent_bytes.get(self.id, b"")),
                "unacked": self._agent_facts().get("unacked"), "client_sent": self.highest_in + 1, "mode": self._agent_facts().get("mode"),
                "run_as": self._agent_facts().get("run_as"),
                "agent_state": self.agent_state, "agent_connected": self.agent_ws is not None,
                "agent_connections": self.agent_connections, "client_queue_bytes": self.client_queue.held,
                "client_close_codes": self.client_close_codes}

    def _agent_facts(self):
        """What the simulated agent knows of the session (none for a real agent), kept past its end."""
        agent = self.state.agent_sessions.get(self.id)
        if agent is not None:
            self.last_agent_facts = agent.facts()
        return self.last_agent_facts

    # -- the client's side ----------------------------------------------------------------------

    async def attach_client(self, ws, reader):
        self.connections += 1
        replaced = self.reader
        self.client_ws, self.reader = ws, reader
        if replaced is not None and replaced.ws is not ws:
            # The service ends the data channel a resumed session replaced; its read loop and fault timers end
            # with it, however the old client behaves (endpoint.serve_client closes it as its only reader).
            replaced.hang_up(b"Session resumed on another connection")
        if self.finished:
            await self._send_channel_closed()
            self.client_queue.close()
            return
        self.status = "Connected"
        await self._to_agent(publication(cm.START_PUBLICATION))

    async def client_detached(self, ws, close_code):
        self.client_close_codes.append(close_code)
        if self.client_ws is not ws:
            return
        self.client_ws = self.reader = None
        if self.status == "Connected":
            self.status = "Disconnected"
        if not self.finished:
            await self._to_agent(publication(cm.PAUSE_PUBLICATION))

    async def from_client(self, ws, frame):
        if ws is not self.client_ws:
            return   # a connection the client replaced
        kind = message_type(frame)
        if kind == cm.INPUT_STREAM_DATA:
            self.highest_in = max(self.highest_in, struct.unpack(">q", frame[48:56])[0])
            if self.client_version is None and struct.unpack(">I", frame[112:116])[0] == cm.HANDSHAKE_RESPONSE:
                try:
                    self.client_version = json.loads(frame[120:]).get("ClientVersion")
                except (ValueError, AttributeError):
                    pass
        await self.to_agent_link.relay(kind, frame)

    async def drop_connection(self, mode):
        ws = self.client_ws
        if ws is None:
            return
        if mode == "reset":
            transport = ws._req.transport if ws._req is not None else None
            if transport is not None:
                transport.abort()
        else:
            await ws.close(code=1000, message=b"Bye")

    # -- the agent's side -----------------------------------------------------------------------

    def agent_channel_created(self):
        self.agent_token = "AAEAA" + secrets.token_urlsafe(48)
        return self.agent_token

    async def attach_agent(self, ws):
        """The agent opened its data channel, or opened it again (after a missed pong, datachannel.go
        Reconnect): the channel it replaced is closed, and what still comes on it is ignored."""
        replaced, self.agent_ws = self.agent_ws, ws
        self.agent_connections += 1
        if replaced is not None and replaced is not ws and not replaced.closed:
            asyncio.get_running_loop().create_task(replaced.close(code=1000, message=b"Data channel replaced"))
        if self.terminating or self.finished:
            await self._to_agent(self._channel_closed_frame())
        elif self.client_ws is None:
            await self._to_agent(publication(cm.PAUSE_PUBLICATION))

    def agent_detached(self, ws):
        """The agent closed its data channel. After Terminating the session is over (a real
        agent's agent_task_complete may come much later, through its reply queue); otherwise
        the agent's completion, or AGENT_GONE_GRACE, ends it."""
        if self.agent_ws is not ws:
            return
        self.agent_ws = None
        loop = asyncio.get_running_loop()
        if self.agent_state == "Terminating":
            loop.create_task(self.finish(self.close_reason if self.terminating else ""))
        else:
            loop.call_later(AGENT_GONE_GRACE, lambda: None if self.agent_ws is not None else loop.create_task(
                self.finish(self.close_reason if self.terminating else "The session's agent closed its data channel.")))

    async def from_agent(self, ws, frame):
        """A frame the agent sent: never waits for the client (the agent's pings are answered only
        while its channel is read)."""
        if ws is not self.agent_ws:
            return   # a channel the agent replaced: its frames are stale, and retransmission resends them
        kind = message_type(frame)
        if kind == "agent_session_state":
            try:
                self.agent_state = json.loads(frame[120:]).get("SessionState")
            except (ValueError, AttributeError):
                pass
            return
        if kind == cm.CHANNEL_CLOSED:
            return   # only the service tells the client the channel closed
        await self.to_client_link.relay(kind, frame)

    async def _to_client(self, frame):
        await self.client_queue.wait_for_room(len(frame))
        self.client_queue.put(frame)

    async def _write_to_client(self, frame):
        await send_quietly(self.client_ws, frame)

    async def _to_agent(self, frame):
        await send_quietly(self.agent_ws, frame)

    # -- the end ----------------------------------------------------------------------------------

    def terminate(self, reason):
        """TerminateSession: the token dies at once; the agent is told, and the client hears
        channel_closed once the agent ended the task (or after TERMINATE_GRACE)."""
        self.token = None
        if self.finished or self.terminating:
            return
        self.terminating = True
        self.close_reason = reason
        loop = asyncio.get_running_loop()
        loop.create_task(self._to_agent(self._channel_closed_frame()))
        self.registry.control_send(self.node["id"], cm.CHANNEL_CLOSED, self._channel_closed_body())
        loop.call_later(TERMINATE_GRACE, lambda: loop.create_task(self.finish(reason)))

    async def agent_task_complete(self, output):
        await self.finish(self.close_reason if self.terminating else output)

    async def finish(self, reason):
        if self.finished:
            return
        self.finished = True
        self.close_reason = reason
        self._agent_facts()
        ws = self.client_ws
        if ws is not None:
            await self._send_channel_closed()
        self.client_queue.close()
        self.state.client_queues.pop(self.id, None)
        self.status = "Terminated"
        self.ended = time.time()
        if self.reader is not None and self.reader.ws is ws:
            self.reader.hang_up()
        if self.agent_ws is not None and not self.agent_ws.closed:
            await self.agent_ws.close()

    def _channel_closed_body(self):
        return {"MessageId": str(uuid.uuid4()), "CreatedDate": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                "DestinationId": self.node["id"], "SessionId": self.id, "MessageType": cm.CHANNEL_CLOSED, "SchemaVersion": 1,
                "Output": self.close_reason}

    def _channel_closed_frame(self):
        return cm.ClientMessage(cm.CHANNEL_CLOSED, 0, 3, 0, json.dumps(self._channel_closed_body(), separators=(",", ":")).encode()).encode()

    async def _send_channel_closed(self):
        """After the output queued before it, to whichever client connection is current. A client
        that resumes after the session finished (its queue closed) gets it straight away: the
        closed queue takes nothing more."""
        if not self.client_queue.put(self._channel_closed_frame()):
            await send_quietly(self.client_ws, self._channel_closed_frame())
            return
        await self.client_queue.flushed(CLOSE_FLUSH)
