"""Shell sessions (Standard_Stream, SSM-SessionManagerRunShell) and interactive commands
(AWS-StartInteractiveCommand): `sh` on a real pty, 80x24 until a Size message. An interactive
command runs in bash started as `sh` where the node's /bin/sh is bash (Amazon Linux)."""
import asyncio
import fcntl
import json
import os
import pty
import shutil
import signal
import struct
import termios

from .. import clientmessage as cm
from ..agent.runcommand_script import node_shell
from .run_as import RunAs, RunAsFailure
from .utf8 import Utf8Chunker

START_FAILURE_DELAY = 2.0    # shell.go execute: time.Sleep(2s) after the command executor fails


class PtyHandler:
    """A shell (Standard_Stream) or an interactive command on a real pty, as the agent runs it."""
    mode = "pty"

    def __init__(self, session):
        self.session = session
        self.process = None
        self.master = None
        self.run_as = None

    async def start(self):
        node = self.session.node
        try:
            run_as = self._run_as()
        except RunAsFailure as e:
            # The plugin fails; its output is what the session's end says (ChannelClosed).
            await asyncio.sleep(START_FAILURE_DELAY)
            self.session.end("Unable to start command: %s\n" % e)
            return
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        command = ["sh"]
        program = None
        if self.session.session_type == "InteractiveCommands":
            command = ["sh", "-c", self.session.parameters.get("command", "sh")]
            # shell_unix.go runs the command with `sh -c`, and /bin/sh is bash on Amazon Linux and
            # RHEL (dash on Debian and Ubuntu): the same choice as Run Command's (node_shell). bash
            # started as `sh` is in POSIX mode, as it is there; it reads a tty 4 KiB at a time.
            if node_shell(node) == "bash":
                program = shutil.which("bash")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": node["workdir"], "TERM": "xterm-256color",
               "LANG": "C.UTF-8", "PS1": "sh-%s$ " % node["tags"].get("Name", node["id"]), "AWS_SSM_INSTANCE_ID": node["id"]}

        def child_setup():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGQUIT, signal.SIG_DFL)

        popen_args = {"cwd": node["workdir"]}
        run_as.apply(env, popen_args)
        if program:
            popen_args["executable"] = program
        self.process = await asyncio.create_subprocess_exec(*command, stdin=slave, stdout=slave, stderr=slave, env=env,
                                                            preexec_fn=child_setup, **popen_args)
        self.run_as = run_as
        os.close(slave)
        self.master = master
        os.set_blocking(master, False)
        asyncio.get_running_loop().create_task(self._pump())

    def _run_as(self):
        faults = self.session.state.faults
        return RunAs.decide(self.session.node, faults.run_as_enabled, faults.run_as_default_user, self.session.state.host_users)

    async def _pump(self):
        loop = asyncio.get_running_loop()
        chunker = Utf8Chunker()
        readable = asyncio.Event()
        loop.add_reader(self.master, readable.set)
        try:
            while True:
                await readable.wait()
                readable.clear()
                while True:
                    try:
                        data = os.read(self.master, self.session.chunk)
                    except BlockingIOError:
                        break
                    except OSError:
                        data = b""
                    if not data:
                        raise EOFError
                    out = chunker.feed(data)
                    if out:
                        self.session.send_output(out)
                        await self.session.paced()
        except EOFError:
            pass
        finally:
            loop.remove_reader(self.master)
        if self.process is not None:
            await self.process.wait()
        self.session.end("")

    async def on_input(self, payload_type, payload):
        if self.master is None:
            return False  # the pty is not started yet: not ready, no ack; the client resends (spec 5.4)
        if payload_type == cm.OUTPUT:
            view = memoryview(payload)
            while view:
                try:
                    n = os.write(self.master, view)
                    view = view[n:]
                except BlockingIOError:
                    await self._writable()
                except OSError:
                    return True
        elif payload_type == cm.SIZE:
            try:
                size = json.loads(payload)
                fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", int(size["rows"]), int(size["cols"]), 0, 0))
                if self.process is not None:
                    os.killpg(os.getpgid(self.process.pid), signal.SIGWINCH)
            except (ValueError, KeyError, OSError, ProcessLookupError):
                pass
        return True

    async def _writable(self):
        """Waits until the pty takes input again, as the agent's blocking write to it does
        (shell_unix.go InputStreamMessageHandler: p.stdin.Write): it wakes as soon as the node's
        program has read. A poll every 5 ms left the pty idle for most of each wait."""
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        loop.add_writer(self.master, lambda: ready.done() or ready.set_result(None))
        try:
            await ready
        finally:
            loop.remove_writer(self.master)

    async def stop(self):
        if self.process is not None and self.process.returncode is None:
            try:
                os.killpg(self.process.pid, signal.SIGHUP)
            except ProcessLookupError:
                pass
