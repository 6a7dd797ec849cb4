"""The shell (issue 4) end to end: the built binary runs the examples and the Run Command
workflow against the emulator, non-interactively and at a prompt driven through a real pty."""
import json
import math
import os
import re
import subprocess
import tempfile
import time

import pexpect
import pytest

from conftest import ROOT, start_emulator

BINARY = os.path.join(ROOT, ".build", "debug", "ssm-shell")
EXAMPLES = os.path.join(ROOT, "examples")


def shell_env(emulator, identity="advanced", **extra):
    home = tempfile.mkdtemp(prefix="ssm-shell-home-")
    return emulator.env(identity, AWS_ENDPOINT_URL=emulator.endpoint, HOME=home, XDG_STATE_HOME=home + "/state",
                        PATH=os.path.dirname(BINARY) + ":" + os.environ["PATH"], **extra)


def ssm_shell(*args, env, stdin=None, cwd=None, timeout=120):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, env=env, input=stdin, cwd=cwd, timeout=timeout)


@pytest.mark.parametrize("example", ["tour", "disk-report", "rolling-restart", "config-check"])
def test_every_example_runs(emulator, example):
    cwd = tempfile.mkdtemp()
    args = ["/etc/os-release"] if example == "config-check" else []
    result = ssm_shell(os.path.join(EXAMPLES, example + ".ssm"), *args, env=shell_env(emulator), cwd=cwd)
    assert result.returncode == 0, result.stdout + result.stderr
    if example == "tour":
        assert "hello from i-0a1b2c3d4e5f60004" in result.stdout
        assert "the last command ended with status 3" in result.stdout
    if example == "disk-report":
        assert sorted(os.listdir(os.path.join(cwd, "disk-report")))[0].endswith(".stderr")
        assert "root: " in result.stdout and "used" in result.stdout
    if example == "rolling-restart":
        assert result.stdout.count("app running on") == 4
        # The canary first, then the others without it, by their names.
        assert "== canary: i-0a1b2c3d4e5f60001\n" in result.stdout
        assert re.search(r"== web-1 · Success, exit 0\n", result.stdout), result.stdout
        assert re.search(r"== web-2 · Success, exit 0\n(.*\n)*== web-3 · Success", result.stdout), result.stdout
    if example == "config-check":
        # Tag targets are shown by the computer name's first label (no ec2:DescribeInstances).
        assert re.search(r"== web-1, web-2, web-3, staging-1 · Success, exit 0\n[0-9a-f]{16}\n", result.stdout), result.stdout


def test_examples_run_as_executables_through_the_shebang(emulator):
    result = subprocess.run([os.path.join(EXAMPLES, "config-check.ssm"), "/etc/hostname"], capture_output=True, text=True,
                            env=shell_env(emulator), cwd=tempfile.mkdtemp(), timeout=60)
    assert result.returncode == 0, result.stderr


def test_wait_and_output_say_timed_out_and_cancelled_not_the_agents_exit_code(emulator):
    # The agent reports 137 for a script killed at executionTimeout and 1 for a cancelled one (issue 19).
    script = ("use web-1; run --timeout 5 sh -c 'echo started; sleep 30'; set slow $cmd; "
              "use web-2; run sleep 30; sleep 1; cancel; try wait; output; try wait $slow; output $slow")
    result = ssm_shell("-c", script, env=shell_env(emulator, identity="admin"))
    assert result.returncode == 3, result.stderr
    assert "== web-2 · cancelled\n" in result.stdout
    assert "== web-1 · timed out after 5s\n" in result.stdout
    assert re.search(r"web-1 \(i-0a1b2c3d4e5f60001\)\s+TimedOut\s+timed out after 5s", result.stdout), result.stdout
    assert re.search(r"web-2 \(i-0a1b2c3d4e5f60002\)\s+Cancelled\s+cancelled", result.stdout), result.stdout
    assert "exit 137" not in result.stdout and "exit 1\n" not in result.stdout


def test_output_leaves_out_the_agents_truncation_marker_and_says_how_to_get_it_all(emulator):
    result = ssm_shell("-c", "use web-1; run seq 10000; wait; output", env=shell_env(emulator))
    assert result.returncode == 0, result.stderr
    expected = "".join("%d\n" % n for n in range(1, 10001))[:23980]
    note = ("(stdout cut by the agent at 24,000 characters: run the command with --output-bucket BUCKET (S3) or --cloudwatch (CloudWatch Logs), "
            "or 'set output-bucket BUCKET' first, and 'output' reads all of it from there)\n")
    assert "== web-1 · Success, exit 0\n" + expected + "\n" + note in result.stdout, result.stdout[-300:]
    assert "--output truncated--" not in result.stdout


