"""Run Command output from CloudWatch Logs through the built ssm-shell on a pty (issue 13): `run
--follow` prints each node's lines while the command runs (the script waits on a gate file the
test creates only once it has seen the first lines, so they cannot have come from the end), and
`output` reads the whole streams where GetCommandInvocation cut them."""
import os
import tempfile

import pexpect
from test_shell import BINARY, shell_env

FOLLOW = """use web-1 web-2
run --follow <<'EOF'
echo first
echo warning >&2
n=0
until [ -e {gate} ] || [ $n -ge 600 ]; do sleep 0.1; n=$((n + 1)); done
echo second
EOF
echo status=$status
"""


def test_run_follow_prints_lines_before_the_command_ends_and_each_once(emulator):
    gate = os.path.join(tempfile.mkdtemp(prefix="follow-gate-"), "open")
    child = pexpect.spawn(BINARY, ["-c", FOLLOW.format(gate=gate)], env=shell_env(emulator, "admin", NO_COLOR="1"), encoding="utf-8", timeout=60,
                          dimensions=(40, 200))
    transcript = ""
    try:
        seen = set()
        while len(seen) < 4:  # each node's first line and warning, while both scripts wait on the gate
            child.expect(r"(web-[12])  (first|warning)\r\n")
            transcript += child.before + child.after
            seen.add(child.match.groups())
        assert not os.path.exists(gate), "the gate opens only after the first lines were seen"
        open(gate, "w").close()
        child.expect(r"status=(\d+)\r\n")
        transcript += child.before + child.after
        child.expect(pexpect.EOF)
        transcript += child.before
    finally:
        child.close(force=True)
    for node in ("web-1", "web-2"):
        for line in ("first", "warning", "second"):
            assert transcript.count("%s  %s\r\n" % (node, line)) == 1, "%s %s once in:\n%s" % (node, line, transcript)
    tail = transcript.rsplit("second\r\n", 1)[1]
    rows = [line.split() for line in tail.split("\r\n")]
    assert [row[:3] for row in rows if row and row[0].startswith("web-")] == [["web-1", "(i-0a1b2c3d4e5f60001)", "Success"],
                                                                             ["web-2", "(i-0a1b2c3d4e5f60002)", "Success"]], tail
    assert "status=0" in tail


def test_output_reads_the_whole_stdout_from_cloudwatch_past_the_24000_cut(emulator):
    script = "use web-1\nrun --cloudwatch --wait seq 1 6000\necho ---\noutput\n"
    text, status = pexpect.run(BINARY, args=["-c", script], env=shell_env(emulator, "admin", NO_COLOR="1"), encoding="utf-8", timeout=60,
                               withexitstatus=True)
    assert status == 0, text
    whole = text.split("---\r\n", 1)[1]
    numbers = [line for line in whole.split("\r\n") if line.isdigit()]
    assert numbers == [str(n) for n in range(1, 6001)], "every line of the 28,893 characters, in order"
    assert "(stdout cut" not in whole and "--output truncated--" not in whole
