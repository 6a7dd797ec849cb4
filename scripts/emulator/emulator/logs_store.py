"""CloudWatch Logs' data: log groups, their streams and events, and the positions that
GetLogEvents' tokens and FilterLogEvents' nextToken name. Pure data; no I/O, `now` passed in.

An event's position is (timestamp, seq): streams keep their events in timestamp order as the
service does, and seq (one counter for the whole store, in ingestion order) breaks ties and makes
positions unique across streams, so FilterLogEvents can interleave streams by it."""
import bisect
import dataclasses

# The service counts each event as its UTF-8 message plus 26 bytes, for PutLogEvents' batch and
# for the 1 MB a GetLogEvents or FilterLogEvents answer holds (API_PutLogEvents, API_GetLogEvents).
EVENT_OVERHEAD = 26
MAX_BATCH_BYTES = 1_048_576
MAX_EVENTS = 10_000
# PutLogEvents: events more than 2 hours ahead or older than 14 days are rejected, and one batch
# may not span more than 24 hours (API_PutLogEvents).
TOO_NEW_MS = 2 * 3600 * 1000
TOO_OLD_MS = 14 * 24 * 3600 * 1000
MAX_SPAN_MS = 24 * 3600 * 1000
START = (0, 0)          # the position before every event


@dataclasses.dataclass
class LogEvent:
    timestamp: int
    seq: int
    message: str
    ingestion_time: int

    @property
    def position(self):
        return (self.timestamp, self.seq)

    @property
    def size(self):
        return len(self.message.encode("utf-8")) + EVENT_OVERHEAD


@dataclasses.dataclass
class LogStream:
    name: str
    created: int
    events: list = dataclasses.field(default_factory=list)
    last_ingestion: int = None
    upload_tokens: int = 0

    def add(self, event):
        """Keeps timestamp order; an event as old as others goes after them (ingestion order)."""
        if self.events and self.events[-1].position > event.position:
            bisect.insort(self.events, event, key=lambda e: e.position)
        else:
            self.events.append(event)
        self.last_ingestion = event.ingestion_time

    def index_after(self, position):
        """The index of the first event after POSITION (a follower's read costs a search, not a scan)."""
        return bisect.bisect_right(self.events, position, key=lambda e: e.position)

    def index_before(self, position):
        """The index just past the last event before POSITION."""
        return bisect.bisect_left(self.events, position, key=lambda e: e.position)


@dataclasses.dataclass
class LogGroup:
    name: str
    created: int
    streams: dict = dataclasses.field(default_factory=dict)


class LogStore:
    """Every log group of one account in one region (logs_api.LogsService keeps one per pair)."""

    def __init__(self):
        self.groups = {}
        self.seq = 0

    def next_seq(self):
        self.seq += 1
        return self.seq


def within_cap(events):
    """The longest prefix of EVENTS that fits the 1 MB answer (at least one event)."""
    total, kept = 0, []
    for event in events:
        total += event.size
        if kept and total > MAX_BATCH_BYTES:
            break
        kept.append(event)
    return kept


def encode_position(direction, position):
    """GetLogEvents' tokens look like AWS's: "f/" or "b/" and 56 digits (timestamp, then seq)."""
    timestamp, seq = position
    return "%s/%020d%036d" % (direction, timestamp, seq)


def decode_position(token):
    """(direction, position) or None when TOKEN is not one of ours."""
    if not isinstance(token, str) or len(token) != 58 or token[1] != "/" or token[0] not in "fb" or not token[2:].isdigit():
        return None
    return token[0], (int(token[2:22]), int(token[22:]))
