"""The Session Manager ClientMessage: a 120-byte header and a payload, one per websocket binary
frame (data-channel spec section 3). Big-endian; MessageId stored with its two halves swapped."""
import hashlib
import os
import struct
import time
import uuid

HEADER_LENGTH = 116
HEADER_SIZE = 120

INPUT_STREAM_DATA = "input_stream_data"
OUTPUT_STREAM_DATA = "output_stream_data"
ACKNOWLEDGE = "acknowledge"
CHANNEL_CLOSED = "channel_closed"
START_PUBLICATION = "start_publication"
PAUSE_PUBLICATION = "pause_publication"

# Payload types (spec 4.2)
OUTPUT, ERROR, SIZE, PARAMETER = 1, 2, 3, 4
HANDSHAKE_REQUEST, HANDSHAKE_RESPONSE, HANDSHAKE_COMPLETE = 5, 6, 7
ENC_CHALLENGE_REQUEST, ENC_CHALLENGE_RESPONSE, FLAG, STDERR, EXIT_CODE = 8, 9, 10, 11, 12

# Flag values (payload of PayloadType 10)
DISCONNECT_TO_PORT, TERMINATE_SESSION, CONNECT_TO_PORT_ERROR = 1, 2, 3


_HEAD = struct.Struct(">I32sIQqQ16s32sII")
_FIELDS = struct.Struct(">32sIQqQ")


class ClientMessage:
    __slots__ = ("message_type", "schema_version", "created_date", "sequence_number", "flags", "raw_id",
                 "payload_digest", "payload_type", "payload_length", "payload")

    def __init__(self, message_type, sequence_number=0, flags=0, payload_type=0, payload=b"", message_id=None,
                 created_date=None, schema_version=1):
        self.message_type = message_type
        self.schema_version = schema_version
        self.created_date = created_date if created_date is not None else int(time.time() * 1000)
        self.sequence_number = sequence_number
        self.flags = flags
        self.raw_id = (message_id or uuid.uuid4()).bytes
        self.payload_type = payload_type
        self.payload = payload
        self.payload_length = len(payload)
        self.payload_digest = hashlib.sha256(payload).digest()

    def encode(self, corrupt_digest=False):
        if not self.payload:
            raise ValueError("a ClientMessage never has an empty payload (both Go serializers reject it)")
        mtype = self.message_type.encode()
        if len(mtype) > 32:
            raise ValueError("message type longer than 32 bytes")
        raw = self.raw_id
        digest = self.payload_digest if not corrupt_digest else bytes(b ^ 0xFF for b in self.payload_digest)
        return _HEAD.pack(HEADER_LENGTH, mtype.ljust(32, b" "), self.schema_version, self.created_date, self.sequence_number,
                          self.flags, raw[8:16] + raw[0:8], digest, self.payload_type, len(self.payload)) + self.payload

    @classmethod
    def decode(cls, frame):
        """Bounds-checked: a short frame or a header length past the end is an error, not a crash."""
        if len(frame) < HEADER_SIZE:
            raise ValueError("frame of %d bytes is shorter than the 120-byte header" % len(frame))
        header_length = struct.unpack(">I", frame[0:4])[0]
        if header_length == 0 or header_length + 4 > len(frame):
            raise ValueError("header length %d points past the end of a %d-byte frame" % (header_length, len(frame)))
        m = cls.__new__(cls)
        mtype, m.schema_version, m.created_date, m.sequence_number, m.flags = _FIELDS.unpack_from(frame, 4)
        m.message_type = mtype.strip(b"\x00").decode("ascii", "replace").strip()
        m.raw_id = bytes(frame[72:80] + frame[64:72])   # a UUID only when asked for (message_id): the hot path wants its text
        m.payload_digest = bytes(frame[80:112])
        m.payload_type = struct.unpack(">I", frame[112:116])[0]
        m.payload_length = struct.unpack(">I", frame[116:120])[0]
        m.payload = bytes(frame[header_length + 4:])
        return m

    @property
    def message_id(self):
        return uuid.UUID(bytes=self.raw_id)

    @property
    def message_id_text(self):
        """str(message_id), without making the UUID."""
        h = self.raw_id.hex()
        return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])

    def digest_ok(self):
        return self.payload_length == 0 or hashlib.sha256(self.payload).digest() == self.payload_digest


_ACK_TYPE = ACKNOWLEDGE.encode().ljust(32, b" ")


def acknowledge_frame(of):
    """The ack for a received stream message (spec 5.5), built straight to bytes: it is on the
    hot path of every message the agent receives."""
    content = ('{"AcknowledgedMessageType":"%s","AcknowledgedMessageId":"%s","AcknowledgedMessageSequenceNumber":%d,'
               '"IsSequentialMessage":true}' % (of.message_type, of.message_id_text, of.sequence_number)).encode()
    raw = os.urandom(16)
    return _HEAD.pack(HEADER_LENGTH, _ACK_TYPE, 1, int(time.time() * 1000), 0, 3, raw, hashlib.sha256(content).digest(),
                      0, len(content)) + content


_OUTPUT_TYPE = OUTPUT_STREAM_DATA.encode().ljust(32, b" ")


def output_frame(seq, payload_type, payload):
    """An output_stream_data frame straight to bytes (the agent's hot path); flags 1 on seq 0."""
    return _HEAD.pack(HEADER_LENGTH, _OUTPUT_TYPE, 1, int(time.time() * 1000), seq, 1 if seq == 0 else 0, os.urandom(16),
                      hashlib.sha256(payload).digest(), payload_type, len(payload)) + payload


def control_frame(message_type, payload=b""):
    """An unsequenced message straight to bytes, possibly with no payload (the gateway's
    pause/start publication, spec 11.7); ClientMessage.encode refuses an empty payload."""
    return _HEAD.pack(HEADER_LENGTH, message_type.encode().ljust(32, b" "), 1, int(time.time() * 1000), 0, 3, os.urandom(16),
                      hashlib.sha256(payload).digest(), 0, len(payload)) + payload
