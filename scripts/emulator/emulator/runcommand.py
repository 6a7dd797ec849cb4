"""Run Command, the service side: commands, their invocations per node, delivery to each node's
agent as an `agent_job` on its control channel, and the agent's replies mapped to invocation
status (agentjob.py, invocationreply.py). The agent's side is agent/runcommand.py.

Status machine per invocation (as the service reports it):
  Pending -> InProgress -> Success | Failed | TimedOut (ExecutionTimedOut) | Cancelled
  Pending (node not Online, or its agent never answers) -> TimedOut with StatusDetails
  DeliveryTimedOut after TimeoutSeconds
"""
import asyncio
import re
import time
import uuid

from . import agentjob
from .errors import AWSError
from .s3 import output_keys

STDERR_CAP = 8000       # GetCommandInvocation StandardErrorContent: the first 8,000 of the agent's stderr
TERMINAL = {"Success", "Failed", "TimedOut", "Cancelled"}

DOCUMENTS = {
    "AWS-RunShellScript": {"plugin": "aws:runShellScript", "platforms": {"Linux", "MacOS"}},
    "AWS-RunPowerShellScript": {"plugin": "aws:runPowerShellScript", "platforms": {"Windows"}},
}


def iso(ts):
    """GetCommandInvocation's times, to the millisecond. The agent's times arrive as ISO strings
    already cut to the millisecond: ts % 1 * 1000 could read .123 back as 122.99999 and cut it
    to .122, where datetime's microseconds are exact (agentjob.iso_millis)."""
    return "" if ts is None else agentjob.iso_millis(ts)


class Invocation:
    def __init__(self, command, node):
        self.command = command
        self.node = node
        self.status = "Pending"
        self.details = "Pending"
        self.response_code = -1
        self.output = ""        # the plugin's Output as the agent reported it (2,500 characters)
        self.stdout = ""        # as the agent reported them: already cut to 24,000
        self.stderr = ""
        self.started = None
        self.ended = None
        self.job_sent = False
        self.done = asyncio.Event()
        self.output_s3 = None   # (bucket, key prefix, step name) as the agent reported them

    @property
    def terminal(self):
        return self.status in TERMINAL

    def finish(self, status, details, code=None):
        if self.terminal:
            return
        self.status = status
        self.details = details
        if code is not None:
            self.response_code = code
        self.ended = time.time()
        self.done.set()

    def apply(self, update):
        """An agent_job_reply's update (invocationreply.py); nothing changes once terminal."""
        if self.terminal:
            return
        if update.stdout is not None:
            self.output, self.stdout, self.stderr = update.output, update.stdout, update.stderr
        if update.output_s3 is not None:
            self.output_s3 = update.output_s3
        if update.response_code is not None:
            self.response_code = update.response_code
        if update.started is not None and (self.started is None or update.terminal):
            self.started = update.started
        if not update.terminal:
            if self.status == "Pending":
                self.status = self.details = "InProgress"
            return
        self.status, self.details = update.status, update.details
        self.ended = update.ended or time.time()
        self.done.set()

    def list_entry(self, details):
        doc = DOCUMENTS[self.command.document]
        entry = {
            "CommandId": self.command.id, "InstanceId": self.node["id"], "InstanceName": self.node.get("computer_name", ""),
            "Comment": self.command.comment, "DocumentName": self.command.document, "DocumentVersion": "$DEFAULT",
            "RequestedDateTime": self.command.requested, "Status": self.status, "StatusDetails": self.details,
            "StandardOutputUrl": self.output_url("stdout"), "StandardErrorUrl": self.output_url("stderr"), "CommandPlugins": [],
            "ServiceRole": "",
            "NotificationConfig": {"NotificationArn": "", "NotificationEvents": [], "NotificationType": ""},
            "CloudWatchOutputConfig": dict(self.command.cloudwatch_output),
        }
        if details:
            plugin = {"Name": doc["plugin"], "Status": self.status, "StatusDetails": self.details, "ResponseCode": self.response_code,
                      "Output": self.output, "StandardOutputUrl": self.output_url("stdout"), "StandardErrorUrl": self.output_url("stderr"),
                      "OutputS3Region": self.command.output_s3["OutputS3Region"], "OutputS3BucketName": self.command.output_s3["OutputS3BucketName"],
                      "OutputS3KeyPrefix": self.plugin_key_prefix()}
            if self.started:
                plugin["ResponseStartDateTime"] = self.started
            if self.ended:
                plugin["ResponseFinishDateTime"] = self.ended
            entry["CommandPlugins"] = [plugin]
        return entry

    def plugin_key_prefix(self):
        """The plugin's outputS3KeyPrefix: the agent's once reported, else the same rule's value."""
        if self.output_s3:
            return self.output_s3[1]
        if not self.command.output_s3["OutputS3BucketName"]:
            return ""
        return output_keys.plugin_key_prefix(self.command.output_s3["OutputS3KeyPrefix"], self.command.id, self.node["id"],
                                             DOCUMENTS[self.command.document]["plugin"])

    def output_url(self, stream):
        """StandardOutputUrl / StandardErrorUrl: empty until the invocation has finished and unless
        the agent reported an S3 upload (SSM API reference, GetCommandInvocation)."""
        if not self.terminal or not self.output_s3:
            return ""
        bucket, key_prefix, step = self.output_s3
        return output_keys.object_url(self.command.output_s3["OutputS3Region"], bucket, output_keys.stream_key(key_prefix, step, stream))

    def get_output(self):
        doc = DOCUMENTS[self.command.document]
        elapsed = ""
        if self.started:
            seconds = (self.ended or time.time()) - self.started
            elapsed = "PT%.3fS" % seconds
        return {
            "CommandId": self.command.id, "InstanceId": self.node["id"], "Comment": self.command.comment,
            "DocumentName": self.command.document, "DocumentVersion": "$DEFAULT", "PluginName": doc["plugin"],
            "ResponseCode": self.response_code, "ExecutionStartDateTime": iso(self.started),
            "ExecutionElapsedTime": elapsed, "ExecutionEndDateTime": iso(self.ended),
            "Status": self.status, "StatusDetails": self.details,
            "StandardOutputContent": self.stdout, "StandardOutputUrl": self.output_url("stdout"),
            "StandardErrorContent": self.stderr[:STDERR_CAP], "StandardErrorUrl": self.output_url("stderr"),
            "CloudWatchOutputConfig": dict(self.command.cloudwatch_output),
        }


