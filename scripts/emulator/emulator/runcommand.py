"""Run Command: commands, their invocations per node, and real execution under bash.

Status machine per invocation (as the service reports it):
  Pending -> InProgress -> Success | Failed | TimedOut (ExecutionTimedOut) | Cancelled
  Pending (node not Online) -> TimedOut with StatusDetails DeliveryTimedOut after TimeoutSeconds
Windows nodes are simulated: see ../README.md.
"""
import asyncio
import datetime
import os
import re
import shlex
import signal
import time
import uuid

from .errors import AWSError

STDOUT_CAP = 24000      # what amazon-ssm-agent keeps of stdout and of stderr, marker included
STDERR_CAP = 8000       # GetCommandInvocation StandardErrorContent: the first 8,000 of the agent's stderr
TRUNCATION_MARKER = "--output truncated--"  # the agent's, after the first 23,980 characters (issue 19)
DETAILS_CAP = 2500      # ListCommandInvocations CommandPlugins[].Output
# amazon-ssm-agent 3.3's plugin Output (iohandler TruncateOutput): stdout, this title and stderr,
# each half cut with its own marker when the whole does not fit in DETAILS_CAP.
DETAILS_ERROR_TITLE = "\n----------ERROR-------\n"
DETAILS_OUTPUT_CUT = "\n---Output truncated---"
DETAILS_ERROR_CUT = "\n---Error truncated----"
# The agent's words appended to stderr when the script ends non-zero (plugins/runscript).
FAILURE_LINE = "failed to run commands: %s"
# How Go's os/exec names the signal that ended a process ("signal: killed"), for the few a
# script is likely to die of; others are given by number.
GO_SIGNAL_NAMES = {signal.SIGHUP: "hangup", signal.SIGINT: "interrupt", signal.SIGQUIT: "quit", signal.SIGABRT: "aborted",
                   signal.SIGKILL: "killed", signal.SIGSEGV: "segmentation fault", signal.SIGPIPE: "broken pipe",
                   signal.SIGTERM: "terminated", signal.SIGUSR1: "user defined signal 1", signal.SIGUSR2: "user defined signal 2"}
TERMINAL = {"Success", "Failed", "TimedOut", "Cancelled"}
# amazon-ssm-agent 3.3 (issue 19): a job is acknowledged (InProgress) about 1 ms after delivery,
# and even a script that does nothing ends 20-35 ms later (the script file, the process, the reply).
AGENT_ACK_DELAY = 0.001
AGENT_RUN_OVERHEAD = 0.02
# amazon-ssm-agent 3.3.1142.0 (issue 19): an executionTimeout outside 5..172800 s is replaced by
# the default 3600 s, with no error anywhere.
EXECUTION_TIMEOUT_RANGE = (5, 172800)
EXECUTION_TIMEOUT_DEFAULT = 3600
# The agent's ResponseCode for a script it killed at executionTimeout (128 + SIGKILL) and for a
# running script it cancelled (issue 19); one cancelled before delivery keeps -1.
TIMED_OUT_CODE = 137
CANCELLED_CODE = 1

DOCUMENTS = {
    "AWS-RunShellScript": {"plugin": "aws:runShellScript", "platforms": {"Linux", "MacOS"}},
    "AWS-RunPowerShellScript": {"plugin": "aws:runPowerShellScript", "platforms": {"Windows"}},
}


def iso(ts):
    if ts is None:
        return ""
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % int(ts % 1 * 1000)


class Invocation:
    def __init__(self, command, node):
        self.command = command
        self.node = node
        self.status = "Pending"
        self.details = "Pending"
        self.response_code = -1
        self.stdout = ""
        self.stderr = ""
        self.started = None
        self.ended = None
        self.process = None

    @property
    def terminal(self):
        return self.status in TERMINAL

    def finish(self, status, details, code=None):
        self.status = status
        self.details = details
        if code is not None:
            self.response_code = code
        self.ended = time.time()

    def output_summary(self):
        return details_output(self.stdout, self.stderr)

    def list_entry(self, details):
        doc = DOCUMENTS[self.command.document]
        entry = {
            "CommandId": self.command.id, "InstanceId": self.node["id"], "InstanceName": self.node.get("computer_name", ""),
            "Comment": self.command.comment, "DocumentName": self.command.document, "DocumentVersion": "$DEFAULT",
            "RequestedDateTime": self.command.requested, "Status": self.status, "StatusDetails": self.details,
            "StandardOutputUrl": "", "StandardErrorUrl": "", "CommandPlugins": [], "ServiceRole": "",
            "NotificationConfig": {"NotificationArn": "", "NotificationEvents": [], "NotificationType": ""},
            "CloudWatchOutputConfig": {"CloudWatchLogGroupName": "", "CloudWatchOutputEnabled": False},
        }
        if details:
            plugin = {"Name": doc["plugin"], "Status": self.status, "StatusDetails": self.details, "ResponseCode": self.response_code,
                      "Output": self.output_summary(), "StandardOutputUrl": "", "StandardErrorUrl": "",
                      "OutputS3Region": self.command.region, "OutputS3BucketName": "", "OutputS3KeyPrefix": ""}
            if self.started:
                plugin["ResponseStartDateTime"] = self.started
            if self.ended:
                plugin["ResponseFinishDateTime"] = self.ended
            entry["CommandPlugins"] = [plugin]
        return entry

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
            "StandardOutputContent": agent_cut(self.stdout), "StandardOutputUrl": "",
            "StandardErrorContent": agent_cut(self.stderr)[:STDERR_CAP], "StandardErrorUrl": "",
            "CloudWatchOutputConfig": {"CloudWatchLogGroupName": "", "CloudWatchOutputEnabled": False},
        }


