"""CloudWatch Logs (JSON 1.1, X-Amz-Target Logs_20140328.*): log groups and streams, PutLogEvents,
GetLogEvents with its forward and backward tokens, FilterLogEvents across streams, and the
Describe calls amazon-ssm-agent makes (agentlogstocloudwatch/cloudwatchlogspublisher
cloudwatchlogsservice.go: DescribeLogGroups when CreateLogGroup fails, DescribeLogStreams for the
upload sequence token). Rules from the CloudWatch Logs API reference (API_GetLogEvents,
API_FilterLogEvents, API_PutLogEvents)."""
import base64
import json
import time

import botocore.session

from .auth import action_allowed
from .errors import AWSError
from .json_request import decode_json_call
from .logs_filter import FilterPattern
from .logs_store import (MAX_BATCH_BYTES, MAX_SPAN_MS, START, TOO_NEW_MS, TOO_OLD_MS, LogEvent, LogGroup, LogStore, LogStream,
                         decode_position, encode_position, within_cap)
from .validation import validate

LOGS_MODEL = botocore.session.get_session().get_service_model("logs")
TARGET_PREFIX = "Logs_20140328."
DEFAULT_LIMIT = 10_000          # GetLogEvents and FilterLogEvents: as many as fit in 1 MB, up to 10,000
DESCRIBE_LIMIT = 50             # DescribeLogGroups and DescribeLogStreams: 50 by default and at most
GROUP_MISSING = "The specified log group does not exist."
STREAM_MISSING = "The specified log stream does not exist."
# Operations that act on a stream name its ARN in IAM; the others the group's, with an empty
# stream, as AWS's AccessDenied sentences show it ("...:log-group:G:log-stream:").
STREAM_ACTIONS = ("PutLogEvents", "GetLogEvents")


def logs_error(code, message):
    """CloudWatch Logs' modeled errors: "__type" is the bare code, the text under "message"."""
    return AWSError(code, message, 400, namespace="")


def now_ms():
    return int(time.time() * 1000)