def counts_as_error(inv):
    """Failed or Execution Timed Out: delivery timeouts and undeliverable jobs count neither
    against MaxErrors nor in ErrorCount (SSM API reference, Command.ErrorCount and StatusDetails)."""
    return (inv.status == "Failed" and inv.details != "Undeliverable") or (inv.status == "TimedOut" and inv.details != "DeliveryTimedOut")


def parse_limit(text, total, name):
    """MaxConcurrency / MaxErrors: a number or a percentage of the targets."""
    text = str(text).strip()
    m = re.fullmatch(r"(\d+)(%?)", text)
    if not m:
        raise AWSError("ValidationException", "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: "
                       "Member must satisfy regular expression pattern: ^([1-9][0-9]*|[1-9][0-9]%%|[1-9]%%|100%%)$" % (text, name))
    value = int(m.group(1))
    if m.group(2):
        return max(1, -(-total * value // 100)) if value > 0 else 0
    return value


class Command:
    def __init__(self, state, delivery, document, nodes, parameters, comment, timeout, max_concurrency, max_errors, region, targets, instance_ids):
        self.state = state
        self.delivery = delivery
        self.id = str(uuid.uuid4())
        self.document = document
        self.parameters = parameters
        self.comment = comment
        self.timeout = timeout
        self.max_concurrency = max_concurrency
        self.max_errors = max_errors
        self.region = region
        self.account = ""   # the caller's account: SendCommand sets it (ssm_api.py)
        self.targets = targets
        self.instance_ids = instance_ids
        self.requested = time.time()
        self.invocations = [Invocation(self, n) for n in nodes]
        self.cancelled = False
        self.task = None
        # SendCommand's OutputS3BucketName, OutputS3KeyPrefix and OutputS3Region (ssm_api.py sets them).
        self.output_s3 = {"OutputS3BucketName": "", "OutputS3KeyPrefix": "", "OutputS3Region": region}
        # SendCommand's CloudWatchOutputConfig as given (the group stays "" when the agent's
        # default /aws/ssm/<DocumentName> is meant); returned as is by the Command and invocation APIs.
        self.cloudwatch_output = {"CloudWatchLogGroupName": "", "CloudWatchOutputEnabled": False}

    @property
    def status(self):
        statuses = [i.status for i in self.invocations]
        if not statuses:
            return "Success"
        if self.cancelled and all(s in TERMINAL for s in statuses):
            return "Cancelled"
        if not all(s in TERMINAL for s in statuses):
            return "InProgress" if any(s != "Pending" for s in statuses) else "Pending"
        if all(s == "Success" for s in statuses):
            return "Success"
        if any(s == "Failed" for s in statuses):
            return "Failed"
        if any(s == "TimedOut" for s in statuses):
            return "TimedOut"
        return "Cancelled"

    def summary(self):
        done = [i for i in self.invocations if i.terminal]
        errors = [i for i in done if counts_as_error(i)]
        return {
            "CommandId": self.id, "DocumentName": self.document, "DocumentVersion": "$DEFAULT", "Comment": self.comment,
            "ExpiresAfter": self.requested + self.timeout, "Parameters": self.parameters,
            "InstanceIds": self.instance_ids, "Targets": self.targets, "RequestedDateTime": self.requested,
            "Status": self.status, "StatusDetails": self.status if self.status != "InProgress" else "InProgress",
            "OutputS3Region": self.output_s3["OutputS3Region"], "OutputS3BucketName": self.output_s3["OutputS3BucketName"],
            "OutputS3KeyPrefix": self.output_s3["OutputS3KeyPrefix"],
            "MaxConcurrency": self.max_concurrency, "MaxErrors": self.max_errors,
            "TargetCount": len(self.invocations), "CompletedCount": len(done), "ErrorCount": len(errors),
            "DeliveryTimedOutCount": sum(1 for i in done if i.details == "DeliveryTimedOut"),
            "ServiceRole": "", "NotificationConfig": {"NotificationArn": "", "NotificationEvents": [], "NotificationType": ""},
            "CloudWatchOutputConfig": dict(self.cloudwatch_output),
            "TimeoutSeconds": self.timeout, "TriggeredAlarms": [],
        }

    def start(self):
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self):
        total = len(self.invocations)
        concurrency = max(1, parse_limit(self.max_concurrency, total, "maxConcurrency")) if total else 1
        allowed_errors = parse_limit(self.max_errors, total, "maxErrors")
        slots = asyncio.Semaphore(concurrency)
        errors = 0
        running = []

        async def run_one(inv):
            nonlocal errors
            try:
                await self.delivery.deliver(inv)
            finally:
                if counts_as_error(inv):
                    errors += 1
                slots.release()

        for inv in self.invocations:
            await slots.acquire()
            if self.cancelled or errors > allowed_errors or inv.terminal:
                # Past MaxErrors the service stops sending the command to further targets.
                slots.release()
                inv.finish("Cancelled", "Cancelled")
                continue
            running.append(asyncio.get_running_loop().create_task(run_one(inv)))
        await asyncio.gather(*running, return_exceptions=True)

    def cancel(self, instance_ids=None):
        """CancelCommand: a job the agent runs gets the agent's cancel job (Cancelling until its
        reply); one it has not taken yet ends Cancelled here."""
        self.cancelled = self.cancelled or not instance_ids
        for inv in self.invocations:
            if instance_ids and inv.node["id"] not in instance_ids:
                continue
            if inv.terminal:
                continue
            if inv.job_sent:
                self.delivery.cancel(inv)
            if inv.status in ("InProgress", "Cancelling"):
                inv.status = inv.details = "Cancelling"
            else:
                inv.finish("Cancelled", "Cancelled")
