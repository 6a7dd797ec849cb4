"""What one agent_job_reply means for an invocation, as the service reports it: its Status and
StatusDetails, ResponseCode, output and times. Pure: a parsed reply in, an update out."""
import dataclasses

# The agent's documentStatus (contracts/model.go ResultStatus) -> the invocation's Status and
# StatusDetails (SSM API reference, CommandInvocation.StatusDetails).
TERMINAL_STATUSES = {
    "Success": ("Success", "Success"),
    "Failed": ("Failed", "Failed"),
    "TimedOut": ("TimedOut", "ExecutionTimedOut"),
    "Cancelled": ("Cancelled", "Cancelled"),
}
# Statuses in which the agent is still at it: SuccessAndReboot resumes after the reboot
# (framework/processor processCommand).
RUNNING_STATUSES = {"InProgress", "NotStarted", "SuccessAndReboot"}


@dataclasses.dataclass
class InvocationUpdate:
    status: str
    details: str
    terminal: bool
    response_code: int = None
    output: str = None
    stdout: str = None
    stderr: str = None
    started: float = None
    ended: float = None
    output_s3: tuple = None     # (bucket, key prefix, step name) the plugin reports when its output went to S3


def update_from_reply(reply, plugin_id, parse_time):
    """The update REPLY (agentjob.Reply) makes, reading the plugin PLUGIN_ID's runtime status;
    None for a documentStatus the service does not know. PARSE_TIME reads the agent's ISO times."""
    if reply.document_status in TERMINAL_STATUSES:
        status, details = TERMINAL_STATUSES[reply.document_status]
        terminal = True
    elif reply.document_status in RUNNING_STATUSES:
        status, details, terminal = "InProgress", "InProgress", False
    else:
        return None
    update = InvocationUpdate(status, details, terminal, started=reply.date_time)
    plugin = reply.runtime_status.get(plugin_id)
    if plugin is None and len(reply.runtime_status) == 1:
        plugin = next(iter(reply.runtime_status.values()))
    if plugin is not None:
        code = plugin.get("code")
        update.response_code = code if isinstance(code, int) and not isinstance(code, bool) else None
        update.output = _text(plugin.get("output"))
        update.stdout = _text(plugin.get("standardOutput"))
        update.stderr = _text(plugin.get("standardError"))
        update.started = parse_time(plugin.get("startDateTime")) or reply.date_time
        update.ended = parse_time(plugin.get("endDateTime")) if terminal else None
        if _text(plugin.get("outputS3BucketName")):
            update.output_s3 = (plugin["outputS3BucketName"], _text(plugin.get("outputS3KeyPrefix")), _text(plugin.get("stepName")))
    elif terminal:
        update.ended = reply.date_time
    return update


def _text(value):
    return value if isinstance(value, str) else ""
