"""Run Command output from CloudWatch Logs through the built ssm-shell on a pty (issue 13): `run
--follow` prints each node's lines while the command runs (the script waits on a gate file the
test creates only once it has seen the first lines, so they cannot have come from the end), and
`output` reads the whole streams where GetCommandInvocation cut them; the policy `policy` prints
for a follow script is exactly enough."""
import json
import os
import subprocess
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


def test_the_policy_printed_for_a_follow_script_is_exactly_enough(emulator):
    # `run --follow true` prints nothing to CloudWatch, so its output comes from GetCommandInvocation.
    script = os.path.join(tempfile.mkdtemp(), "follow.ssm")
    open(script, "w").write("use web-1\nrun --follow echo hi\nrun --follow true\n")
    env = shell_env(emulator, "admin")
    printed = subprocess.run([BINARY, "policy", script], env=env, capture_output=True, text=True, timeout=30)
    assert printed.returncode == 0, printed.stderr
    policy = json.loads(printed.stdout)
    actions = policy["Statement"][0]["Action"]
    assert {"logs:GetLogEvents", "ssm:ListCommandInvocations", "ssm:GetCommandInvocation", "ssm:SendCommand"} <= set(actions)

    def run_with(actions, name):
        keys = emulator.control("identities", {"name": name, "policy": dict(policy, Statement=[dict(policy["Statement"][0], Action=actions)])})
        env = shell_env(emulator, "admin", AWS_ACCESS_KEY_ID=keys["access_key_id"], AWS_SECRET_ACCESS_KEY=keys["secret_access_key"])
        return subprocess.run([BINARY, script], env=env, capture_output=True, text=True, timeout=120)

    ok = run_with(actions, "follow-exact")
    assert ok.returncode == 0 and "web-1  hi\n" in ok.stdout, ok.stderr
    for action in actions:
        failed = run_with([a for a in actions if a != action], "follow-without-" + action.replace(":", "-"))
        if action == "logs:GetLogEvents":
            # Not followed as it runs, said once; the output comes when the command ends.
            assert failed.returncode == 0 and "== web-1 · Success, exit 0\nhi\n" in failed.stdout, failed.stdout + failed.stderr
            assert failed.stderr.count("logs:GetLogEvents was refused") == 2, failed.stderr
            continue
        assert failed.returncode != 0, "the follow script still ran without %s" % action
        assert action in failed.stderr, failed.stderr


def test_output_follow_from_another_shell_follows_a_command_by_its_id(emulator):
    # The second shell has no record of the command: it learns the nodes from the listing.
    gate = os.path.join(tempfile.mkdtemp(prefix="follow-gate-"), "open")
    script = "use web-1\nrun --cloudwatch <<'EOF'\necho early\nn=0\nuntil [ -e %s ] || [ $n -ge 600 ]; do sleep 0.1; n=$((n + 1)); done\necho late\nEOF\n" % gate
    env = shell_env(emulator, "admin", NO_COLOR="1")
    sent = subprocess.run([BINARY, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert sent.returncode == 0, sent.stderr
    command_id = sent.stdout.split()[0]
    child = pexpect.spawn(BINARY, ["-c", "output %s --follow\necho status=$status\n" % command_id], env=env, encoding="utf-8", timeout=60,
                          dimensions=(40, 200))
    try:
        child.expect(r"i-0a1b2c3d4e5f60001  early\r\n")
        assert not os.path.exists(gate)
        open(gate, "w").close()
        child.expect(r"i-0a1b2c3d4e5f60001  late\r\n")
        child.expect(r"status=(\d+)\r\n")
        assert child.match.group(1) == "0", child.before
        assert "early" not in child.before, "no line twice"
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
