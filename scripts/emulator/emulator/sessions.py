"""Sessions: the registry behind StartSession, the websocket endpoint, and what runs on the node
(a shell on a real pty, a command, or a port forward in stream, basic or smux mode)."""
import asyncio
import base64
import fcntl
import json
import os
import pty
import secrets
import signal
import struct
import termios
import time
import uuid

from aiohttp import web, WSMsgType
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import clientmessage as cm
from . import smux
from .channel import Channel
from .errors import AWSError
from .ssm_api import SESSION_DOCUMENTS

CHUNK = 1024


def version_tuple(text):
    try:
        return tuple(int(p) for p in str(text).split("."))
    except ValueError:
        return None


def version_above(text, threshold):
    v, t = version_tuple(text), version_tuple(threshold)
    return v is not None and len(v) == len(t) and v > t


class Sessions:
    def __init__(self, state):
        self.state = state
        self.by_id = {}
        self.base_url = "ws://127.0.0.1:0"
        self.auth = None
        self.kms = None

    def create(self, node, document, parameters, reason, who):
        owner_name = who.arn.split("/")[-1]
        session = Session(self, self.state, "%s-%s" % (owner_name, secrets.token_hex(9)[:17]), node, document, parameters, reason, who.arn)
        self.by_id[session.id] = session
        return session

    def get(self, session_id):
        return self.by_id.get(session_id)

    def all(self):
        return list(self.by_id.values())

    async def websocket_handler(self, request):
        session = self.get(request.match_info["session_id"])
        if session is None:
            return web.Response(status=404, text="no such session")
        # The upgrade is signed for ssmmessages as any API call is (the session-manager-plugin
        # signs it with SigV4): refused with 403 before any WebSocket exists.
        try:
            self.auth.authenticate(request.method, str(request.url), request.headers, b"", "ssmmessages")
        except AWSError as error:
            return web.json_response({"message": error.message}, status=403, headers={"x-amzn-ErrorType": error.code})
        ws = web.WebSocketResponse(autoping=True, max_msg_size=16 * 1024 * 1024)
        await ws.prepare(request)
        try:
            first = await ws.receive(timeout=45)
        except asyncio.TimeoutError:
            await ws.close(code=1008, message=b"OpenDataChannel not received")
            return ws
        if first.type != WSMsgType.TEXT:
            await ws.close(code=1008, message=b"the first message must be OpenDataChannel")
            return ws
        try:
            opened = json.loads(first.data)
        except ValueError:
            opened = {}
        if not session.token or opened.get("TokenValue") != session.token:
            await ws.close(code=1008, message=b"Token is invalid or expired")
            return ws
        session.client_id = opened.get("ClientId")
        await session.attach(ws)
        timers = [asyncio.get_running_loop().create_task(self._fault_timers(session, ws))]
        stall = self.state.faults.stall_reads if session.connections == 1 else 0
        opened_at = time.monotonic()
        try:
            async for msg in ws:
                if stall and time.monotonic() - opened_at >= stall:
                    # Fault: the gateway stops reading the session's first connection; the client's
                    # sends then block until it gives the connection up.
                    while session.channel.ws is ws and not ws.closed:
                        await asyncio.sleep(0.1)
                    break
                if msg.type == WSMsgType.BINARY:
                    await session.channel.receive(msg.data)
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            for t in timers:
                t.cancel()
            session.detached(ws)
        return ws

    async def _fault_timers(self, session, ws):
        f = self.state.faults
        start = time.monotonic()
        while not ws.closed:
            await asyncio.sleep(0.05)
            age = time.monotonic() - start
            if f.bye_every and age >= f.bye_every:
                await ws.close(code=1000, message=b"Bye")
                return
            if f.reset_every and age >= f.reset_every:
                transport = ws._req.transport if ws._req is not None else None
                if transport is not None:
                    transport.abort()
                return


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
        # KMS (spec 6.5) when the preferences name a key; never for port sessions.
        self.kms_key_id = state.faults.kms_key_id if self.session_type != "Port" else ""
        self.handshake = "none" if self.session_type in ("Standard_Stream", "InteractiveCommands") and not self.kms_key_id else "pending"
        self.agent_key = None       # encrypts agent -> client (data key bytes 0-31)
        self.client_key = None      # decrypts client -> agent (data key bytes 32-63)
        self.challenge = None
        self.nonce_counter = int.from_bytes(os.urandom(12), "little")
        self.client_version = None
        self.client_id = None
        self.connections = 0
        self.closing = False
        self.close_reason = ""

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
                "mode": getattr(self.handler, "mode", None)}

    # -- connection -----------------------------------------------------------------------------

    async def attach(self, ws):
        self.connections += 1
        self.status = "Connected"
        self.channel.attach(ws)
        if self.closing:
            self._send_channel_closed()
            return
        if self.handler is None:
            if self.handshake == "pending":
                self._send_handshake_request()
            else:
                self._start_handler()

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

    # -- handshake (spec section 6) -------------------------------------------------------------

    def _send_handshake_request(self):
        properties = None
        if self.session_type == "Port":
            properties = {"portNumber": self.parameters.get("portNumber", "22" if self.document == "AWS-StartSSHSession" else "80")}
            if self.document != "AWS-StartSSHSession":
                properties["type"] = "LocalPortForwarding"
                properties["localPortNumber"] = self.parameters.get("localPortNumber", "0")
            if "host" in self.parameters:
                properties["host"] = self.parameters["host"]
        actions = [{"ActionType": "SessionType", "ActionParameters": {"SessionType": self.session_type, "Properties": properties}}]
        if self.kms_key_id:
            parameters = {"KMSKeyId": self.kms_key_id}
            if self.state.faults.kms_challenge:
                self.challenge = base64.b64encode(os.urandom(16)).decode()
                parameters["Challenge"] = self.challenge
            actions.append({"ActionType": "KMSEncryption", "ActionParameters": parameters})
        request = {"AgentVersion": self.node["agent_version"], "RequestedClientActions": actions}
        self.handshake_started = time.monotonic()
        self.channel.send(cm.HANDSHAKE_REQUEST, json.dumps(request, separators=(",", ":")).encode())
        asyncio.get_running_loop().call_later(15, self._handshake_timeout)

    def _handshake_timeout(self):
        if self.handshake == "pending":
            self.end("Handshake timed out. Please ensure that you have the latest version of the session manager plugin.")

    def _handshake_response(self, payload):
        try:
            response = json.loads(payload)
            self.client_version = response.get("ClientVersion")
            failed = [a for a in response.get("ProcessedClientActions") or [] if a.get("ActionStatus") != 1]
        except (ValueError, AttributeError):
            failed = ["unreadable HandshakeResponse"]
        if failed:
            self.end("The client could not process the session actions: %s" % failed)
            return
        if self.kms_key_id:
            try:
                kms = next(a for a in response["ProcessedClientActions"] if a.get("ActionType") == "KMSEncryption")
                blob = base64.b64decode(kms["ActionResult"]["KMSCipherTextKey"])
                context = {"aws:ssm:SessionId": self.id, "aws:ssm:TargetId": self.node["id"]}
                # An agent that sent no challenge knows nothing of ChallengeAcknowledgement (spec 6.5).
                if self.challenge is not None and kms["ActionResult"].get("ChallengeAcknowledgement"):
                    context["aws:ssm:RandomChallenge"] = self.challenge
                key = self.registry.kms.decrypt(blob, context)
            except Exception:
                self.end("KMS encryption failed: the data key could not be decrypted with the session's encryption context.")
                return
            self.agent_key, self.client_key = key[:32], key[32:64]
            self.expected_challenge = os.urandom(64)
            self.handshake = "challenge"
            self.channel.send(cm.ENC_CHALLENGE_REQUEST, json.dumps({"Challenge": base64.b64encode(self._seal(self.expected_challenge)).decode()},
                                                                   separators=(",", ":")).encode())
            return
        self._complete_handshake("")

    def _challenge_response(self, payload):
        try:
            answer = base64.b64decode(json.loads(payload)["Challenge"])
            ok = AESGCM(self.client_key).decrypt(answer[:12], answer[12:], None) == self.expected_challenge
        except Exception:
            ok = False
        if not ok:
            self.end("KMS encryption failed: the client did not answer the encryption challenge.")
            return
        self._complete_handshake("This session is encrypted using AWS KMS.")

    def _seal(self, plaintext):
        """The agent's envelope: a 96-bit counter nonce (little-endian words), ciphertext and tag."""
        self.nonce_counter = (self.nonce_counter + 1) % (1 << 96)
        nonce = self.nonce_counter.to_bytes(12, "little")
        return nonce + AESGCM(self.agent_key).encrypt(nonce, plaintext, None)

    def _complete_handshake(self, message):
        self.handshake = "done"
        elapsed = int((time.monotonic() - self.handshake_started) * 1e9)
        self.channel.send(cm.HANDSHAKE_COMPLETE, json.dumps({"HandshakeTimeToComplete": elapsed, "CustomerMessage": message},
                                                            separators=(",", ":")).encode())
        self._start_handler()

    # -- delivery of client stream data ---------------------------------------------------------

    async def _deliver(self, msg):
        if self.handshake == "pending":
            if msg.payload_type == cm.HANDSHAKE_RESPONSE:
                if self.state.faults.handshake_delay:
                    # A slow agent (its own KMS Decrypt, a loaded node): still "pending" meanwhile.
                    asyncio.get_running_loop().call_later(self.state.faults.handshake_delay, self._handshake_response, msg.payload)
                else:
                    self._handshake_response(msg.payload)
            return True  # anything else during the handshake is acked and discarded
        if self.handshake == "challenge":
            if msg.payload_type == cm.ENC_CHALLENGE_RESPONSE:
                self._challenge_response(msg.payload)
            return True
        if msg.payload_type == cm.OUTPUT and self.client_key is not None:
            try:
                msg.payload = AESGCM(self.client_key).decrypt(msg.payload[:12], msg.payload[12:], None)
            except Exception:
                return True  # a payload that does not authenticate is dropped
        if msg.payload_type == cm.OUTPUT:
            self.state.agent_bytes[self.id] += msg.payload
        if msg.payload_type == cm.FLAG and msg.payload == struct.pack(">I", cm.TERMINATE_SESSION):
            self.end("")
            return True
        if self.handler is None:
            return False
        return await self.handler.on_input(msg.payload_type, msg.payload)

    def _start_handler(self):
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
            if self.agent_key is not None and payload_type in (cm.OUTPUT, cm.STDERR, cm.EXIT_CODE):
                chunk = self._seal(chunk)
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
        await asyncio.sleep(0.1)
        ws = self.channel.ws
        if ws is not None:
            await ws.close(code=1000, message=b"Session terminated")
        self.channel.stop()

    def terminate(self, reason):
        self.token = None
        self.end(reason)

    def _send_channel_closed(self):
        body = {"MessageId": str(uuid.uuid4()), "CreatedDate": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                "DestinationId": self.node["id"], "SessionId": self.id, "MessageType": "channel_closed", "SchemaVersion": 1,
                "Output": self.close_reason}
        self.channel.write_control(cm.ClientMessage(cm.CHANNEL_CLOSED, 0, 3, 0, json.dumps(body, separators=(",", ":")).encode()))