def test_three_nodes_one_failing_gives_status_3_and_names_the_node(emulator):
    script = ("use web-1 web-2 db-1; run test $AWS_SSM_INSTANCE_ID != i-0a1b2c3d4e5f60002 && echo ok || sh -c 'echo broken >&2 && exit 5'; "
              "try wait; output")
    result = ssm_shell("-c", script, env=shell_env(emulator))
    assert result.returncode == 3, result.stderr
    assert "== web-1, db-1 · Success, exit 0\nok\n" in result.stdout
    assert "== web-2 · Failed, exit 5\n-- stderr\nbroken\n" in result.stdout
    assert re.search(r"web-2 \(i-0a1b2c3d4e5f60002\)\s+Failed", result.stdout)


def test_nodes_that_printed_the_same_group_whatever_their_exit_codes(emulator):
    # The emulator's agent appends "failed to run commands: exit status N" to stderr as
    # amazon-ssm-agent 3.3 does (issue 19): output groups on what the command printed.
    script = "use web-1 web-2; run sh -c 'echo disk full >&2; case $AWS_SSM_INSTANCE_ID in *1) exit 3;; *) exit 4;; esac'; wait; output"
    result = ssm_shell("-c", script, env=shell_env(emulator))
    assert result.returncode == 3, result.stderr
    assert "== web-1, web-2 · Failed, exit 3 (web-1), exit 4 (web-2)\n-- stderr\ndisk full\n" in result.stdout, result.stdout
    assert "failed to run commands" not in result.stdout


def test_at_the_agents_speed_wait_ends_at_once_and_output_rides_out_invocation_does_not_exist(emulator):
    # The emulator's agent takes a command about 1 ms after delivery and ends a quick script some
    # 20 ms later, as amazon-ssm-agent 3.3 does (issue 19), while GetCommandInvocation answers
    # InvocationDoesNotExist for invocation_lag (0.3 s) after SendCommand.
    env = shell_env(emulator)
    waited = ssm_shell("--debug", "-c", "use web-1; run echo hi; wait", env=env)
    assert waited.returncode == 0, waited.stderr
    assert waited.stderr.count("--- wait: poll round") <= 2, waited.stderr
    assert re.search(r"web-1 \(i-0a1b2c3d4e5f60001\)\s+Success", waited.stdout), waited.stdout
    before = emulator.control("state")["api_calls"].get("GetCommandInvocation", {}).get("advanced", 0)
    shown = ssm_shell("-c", "use web-2; run echo at once; output", env=env)
    assert shown.returncode == 0, shown.stderr
    assert "== web-2 · Success, exit 0\nat once\n" in shown.stdout, shown.stdout
    calls = emulator.control("state")["api_calls"]["GetCommandInvocation"]["advanced"] - before
    assert calls >= 2, "the first GetCommandInvocation comes before the service knows the invocation"


def test_basic_identity_is_told_which_action_and_statement_to_add(emulator):
    result = ssm_shell("-c", "use web-1; run uptime", env=shell_env(emulator, "basic"))
    assert result.returncode == 1
    assert "-c:1: An error occurred (AccessDeniedException) when calling the SendCommand operation" in result.stderr
    assert 'ssm-shell needs ssm:SendCommand for this. Add this statement to your IAM policy:\n{\n  "Effect": "Allow",\n  "Action": ["ssm:SendCommand"]' in result.stderr


def test_syntax_errors_unknown_commands_and_variables_exit_2(emulator):
    env = shell_env(emulator)
    quote = ssm_shell("-c", "use web-1\necho 'open", env=env)
    assert quote.returncode == 2 and quote.stderr.startswith("-c:2:6: error: unterminated quote")
    typo = ssm_shell("-c", "rnu uptime", env=env)
    assert typo.returncode == 2 and "unknown command 'rnu'; did you mean 'run'?" in typo.stderr
    unset = ssm_shell("-c", "echo $regoin", env=env)
    assert unset.returncode == 2 and "$regoin is not set; did you mean $region?" in unset.stderr
    stops = ssm_shell("-c", "echo one; bogus; echo never", env=env)
    assert stops.stdout == "one\n" and stops.returncode == 2
    goes_on = ssm_shell("-c", "set keep-going on; echo one; bogus; echo two", env=env)
    assert goes_on.stdout == "one\ntwo\n"
    exits = ssm_shell("-c", "exit 7; echo never", env=env)
    assert exits.returncode == 7 and exits.stdout == ""


def test_stdin_dash_arguments_and_json_output(emulator):
    env = shell_env(emulator)
    piped = ssm_shell(env=env, stdin="set x 42\necho \"x=$x\" $# $1\n")
    assert piped.stdout == "x=42 0\n" or piped.returncode == 2  # $1 unset is an error without arguments
    dashed = ssm_shell("-", "a", "b", env=env, stdin='echo "$#: $@" $2\n')
    assert dashed.stdout == "2: a b b\n"
    listing = ssm_shell("--output", "json", "-c", "instances online platform:windows", env=env)
    rows = json.loads(listing.stdout)
    assert [r["id"] for r in rows] == ["i-0a1b2c3d4e5f60008"]
    assert rows[0]["ping"] == "Online"


