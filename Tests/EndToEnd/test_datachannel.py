"""The emulator's agent and gateway side, driven by an independent minimal client (dcclient.py)
built from the data-channel spec: byte vectors, a shell, a command with its exit code, and smux
port forwarding, each also under 5% drop, duplicate and reorder faults with nothing lost."""
import asyncio
import json
import os
import socket
import sys
import threading
import uuid

import pytest

from dcclient import DataChannelClient, decode, encode, smux_frame

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "emulator"))
from emulator import clientmessage as cm  # noqa: E402

CREATED = 1700000000123
ID1 = uuid.UUID("dd01e56b-ff48-483e-a508-b5f073f31b16")
ID2 = uuid.UUID("11111111-2222-4333-8444-555555555555")
ID5 = uuid.UUID("0b7f1d3c-2a44-4e0e-9a51-3f6d2c1b0a99")

# Spec section 3.1, produced by the plugin's own serializer.
VECTORS = [
    ("input_stream_data", 5, 0, ID1, 1, b"ls\r",
     "00000074696e7075745f73747265616d5f64617461202020202020202020202020202020000000010000018bcfe5687b000000000000000500000000000000"
     "00a508b5f073f31b16dd01e56bff48483e1d887ce0f8672e4914d9000e801cd74ecd805dd9366c0bc42dc16adc0197dc2f00000001000000036c730d"),
    ("input_stream_data", 0, 0, ID2, 3, b'{"cols":120,"rows":40}',
     "00000074696e7075745f73747265616d5f64617461202020202020202020202020202020000000010000018bcfe5687b0000000000000000000000000000000084445555555555551111111122224333edf7359c89077b608a6b3e8b19e63bbfc7aa724989a05ea371a9966a6e9db7cc00000003000000167b22636f6c73223a3132302c22726f7773223a34307d"),
    ("input_stream_data", 9, 0, ID2, 10, b"\x00\x00\x00\x02",
     "00000074696e7075745f73747265616d5f64617461202020202020202020202020202020000000010000018bcfe5687b0000000000000009000000000000000084445555555555551111111122224333433ebf5bc03dffa38536673207a21281612cef5faa9bc7a4d5b9be2fdb12cf1a0000000a0000000400000002"),
    ("output_stream_data", 0, 1, ID5, 1, b"$ ",
     "000000746f75747075745f73747265616d5f646174612020202020202020202020202020000000010000018bcfe5687b000000000000000000000000000000019a513f6d2c1b0a990b7f1d3c2a444e0ee5b111ba26d5bb1cc89d8a3d74fad4cf1ebd5701c29877969c322b456d0784a300000001000000022420"),
]


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: "%s-seq%d-ptype%d" % (v[0], v[1], v[4]))
def test_spec_vectors_both_codecs(vector):
    mtype, seq, flags, mid, ptype, payload, expected = vector
    assert encode(mtype, seq, flags, ptype, payload, mid, CREATED).hex() == expected
    ours = cm.ClientMessage(mtype, seq, flags, ptype, payload, message_id=mid, created_date=CREATED)
    assert ours.encode().hex() == expected
    back = cm.ClientMessage.decode(bytes.fromhex(expected))
    assert (back.message_type, back.sequence_number, back.flags, back.message_id, back.payload_type, back.payload) == (mtype, seq, flags, mid, ptype, payload)
    assert back.digest_ok()
    # Every chunking of the frame decodes the same once whole; short frames are refused, not fatal.
    frame = bytes.fromhex(expected)
    for cut in range(0, 120):
        with pytest.raises(ValueError):
            cm.ClientMessage.decode(frame[:cut])
        assert decode(frame[:cut]) is None


def test_ack_vector_header():
    payload = b'{"AcknowledgedMessageType":"output_stream_data","AcknowledgedMessageId":"0b7f1d3c-2a44-4e0e-9a51-3f6d2c1b0a99","AcknowledgedMessageSequenceNumber":7,"IsSequentialMessage":true}'
    frame = cm.ClientMessage("acknowledge", 0, 3, 0, payload, message_id=ID2, created_date=CREATED).encode()
    assert frame.hex().startswith("0000007461636b6e6f776c65646765202020202020202020202020202020202020202020000000010000018bcfe5687b"
                                  "00000000000000000000000000000003844455555555555511111111222243332e5b20b322446673faf9246361881b39"
                                  "4676b303f5cd7e3679f1f465edb4119600000000000000b0")
    assert len(frame) == 296


FAULTS = {"clean": {}, "lossy": {"drop": 0.05, "duplicate": 0.05, "reorder": 0.05}}


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 90))