class Utf8Chunker:
    """Cuts output at UTF-8 boundaries, carrying an incomplete sequence to the next chunk."""

    def __init__(self):
        self.carry = b""

    def feed(self, data):
        data = self.carry + data
        cut = len(data)
        for back in range(1, min(4, len(data)) + 1):
            byte = data[-back]
            if byte & 0xC0 == 0x80:
                continue
            if byte & 0x80:
                need = 2 if byte & 0xE0 == 0xC0 else 3 if byte & 0xF0 == 0xE0 else 4
                if back < need:
                    cut = len(data) - back
            break
        self.carry = data[cut:]
        return data[:cut]


class PtyHandler:
    """A shell (Standard_Stream) or an interactive command on a real pty, as the agent runs it."""
    mode = "pty"

    def __init__(self, session):
        self.session = session
        self.process = None
        self.master = None

    async def start(self):
        node = self.session.node
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        command = ["sh"]
        if self.session.session_type == "InteractiveCommands":
            command = ["sh", "-c", self.session.parameters.get("command", "sh")]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": node["workdir"], "TERM": "xterm-256color",
               "LANG": "C.UTF-8", "PS1": "sh-%s$ " % node["tags"].get("Name", node["id"]), "AWS_SSM_INSTANCE_ID": node["id"]}

        def child_setup():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGQUIT, signal.SIG_DFL)

        self.process = await asyncio.create_subprocess_exec(*command, stdin=slave, stdout=slave, stderr=slave, cwd=node["workdir"],
                                                            env=env, preexec_fn=child_setup)
        os.close(slave)
        self.master = master
        os.set_blocking(master, False)
        asyncio.get_running_loop().create_task(self._pump())

    async def _pump(self):
        loop = asyncio.get_running_loop()
        chunker = Utf8Chunker()
        readable = asyncio.Event()
        loop.add_reader(self.master, readable.set)
        try:
            while True:
                await readable.wait()
                readable.clear()
                while True:
                    try:
                        data = os.read(self.master, self.session.chunk)
                    except BlockingIOError:
                        break
                    except OSError:
                        data = b""
                    if not data:
                        raise EOFError
                    out = chunker.feed(data)
                    if out:
                        self.session.send_output(out)
                        await self.session.paced()
        except EOFError:
            pass
        finally:
            loop.remove_reader(self.master)
        if self.process is not None:
            await self.process.wait()
        self.session.end("")

    async def on_input(self, payload_type, payload):
        if self.master is None:
            return False  # the pty is not started yet: not ready, no ack; the client resends (spec 5.4)
        if payload_type == cm.OUTPUT:
            view = memoryview(payload)
            while view:
                try:
                    n = os.write(self.master, view)
                    view = view[n:]
                except BlockingIOError:
                    await asyncio.sleep(0.005)
                except OSError:
                    return True
        elif payload_type == cm.SIZE:
            try:
                size = json.loads(payload)
                fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", int(size["rows"]), int(size["cols"]), 0, 0))
                if self.process is not None:
                    os.killpg(os.getpgid(self.process.pid), signal.SIGWINCH)
            except (ValueError, KeyError, OSError, ProcessLookupError):
                pass
        return True

    async def stop(self):
        if self.process is not None and self.process.returncode is None:
            try:
                os.killpg(self.process.pid, signal.SIGHUP)
            except ProcessLookupError:
                pass


