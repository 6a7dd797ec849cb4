"""Non-interactive command sessions (AWS-StartNonInteractiveCommand): the command's stdout as
Output, stderr as StdErr when separateOutputStream is true, separator prefixes, then the exit code."""
import asyncio
import os
import signal

from .. import clientmessage as cm
from .utf8 import Utf8Chunker


class CommandHandler:
    """NonInteractiveCommands: stdout (1), stderr (11 when separateOutputStream), then ExitCode (12)."""
    mode = "command"

    def __init__(self, session):
        self.session = session
        self.process = None

    async def start(self):
        node = self.session.node
        params = self.session.parameters
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": node["workdir"], "LANG": "C.UTF-8", "AWS_SSM_INSTANCE_ID": node["id"]}
        separate = str(params.get("separateOutputStream", "false")).lower() == "true"
        self.process = await asyncio.create_subprocess_exec("sh", "-c", params.get("command", "true"), cwd=node["workdir"], env=env,
                                                            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                                                            stderr=asyncio.subprocess.PIPE, start_new_session=True)
        await asyncio.gather(self._pump(self.process.stdout, cm.OUTPUT, params.get("stdOutSeparatorPrefix", "")),
                             self._pump(self.process.stderr, cm.STDERR if separate else cm.OUTPUT, params.get("stdErrSeparatorPrefix", "")))
        code = await self.process.wait()
        self.session.send_output(b"EXIT_CODE: %d" % code, cm.EXIT_CODE)
        self.session.end("")

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
        if self.process is None:
            return False  # the command is not started yet: "not ready", no ack, the client resends (spec 5.4)
        if payload_type != cm.OUTPUT:
            return True
        if payload == b"\x03":
            self.process.send_signal(signal.SIGINT)
        elif payload == b"\x1c":
            self.process.send_signal(signal.SIGQUIT)
        elif self.process.stdin is not None:
            self.process.stdin.write(payload)
        return True

    async def stop(self):
        if self.process is not None and self.process.returncode is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
