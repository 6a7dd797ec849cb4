"""The service side of every node's control channel (what MGS is to amazon-ssm-agent):
CreateControlChannel, the control-channel WebSocket, and the seam the rest of the emulator uses
to talk to agents:

    control.send(instance_id, message_type, payload_dict) -> message id (str), or None when the
        node has no control channel open
    control.on(message_type, async handler(instance_id, payload_dict))

Incoming payloads are the JSON of the AgentMessage with two keys added: "_message_id" and
"_created_date" (the AgentMessage header's MessageId and CreatedDate), which the acks need.
Handlers run one at a time in the order the agent sent the messages, so they must be quick.

Protocol (amazon-ssm-agent 3.3, agent/session/service/service.go, controlchannel/controlchannel.go,
communicator/websocketchannel.go, config/sessionconfig.go):
- `POST /v1/control-channel/{instance id}` signed for ssmmessages, JSON {MessageSchemaVersion,
  RequestId}; the agent accepts only HTTP 201 and reads MessageSchemaVersion and TokenValue from an
  XML body.
- `GET /v1/control-channel/{instance id}?stream=input&role=subscribe`, a WebSocket upgrade signed
  for ssmmessages; the agent's first frame is the text OpenControlChannel {MessageSchemaVersion,
  RequestId, TokenValue, AgentVersion, PlatformType}; then binary AgentMessages both ways (the
  ClientMessage layout, clientmessage.py), with JSON payloads.
- `agent_task_complete` is answered with `agent_task_acknowledge` {SchemaVersion, MessageId,
  TaskId, Topic} naming the completion's MessageId (messageservice/interactor/mgsinteractor/
  mgsinteractor.go processTaskAcknowledgeMessage; the agent retries the completion until then).
"""
import asyncio
import json
import secrets
import sys
import time
import uuid
from xml.sax.saxutils import escape

from aiohttp import WSMsgType, web

from .. import clientmessage as cm
from ..auth import action_allowed
from ..errors import AWSError

TASK_COMPLETE = "agent_task_complete"
TASK_ACKNOWLEDGE = "agent_task_acknowledge"


def encode(message_type, payload, message_id=None):
    """An AgentMessage with a JSON payload, as the service sends it on a control channel."""
    msg = cm.ClientMessage(message_type, 0, 0, 0, json.dumps(payload, separators=(",", ":")).encode(), message_id=message_id)
    return msg.encode()


def decode(frame):
    """(message type, payload dict with _message_id and _created_date), or None for a frame that is
    not a well-formed AgentMessage with a JSON object payload (dropped, as the agent drops them)."""
    try:
        msg = cm.ClientMessage.decode(frame)
        payload = json.loads(msg.payload)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(payload, dict) or not msg.message_type or not msg.created_date:
        return None
    payload["_message_id"] = str(msg.message_id)
    payload["_created_date"] = msg.created_date
    return msg.message_type, payload


