"""Which agent the agent suite (test_agent_suite.py, issue 12 item 3) runs against, and what it
expects of each: the real amazon-ssm-agent behind the emulator's gateway when SSM_EMULATOR_READY
names a ready file of scripts/real-agent/with-agent (it has "real_nodes" and "ca_bundle"), else the
emulator's own simulated agents. Where the two legitimately differ, EXPECTED says so, in one place."""
import json
import os

import pexpect

from test_shell import BINARY, shell_env

SIMULATED, REAL = "simulated", "real"

# The simulated fleet's Linux nodes (scripts/emulator/fleets/demo.json): web-1, web-2, web-3, db-1.
SIMULATED_NODES = ["i-0a1b2c3d4e5f60001", "i-0a1b2c3d4e5f60002", "i-0a1b2c3d4e5f60003", "i-0a1b2c3d4e5f60004"]
LEGACY_NODE = "i-0a1b2c3d4e5f60006"   # legacy-1: agent 2.3.722.0, before multiplexing
# The bucket Run Command output goes to in the suite: with-agent makes it and maps its virtual host
# for the real nodes (scripts/real-agent/realagent/agent_config.py OUTPUT_BUCKET, the same name).
OUTPUT_BUCKET = "ssm-agent-output"

EXPECTED = {
    SIMULATED: {
        # legacy-1's agent (2.3.722.0) predates smux, so its forwards are basic (spec 7.2).
        "basic_forward_node": LEGACY_NODE,
        "basic_forward_mode": "basic",
        # The client is what is measured: the emulator's pace (issue 18 item 4) is switched off.
        "unpaced": True,
        "forward_seconds": 300,
        # The simulated agent closes the whole connection at the client's FIN, as the real one does
        # (issue 18; sessions/port.py), so an answer after a half-close never comes.
        "fin_half_closes": False,
        # A node slow to start its shell (the agent_start_delay fault): the real agent is slow by
        # itself, as it opens its data channel only when StartSession hands it the session (issue 18 item 2).
        "slow_start_faults": {"agent_start_delay": 1.5},
        # With run-as off the emulator models ssm-user (the session's run_as fact) but runs the shell
        # as its own user (scripts/emulator/README.md, "Whom sessions run as"); None: that user.
        "shell_user": None,
    },
    REAL: {
        # amazon-ssm-agent 3.3 multiplexes every LocalPortForwarding session of a client from 1.1.70
        # on (agent/session/plugins/port/port.go GetSession); no real 3.3 node gives basic mode to
        # `forward`, so the same test checks that a one-at-a-time use of it still works in mux mode.
        "basic_forward_node": None,
        "basic_forward_mode": "mux",
        # The agent sleeps 1 ms after each 1 KiB it sends (port_mux.go transferDataToMgs): about
        # 0.6 MiB/s towards the client, so 64 MiB down takes nearly two minutes.
        "unpaced": False,
        "forward_seconds": 900,
        # The real agent closes the whole connection at the client's FIN (port_mux.go handleDataTransfer:
        # dst.Close() once the stream's copy ends), so an answer after a half-close never comes.
        "fin_half_closes": False,
        "slow_start_faults": {},
        # With run-as off the agent, running as root, creates ssm-user and runs the shell as it
        # (agent/session/utility/utility_unix.go CreateLocalAdminUser, agent/session/shell/shell_unix.go).
        "shell_user": "ssm-user",
    },
}


def with_agent_ready_file():
    """The with-agent ready file's content, None when the suite is not under with-agent, or a
    sentence saying why SSM_EMULATOR_READY cannot be used."""
    path = os.environ.get("SSM_EMULATOR_READY")
    if not path:
        return None
    try:
        with open(path) as f:
            ready = json.load(f)
    except (OSError, ValueError) as error:
        return "SSM_EMULATOR_READY=%s cannot be read (%s)" % (path, error)
    if not ready.get("real_nodes"):
        return "SSM_EMULATOR_READY=%s names no \"real_nodes\": it is not a ready file of scripts/real-agent/with-agent" % path
    return ready


def summary_line():
    """The one line the suite prints after its run: which agent it ran against, or why the real
    agent was asked for and not run; None for a plain run on the simulated agents."""
    ready = with_agent_ready_file()
    if isinstance(ready, dict):
        return "agent suite: ran against the real amazon-ssm-agent %s on %s" % (ready.get("agent_version", "(version not in the ready file)"),
                                                                               ", ".join(ready["real_nodes"]))
    return skip_note()


def skip_note():
    """The one line the suite prints when the real agent was asked for and not run, else None."""
    ready = with_agent_ready_file()
    hint = "run it there with: scripts/real-agent/with-agent --agent-bin %s -- python3 -m pytest -q Tests/EndToEnd/test_agent_suite.py"
    if isinstance(ready, str):
        return "agent suite SKIPPED: %s; %s" % (ready, hint % os.environ.get("SSM_AGENT_BIN", "BIN_DIR"))
    if ready is None and os.environ.get("SSM_AGENT_BIN"):
        return ("agent suite: real-agent run SKIPPED (ran on the simulated agents only): SSM_AGENT_BIN is set but the suite is not "
                "under with-agent; " + hint % os.environ["SSM_AGENT_BIN"])
    return None


class AgentTarget:
    """The emulator the suite talks to, the nodes it uses and what it expects of their agent."""

    def __init__(self, kind, emulator, nodes):
        self.kind = kind
        self.emulator = emulator
        self.nodes = nodes
        self.expect = EXPECTED[kind]

    def node(self, index=0):
        """A Linux node; with fewer real nodes than the simulated four, tests share them."""
        return self.nodes[index % len(self.nodes)]

    def env(self, identity="admin", **extra):
        ca_bundle = self.emulator.ready.get("ca_bundle")
        if ca_bundle and self.emulator.endpoint.startswith("https"):
            extra.setdefault("AWS_CA_BUNDLE", ca_bundle)
        return shell_env(self.emulator, identity, **extra)

    def spawn(self, command, identity="admin", timeout=30, dimensions=(24, 80), **extra):
        """ssm-shell -c COMMAND on a real pty."""
        return pexpect.spawn(BINARY, ["-c", command], env=self.env(identity, **extra), encoding="utf-8", timeout=timeout,
                             dimensions=dimensions)

    def unpace(self):
        """Switches the simulated agent's pace off where the client is measured (the switch exists
        once issue 18 item 4 landed: the `unpaced` fault); the real agent keeps its own pace."""
        if self.expect["unpaced"] and "unpaced" in self.emulator.control("state")["faults"]:
            self.emulator.faults(unpaced=True)
