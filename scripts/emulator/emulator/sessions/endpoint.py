"""The data-channel websocket (/v1/data-channel/<session id>), the client's and the agent's alike:
the signed upgrade, the OpenDataChannel token check (the StartSession/ResumeSession token: the
client; the CreateDataChannel token: the agent), the read loops that feed the relay
(gateway/session.py), and the faults that act on the client's connection (`stall_reads`,
`bye_every`, `reset_every`)."""
import asyncio
import json
import time

from aiohttp import web, WSMsgType

from ..errors import AWSError
from ..ws_batching import batch_writes


async def serve(sessions, request):
    session = sessions.get(request.match_info["session_id"])
    if session is None:
        return web.Response(status=404, text="no such session")
    # The upgrade is signed for ssmmessages as any API call is (ssm-shell and the agent sign it):
    # refused with 403 before any WebSocket exists. The public session-manager-plugin sends no
    # signature (websocketutil.go: dialer.Dial(url, nil)); `unsigned_upgrades` lets such an upgrade
    # in, the OpenDataChannel token then being its only check. A signature that is there is checked.
    unsigned = "Authorization" not in request.headers and sessions.state.faults.unsigned_upgrades
    try:
        if not unsigned:
            sessions.auth.authenticate(request.method, str(request.url), request.headers, b"", "ssmmessages")
    except AWSError as error:
        return web.json_response({"message": error.message}, status=403, headers={"x-amzn-ErrorType": error.code})
    ws = web.WebSocketResponse(autoping=True, max_msg_size=16 * 1024 * 1024)
    await ws.prepare(request)
    batch_writes(ws)
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
    token = opened.get("TokenValue") if isinstance(opened, dict) else None
    if token and token == session.agent_token:
        return await serve_agent(session, ws)
    if not session.token or token != session.token:
        await ws.close(code=1008, message=b"Token is invalid or expired")
        return ws
    return await serve_client(sessions, session, ws)


async def serve_agent(session, ws):
    """The agent's side of the session (OpenDataChannel with the CreateDataChannel token)."""
    await session.attach_agent(ws)
    try:
        async for msg in ws:
            if msg.type == WSMsgType.BINARY:
                await session.from_agent(ws, msg.data)
            elif msg.type == WSMsgType.ERROR:
                break
    finally:
        session.agent_detached(ws)
    return ws


async def serve_client(sessions, session, ws):
    """The client's side: relayed to the agent, with the faults that act on the client's connection."""
    reader = Reader(ws)
    await session.attach_client(ws, reader)
    timers = [asyncio.get_running_loop().create_task(fault_timers(sessions.state.faults, ws))]
    stall = sessions.state.faults.stall_reads if session.connections == 1 else 0
    opened_at = time.monotonic()
    try:
        async for msg in reader.messages():
            if stall and time.monotonic() - opened_at >= stall:
                # Fault: the gateway stops reading the session's first connection; the client's
                # sends then block until it gives the connection up.
                while session.client_ws is ws and not ws.closed:
                    await asyncio.sleep(0.1)
                break
            if msg.type == WSMsgType.BINARY:
                await session.from_client(ws, msg.data)
            elif msg.type == WSMsgType.ERROR:
                break
        if reader.hanging_up and not ws.closed:
            # This task is the only reader now: aiohttp's close() sends the Close and reads
            # until the client's before it closes the TCP connection.
            await ws.close(code=1000, message=reader.close_message)
            if reader.close_code is None:
                reader.close_code = ws.close_code   # the client's Close, or 1006 when none came
    finally:
        for t in timers:
            t.cancel()
        await session.client_detached(ws, reader.close_code if reader.close_code is not None else 1006)
    return ws


class Reader:
    """The reading side of one connection, through which the session's end hangs up: the reader
    stops, then sends the WebSocket's Close and reads until the client's Close before it closes
    the TCP connection (RFC 6455 section 7.1.1), as the service does. aiohttp's close() called
    from another task while a read is pending closes the TCP connection at once instead; the
    client's frames still on their way (acks of the last output) then meet a closed socket, and
    the kernel resets the connection, discarding what it still held for the client: output,
    ChannelClosed and the Close (RFC 1122 section 4.2.2.13). The client saw a broken connection
    and tried to resume a session that had ended."""

    def __init__(self, ws):
        self.ws = ws
        self.task = asyncio.current_task()
        self.waiting = False
        self.hanging_up = False
        self.close_code = None     # the code of the client's Close; None while none came (1006)
        self.close_message = b"Session terminated"

    def hang_up(self, message=b"Session terminated"):
        self.hanging_up = True
        self.close_message = message
        if self.waiting:
            self.task.cancel()   # only a pending read is cancelled, never a message being handled

    async def messages(self):
        """The client's messages until it closes, or until `hang_up`."""
        while not self.hanging_up:
            self.waiting = True
            try:
                msg = await self.ws.receive()
            except asyncio.CancelledError:
                if not self.hanging_up:
                    raise
                self.task.uncancel()
                return
            finally:
                self.waiting = False
            if msg.type == WSMsgType.CLOSE:
                self.close_code = msg.data
            if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                return
            yield msg


async def fault_timers(f, ws):
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