class ControlChannels:
    """Every node's control channel on the service side, by instance id."""

    def __init__(self, state, auth):
        self.state = state
        self.auth = auth
        self.tokens = {}          # token -> instance id (from CreateControlChannel)
        self.sockets = {}         # instance id -> the open WebSocket
        self.opened = {}          # instance id -> OpenControlChannel facts (AgentVersion, PlatformType, when)
        self.handlers = {}        # message type -> [async handler(instance_id, payload)]
        self.changed = asyncio.Event()

    # -- the seam ---------------------------------------------------------------------------------

    def on(self, message_type, handler):
        self.handlers.setdefault(message_type, []).append(handler)

    def send(self, instance_id, message_type, payload):
        ws = self.sockets.get(instance_id)
        if ws is None or ws.closed:
            return None
        message_id = uuid.uuid4()
        asyncio.get_running_loop().create_task(self._write(ws, encode(message_type, payload, message_id)))
        return str(message_id)

    def connected(self, instance_id):
        ws = self.sockets.get(instance_id)
        return ws is not None and not ws.closed

    async def wait_connected(self, instance_ids, timeout):
        """True once every node named has its control channel open, False at the deadline."""
        deadline = time.monotonic() + timeout
        while not all(self.connected(i) for i in instance_ids):
            self.changed.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                await asyncio.wait_for(self.changed.wait(), min(left, 0.5))
            except asyncio.TimeoutError:
                pass
        return True

    def facts(self):
        return {i: dict(self.opened.get(i, {}), connected=self.connected(i)) for i in self.opened}

    @staticmethod
    async def _write(ws, frame):
        try:
            await ws.send_bytes(frame)
        except (ConnectionResetError, RuntimeError):
            pass   # the channel went away; the agent reopens it and the sender's retry rules apply

    # -- HTTP: CreateControlChannel ----------------------------------------------------------------

    def _authorized(self, request, body, action):
        """The caller's identity, or an error response: signed for ssmmessages and allowed `action`."""
        try:
            who = self.auth.authenticate(request.method, str(request.url), request.headers, body, "ssmmessages")
        except AWSError as error:
            return None, web.json_response({"message": error.message}, status=403, headers={"x-amzn-ErrorType": error.code})
        if not action_allowed(who.policy, action):
            # The agent looks for "<AccessDeniedException>" in the body (controlchannel.go getControlChannelToken).
            return None, web.Response(status=403, text="<AccessDeniedException><Message>User: %s is not authorized to perform: %s"
                                      "</Message></AccessDeniedException>" % (escape(who.arn), action))
        return who, None

    async def create(self, request):
        instance_id = request.match_info["instance_id"]
        body = await request.read()
        _, refused = self._authorized(request, body, "ssmmessages:CreateControlChannel")
        if refused is not None:
            return refused
        token = "AAEAA" + secrets.token_urlsafe(48)
        self.tokens[token] = instance_id
        xml = ("<CreateControlChannelOutput><MessageSchemaVersion>1.0</MessageSchemaVersion><TokenValue>%s</TokenValue>"
               "</CreateControlChannelOutput>" % token)
        return web.Response(status=201, body=xml.encode(), content_type="application/xml")

    # -- the WebSocket -----------------------------------------------------------------------------

    async def serve(self, request):
        instance_id = request.match_info["instance_id"]
        _, refused = self._authorized(request, b"", "ssmmessages:OpenControlChannel")
        if refused is not None:
            return refused
        ws = web.WebSocketResponse(autoping=True, max_msg_size=16 * 1024 * 1024)
        await ws.prepare(request)
        try:
            first = await ws.receive(timeout=45)
            opened = json.loads(first.data) if first.type == WSMsgType.TEXT else {}
        except (asyncio.TimeoutError, ValueError):
            opened = {}
        if not isinstance(opened, dict) or self.tokens.get(opened.get("TokenValue")) != instance_id:
            await ws.close(code=1008, message=b"Token is invalid or expired")
            return ws
        previous = self.sockets.get(instance_id)
        self.sockets[instance_id] = ws
        self.opened[instance_id] = {"agent_version": opened.get("AgentVersion"), "platform_type": opened.get("PlatformType"),
                                    "opened": time.time()}
        self.changed.set()
        self._ping(instance_id, "Online")
        if previous is not None and not previous.closed:
            await previous.close(code=1000, message=b"Replaced by a newer control channel")
        try:
            async for msg in ws:
                if msg.type == WSMsgType.BINARY:
                    await self._received(instance_id, msg.data)
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            if self.sockets.get(instance_id) is ws:
                del self.sockets[instance_id]
                self.changed.set()
                self._ping(instance_id, "ConnectionLost")
        return ws

    def _ping(self, instance_id, status):
        """A real agent's node is Online while its control channel is open (the fleet says what a
        simulated node's ping status is, so tests can make one look offline)."""
        node = self.state.nodes.get(instance_id)
        if node is not None and node.get("agent") == "real":
            node["ping_status"] = status
            node["last_ping"] = time.time()

    async def _received(self, instance_id, frame):
        decoded = decode(frame)
        if decoded is None:
            return
        message_type, payload = decoded
        for handler in self.handlers.get(message_type, []):
            try:
                await handler(instance_id, payload)
            except Exception as error:  # a handler's bug must not end the node's channel
                print("control channel handler for %s failed: %r" % (message_type, error), file=sys.stderr, flush=True)
        if message_type == TASK_COMPLETE:
            self.send(instance_id, TASK_ACKNOWLEDGE, {"SchemaVersion": 1, "MessageId": payload["_message_id"],
                                                      "TaskId": payload.get("TaskId", ""), "Topic": payload.get("Topic", "")})
