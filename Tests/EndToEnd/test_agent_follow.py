"""`run --follow` against the agent suite's target (agent_target.py): the emulator's simulated agent,
or under scripts/real-agent/with-agent the real amazon-ssm-agent writing to the emulator's CloudWatch
Logs. The script waits on a gate file (/tmp is shared with the real nodes) that the test creates only
after the first lines were printed, so they came while the command ran."""
import os
import tempfile

import pexpect

SCRIPT = """use {node}
run --follow <<'EOF'
echo first
echo warning >&2
n=0
until [ -e {gate} ] || [ $n -ge 600 ]; do sleep 0.1; n=$((n + 1)); done
echo second
printf 'no newline at the end'
EOF
echo status=$status
"""


def test_run_follow_streams_the_agents_output_while_it_runs(agent):
    from test_agent_suite import shown
    node = agent.node()
    name = shown(agent, node)   # lines are prefixed by the name the shell shows (issue 14)
    gate = os.path.join(tempfile.mkdtemp(prefix="follow-gate-"), "open")
    child = agent.spawn(SCRIPT.format(node=node, gate=gate), timeout=90, dimensions=(40, 200), NO_COLOR="1")
    transcript = ""
    try:
        seen = set()
        while len(seen) < 2:
            child.expect(r"%s  (first|warning)\r\n" % name)
            transcript += child.before + child.after
            seen.add(child.match.group(1))
        assert not os.path.exists(gate), "the gate opens only after the first lines were seen"
        open(gate, "w").close()
        child.expect(r"status=(\d+)\r\n")
        transcript += child.before + child.after
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    for line in ("first", "warning", "second", "no newline at the end"):
        assert transcript.count("%s  %s\r\n" % (name, line)) == 1, "%r once in:\n%s" % (line, transcript)
    assert "status=0\r\n" in transcript, transcript