class LogsService:
    def __init__(self, state, account, store=None, clock=now_ms):
        self.state = state
        self.account = account
        self.region = state.region
        # Log groups are per account and region: each call works on its caller's store.
        self.stores = {(account, state.region): store or LogStore()}
        self.store = self.stores[(account, state.region)]
        self.clock = clock

    def call(self, operation, body, who):
        """One request: the model's operation, the body's JSON, IAM with the group or stream ARN,
        the model's validation, then the operation."""
        operation_model, handler, params = decode_json_call(LOGS_MODEL, self, operation, body)
        # The handlers are synchronous: the caller's store, account and region hold for this call only.
        self.account, self.region = who.account, who.region
        self.store = self.stores.setdefault((who.account, who.region), LogStore())
        action, resource = "logs:" + operation, self.resource(operation, params, who.account)
        if not action_allowed(who.policy, action, resource):
            raise AWSError("AccessDeniedException", "User: %s is not authorized to perform: %s on resource: %s because no "
                           "identity-based policy allows the %s action" % (who.arn, action, resource, action))
        validate(operation_model.input_shape, params)
        return handler(params)

    def resource(self, operation, params, account):
        group = self._group_name(params)
        stream = params.get("logStreamName", "") if operation in STREAM_ACTIONS else ""
        return "arn:aws:logs:%s:%s:log-group:%s:log-stream:%s" % (self.region, account, group, stream if isinstance(stream, str) else "")

    # -- groups and streams ---------------------------------------------------------------------

    def CreateLogGroup(self, p):
        name = p["logGroupName"]
        if name in self.store.groups:
            raise logs_error("ResourceAlreadyExistsException", "The specified log group already exists")
        self.store.groups[name] = LogGroup(name, self.clock())
        return {}

    def CreateLogStream(self, p):
        group = self._group(p)
        if p["logStreamName"] in group.streams:
            raise logs_error("ResourceAlreadyExistsException", "The specified log stream already exists")
        group.streams[p["logStreamName"]] = LogStream(p["logStreamName"], self.clock())
        return {}

    def DescribeLogGroups(self, p):
        prefix = p.get("logGroupNamePrefix", "")
        names = sorted(n for n in self.store.groups if n.startswith(prefix))
        page, token = self._describe_page(names, p)
        return {"logGroups": [self._group_info(self.store.groups[n]) for n in page], **token}

    def DescribeLogStreams(self, p):
        group = self._group(p)
        prefix = p.get("logStreamNamePrefix", "")
        by_time = p.get("orderBy") == "LastEventTime"
        if by_time and prefix:
            raise logs_error("InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.")
        streams = [s for s in group.streams.values() if s.name.startswith(prefix)]
        streams.sort(key=(lambda s: (s.events[-1].timestamp if s.events else 0, s.name)) if by_time else (lambda s: s.name),
                     reverse=bool(p.get("descending")))
        page, token = self._describe_page(streams, p)
        return {"logStreams": [self._stream_info(group, s) for s in page], **token}

    # -- events ---------------------------------------------------------------------------------

    def PutLogEvents(self, p):
        """Every event is accepted in order, or the batch is refused whole; events too new or too
        old are left out and reported (rejectedLogEventsInfo). Sequence tokens are ignored, as the
        service has ignored them since 2023 (API_PutLogEvents), but still returned."""
        group = self._group(p)
        stream = group.streams.get(p["logStreamName"])
        if stream is None:
            raise logs_error("ResourceNotFoundException", STREAM_MISSING)
        events = p["logEvents"]
        stamps = [e["timestamp"] for e in events]
        if stamps != sorted(stamps):
            raise logs_error("InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order.")
        if stamps[-1] - stamps[0] > MAX_SPAN_MS:
            raise logs_error("InvalidParameterException",
                             "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
        size = sum(LogEvent(0, 0, e["message"], 0).size for e in events)
        if size > MAX_BATCH_BYTES:
            raise logs_error("InvalidParameterException", "Upload too large: %d bytes exceeds limit of %d" % (size, MAX_BATCH_BYTES))
        now = self.clock()
        rejected = {}
        for index, event in enumerate(events):
            if event["timestamp"] > now + TOO_NEW_MS:
                rejected.setdefault("tooNewLogEventStartIndex", index)
            elif event["timestamp"] < now - TOO_OLD_MS:
                rejected["tooOldLogEventEndIndex"] = index
            else:
                stream.add(LogEvent(event["timestamp"], self.store.next_seq(), event["message"], now))
        stream.upload_tokens += 1
        answer = {"nextSequenceToken": self._sequence_token(stream)}
        if rejected:
            answer["rejectedLogEventsInfo"] = rejected
        return answer

    def GetLogEvents(self, p):
        """One stream's events between startTime (included) and endTime (excluded). Without a
        token, the first ones from startTime (startFromHead) or the last ones before endTime (the
        default); with one, the events after a forward token or before a backward token. The
        forward token names the last event returned and the backward token the first, so an
        answer with nothing new gives back the token it was given."""
        group = self._group(p)
        stream = group.streams.get(p.get("logStreamName"))
        if stream is None:
            raise logs_error("ResourceNotFoundException", STREAM_MISSING)
        start, end = p.get("startTime"), p.get("endTime")
        # The time window as indexes: seq starts at 1, so (t, 0) sorts before every event of time t.
        low = stream.index_after((start, 0)) if start is not None else 0
        high = stream.index_before((end, 0)) if end is not None else len(stream.events)
        limit = p.get("limit") or DEFAULT_LIMIT
        token = p.get("nextToken")
        if token is not None:
            decoded = decode_position(token)
            if decoded is None:
                raise logs_error("InvalidParameterException", "The specified nextToken is invalid.")
            direction, position = decoded
        else:
            direction, position = ("f", START) if p.get("startFromHead") else ("b", None)
        if direction == "f":
            first_index = max(low, stream.index_after(position))
            chosen = within_cap(stream.events[first_index:max(first_index, min(high, first_index + limit))])
        else:
            last_index = min(high, stream.index_before(position)) if position is not None else high
            chosen = list(reversed(within_cap(list(reversed(stream.events[max(low, last_index - limit):max(low, last_index)])))))
        if chosen:
            first, last = chosen[0].position, chosen[-1].position
        else:
            first = last = position if position is not None else (stream.events[high - 1].position if high > low else (start or 0, 0))
        return {"events": [{"timestamp": e.timestamp, "message": e.message, "ingestionTime": e.ingestion_time} for e in chosen],
                "nextForwardToken": encode_position("f", last), "nextBackwardToken": encode_position("b", first)}

    def FilterLogEvents(self, p):
        """The group's events from the chosen streams (names, or a name prefix, or all),
        interleaved in timestamp order, startTime and endTime both included, that match the
        filter pattern; nextToken while more remain."""
        group = self._group(p)
        names, prefix = p.get("logStreamNames"), p.get("logStreamNamePrefix")
        if names and prefix:
            raise logs_error("InvalidParameterException", "logStreamNames and logStreamNamePrefix are mutually exclusive")
        streams = [s for s in group.streams.values() if (names is None or s.name in names) and s.name.startswith(prefix or "")]
        start, end = p.get("startTime"), p.get("endTime")
        pattern = FilterPattern.parse(p.get("filterPattern", ""))
        if pattern is None:
            raise logs_error("InvalidParameterException", "Invalid character(s) in term '%s'" % p.get("filterPattern"))
        after = self._filter_position(p.get("nextToken"))
        found = sorted(((e, s.name) for s in streams for e in s.events
                        if e.position > after and (start is None or e.timestamp >= start) and (end is None or e.timestamp <= end)
                        and pattern.matches(e.message)), key=lambda pair: pair[0].position)
        limit = p.get("limit") or DEFAULT_LIMIT
        chosen = within_cap([e for e, _ in found[:limit]])
        stream_of = {id(e): name for e, name in found}
        answer = {"events": [{"logStreamName": stream_of[id(e)], "timestamp": e.timestamp, "message": e.message,
                              "ingestionTime": e.ingestion_time, "eventId": "%020d%036d" % e.position} for e in chosen],
                  "searchedLogStreams": [{"logStreamName": s.name, "searchedCompletely": True} for s in streams]}
        if len(chosen) < len(found):
            answer["nextToken"] = base64.b64encode(json.dumps({"after": list(chosen[-1].position)}).encode()).decode()
        return answer

    # -- helpers --------------------------------------------------------------------------------

    @staticmethod
    def _group_name(p):
        """logGroupName, or logGroupIdentifier: a name or the group's ARN (with or without ":*")."""
        name = p.get("logGroupName") or p.get("logGroupIdentifier") or ""
        if not isinstance(name, str):
            return ""
        if name.startswith("arn:"):
            name = name.split(":log-group:", 1)[-1]
            name = name[:-2] if name.endswith(":*") else name
        return name

    def _group(self, p):
        if p.get("logGroupName") and p.get("logGroupIdentifier"):
            raise logs_error("InvalidParameterException", "LogGroup name and LogGroup ARN are mutually exclusive parameters.")
        group = self.store.groups.get(self._group_name(p))
        if group is None:
            raise logs_error("ResourceNotFoundException", GROUP_MISSING)
        return group

    @staticmethod
    def _filter_position(token):
        if token is None:
            return START
        try:
            timestamp, seq = json.loads(base64.b64decode(token, validate=True))["after"]
            return (int(timestamp), int(seq))
        except Exception:
            raise logs_error("InvalidParameterException", "The specified nextToken is invalid.")

    @staticmethod
    def _describe_page(items, p):
        try:
            offset = int(base64.b64decode(p["nextToken"]).decode()) if p.get("nextToken") else 0
        except Exception:
            raise logs_error("InvalidParameterException", "The specified nextToken is invalid.")
        size = p.get("limit") or DESCRIBE_LIMIT
        token = {"nextToken": base64.b64encode(str(offset + size).encode()).decode()} if offset + size < len(items) else {}
        return items[offset:offset + size], token

    def _arn(self, group):
        return "arn:aws:logs:%s:%s:log-group:%s" % (self.region, self.account, group.name)

    def _group_info(self, group):
        return {"logGroupName": group.name, "creationTime": group.created, "metricFilterCount": 0, "storedBytes": 0,
                "arn": self._arn(group) + ":*", "logGroupArn": self._arn(group), "logGroupClass": "STANDARD"}

    def _stream_info(self, group, stream):
        info = {"logStreamName": stream.name, "creationTime": stream.created, "storedBytes": 0,
                "arn": "%s:log-stream:%s" % (self._arn(group), stream.name)}
        if stream.events:
            info.update(firstEventTimestamp=stream.events[0].timestamp, lastEventTimestamp=stream.events[-1].timestamp,
                        lastIngestionTime=stream.last_ingestion, uploadSequenceToken=self._sequence_token(stream))
        return info

    @staticmethod
    def _sequence_token(stream):
        return "%056d" % (stream.upload_tokens + 1)
