"""Non-interactive command sessions (AWS-StartNonInteractiveCommand): the command split into words
and executed without a shell, as the agent does (agent/session/shell/shell_unix.go); its stdout as
Output, stderr as StdErr when separateOutputStream is true, separator prefixes, then the exit code."""
import asyncio
import os
import shutil
import signal

from .. import clientmessage as cm
from .command_words import split_command
from .run_as import RunAs, RunAsFailure
from .utf8 import Utf8Chunker

ERROR_EXIT_CODE = 1          # appconfig.ErrorExitCode
START_FAILURE_DELAY = 2.0    # shell.go execute: time.Sleep(2s) after the command executor fails
ERROR_MESSAGE_DELAY = 1.0    # shell.go sendErrorToDataChannel: time.Sleep(1s) before the StdErr message
# appconfig.ByteControlSignalsLinux: any of these bytes in the client's input signals the process.
CONTROL_SIGNALS = {0x03: signal.SIGINT, 0x1c: signal.SIGQUIT}


def exec_error(name, path):
    """Go's exec.Cmd.Start error text: a bare name is looked up in PATH; a path is executed as it is."""
    if "/" not in name:
        return 'exec: "%s": executable file not found in $PATH' % name
    reason = "permission denied" if os.path.exists(path) else "no such file or directory"
    return "fork/exec %s: %s" % (name, reason)


class CommandHandler:
    """NonInteractiveCommands: stdout (1), stderr (11 when separateOutputStream), then ExitCode (12)."""
    mode = "command"

    def __init__(self, session):
        self.session = session
        self.process = None
        self.started = False
        self.run_as = None

    async def start(self):
        self.started = True
        node = self.session.node
        params = self.session.parameters
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": node["workdir"], "LANG": "C.UTF-8", "AWS_SSM_INSTANCE_ID": node["id"]}
        separate = str(params.get("separateOutputStream", "false")).lower() == "true"
        command = params.get("command", "")
        try:
            run_as = self._run_as()
        except RunAsFailure as e:
            await asyncio.sleep(START_FAILURE_DELAY)
            await self._refuse("Unable to start command: %s\n" % e)
            return
        popen_args = {"cwd": node["workdir"]}
        run_as.apply(env, popen_args)
        try:
            # A blank command runs `sh` itself; anything else is split and executed, never through sh.
            argv = split_command(command) if command.strip() else ["sh"]
        except ValueError as e:
            await asyncio.sleep(START_FAILURE_DELAY)
            await self._refuse("Unable to start command: Failed to parse commands input: %s\n\n" % e)
            return
        if not argv:
            self.session.end("")   # only a comment: the agent's session worker fails on the empty word list
            return
        path = argv[0] if "/" in argv[0] else shutil.which(argv[0], path=env["PATH"])
        try:
            if path is None:
                raise FileNotFoundError(argv[0])
            # No stdin: the agent leaves it unassigned (shell_unix.go), so input is never the command's.
            self.process = await asyncio.create_subprocess_exec(path, *argv[1:], env=env, stdin=asyncio.subprocess.DEVNULL,
                                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                                                                start_new_session=True, **popen_args)
            self.run_as = run_as
        except OSError:
            # shell.go processCommandsWithExec: the exit code first, the plugin failed with "Error
            # occurred starting the command", then the bare error as StdErr, and Terminating.
            error = exec_error(argv[0], path or argv[0])
            self.session.send_output(b"EXIT_CODE: %d" % ERROR_EXIT_CODE, cm.EXIT_CODE)
            await asyncio.sleep(ERROR_MESSAGE_DELAY)
            self.session.send_output(error.encode(), cm.STDERR)
            self.session.end("Error occurred starting the command: %s\n" % error, terminating=True)
            return
        await asyncio.gather(self._pump(self.process.stdout, cm.OUTPUT, params.get("stdOutSeparatorPrefix", "")),
                             self._pump(self.process.stderr, cm.STDERR if separate else cm.OUTPUT, params.get("stdErrSeparatorPrefix", "")))
        code = await self.process.wait()
        self.session.send_output(b"EXIT_CODE: %d" % code, cm.EXIT_CODE)
        self.session.end("")

    def _run_as(self):
        faults = self.session.state.faults
        return RunAs.decide(self.session.node, faults.run_as_enabled, faults.run_as_default_user, self.session.state.host_users)

    async def _refuse(self, message):
        """shell.go execute: the command executor failed; the error goes to the client as StdErr
        (sendErrorToDataChannel, a second later), and the plugin fails with it."""
        await asyncio.sleep(ERROR_MESSAGE_DELAY)
        self.session.send_output(message.encode(), cm.STDERR)
        self.session.end(message)

    async def _pump(self, stream, payload_type, prefix):
        chunker = Utf8Chunker()
        at_line_start = True
        while True:
            data = await stream.read(self.session.chunk)
            if not data:
                return
            out = chunker.feed(data)
            if prefix and out and at_line_start:
                out = prefix.encode() + out
            if out:
                at_line_start = out.endswith(b"\n")
                self.session.send_output(out, payload_type)
                await self.session.paced()

    async def on_input(self, payload_type, payload):
        if not self.started:
            return False  # the command is not started yet: "not ready", no ack, the client resends (spec 5.4)
        if payload_type != cm.OUTPUT or self.process is None or self.process.returncode is not None:
            return True
        # shell_unix.go InputStreamMessageHandler: the first control byte in the payload signals the
        # process (not its group); every other byte is dropped.
        for byte in payload:
            if byte in CONTROL_SIGNALS:
                self.process.send_signal(CONTROL_SIGNALS[byte])
                break
        return True

    async def stop(self):
        if self.process is not None and self.process.returncode is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