def counts_as_error(inv):
    """Failed or Execution Timed Out: delivery timeouts count neither against MaxErrors nor in
    ErrorCount (SSM API reference, Command.ErrorCount and StatusDetails)."""
    return inv.status == "Failed" or (inv.status == "TimedOut" and inv.details != "DeliveryTimedOut")


def details_output(stdout, stderr, capacity=DETAILS_CAP):
    """The plugin Output of amazon-ssm-agent 3.3 (iohandler TruncateOutput): everything when it
    fits (strictly less than the room left), else both halves cut evenly when both are long,
    else only the long one. Characters here, where the agent counts bytes (same for ASCII)."""
    title = DETAILS_ERROR_TITLE if stderr else ""
    room = capacity - len(title)
    if len(stdout) + len(stderr) < room:
        return stdout + title + stderr
    if len(stdout) > room // 2 and len(stderr) > room // 2:
        half = (room - len(DETAILS_ERROR_CUT) - len(DETAILS_OUTPUT_CUT)) // 2
        return stdout[:half] + DETAILS_OUTPUT_CUT + title + stderr[:half] + DETAILS_ERROR_CUT
    if len(stdout) <= room // 2:
        return stdout + title + stderr[:room - len(DETAILS_ERROR_CUT) - len(stdout)] + DETAILS_ERROR_CUT
    return stdout[:room - len(DETAILS_OUTPUT_CUT) - len(stderr)] + DETAILS_OUTPUT_CUT + title + stderr


def failure(returncode):
    """ResponseCode and the agent's failure line for a script that ended non-zero: a shell ended
    by a signal has no exit status (-1, executers ExecuteCommand) and Go names the signal."""
    if returncode >= 0:
        return returncode, FAILURE_LINE % ("exit status %d" % returncode)
    try:
        name = GO_SIGNAL_NAMES.get(signal.Signals(-returncode), "signal %d" % -returncode)
    except ValueError:
        name = "signal %d" % -returncode
    return -1, FAILURE_LINE % ("signal: " + name)


