"""The simulated agent's aws:runShellScript and aws:runPowerShellScript plugins: a script run
by the node's sh in the node's working directory, with amazon-ssm-agent 3.3's timeout, kill, exit-code
and output rules (issue 19). Windows nodes are simulated: see ../../README.md."""
import asyncio
import dataclasses
import os
import shlex
import shutil
import signal
import time

STDOUT_CAP = 24000      # what amazon-ssm-agent keeps of stdout and of stderr, marker included
TRUNCATION_MARKER = "--output truncated--"  # the agent's, after the first 23,980 characters (issue 19)
DETAILS_CAP = 2500      # the plugin's Output (ListCommandInvocations CommandPlugins[].Output)
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
# amazon-ssm-agent 3.3 (issue 19): even a script that does nothing ends 20-35 ms after the job
# was taken (the script file, the process, the reply).
AGENT_RUN_OVERHEAD = 0.02
# pluginutil ValidateExecutionTimeout: outside 5..172800 s the default 3600 s, with no error.
EXECUTION_TIMEOUT_RANGE = (5, 172800)
EXECUTION_TIMEOUT_DEFAULT = 3600
# The agent's code for a script it killed at executionTimeout or on cancel (executers
# ExecuteCommand: CommandStoppedPreemptivelyExitCode, 137 for both; seen so with 3.3.1142.0 under
# with-agent); one cancelled before it ran keeps -1.
TIMED_OUT_CODE = 137
CANCELLED_CODE = 137
# framework/runpluginutil (contracts ExitWithSuccess, ExitWithFailure): a step that exits 168 is
# marked succeeded, one that exits 169 failed, each with the agent's sentence added to its output.
EXIT_WITH_SUCCESS = 168
EXIT_WITH_FAILURE = 169
STEP_EXIT_LINE = "\nStep exited with code %d. Therefore, marking step as %s. Further document steps will be skipped."
POWERSHELL_PLUGIN = "aws:runPowerShellScript"
SH_PATH = "/usr/bin/sh"     # where Go's exec.LookPath finds sh on a merged-/usr Linux


@dataclasses.dataclass
class PluginResult:
    status: str
    code: int
    stdout: str
    stderr: str
    started: float
    ended: float

    details: str = None

    def output(self):
        # iohandler GetOutput: from the whole stdout and stderr, before the 24,000 cut (runpluginutil);
        # after exit 168 without stderr (seen with 3.3.1142.0 under with-agent).
        return self.details if self.details is not None else details_output(self.stdout, self.stderr)

    def after_step_rules(self):
        """The result as runpluginutil reports it after its exit-code rules (168, 169)."""
        if self.code == EXIT_WITH_SUCCESS:
            return dataclasses.replace(self, status="Success", stderr="", stdout=self.stdout + STEP_EXIT_LINE % (self.code, "succeeded"),
                                       details=details_output(self.stdout, ""))
        if self.code == EXIT_WITH_FAILURE:
            line = STEP_EXIT_LINE % (self.code, "Failed")
            return dataclasses.replace(self, stdout=self.stdout + line, stderr=self.stderr + line, details=self.output())
        return self


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


def agent_cut(text):
    """amazon-ssm-agent 3.3: from 24,000 characters on, the first 23,980 and its marker, 24,000 in
    all: pluginutil StringPrefix keeps only what is shorter than the cap, so exactly 24,000 is cut."""
    if len(text) < STDOUT_CAP:
        return text
    return text[:STDOUT_CAP - len(TRUNCATION_MARKER)] + TRUNCATION_MARKER


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


def effective_execution_timeout(value):
    """The seconds the agent lets a script run: the parameter if within range, else the default."""
    if isinstance(value, list):
        value = value[0] if value else ""
    try:
        seconds = int(str(value).strip() or "x")
    except ValueError:
        return EXECUTION_TIMEOUT_DEFAULT
    low, high = EXECUTION_TIMEOUT_RANGE
    return seconds if low <= seconds <= high else EXECUTION_TIMEOUT_DEFAULT


def node_shell(node):
    """What `sh` is on the node: plugins/runscript runs `sh -c <script file>`, and /bin/sh is dash
    on Debian and Ubuntu, bash on Amazon Linux, macOS and the rest."""
    name = node.get("platform_name", "")
    if ("Debian" in name or "Ubuntu" in name) and shutil.which("dash"):
        return "dash"
    return "bash"