class CommandHandler:
    """NonInteractiveCommands: stdout (1), stderr (11 when separateOutputStream), then ExitCode (12)."""
    mode = "command"

    def __init__(self, session):
        self.session = session
        self.process = None

    async def start(self):
        node = self.session.node
        params = self.session.parameters
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": node["workdir"], "LANG": "C.UTF-8", "AWS_SSM_INSTANCE_ID": node["id"]}
        separate = str(params.get("separateOutputStream", "false")).lower() == "true"
        self.process = await asyncio.create_subprocess_exec("sh", "-c", params.get("command", "true"), cwd=node["workdir"], env=env,
                                                            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                                                            stderr=asyncio.subprocess.PIPE, start_new_session=True)
        await asyncio.gather(self._pump(self.process.stdout, cm.OUTPUT, params.get("stdOutSeparatorPrefix", "")),
                             self._pump(self.process.stderr, cm.STDERR if separate else cm.OUTPUT, params.get("stdErrSeparatorPrefix", "")))
        code = await self.process.wait()
        self.session.send_output(b"EXIT_CODE: %d" % code, cm.EXIT_CODE)
        self.session.end("")

    async def _pump(self, stream, payload_type, prefix):
        chunker = Utf8Chunker()
        at_line_start = True
        while True:
            data = await stream.read(self.session.chunk)
            if not data:
                return
            out = chunker.feed(data)
            if prefix and out and at_line_start:
                out = prefix.encode() + out
            if out:
                at_line_start = out.endswith(b"\n")
                self.session.send_output(out, payload_type)
                await self.session.paced()

    async def on_input(self, payload_type, payload):
        if self.process is None:
            return False  # the command is not started yet: "not ready", no ack, the client resends (spec 5.4)
        if payload_type != cm.OUTPUT:
            return True
        if payload == b"\x03":
            self.process.send_signal(signal.SIGINT)
        elif payload == b"\x1c":
            self.process.send_signal(signal.SIGQUIT)
        elif self.process.stdin is not None:
            self.process.stdin.write(payload)
        return True

    async def stop(self):
        if self.process is not None and self.process.returncode is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass


class PortHandler:
    """Port sessions: 'stream' (AWS-StartSSHSession), 'basic' (one TCP connection at a time,
    DisconnectToPort), or 'mux' (an smux v1 server over the Output byte stream)."""

    def __init__(self, session, mode):
        self.session = session
        self.mode = mode
        params = session.parameters
        self.host = params.get("host", "localhost")
        self.port = int(params.get("portNumber", "22" if session.document == "AWS-StartSSHSession" else "80"))
        self.writer = None
        self.reader_task = None
        self.streams = {}       # smux sid -> (writer or None, pending bytes)
        self.frames = smux.FrameReader()
        self.connect_lock = asyncio.Lock()

    async def start(self):
        if self.mode == "stream":
            if not await self._connect():
                self.session.end("Unable to connect to %s:%d." % (self.host, self.port))

    async def _connect(self):
        async with self.connect_lock:
            if self.writer is not None:
                return True
            try:
                reader, self.writer = await asyncio.open_connection(self.host, self.port)
            except OSError:
                return False
            self.reader_task = asyncio.get_running_loop().create_task(self._pump(reader, self.writer))
            return True

    async def _pump(self, reader, writer):
        try:
            while True:
                data = await reader.read(self.session.chunk)
                if not data:
                    break
                self.session.send_output(data)
                await self.session.paced()
        except (ConnectionError, OSError):
            pass
        if self.writer is writer:
            self.writer = None
        if self.mode == "stream":
            self.session.end("")

    async def on_input(self, payload_type, payload):
        if self.mode == "mux":
            return await self._mux_input(payload_type, payload)
        if payload_type == cm.FLAG and payload == struct.pack(">I", cm.DISCONNECT_TO_PORT):
            if self.writer is not None:
                self.writer.close()
                self.writer = None
            return True
        if payload_type != cm.OUTPUT:
            return True
        if self.writer is None and not await self._connect():
            return True  # the agent logs the failure; the bytes are lost, as with the real agent
        await self._write(self.writer, payload)
        return True

    @staticmethod
    async def _write(writer, data):
        """A destination that has gone away loses the bytes (as with the real agent); it never
        breaks the data channel's connection."""
        try:
            writer.write(data)
            await writer.drain()
        except (ConnectionError, OSError):
            pass

    # -- smux -----------------------------------------------------------------------------------

    async def _mux_input(self, payload_type, payload):
        if payload_type != cm.OUTPUT:
            return True
        try:
            frames = self.frames.feed(payload)
        except ValueError:
            self.session.end("smux protocol error")
            return True
        for cmd, sid, data in frames:
            if cmd == smux.SYN:
                self.streams[sid] = {"writer": None, "pending": bytearray(), "fin": False}
                asyncio.get_running_loop().create_task(self._open_stream(sid))
            elif cmd == smux.PSH:
                stream = self.streams.get(sid)
                if stream is None:
                    continue
                if stream["writer"] is None:
                    stream["pending"] += data
                else:
                    await self._write(stream["writer"], data)
            elif cmd == smux.FIN:
                stream = self.streams.get(sid)
                if stream is None:
                    continue
                stream["fin"] = True
                if stream["writer"] is not None and stream["writer"].can_write_eof():
                    stream["writer"].write_eof()
        return True

    async def _open_stream(self, sid):
        stream = self.streams[sid]
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        except OSError:
            self.session.channel.send(cm.FLAG, struct.pack(">I", cm.CONNECT_TO_PORT_ERROR))
            self._send_mux(smux.frame(smux.FIN, sid))
            self.streams.pop(sid, None)
            return
        stream["writer"] = writer
        if stream["pending"]:
            writer.write(bytes(stream["pending"]))
            stream["pending"].clear()
        if stream["fin"] and writer.can_write_eof():
            writer.write_eof()
        try:
            while True:
                data = await reader.read(smux.MAX_FRAME)
                if not data:
                    break
                self._send_mux(smux.frame(smux.PSH, sid, data))
                await self.session.paced()
        except (ConnectionError, OSError):
            pass
        self._send_mux(smux.frame(smux.FIN, sid))
        writer.close()
        self.streams.pop(sid, None)

    def _send_mux(self, data):
        self.session.send_output(data)

    async def stop(self):
        if self.writer is not None:
            self.writer.close()
        for stream in self.streams.values():
            if stream["writer"] is not None:
                stream["writer"].close()