def agent_cut(text):
    """amazon-ssm-agent 3.3: over 24,000 characters, the first 23,980 and its marker, 24,000 in all."""
    if len(text) <= STDOUT_CAP:
        return text
    return text[:STDOUT_CAP - len(TRUNCATION_MARKER)] + TRUNCATION_MARKER


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
    def __init__(self, state, document, nodes, parameters, comment, timeout, max_concurrency, max_errors, region, targets, instance_ids):
        self.state = state
        self.id = str(uuid.uuid4())
        self.document = document
        self.parameters = parameters
        self.comment = comment
        self.timeout = timeout
        self.max_concurrency = max_concurrency
        self.max_errors = max_errors
        self.region = region
        self.targets = targets
        self.instance_ids = instance_ids
        self.requested = time.time()
        self.invocations = [Invocation(self, n) for n in nodes]
        self.cancelled = False
        self.task = None

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
            "OutputS3Region": self.region, "OutputS3BucketName": "", "OutputS3KeyPrefix": "",
            "MaxConcurrency": self.max_concurrency, "MaxErrors": self.max_errors,
            "TargetCount": len(self.invocations), "CompletedCount": len(done), "ErrorCount": len(errors),
            "DeliveryTimedOutCount": sum(1 for i in done if i.details == "DeliveryTimedOut"),
            "ServiceRole": "", "NotificationConfig": {"NotificationArn": "", "NotificationEvents": [], "NotificationType": ""},
            "CloudWatchOutputConfig": {"CloudWatchLogGroupName": "", "CloudWatchOutputEnabled": False},
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
                await self._execute(inv)
            finally:
                if counts_as_error(inv):
                    errors += 1
                slots.release()

        for inv in self.invocations:
            await slots.acquire()
            if self.cancelled or errors > allowed_errors:
                # Past MaxErrors the service stops sending the command to further targets.
                slots.release()
                inv.finish("Cancelled", "Cancelled")
                continue
            running.append(asyncio.get_running_loop().create_task(run_one(inv)))
        await asyncio.gather(*running, return_exceptions=True)

    async def _execute(self, inv):
        node = inv.node
        # A node's own delivery_delay, else the agent_delay fault, else the agent's 1 ms.
        await asyncio.sleep(float(node.get("delivery_delay") or self.state.faults.agent_delay or AGENT_ACK_DELAY))
        if self.cancelled:
            inv.finish("Cancelled", "Cancelled")
            return
        if node.get("ping_status") != "Online":
            # Never delivered: the service waits the delivery timeout, then gives up.
            deadline = self.requested + self.timeout
            while time.time() < deadline and not self.cancelled:
                await asyncio.sleep(min(1.0, max(0.05, deadline - time.time())))
            if self.cancelled:
                inv.finish("Cancelled", "Cancelled")
            else:
                inv.finish("TimedOut", "DeliveryTimedOut")
            return
        inv.status = inv.details = "InProgress"
        inv.started = time.time()
        script = "\n".join(self.parameters.get("commands", []))
        execution_timeout = effective_execution_timeout(self.parameters.get("executionTimeout"))
        workdir = (self.parameters.get("workingDirectory") or [""])[0] or node["workdir"]
        if not os.path.isdir(workdir):
            inv.stderr = "failed to run commands: workingDirectory %s does not exist" % workdir
            inv.finish("Failed", "Failed", 1)
            return
        if node.get("platform") == "Windows":
            out, err, code = simulate_powershell(script, node)
            await asyncio.sleep(0.05)
            inv.stdout, inv.stderr = out, err
            inv.finish("Success" if code == 0 else "Failed", "Success" if code == 0 else "Failed", code)
            return
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": node["workdir"], "LANG": "C.UTF-8",
               "AWS_SSM_INSTANCE_ID": node["id"], "AWS_SSM_REGION_NAME": self.region}
        proc = await asyncio.create_subprocess_exec("bash", "-c", script, cwd=workdir, env=env, stdin=asyncio.subprocess.DEVNULL,
                                                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                                                    start_new_session=True)
        inv.process = proc
        try:
            # Read as it comes, so that what the script printed before a timeout kill is kept, as
            # the agent keeps it (its writers stop at the kill; executers ExecuteCommand).
            out, err = bytearray(), bytearray()
            finished = asyncio.gather(read_all(proc.stdout, out), read_all(proc.stderr, err), proc.wait())
            try:
                await asyncio.wait_for(asyncio.shield(finished), timeout=execution_timeout)
                timed_out = False
                await asyncio.sleep(max(0.0, inv.started + AGENT_RUN_OVERHEAD - time.time()))
            except asyncio.TimeoutError:
                kill_group(proc)
                await finished
                timed_out = True
            inv.stdout, inv.stderr = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
            # 137 is the agent's own code for a process it stopped (pluginutil GetStatus): a
            # script that exits 137 by itself reads as timed out too, with no failure line.
            if timed_out or (proc.returncode == TIMED_OUT_CODE and not (inv.status == "Cancelling" or self.cancelled)):
                inv.finish("TimedOut", "ExecutionTimedOut", TIMED_OUT_CODE)
            elif inv.status == "Cancelling" or self.cancelled:
                inv.finish("Cancelled", "Cancelled", CANCELLED_CODE)
            elif proc.returncode == 0:
                inv.finish("Success", "Success", 0)
            else:
                # The agent appends its line to what the script wrote, no newline of its own.
                code, line = failure(proc.returncode)
                inv.stderr += line
                inv.finish("Failed", "Failed", code)
        finally:
            inv.process = None

    def cancel(self, instance_ids=None):
        self.cancelled = self.cancelled or not instance_ids
        for inv in self.invocations:
            if instance_ids and inv.node["id"] not in instance_ids:
                continue
            if inv.terminal:
                continue
            if inv.process is not None:
                inv.status = inv.details = "Cancelling"
                kill_group(inv.process)
            elif instance_ids:
                inv.finish("Cancelled", "Cancelled")


def effective_execution_timeout(values):
    """The seconds the agent lets a script run: the parameter if within range, else the default."""
    try:
        seconds = int((values or [""])[0])
    except ValueError:
        return EXECUTION_TIMEOUT_DEFAULT
    low, high = EXECUTION_TIMEOUT_RANGE
    return seconds if low <= seconds <= high else EXECUTION_TIMEOUT_DEFAULT


async def read_all(stream, sink):
    while chunk := await stream.read(65536):
        sink += chunk


def kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def simulate_powershell(script, node):
    """Windows nodes: a handful of PowerShell cmdlets, enough for scripts that print and exit."""
    out, err = [], []
    for raw in script.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words = shlex.split(line, posix=True) if line.count('"') % 2 == 0 else line.split()
        verb = words[0].lower()
        if verb in ("write-output", "write-host", "echo"):
            out.append(" ".join(words[1:]))
        elif verb == "hostname":
            out.append(node.get("computer_name", "WIN"))
        elif verb == "exit":
            code = int(words[1]) if len(words) > 1 and words[1].lstrip("-").isdigit() else 0
            return "\n".join(out) + ("\n" if out else ""), "\n".join(err), code
        else:
            err.append("%s : The term '%s' is not recognized as the name of a cmdlet, function, script file, or operable program." % (words[0], words[0]))
            return "\n".join(out) + ("\n" if out else ""), "\n".join(err) + "\n", 1
    return "\n".join(out) + ("\n" if out else ""), "\n".join(err), 0