async def start(emulator, **kwargs):
    ssm = emulator.client("ssm")
    response = ssm.start_session(**kwargs)
    client = DataChannelClient(response["StreamUrl"], response["TokenValue"])
    await client.connect()
    return ssm, response["SessionId"], client


@pytest.mark.parametrize("faults", FAULTS, ids=list(FAULTS))
def test_shell_session_echo(emulator, faults):
    emulator.faults(**FAULTS[faults])

    async def scenario():
        ssm, session_id, client = await start(emulator, Target="i-0a1b2c3d4e5f60001")
        await client.read_until(lambda d: b"$ " in d)           # the prompt comes first, no handshake
        await client.send(3, b'{"cols":132,"rows":43}')
        await client.send(1, b"echo hi; stty size\r")
        out = await client.read_until(lambda d: b"43 132" in d)
        assert b"\nhi\r\n" in out.replace(b"\r\r", b"\r")
        await client.send(1, b"exit\r")
        await asyncio.wait_for(client.closed.wait(), 20)
        assert client.closed_payload["SessionId"] == session_id
        await client.close()
        received = emulator.control("sessions/%s/received" % session_id)
        assert received["length"] == len(b"echo hi; stty size\rexit\r")
        return session_id

    session_id = run(scenario())
    sessions = emulator.aws_json("ssm", "describe-sessions", "--state", "History")["Sessions"]
    assert any(s["SessionId"] == session_id and s["Status"] == "Terminated" for s in sessions)


@pytest.mark.parametrize("faults", FAULTS, ids=list(FAULTS))
def test_noninteractive_command_exit_code(emulator, faults):
    emulator.faults(**FAULTS[faults])

    async def scenario():
        _, _, client = await start(emulator, Target="i-0a1b2c3d4e5f60002", DocumentName="AWS-StartNonInteractiveCommand",
                                   Parameters={"command": ["sh -c 'echo out; echo err >&2; exit 3'"], "separateOutputStream": ["true"]})
        action, agent_version = await client.handshake()
        assert action["SessionType"] == "NonInteractiveCommands"
        assert len(agent_version.split(".")) == 4
        stdout, stderr, exit_code = b"", b"", None
        while exit_code is None:
            ptype, payload = await client.next(20)
            if ptype == 1:
                stdout += payload
            elif ptype == 11:
                stderr += payload
            elif ptype == 12:
                exit_code = payload
        await asyncio.wait_for(client.closed.wait(), 20)
        await client.close()
        return stdout, stderr, exit_code

    stdout, stderr, exit_code = run(scenario())
    assert (stdout, stderr, exit_code) == (b"out\n", b"err\n", b"EXIT_CODE: 3")


