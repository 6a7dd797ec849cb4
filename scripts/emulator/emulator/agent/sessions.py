"""A simulated node's session worker: it takes `interactive_shell` from the control channel, opens
the session's data channel to the gateway as amazon-ssm-agent does (CreateDataChannel, then the
signed WebSocket `/v1/data-channel/{session id}?role=publish_subscribe` with OpenDataChannel as its
first frame: agent/session/datachannel/datachannel.go NewDataChannel, Open; service/service.go),
runs the session (sessions/session.py) and reports its end with `agent_task_complete`
(messageservice/interactor/mgsinteractor/replytypes/sessioncompletereplytype.go), which the agent
sends again until the service acknowledges it (three tries, a second apart)."""
import asyncio
import json
import re
import sys
import uuid

import aiohttp

from ..sessions.session import Session
from ..ws_batching import batch_writes

COMPLETE_TRIES = 3
COMPLETE_BACKOFF = 1.0
REOPEN_ATTEMPTS = 5       # mgsConfig.DataChannelNumMaxAttempts
REOPEN_DELAY = 0.1        # DataChannelRetryInitialDelayMillis (the first retry; the real one adds up to as much again)


class SessionWorker:
    def __init__(self, node):
        self.node = node                  # the SimulatedNode
        self.state = node.fleet.state
        self.kms = node.fleet.kms
        self.sessions = {}                # session id -> Session
        self.unacknowledged = {}          # agent_task_complete message id -> asyncio.Event
        control = node.control
        control.on("interactive_shell", self.on_interactive_shell)
        control.on("channel_closed", self.on_channel_closed)
        control.on("agent_task_acknowledge", self.on_task_acknowledge)

    # -- the control channel --------------------------------------------------------------------

    async def on_interactive_shell(self, instance_id, payload):
        try:
            task = json.loads(payload["Content"])
            session = Session(self, self.state, task["SessionId"], self.node.node, task.get("DocumentName"), task.get("Parameters") or {})
        except (KeyError, ValueError, TypeError) as error:
            print("simulated agent %s: unreadable interactive_shell: %r" % (instance_id, error), file=sys.stderr, flush=True)
            return
        if session.id in self.sessions:
            return   # a duplicate delivery
        self.sessions[session.id] = session
        self.state.agent_sessions[session.id] = session
        asyncio.get_running_loop().create_task(self._run(session))

    async def on_channel_closed(self, instance_id, payload):
        session = self.sessions.get(payload.get("SessionId"))
        if session is not None:
            session.end("")

    async def on_task_acknowledge(self, instance_id, payload):
        event = self.unacknowledged.pop(payload.get("MessageId"), None)
        if event is not None:
            event.set()

    def task_complete(self, session, status):
        asyncio.get_running_loop().create_task(self._complete(session, status))

    async def _complete(self, session, status):
        payload = {"SchemaVersion": 1, "TaskId": session.id, "Topic": "agent_task_complete", "FinalTaskStatus": status,
                   "IsRoutingFailure": False, "AwsAccountId": "", "InstanceId": self.node.node["id"], "Output": session.task_output(),
                   "S3Bucket": "", "S3UrlSuffix": "", "CwlGroup": "", "CwlStream": "", "RetryNumber": 0}
        for attempt in range(COMPLETE_TRIES):
            payload["RetryNumber"] = attempt
            message_id = self.node.control.send("agent_task_complete", payload)
            if message_id is not None:
                acknowledged = self.unacknowledged[message_id] = asyncio.Event()
                try:
                    await asyncio.wait_for(acknowledged.wait(), COMPLETE_BACKOFF)
                    break
                except asyncio.TimeoutError:
                    self.unacknowledged.pop(message_id, None)
            else:
                await asyncio.sleep(COMPLETE_BACKOFF)
        self.sessions.pop(session.id, None)
        self.state.agent_sessions.pop(session.id, None)

    # -- the data channel -----------------------------------------------------------------------

    async def _run(self, session):
        fleet = self.node.fleet
        client_id = str(uuid.uuid4())
        try:
            for attempt in range(REOPEN_ATTEMPTS + 1):
                # A new token for every opening (datachannel.go: the OnError handler calls
                # CreateDataChannel again before Reconnect).
                token = await self._create_data_channel(session.id, client_id)
                ws_url = re.sub(r"^http", "ws", fleet.base_url) + "/v1/data-channel/%s?role=publish_subscribe" % session.id
                headers = fleet.signer.headers("GET", re.sub(r"^ws", "http", ws_url))
                async with fleet.http.ws_connect(ws_url, headers=headers, max_msg_size=16 * 1024 * 1024, heartbeat=None,
                                                 autoping=False) as ws:
                    batch_writes(ws)
                    await ws.send_str(json.dumps({"MessageSchemaVersion": "1.0", "RequestId": str(uuid.uuid4()), "TokenValue": token,
                                                  "ClientInstanceId": self.node.node["id"], "ClientId": client_id}))
                    session.reopen(ws) if attempt else session.open(ws)
                    deadline_passed = await self._listen(session, ws)
                if not deadline_passed or session.closing:
                    break
                print("simulated agent %s: no pong on the data channel of %s within %s s: opening it again"
                      % (self.node.node["id"], session.id, self.state.faults.agent_pong_wait), file=sys.stderr, flush=True)
                await asyncio.sleep(REOPEN_DELAY)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError) as error:
            print("simulated agent %s: data channel of %s: %s" % (self.node.node["id"], session.id, error), file=sys.stderr, flush=True)
        # The gateway closed the channel, or it broke: the session ends (the real agent retries
        # its data channel five times first; the gateway here only closes it at the end).
        session.end(session.close_reason)

    async def _listen(self, session, ws):
        """Reads the data channel until it closes (False) or its read deadline passes (True). As the
        real agent's: it pings every agent_ping_interval (54 s), and only a pong moves the deadline,
        to agent_pong_wait (60 s) later; the first is both after the opening
        (communicator/websocketchannel.go StartPings and its listener's SetPongHandler)."""
        faults = self.state.faults
        loop = asyncio.get_running_loop()
        deadline = loop.time() + faults.agent_ping_interval + faults.agent_pong_wait
        pinger = loop.create_task(self._ping(ws, faults.agent_ping_interval))
        try:
            while True:
                try:
                    msg = await ws.receive(timeout=max(0.0, deadline - loop.time()))
                except asyncio.TimeoutError:
                    return True
                if msg.type == aiohttp.WSMsgType.BINARY:
                    await session.receive(msg.data)
                elif msg.type == aiohttp.WSMsgType.PING:
                    await ws.pong(msg.data)
                elif msg.type == aiohttp.WSMsgType.PONG:
                    deadline = loop.time() + faults.agent_pong_wait
                elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED,
                                  aiohttp.WSMsgType.ERROR):
                    return False
        finally:
            pinger.cancel()

    @staticmethod
    async def _ping(ws, interval):
        try:
            while not ws.closed:
                await asyncio.sleep(interval)
                await ws.ping(b"keepalive")
        except (ConnectionResetError, RuntimeError):
            pass

    async def _create_data_channel(self, session_id, client_id):
        fleet = self.node.fleet
        url = fleet.base_url + "/v1/data-channel/" + session_id
        body = json.dumps({"MessageSchemaVersion": "1.0", "RequestId": str(uuid.uuid4()), "ClientId": client_id}).encode()
        headers = fleet.signer.headers("POST", url, body, {"Content-Type": "application/json"})
        async with fleet.http.post(url, data=body, headers=headers) as response:
            text = await response.text()
            if response.status != 201:
                raise ValueError("CreateDataChannel answered %d: %s" % (response.status, text[:200]))
        found = re.search(r"<TokenValue>([^<]+)</TokenValue>", text)
        if found is None:
            raise ValueError("CreateDataChannel answered no TokenValue")
        return found.group(1)

    async def stop(self):
        for session in list(self.sessions.values()):
            if session.handler is not None:
                await session.handler.stop()