class ScriptRun:
    """One plugin run: COMMANDS (lines) written to a script file in SCRIPT_DIR and run by the
    node's `sh`, or simulated PowerShell on Windows nodes."""

    def __init__(self, node, region, plugin, commands, working_directory, execution_timeout, command_id, script_dir):
        self.node = node
        self.region = region
        self.plugin = plugin
        self.script = "\n".join(commands)
        # plugins/runscript runCommands: a relative working directory the document did not bring
        # along is the default one, without an error.
        self.working_directory = working_directory if os.path.isabs(working_directory or "") else node["workdir"]
        self.execution_timeout = effective_execution_timeout(execution_timeout)
        self.command_id = command_id
        self.script_dir = script_dir
        self.process = None
        self.cancelled = False
        # Output sinks (open(), write(stream, bytes), close()): each gets the whole stdout and stderr
        # as they are written, as the agent's iohandler writers do (agent/output_cloudwatch.py).
        self.sinks = []

    def tell_sinks(self, stream, data):
        for sink in self.sinks:
            sink.write(stream, data)

    def cancel(self):
        """The cancel job: a running script's process group is killed."""
        self.cancelled = True
        if self.process is not None:
            kill_group(self.process)

    async def run(self):
        started = time.time()
        if self.cancelled:
            return PluginResult("Cancelled", -1, "", "", started, time.time())
        if not os.path.isdir(self.working_directory):
            # What Go's exec says when the directory is missing (seen with 3.3.1142.0 under with-agent).
            line = FAILURE_LINE % ("fork/exec %s: no such file or directory" % SH_PATH)
            self.tell_sinks("stderr", line.encode())
            return PluginResult("Failed", 1, "", line, started, time.time())
        if self.plugin == POWERSHELL_PLUGIN or self.node.get("platform") == "Windows":
            out, err, code = simulate_powershell(self.script, self.node)
            self.tell_sinks("stdout", out.encode())
            self.tell_sinks("stderr", err.encode())
            await asyncio.sleep(0.05)
            return PluginResult("Success" if code == 0 else "Failed", code, out, err, started, time.time())
        return await self._shell(started)

    async def _shell(self, started):
        # pluginutil CreateScriptFile: the lines joined, a newline at the end, executable.
        os.makedirs(self.script_dir, exist_ok=True)
        path = os.path.join(self.script_dir, "_script.sh")
        with open(path, "w") as f:
            f.write(self.script + "\n")
        os.chmod(path, 0o750)
        # runscript (setCommandIdEnvironment) and executers prepareEnvironment add these.
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.node["workdir"], "LANG": "C.UTF-8",
               "AWS_SSM_INSTANCE_ID": self.node["id"], "AWS_SSM_REGION_NAME": self.region, "SSM_COMMAND_ID": self.command_id,
               "AWS_SSM_PLATFORM_NAME": self.node.get("platform_name", ""), "AWS_SSM_PLATFORM_VERSION": self.node.get("platform_version", "")}
        proc = await asyncio.create_subprocess_exec(node_shell(self.node), "-c", path, cwd=self.working_directory, env=env,
                                                    stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                                                    stderr=asyncio.subprocess.PIPE, start_new_session=True)
        self.process = proc
        try:
            # Read as it comes, so that what the script printed before a timeout kill is kept, as
            # the agent keeps it (its writers stop at the kill; executers ExecuteCommand).
            out, err = bytearray(), bytearray()
            finished = asyncio.gather(read_all(proc.stdout, out, lambda d: self.tell_sinks("stdout", d)),
                                      read_all(proc.stderr, err, lambda d: self.tell_sinks("stderr", d)), proc.wait())
            try:
                await asyncio.wait_for(asyncio.shield(finished), timeout=self.execution_timeout)
                timed_out = False
                await asyncio.sleep(max(0.0, started + AGENT_RUN_OVERHEAD - time.time()))
            except asyncio.TimeoutError:
                kill_group(proc)
                await finished
                timed_out = True
        finally:
            self.process = None
        stdout, stderr = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
        # 137 is the agent's own code for a process it stopped (pluginutil GetStatus): a script
        # that exits 137 by itself reads as timed out too, with no failure line.
        if timed_out or (proc.returncode == TIMED_OUT_CODE and not self.cancelled):
            return PluginResult("TimedOut", TIMED_OUT_CODE, stdout, stderr, started, time.time())
        if self.cancelled:
            return PluginResult("Cancelled", CANCELLED_CODE, stdout, stderr, started, time.time())
        if proc.returncode == 0:
            return PluginResult("Success", 0, stdout, stderr, started, time.time())
        # The agent appends its line to what the script wrote, no newline of its own.
        code, line = failure(proc.returncode)
        self.tell_sinks("stderr", line.encode())
        return PluginResult("Failed", code, stdout, stderr + line, started, time.time())


# Bytes kept of each stream: enough for STDOUT_CAP characters of up to 4 bytes (and one more, so a
# longer output is still seen to be longer). The agent writes the rest to files it never loads.
KEPT_BYTES = 4 * STDOUT_CAP + 4


async def read_all(stream, sink, tell=None):
    """Reads the stream to its end (the script must not block on a full pipe), keeping its start;
    TELL gets every chunk, whole."""
    while chunk := await stream.read(65536):
        if tell is not None:
            tell(chunk)
        if len(sink) < KEPT_BYTES:
            sink += chunk[:KEPT_BYTES - len(sink)]


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