class EchoServer:
    """A TCP echo server on loopback (the 'database behind the instance')."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._echo, args=(conn,), daemon=True).start()

    @staticmethod
    def _echo(conn):
        with conn:
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                conn.sendall(data)


@pytest.mark.parametrize("faults", FAULTS, ids=list(FAULTS))
def test_smux_port_forward(emulator, faults):
    echo = EchoServer()
    emulator.faults(**FAULTS[faults])
    blob = os.urandom(200_000)

    async def scenario():
        _, session_id, client = await start(emulator, Target="i-0a1b2c3d4e5f60003", DocumentName="AWS-StartPortForwardingSession",
                                            Parameters={"portNumber": [str(echo.port)], "localPortNumber": ["0"]})
        action, _ = await client.handshake()
        assert action["Properties"]["type"] == "LocalPortForwarding"
        for sid in (3, 5):
            await client.send(1, smux_frame(0, sid))
        for i in range(0, len(blob), 1000):
            await client.send(1, smux_frame(2, 3, blob[i:i + 1000]))
        await client.send(1, smux_frame(2, 5, b"second stream"))
        streams = {3: b"", 5: b""}
        fins = set()
        buffer = b""
        fins_sent = False
        while len(fins) < 2:
            # The FINs go once every echo is back: at a FIN the agent closes the whole connection to
            # the destination (port_mux.go handleDataTransfer), losing what it had not yet sent.
            if not fins_sent and len(streams[3]) == len(blob) and len(streams[5]) == len(b"second stream"):
                await client.send(1, smux_frame(1, 3))
                await client.send(1, smux_frame(1, 5))
                fins_sent = True
            ptype, payload = await client.next(30)
            assert ptype == 1
            buffer += payload
            while len(buffer) >= 8:
                version, cmd, length = buffer[0], buffer[1], int.from_bytes(buffer[2:4], "little")
                sid = int.from_bytes(buffer[4:8], "little")
                assert version == 1
                if len(buffer) < 8 + length:
                    break
                if cmd == 2:
                    streams[sid] += buffer[8:8 + length]
                elif cmd == 1:
                    fins.add(sid)
                buffer = buffer[8 + length:]
        await client.send(10, b"\x00\x00\x00\x02")   # Flag TerminateSession
        await asyncio.wait_for(client.closed.wait(), 20)
        await client.close()
        facts = emulator.control("state")["sessions"][session_id]
        return streams, facts

    streams, facts = run(scenario())
    assert facts["mode"] == "mux"
    assert streams[3] == blob
    assert streams[5] == b"second stream"


def test_basic_mode_for_old_agents_and_wrong_token(emulator):
    echo = EchoServer()

    async def scenario():
        ssm = emulator.client("ssm")
        response = ssm.start_session(Target="i-0a1b2c3d4e5f60006", DocumentName="AWS-StartPortForwardingSession",
                                     Parameters={"portNumber": [str(echo.port)]})
        bad = DataChannelClient(response["StreamUrl"], "not-the-token")
        await bad.connect()
        await asyncio.wait_for(bad.closed.wait(), 10)
        await bad.close()
        client = DataChannelClient(response["StreamUrl"], response["TokenValue"])
        await client.connect()
        _, agent_version = await client.handshake()
        assert agent_version == "2.3.722.0"
        await client.send(1, b"raw bytes, no smux")
        echoed = await client.read_until(lambda d: len(d) >= 18)
        await client.send(10, b"\x00\x00\x00\x01")   # DisconnectToPort
        await client.send(1, b"again")
        again = await client.read_until(lambda d: len(d) >= 5)
        ssm.terminate_session(SessionId=response["SessionId"])
        await asyncio.wait_for(client.closed.wait(), 10)
        await client.close()
        return echoed, again, emulator.control("state")["sessions"][response["SessionId"]]

    echoed, again, facts = run(scenario())
    assert echoed == b"raw bytes, no smux"
    assert again == b"again"
    assert facts["mode"] == "basic"


def test_resume_session_after_bye(emulator):
    async def scenario():
        ssm, session_id, client = await start(emulator, Target="i-0a1b2c3d4e5f60001")
        await client.read_until(lambda d: b"$ " in d)
        emulator.control("sessions/%s/close" % session_id, {"mode": "bye"})
        await asyncio.wait_for(client.closed.wait(), 10)
        await client.close()
        resumed = ssm.resume_session(SessionId=session_id)
        again = DataChannelClient(resumed["StreamUrl"], resumed["TokenValue"])
        again.expected = client.expected          # the stream continues across the reconnect
        again.seq = client.seq
        await again.connect()
        await again.send(1, b"echo resumed\r")
        out = await again.read_until(lambda d: b"resumed\r\n" in d)
        emulator.faults(resume="null-token")
        assert ssm.resume_session(SessionId=session_id).get("TokenValue") is None
        await again.close()
        return out

    assert b"resumed" in run(scenario())


def test_interactive_command_on_a_pty_with_corrupt_digests_and_pacing(emulator):
    # A corrupt digest must be dropped by the client (spec 3); the agent then resends the message.
    emulator.faults(corrupt_digest=0.2, pacing=True)

    async def scenario():
        _, _, client = await start(emulator, Target="i-0a1b2c3d4e5f60004", DocumentName="AWS-StartInteractiveCommand",
                                   Parameters={"command": ["seq 1 3000; tty; read line; echo got:$line"]})
        out = await client.read_until(lambda d: b"/dev/pts/" in d, timeout=40)
        assert out.replace(b"\r\n", b"\n").startswith(b"".join(b"%d\n" % i for i in range(1, 3001)))
        await client.send(1, b"hello\r")
        out = await client.read_until(lambda d: b"got:hello" in d)
        await asyncio.wait_for(client.closed.wait(), 20)
        await client.close()

    run(scenario())


def test_withheld_acks_and_a_tcp_reset_lose_nothing(emulator):
    async def scenario():
        ssm, session_id, client = await start(emulator, Target="i-0a1b2c3d4e5f60001")
        await client.read_until(lambda d: b"$ " in d)
        emulator.faults(withhold_acks=True)
        typed = b"".join(b"echo line-%d\r" % i for i in range(50))
        for i in range(0, len(typed), 7):
            await client.send(1, typed[i:i + 7])
        await asyncio.sleep(0.5)
        assert client.unacked, "nothing is acknowledged while acks are withheld"
        emulator.faults(withhold_acks=False)
        emulator.control("sessions/%s/close" % session_id, {"mode": "reset"})
        await asyncio.wait_for(client.closed.wait(), 10)
        await client.close()
        resumed = ssm.resume_session(SessionId=session_id)
        again = DataChannelClient(resumed["StreamUrl"], resumed["TokenValue"])
        again.seq, again.expected, again.unacked = client.seq, client.expected, client.unacked
        again.delivered = client.delivered      # what the first connection already received, in order
        await again.connect()
        await again.read_until(lambda d: b"line-49" in d)
        deadline = asyncio.get_running_loop().time() + 10
        while again.unacked and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
        received = emulator.control("sessions/%s/received" % session_id)
        await again.close()
        return typed, received

    typed, received = run(scenario())
    import base64
    assert base64.b64decode(received["bytes"]) == typed


class RawWebSocket:
    """A WebSocket client over a plain socket, to see what the TCP connection does (aiohttp's
    client answers a Close and closes the connection by itself)."""

    def __init__(self, stream_url):
        import base64
        import urllib.parse
        from dcclient import upgrade_headers
        url = urllib.parse.urlsplit(stream_url)
        assert url.scheme == "ws", "the e2e emulator serves plain ws"
        self.sock = socket.create_connection((url.hostname, url.port), timeout=20)
        headers = {"Host": url.netloc, "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
                   "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode()}
        headers.update(upgrade_headers(stream_url, DataChannelClient.default_credentials))
        target = url.path + ("?" + url.query if url.query else "")
        self.sock.sendall(("GET %s HTTP/1.1\r\n" % target + "".join("%s: %s\r\n" % kv for kv in headers.items()) + "\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101"), head

    def _fill(self):
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise EOFError("the emulator closed the TCP connection")
        self.buffer += chunk

    def _take(self, n):
        while len(self.buffer) < n:
            self._fill()
        taken, self.buffer = self.buffer[:n], self.buffer[n:]
        return taken

    def send(self, opcode, payload):
        import struct
        mask = os.urandom(4)
        n = len(payload)
        length = bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n) if n < 65536 else bytes([0x80 | 127]) + struct.pack(">Q", n)
        self.sock.sendall(bytes([0x80 | opcode]) + length + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def receive(self):
        """(opcode, payload) of the next frame (the emulator sends no fragments)."""
        import struct
        first, second = self._take(2)
        n = second & 0x7F
        if n == 126:
            n = struct.unpack(">H", self._take(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", self._take(8))[0]
        return first & 0x0F, self._take(n)


def test_the_end_of_a_session_closes_the_connection_only_after_the_clients_close(emulator):
    """The end of a session (spec section 8): ChannelClosed, the WebSocket's Close, and the TCP
    connection closed only once the client's Close came (RFC 6455 section 7.1.1), the frames the
    client sent meanwhile read. The emulator used to close it at once, so the acks a slow client
    was still sending met a closed socket and the kernel reset the connection, discarding the
    output and the ChannelClosed still on their way: `proxy` then saw a broken connection and
    tried to resume an ended session (AccessDenied ResumeSession, under load)."""
    response = emulator.client("ssm").start_session(Target="i-0a1b2c3d4e5f60001")
    ws = RawWebSocket(response["StreamUrl"])
    ws.send(1, json.dumps({"MessageSchemaVersion": "1.0", "RequestId": str(uuid.uuid4()), "TokenValue": response["TokenValue"],
                           "ClientId": str(uuid.uuid4()), "ClientVersion": "1.2.707.0"}).encode())
    output, types, exit_sent = b"", [], False
    while True:
        opcode, payload = ws.receive()
        if opcode == 8:
            break
        m = decode(payload)
        types.append(m["type"])
        if m["type"] == "output_stream_data":
            content = ('{"AcknowledgedMessageType":"%s","AcknowledgedMessageId":"%s","AcknowledgedMessageSequenceNumber":%d,'
                       '"IsSequentialMessage":true}' % (m["type"], m["id"], m["seq"])).encode()
            ws.send(2, encode("acknowledge", 0, 3, 0, content, uuid.uuid4()))
            output += m["payload"]
            if b"$ " in output and not exit_sent:
                ws.send(2, encode("input_stream_data", 0, 0, 1, b"exit\r", uuid.uuid4()))
                exit_sent = True
    assert types[-1] == "channel_closed", types
    # The emulator's Close came; whatever it does next is done once it has answered a request.
    emulator.control("state")
    ws.sock.setblocking(False)
    try:
        early = ws.sock.recv(1)
    except BlockingIOError:
        early = None
    assert early is None, "the emulator closed the TCP connection before the client's Close (it read %r)" % early
    ws.sock.setblocking(True)
    # A frame the client still sends (an ack of the last output), then its Close: read, not reset.
    ws.send(2, encode("acknowledge", 0, 3, 0, content, uuid.uuid4()))
    ws.send(8, b"\x03\xe8")
    try:
        rest = ws.sock.recv(1)
    except ConnectionResetError:
        rest = "reset"
    assert rest == b"", "after the client's Close the emulator ends the TCP connection with a FIN (got %r)" % (rest,)
    ws.sock.close()
