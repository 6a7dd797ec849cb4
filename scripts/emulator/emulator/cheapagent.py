"""The cheap simulated agent, for fleets of thousands (issue 14's scale benchmark): a node marked
`"agent": "cheap"` has no process, no control channel and no WebSocket. Run Command's service side
(jobdelivery.py) hands its invocations here, and the result is computed: after the node's delay
the invocation is InProgress, the script's lines are read (not run) and the invocation ends with
what they would print. It follows the real agent's output rules (agent/runcommand_script.py:
the failure line, the 24,000 and 2,500 cuts) but none of its protocol; sessions to such a node
are refused (no control channel: TargetNotConnected).

Understood lines: `echo WORDS` (with $AWS_SSM_INSTANCE_ID, $AWS_SSM_REGION_NAME and
$HOSTNAME expanded), `hostname`, `sleep SECONDS`, `true`, `false`, `exit N`, blank lines and
`#` comments; any other command is "sh: 1: NAME: not found" and status 127, as dash says it."""
import asyncio
import shlex
import time

from .agent.runcommand_script import (CANCELLED_CODE, TIMED_OUT_CODE, agent_cut, details_output, effective_execution_timeout,
                                      failure)

# What the simulated agent takes before a job is InProgress (agent/runcommand.py AGENT_ACK_DELAY).
DEFAULT_DELAY = 0.001


class CheapResult:
    """What a script's lines come to: stdout, stderr, exit code and the seconds it sleeps."""

    def __init__(self, node, region, commands):
        self.stdout, self.stderr, self.code, self.seconds = "", "", 0, 0.0
        variables = {"AWS_SSM_INSTANCE_ID": node["id"], "AWS_SSM_REGION_NAME": region,
                     "HOSTNAME": node.get("computer_name", node["id"]).split(".")[0]}
        for line in commands:
            if not self._line(line.strip(), variables):
                break

    def _line(self, line, variables):
        """Reads one line; False once the script has ended (exit, or a command not found is not fatal)."""
        if not line or line.startswith("#"):
            return True
        try:
            words = shlex.split(line)
        except ValueError:
            self.stderr += "sh: 1: Syntax error: Unterminated quoted string\n"
            self.code = 2
            return False
        for name, value in variables.items():
            words = [w.replace("$" + name, value).replace("${%s}" % name, value) for w in words]
        command, args = words[0], words[1:]
        if command == "echo":
            self.stdout += " ".join(args) + "\n"
            self.code = 0
        elif command == "hostname":
            self.stdout += variables["HOSTNAME"] + "\n"
            self.code = 0
        elif command == "sleep":
            try:
                self.seconds += float(args[0]) if args else 0.0
                self.code = 0
            except ValueError:
                self.stderr += "sleep: invalid time interval '%s'\n" % args[0]
                self.code = 1
        elif command in ("true", ":"):
            self.code = 0
        elif command == "false":
            self.code = 1
        elif command == "exit":
            self.code = int(args[0]) if args and args[0].isdigit() else self.code
            return False
        else:
            self.stderr += "sh: 1: %s: not found\n" % command
            self.code = 127
        return True


class CheapAgent:
    """Runs invocations for cheap nodes, with the faults' agent_delay and each node's delivery_delay."""

    def __init__(self, state):
        self.state = state

    @staticmethod
    def serves(node):
        return node.get("agent") == "cheap"

    async def run(self, inv):
        """Carries INV (runcommand.Invocation) to its end: delivery timeout for an offline node,
        Cancelled on cancel, the execution timeout, else the computed result."""
        command, node = inv.command, inv.node
        deadline = command.requested + command.timeout
        while node.get("ping_status") != "Online":
            if command.cancelled or inv.terminal:
                inv.finish("Cancelled", "Cancelled")
                return
            if time.time() >= deadline:
                inv.finish("TimedOut", "DeliveryTimedOut")
                return
            await _wait(inv, min(1.0, deadline - time.time()))
        delay = float(node.get("delivery_delay") or self.state.faults.agent_delay or DEFAULT_DELAY)
        if await _wait(inv, delay):
            return   # cancelled before it was taken (runcommand.Command.cancel finished it)
        inv.job_sent = True
        inv.status = inv.details = "InProgress"
        inv.started = time.time()
        params = command.parameters
        commands = params.get("commands") or []
        result = CheapResult(node, command.region, commands if isinstance(commands, list) else [commands])
        timeout = effective_execution_timeout(params.get("executionTimeout", ""))
        if await _wait(inv, min(result.seconds, timeout)):
            return
        if result.seconds > timeout:
            self._finish(inv, "TimedOut", "ExecutionTimedOut", TIMED_OUT_CODE, result.stdout, result.stderr)
        elif result.code == 0:
            self._finish(inv, "Success", "Success", 0, result.stdout, result.stderr)
        else:
            code, line = failure(result.code)
            self._finish(inv, "Failed", "Failed", code, result.stdout, result.stderr + line)

    @staticmethod
    def cancel(inv):
        """The agent's cancel: a running invocation is killed at once."""
        if not inv.terminal:
            inv.response_code = CANCELLED_CODE
            inv.finish("Cancelled", "Cancelled")

    @staticmethod
    def _finish(inv, status, details, code, stdout, stderr):
        inv.output = details_output(stdout, stderr)
        inv.stdout, inv.stderr = agent_cut(stdout), agent_cut(stderr)
        inv.finish(status, details, code)


async def _wait(inv, seconds):
    """Waits SECONDS or until INV ends; True when it ended."""
    try:
        await asyncio.wait_for(inv.done.wait(), seconds)
        return True
    except asyncio.TimeoutError:
        return inv.terminal