def test_run_options_heredoc_windows_and_timeouts(emulator):
    env = shell_env(emulator)
    script = """use web-1 win-1
run --timeout 30s --comment here-doc <<EOF
echo "from $region"
EOF
wait
output
"""
    result = ssm_shell("-c", script, env=env)
    # Linux gets AWS-RunShellScript and Windows AWS-RunPowerShellScript: two commands, one output.
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(re.findall(r"^[0-9a-f-]{36}$", result.stdout, re.M)) == 2
    assert "== web-1, win-1 · Success, exit 0\nfrom us-east-1\n" in result.stdout
    slow = ssm_shell("-c", "use web-3; run sleep 30; wait --timeout 1s", env=env)
    assert slow.returncode == 1 and "wait timed out after 1s" in slow.stderr and "cancel " in slow.stderr


def test_wait_polls_at_most_one_call_per_50_nodes_per_round():
    nodes = [{"id": "i-%017x" % (0x200000 + n), "tags": {"Name": "node-%03d" % n, "Fleet": "big"}, "platform": "Linux",
              "platform_name": "Amazon Linux", "platform_version": "2023", "agent_version": "3.3.1142.0", "ping_status": "Online",
              "ip": "10.1.%d.%d" % (n // 250, n % 250 + 1), "computer_name": "node-%03d" % n, "resource_type": "EC2Instance",
              "delivery_delay": 0.2 + (n % 7) * 0.1} for n in range(200)]
    directory = tempfile.mkdtemp()
    fleet = os.path.join(directory, "fleet.json")
    json.dump({"region": "us-east-1", "nodes": nodes}, open(fleet, "w"))
    emulator = start_emulator("--fleet", fleet)
    process = emulator.process
    try:
        result = ssm_shell("--debug", "-c", "use tag:Fleet=big; run sleep 1; wait", env=shell_env(emulator))
        assert result.returncode == 0, result.stderr[-2000:]
        rounds = result.stderr.count("--- wait: poll round")
        calls = emulator.control("state")["api_calls"]
        assert calls["SendCommand"]["advanced"] == 1, "a tag target is one SendCommand by Targets (issue 14, Scale)"
        listed = calls["ListCommandInvocations"]["advanced"]
        assert listed <= math.ceil(200 / 50) * rounds, (listed, rounds)
        assert listed == 4 * rounds
        # How soon the rounds come is WaitSchedule's rule, unit-tested in WaitScheduleTests; a
        # wall-time limit here failed on a loaded machine and proved nothing more.
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_prompt_completion_history_and_ctrl_c_during_wait(emulator):
    env = shell_env(emulator, "admin")
    env["TERM"] = "xterm"
    child = pexpect.spawn(BINARY, env=env, encoding="utf-8", timeout=20, dimensions=(40, 160))
    child.expect("default:us-east-1> ")
    child.send("half a line")
    child.sendintr()                         # Ctrl-C clears the line
    child.expect("default:us-east-1> ")
    child.send("instan\t")
    child.expect("ces ")                     # libedit redraws only what Tab added
    child.send("online\r")
    child.expect("mac-1")
    child.expect("default:us-east-1> ")
    child.sendline("use web-1")
    child.expect("default:us-east-1 web-1> ")
    child.sendline("run sleep 30")
    child.expect("default:us-east-1 web-1> ")
    child.sendline("wait")
    child.expect("waiting: 0/1 done")
    child.sendintr()
    child.expect("stopped waiting; the command goes on")
    child.expect(r"default:us-east-1 web-1 \[130\]> ")
    child.sendline("cancel")
    child.expect("cancel requested")
    child.expect(r"default:us-east-1 web-1( \[\d+\])?> ")   # an EOF sent before the prompt can be lost
    child.sendeof()
    child.expect(pexpect.EOF)
    history = os.path.join(env["XDG_STATE_HOME"], "ssm-shell", "history")
    assert os.stat(history).st_mode & 0o777 == 0o600
    assert open(history).read().splitlines()[:2] == ["instances online", "use web-1"]
    again = pexpect.spawn(BINARY, env=env, encoding="utf-8", timeout=20, dimensions=(40, 160))
    again.expect("default:us-east-1> ")
    again.send("\x1b[A")                     # Up: the last line of the previous run
    again.expect("cancel")
    again.send("\x15")                       # Ctrl-U clears it
    again.sendline("exit 4")
    again.expect(pexpect.EOF)
    again.close()
    assert again.exitstatus == 4
