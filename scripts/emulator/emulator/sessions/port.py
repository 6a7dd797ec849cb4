"""Port sessions: stream mode (AWS-StartSSHSession), basic mode (one TCP connection at a time,
DisconnectToPort) and smux v1 (a server over the Output byte stream; ConnectToPortError)."""
import asyncio
import struct

from .. import clientmessage as cm
from .. import smux
from .pace import AgentPace


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
        self.pace = AgentPace()

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
                await self._agent_turn(len(data))
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

    async def _agent_turn(self, nbytes):
        """The real agent's pace towards the client, unless the `unpaced` switch is on (issue 18)."""
        if not self.session.state.faults.unpaced:
            await self.pace.before(nbytes)

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
                if stream["writer"] is not None:
                    stream["writer"].close()
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
        if stream["fin"]:
            # No half-close: at the client's FIN the agent closes the whole connection to the
            # destination (port_mux.go handleDataTransfer: dst.Close() once the stream's copy ends),
            # so what the destination sends after it is lost; its stream then ends with a FIN.
            writer.close()
        try:
            while True:
                data = await reader.read(smux.MAX_FRAME)
                if not data:
                    break
                frame = smux.frame(smux.PSH, sid, data)
                await self._agent_turn(len(frame))
                self._send_mux(frame)
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
