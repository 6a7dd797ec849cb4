"""smux v1 (xtaci/smux), the server side: frames are an 8-byte header (version 1, cmd, length
uint16 LE, stream id uint32 LE) and data (data-channel spec 7.3)."""
import struct

VERSION = 1
SYN, FIN, PSH, NOP, UPD = 0, 1, 2, 3, 4
MAX_FRAME = 32768


def frame(cmd, sid, data=b""):
    return struct.pack("<BBHI", VERSION, cmd, len(data), sid) + data


class FrameReader:
    """Feeds on arbitrary chunks of the byte stream and yields whole frames."""

    def __init__(self):
        self.buffer = bytearray()

    def feed(self, data):
        self.buffer += data
        frames = []
        while len(self.buffer) >= 8:
            version, cmd, length, sid = struct.unpack("<BBHI", self.buffer[:8])
            if version != VERSION or cmd > UPD:
                raise ValueError("smux protocol error: version %d cmd %d" % (version, cmd))
            if len(self.buffer) < 8 + length:
                break
            frames.append((cmd, sid, bytes(self.buffer[8:8 + length])))
            del self.buffer[:8 + length]
        return frames
