"""A minimal, independent Session Manager data-channel client for testing the emulator, written
from the data-channel spec (sections 2 to 5, 6 and 7.3) and checked against its byte vectors.
It acknowledges every stream message, buffers out-of-order ones, re-acks duplicates, drops frames
with a bad digest, and resends its own unacked messages after a timeout."""
import asyncio
import hashlib
import json
import os
import struct
import time
import uuid

import aiohttp


def encode(message_type, seq, flags, payload_type, payload, message_id, created=None):
    raw = message_id.bytes
    return (struct.pack(">I", 116) + message_type.encode().ljust(32, b" ") + struct.pack(">I", 1)
            + struct.pack(">Q", created if created is not None else int(time.time() * 1000)) + struct.pack(">q", seq)
            + struct.pack(">Q", flags) + raw[8:] + raw[:8] + hashlib.sha256(payload).digest()
            + struct.pack(">I", payload_type) + struct.pack(">I", len(payload)) + payload)


def decode(frame):
    if len(frame) < 120:
        return None
    hl = struct.unpack(">I", frame[:4])[0]
    if hl + 4 > len(frame):
        return None
    payload = frame[hl + 4:]
    return {"type": frame[4:36].strip(b"\x00 ").decode(), "seq": struct.unpack(">q", frame[48:56])[0],
            "flags": struct.unpack(">Q", frame[56:64])[0], "id": uuid.UUID(bytes=frame[72:80] + frame[64:72]),
            "digest_ok": hashlib.sha256(payload).digest() == frame[80:112], "ptype": struct.unpack(">I", frame[112:116])[0],
            "payload": payload}


def upgrade_headers(stream_url, credentials):
    """The WebSocket upgrade is signed with SigV4 for ssmmessages, as the session-manager-plugin signs
    it. `credentials`: (access key id, secret access key, region)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    key, secret, region = credentials
    request = AWSRequest(method="GET", url=stream_url)
    SigV4Auth(Credentials(key, secret), "ssmmessages", region).add_auth(request)
    return dict(request.headers.items())


class DataChannelClient:
    # What the upgrade is signed with when no credentials are given (the e2e emulator fixture sets
    # it to the admin identity).
    default_credentials = None

    def __init__(self, stream_url, token, client_version="1.2.707.0", credentials=None):
        self.stream_url = stream_url
        self.token = token
        self.credentials = credentials or DataChannelClient.default_credentials
        self.client_version = client_version
        self.client_id = str(uuid.uuid4())
        self.seq = 0
        self.expected = 0
        self.unacked = {}          # seq -> [frame, sent_at]
        self.buffer = {}
        self.delivered = asyncio.Queue()
        self.closed = asyncio.Event()
        self.closed_payload = None
        self.ws = None
        self.session = None

    async def connect(self):
        self.session = aiohttp.ClientSession()
        headers = upgrade_headers(self.stream_url, self.credentials) if self.credentials else {}
        self.ws = await self.session.ws_connect(self.stream_url, headers=headers)
        await self.ws.send_str(json.dumps({"MessageSchemaVersion": "1.0", "RequestId": str(uuid.uuid4()), "TokenValue": self.token,
                                           "ClientId": self.client_id, "ClientVersion": self.client_version}, separators=(",", ":")))
        self.reader = asyncio.get_running_loop().create_task(self._read())
        self.resender = asyncio.get_running_loop().create_task(self._resend())

    async def close(self):
        for t in (self.reader, self.resender):
            t.cancel()
        if self.ws is not None:
            await self.ws.close()
        await self.session.close()

    async def send(self, payload_type, payload):
        frame = encode("input_stream_data", self.seq, 0, payload_type, payload, uuid.uuid4())
        self.unacked[self.seq] = [frame, time.monotonic()]
        self.seq += 1
        await self.ws.send_bytes(frame)

    async def _resend(self):
        while True:
            await asyncio.sleep(0.05)
            now = time.monotonic()
            for seq in sorted(self.unacked)[:200]:
                entry = self.unacked.get(seq)
                if entry and now - entry[1] > 0.2:
                    entry[1] = now
                    await self.ws.send_bytes(entry[0])

    async def _ack(self, m):
        content = ('{"AcknowledgedMessageType":"%s","AcknowledgedMessageId":"%s","AcknowledgedMessageSequenceNumber":%d,'
                   '"IsSequentialMessage":true}' % (m["type"], m["id"], m["seq"])).encode()
        await self.ws.send_bytes(encode("acknowledge", 0, 3, 0, content, uuid.UUID(bytes=os.urandom(16))))

    async def _read(self):
        async for msg in self.ws:
            if msg.type != aiohttp.WSMsgType.BINARY:
                continue
            m = decode(msg.data)
            if m is None or not m["digest_ok"]:
                continue
            if m["type"] == "acknowledge":
                self.unacked.pop(json.loads(m["payload"])["AcknowledgedMessageSequenceNumber"], None)
            elif m["type"] == "channel_closed":
                self.closed_payload = json.loads(m["payload"])
                self.closed.set()
            elif m["type"] == "output_stream_data":
                await self._ack(m)
                if m["seq"] == self.expected:
                    await self.delivered.put((m["ptype"], m["payload"]))
                    self.expected += 1
                    while self.expected in self.buffer:
                        await self.delivered.put(self.buffer.pop(self.expected))
                        self.expected += 1
                elif m["seq"] > self.expected:
                    self.buffer[m["seq"]] = (m["ptype"], m["payload"])
        self.closed.set()

    async def next(self, timeout=10):
        return await asyncio.wait_for(self.delivered.get(), timeout)

    async def handshake(self):
        """Answers the agent's HandshakeRequest; returns the requested session type and properties."""
        ptype, payload = await self.next()
        assert ptype == 5, "expected a HandshakeRequest, got payload type %d" % ptype
        request = json.loads(payload)
        action = request["RequestedClientActions"][0]["ActionParameters"]
        await self.send(6, json.dumps({"ClientVersion": self.client_version, "ProcessedClientActions": [
            {"ActionType": "SessionType", "ActionStatus": 1, "ActionResult": None, "Error": ""}], "Errors": None},
            separators=(",", ":")).encode())
        ptype, payload = await self.next()
        assert ptype == 7, "expected HandshakeComplete, got %d" % ptype
        return action, request["AgentVersion"]

    async def read_until(self, predicate, timeout=20):
        """Collects Output until predicate(bytes) holds."""
        data = b""
        deadline = time.monotonic() + timeout
        while not predicate(data):
            ptype, payload = await self.next(max(0.1, deadline - time.monotonic()))
            if ptype in (1, 11):
                data += payload
        return data


def smux_frame(cmd, sid, data=b""):
    return struct.pack("<BBHI", 1, cmd, len(data), sid) + data
