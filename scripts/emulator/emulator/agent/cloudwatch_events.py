"""How amazon-ssm-agent 3.3 cuts a plugin's output into CloudWatch Logs events (agent/
agentlogstocloudwatch/cloudwatchlogspublisher/cloudwatchlogsservice.go getNextMessage and
buildEventInfo). Pure: bytes in, event messages out; the caller uploads and then commits.

Each upload takes the complete lines written since the last one and packs them into one event,
a new event when the next line would pass 200,000 bytes, at most 4 events per upload (the rest
waits for the next). A line longer than 200,000 bytes goes in 200,000-byte pieces (the agent's
reader buffer). A last line without its newline waits until the output is complete. Messages
keep their newlines ("\\r\\n" becomes "\\n"); once the output is complete each event built loses
one trailing newline."""

MESSAGE_THRESHOLD = 200 * 1000     # MessageLengthThresholdInBytes
MAX_EVENTS_PER_CALL = 4            # maxNumberOfEventsPerCall


class EventBatcher:
    def __init__(self):
        self.pending = bytearray()    # written and not yet uploaded
        self.complete = False         # the plugin's output has ended

    def write(self, data):
        self.pending += data

    def next_events(self):
        """(messages, consumed, finished): the event messages of the next upload, how many
        pending bytes they hold (commit them once uploaded), and whether everything has been
        uploaded and the output is complete (the agent's end of streaming)."""
        messages, message, offset = [], bytearray(), 0
        while True:
            piece = self._piece(offset)
            if piece is None:
                break
            if len(message) + len(piece) > MESSAGE_THRESHOLD:
                messages.append(self._build(message))
                if len(messages) >= MAX_EVENTS_PER_CALL:
                    return [m for m in messages if m], offset, False
                message = bytearray()
            message += piece
            offset += len(piece)
        if message:
            messages.append(self._build(message))
        # An event left empty by the final newline's removal is not sent (AWS refuses an empty message).
        return [m for m in messages if m], offset, not message and self.complete and offset == len(self.pending)

    def commit(self, consumed):
        del self.pending[:consumed]

    def _piece(self, offset):
        """The next line (newline included) from OFFSET, a 200,000-byte piece of a longer one, the
        unfinished last line once the output is complete, or None."""
        rest = len(self.pending) - offset
        if rest <= 0:
            return None
        end = self.pending.find(b"\n", offset, offset + MESSAGE_THRESHOLD)
        if end >= 0:
            return bytes(self.pending[offset:end + 1])
        if rest >= MESSAGE_THRESHOLD:
            return bytes(self.pending[offset:offset + MESSAGE_THRESHOLD])
        return bytes(self.pending[offset:]) if self.complete else None

    def _build(self, message):
        text = bytes(message).decode("utf-8", "replace").replace("\r\n", "\n")
        if self.complete and text.endswith("\n"):
            text = text[:-1]
        return text
