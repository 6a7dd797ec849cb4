"""The simulated agent's CloudWatch Logs output of one Run Command plugin, streamed while the
script runs, as amazon-ssm-agent 3.3 does it:

- the group is the payload's CloudWatchLogGroupName, else /aws/ssm/<DocumentName> with every
  character outside [a-zA-Z0-9_-/.#] made a "." (messageservice/utils/messageutil.go
  generateCloudWatchConfigFromPayload, cleanupLogGroupName), created before the plugin runs;
  ResourceAlreadyExistsException is fine, any other failure turns CloudWatch off for the plugin
  (framework/processor/executer/iohandler/iohandler.go Init);
- the streams are <CommandId>/<InstanceId>/<PluginId>/stdout and .../stderr, the plugin id with
  ":" and "*" made "-" (runpluginutil.go, iohandler.go), each created at its first upload;
- every second each stream uploads what is new (cloudwatch_events.py); a failed upload is tried
  again at the next tick, a missing group or stream ends the streaming (cloudwatchlogsservice.go
  StreamData);
- the plugin's reply waits until both streams have uploaded everything, at most 60 ticks
  (iohandler/iomodule/fileS3.go Read, maxCloudWatchUploadRetry).

The sink seam of ScriptRun: open(), write(stream, bytes), close()."""
import asyncio
import logging
import re
import time

from .cloudwatch_events import EventBatcher
from .aws_json import AWSCallError

log = logging.getLogger(__name__)

GROUP_PREFIX = "/aws/ssm/"                 # CloudWatchLogGroupNamePrefix
UPLOAD_FREQUENCY = 1.0                     # cloudwatchlogspublisher UploadFrequency
MAX_UPLOAD_WAIT_TICKS = 60                 # fileS3.go maxCloudWatchUploadRetry
# The agent streams from its output file; the emulator holds what is not uploaded yet in memory, so
# it keeps at most this much per stream and drops the rest (a known difference, in the README).
MAX_PENDING_BYTES = 64 << 20
ALREADY_EXISTS = "ResourceAlreadyExistsException"


def cloudwatch_settings(content, command_id, instance_id, plugin_id):
    """(group, stream prefix) for a SendCommandPayload CONTENT, or None when CloudWatch output is off
    (CloudWatchOutputEnabled is parsed as Go's strconv.ParseBool)."""
    if str(content.get("CloudWatchOutputEnabled", "")).strip() not in ("1", "t", "T", "true", "TRUE", "True"):
        return None
    group = content.get("CloudWatchLogGroupName") or re.sub(r"[^a-zA-Z0-9_\-/.#]", ".", GROUP_PREFIX + content.get("DocumentName", ""))
    prefix = "%s/%s/%s" % (command_id, instance_id, plugin_id.replace(":", "-").replace("*", "-"))
    return group, prefix


class StreamUpload:
    """One stream's uploads: a tick every UPLOAD_FREQUENCY seconds until everything is sent."""

    def __init__(self, logs, group, name, frequency):
        self.logs = logs
        self.group = group
        self.name = name
        self.frequency = frequency
        self.batcher = EventBatcher()
        self.uploaded_all = False
        self.dropping = False
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self):
        created = False
        while True:
            await asyncio.sleep(self.frequency)
            messages, consumed, finished = self.batcher.next_events()
            if finished:
                self.uploaded_all = True
                return
            if not messages:
                self.batcher.commit(consumed)
                continue
            if not created:
                try:
                    await self.logs.call("CreateLogStream", {"logGroupName": self.group, "logStreamName": self.name})
                except AWSCallError as e:
                    if e.code != ALREADY_EXISTS:
                        log.warning("CloudWatch stream %s not created, output not streamed: %s", self.name, e)
                        return
                created = True
            now = int(time.time() * 1000)
            try:
                await self.logs.call("PutLogEvents", {"logGroupName": self.group, "logStreamName": self.name,
                                                      "logEvents": [{"timestamp": now, "message": m} for m in messages]})
            except AWSCallError as e:
                if e.code == "ResourceNotFoundException":
                    log.warning("CloudWatch group %s or stream %s is gone, streaming stopped", self.group, self.name)
                    return
                log.info("CloudWatch upload to %s failed, tried again at the next tick: %s", self.name, e)
                continue
            self.batcher.commit(consumed)


class CloudWatchOutput:
    def __init__(self, logs, group, stream_prefix, frequency=UPLOAD_FREQUENCY):
        self.logs = logs                  # aws_json.AWSJsonClient for CloudWatch Logs
        self.group = group
        self.stream_prefix = stream_prefix
        self.frequency = frequency
        self.streams = {}

    async def open(self):
        try:
            await self.logs.call("CreateLogGroup", {"logGroupName": self.group})
        except AWSCallError as e:
            if e.code != ALREADY_EXISTS:
                log.warning("CloudWatch group %s not created, output not streamed: %s", self.group, e)
                return
        self.streams = {name: StreamUpload(self.logs, self.group, "%s/%s" % (self.stream_prefix, name), self.frequency)
                        for name in ("stdout", "stderr")}

    def write(self, stream, data):
        upload = self.streams.get(stream)
        # Once a stream's uploads have stopped (its stream refused or gone) nothing more is sent.
        if upload is None or not data or upload.task.done() or upload.dropping:
            return
        if len(upload.batcher.pending) + len(data) > MAX_PENDING_BYTES:
            if not upload.dropping:
                log.warning("CloudWatch stream %s: more than %d bytes not uploaded yet, the rest is dropped", upload.name, MAX_PENDING_BYTES)
                upload.dropping = True
            return
        upload.batcher.write(data)

    def discard(self):
        """The run ended without close (the emulator stopping, the script not started): the
        uploads stop now."""
        for upload in self.streams.values():
            upload.task.cancel()

    async def close(self):
        """The output has ended: waits, checking once a tick, until every stream has uploaded
        everything or 60 ticks have passed."""
        for upload in self.streams.values():
            upload.batcher.complete = True
        for _ in range(MAX_UPLOAD_WAIT_TICKS):
            if all(u.uploaded_all or u.task.done() for u in self.streams.values()):
                break
            await asyncio.sleep(self.frequency)
        for upload in self.streams.values():
            upload.task.cancel()
