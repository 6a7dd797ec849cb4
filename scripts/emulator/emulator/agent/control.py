"""The simulated agent's control channel, a client of the emulator's gateway exactly as
amazon-ssm-agent is (agent/session/controlchannel/controlchannel.go, service/service.go,
communicator/websocketchannel.go): CreateControlChannel (signed POST, HTTP 201, XML token), the
signed WebSocket `/v1/control-channel/{id}?role=subscribe&stream=input`, OpenControlChannel as its
first (text) frame, then binary AgentMessages with JSON payloads both ways. When the channel
breaks it is opened again (the agent retries forever, ControlChannelNumMaxRetries -1).

The seam, the same pair as the gateway's (gateway/control.py):
    client.send(message_type, payload_dict) -> message id (str), or None while the channel is down
    client.on(message_type, async handler(instance_id, payload_dict))
with "_message_id" and "_created_date" added to each incoming payload."""
import asyncio
import json
import re
import sys
import uuid

import aiohttp

from ..gateway.control import decode, encode

RETRY_DELAY = 0.5   # the real agent waits 5-7.5 s with jitter (config ControlChannelRetryInitialDelayMillis); tests cannot


class ControlChannelClient:
    def __init__(self, http, base_url, instance_id, signer, agent_version, platform_type="linux"):
        self.http = http                  # an aiohttp.ClientSession shared by the node's channels
        self.base_url = base_url          # https://host:port or http://host:port
        self.instance_id = instance_id
        self.signer = signer
        self.agent_version = agent_version
        self.platform_type = platform_type
        self.handlers = {}
        self.ws = None
        self.task = None
        self.ready = asyncio.Event()
        self.stopping = False

    # -- the seam ---------------------------------------------------------------------------------

    def on(self, message_type, handler):
        self.handlers.setdefault(message_type, []).append(handler)

    def send(self, message_type, payload):
        ws = self.ws
        if ws is None or ws.closed:
            return None
        message_id = uuid.uuid4()
        asyncio.get_running_loop().create_task(self._write(ws, encode(message_type, payload, message_id)))
        return str(message_id)

    @staticmethod
    async def _write(ws, frame):
        try:
            await ws.send_bytes(frame)
        except (ConnectionResetError, RuntimeError):
            pass

    # -- life -------------------------------------------------------------------------------------

    def start(self):
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self):
        self.stopping = True
        if self.ws is not None and not self.ws.closed:
            await self.ws.close()
        if self.task is not None:
            self.task.cancel()
            try:
                await self.task
            except (asyncio.CancelledError, Exception):
                pass

    async def _run(self):
        while not self.stopping:
            try:
                await self._session()
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError) as error:
                if not self.stopping:
                    print("simulated agent %s: control channel: %s" % (self.instance_id, error), file=sys.stderr, flush=True)
            self.ready.clear()
            self.ws = None
            if not self.stopping:
                await asyncio.sleep(RETRY_DELAY)

    async def _session(self):
        token = await self._create()
        ws_url = re.sub(r"^http", "ws", self.base_url) + "/v1/control-channel/%s?role=subscribe&stream=input" % self.instance_id
        headers = self.signer.headers("GET", re.sub(r"^ws", "http", ws_url))
        async with self.http.ws_connect(ws_url, headers=headers, max_msg_size=16 * 1024 * 1024, heartbeat=None) as ws:
            await ws.send_str(json.dumps({"MessageSchemaVersion": "1.0", "RequestId": str(uuid.uuid4()), "TokenValue": token,
                                          "AgentVersion": self.agent_version, "PlatformType": self.platform_type}))
            self.ws = ws
            self.ready.set()
            async for msg in ws:
                if msg.type == aiohttp.WSMsgType.BINARY:
                    await self._received(msg.data)
                elif msg.type == aiohttp.WSMsgType.ERROR:
                    break

    async def _create(self):
        url = self.base_url + "/v1/control-channel/" + self.instance_id
        body = json.dumps({"MessageSchemaVersion": "1.0", "RequestId": str(uuid.uuid4())}).encode()
        headers = self.signer.headers("POST", url, body, {"Content-Type": "application/json"})
        async with self.http.post(url, data=body, headers=headers) as response:
            text = await response.text()
            if response.status != 201:   # the agent takes only 201 (service.go makeRestcall)
                raise ValueError("CreateControlChannel answered %d: %s" % (response.status, text[:200]))
        found = re.search(r"<TokenValue>([^<]+)</TokenValue>", text)
        if found is None:
            raise ValueError("CreateControlChannel answered no TokenValue")
        return found.group(1)

    async def _received(self, frame):
        decoded = decode(frame)
        if decoded is None:
            return
        message_type, payload = decoded
        for handler in self.handlers.get(message_type, []):
            try:
                await handler(self.instance_id, payload)
            except Exception as error:
                print("simulated agent %s: handler for %s failed: %r" % (self.instance_id, message_type, error), file=sys.stderr, flush=True)
