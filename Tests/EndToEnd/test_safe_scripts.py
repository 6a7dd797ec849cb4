"""Scripts that are safe to run on production fleets (issue 14): a failed step stops the script,
and target words that compose. The built ssm-shell against the emulator's demo fleet."""
import os
import tempfile
import uuid

from test_shell import ssm_shell, shell_env

WEB_2 = "i-0a1b2c3d4e5f60002"
# Step 1 fails on web-2 only, after 12 lines of stderr; the others succeed.
STEP_1 = ("run --comment %s sh -c 'if [ $AWS_SSM_INSTANCE_ID = " + WEB_2 + " ]; then "
          "for n in 1 2 3 4 5 6 7 8 9 10 11 12; do echo \"disk check $n failed\" >&2; done; exit 4; fi; echo fine'")


def script_file(text):
    directory = tempfile.mkdtemp(prefix="ssm-safe-")
    path = os.path.join(directory, "deploy.ssm")
    with open(path, "w") as f:
        f.write(text)
    return path


def comments_sent(emulator):
    """The comment of every command the service was sent (ListCommands, all pages)."""
    ssm = emulator.client("ssm")
    return [c.get("Comment", "") for page in ssm.get_paginator("list_commands").paginate() for c in page["Commands"]]


def test_a_failed_step_stops_the_script_before_the_next_is_sent(emulator):
    tag = uuid.uuid4().hex[:8]
    path = script_file("use web-1 web-2 web-3\n" + STEP_1 % ("step1-" + tag) + "\nwait\nrun --comment step2-%s echo two\nwait\n" % tag)
    result = ssm_shell(path, env=shell_env(emulator))
    assert result.returncode == 3, result.stdout + result.stderr
    sent = comments_sent(emulator)
    assert "step1-" + tag in sent and "step2-" + tag not in sent, "step 2 is never sent"
    tail = "".join("disk check %d failed\n" % n for n in range(3, 13))
    assert "== web-2 · Failed, exit 4\n-- stderr (last 10 of 12 lines)\n" + tail in result.stdout, result.stdout
    assert "disk check 2 failed" not in result.stdout
    assert "== web-1" not in result.stdout and "== web-3" not in result.stdout, "only the failed node's lines are shown"
    assert ("%s:3: 1 of 3 invocations did not succeed (web-2); the script stops here. Write 'try wait' to go on past a failure, "
            "or 'set keep-going on' to go on past every one\n" % path) in result.stderr, result.stderr


def test_under_try_and_with_keep_going_the_script_goes_on(emulator):
    for prefix, wait, expected in [("", "try wait", 0), ("set keep-going on\n", "wait", 3)]:
        tag = uuid.uuid4().hex[:8]
        path = script_file(prefix + "use web-1 web-2\n" + STEP_1 % ("step1-" + tag) + "\n%s\nrun --comment step2-%s echo two\nwait\n" % (wait, tag))
        result = ssm_shell(path, env=shell_env(emulator))
        assert result.returncode == expected, (wait, result.stdout, result.stderr)
        assert "step2-" + tag in comments_sent(emulator), "%s goes on to step 2" % wait
        assert "stops here" not in result.stderr and "-- stderr" not in result.stdout, result.stdout + result.stderr


def test_run_wait_that_fails_stops_after_the_whole_output(emulator):
    tag = uuid.uuid4().hex[:8]
    result = ssm_shell("-c", "use web-2; run --wait sh -c 'echo partial; exit 2'; run --comment never-%s echo no" % tag, env=shell_env(emulator))
    assert result.returncode == 3, result.stdout + result.stderr
    assert "== web-2 · Failed, exit 2\npartial\n" in result.stdout, result.stdout
    assert "-c:1: 1 of 1 invocation did not succeed (web-2); the script stops here. Write 'try run --wait'" in result.stderr, result.stderr
    assert "never-" + tag not in comments_sent(emulator)
