"""The data-channel websocket (/v1/data-channel/<session id>): the signed upgrade, the
OpenDataChannel token check, the read loop, and the faults that act on the connection
(`stall_reads`, `bye_every`, `reset_every`)."""
import asyncio
import json
import time

from aiohttp import web, WSMsgType

from ..errors import AWSError


async def serve(sessions, request):
    session = sessions.get(request.match_info["session_id"])
    if session is None:
        return web.Response(status=404, text="no such session")
    # The upgrade is signed for ssmmessages as any API call is (the session-manager-plugin
    # signs it with SigV4): refused with 403 before any WebSocket exists.
    try:
        sessions.auth.authenticate(request.method, str(request.url), request.headers, b"", "ssmmessages")
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
    timers = [asyncio.get_running_loop().create_task(fault_timers(sessions.state.faults, ws))]
    stall = sessions.state.faults.stall_reads if session.connections == 1 else 0
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
