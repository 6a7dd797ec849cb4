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
        assert "stops here" not in result.stderr, result.stdout + result.stderr
        # try looks at the status itself; with keep-going nothing does, so the last lines say why.
        assert ("== web-2 · Failed, exit 4\n-- stderr (last 10 of 12 lines)\n" in result.stdout) == (wait == "wait"), result.stdout


def test_run_wait_that_fails_stops_after_the_whole_output(emulator):
    tag = uuid.uuid4().hex[:8]
    result = ssm_shell("-c", "use web-2; run --wait sh -c 'echo partial; exit 2'; run --comment never-%s echo no" % tag, env=shell_env(emulator))
    assert result.returncode == 3, result.stdout + result.stderr
    assert "== web-2 · Failed, exit 2\npartial\n" in result.stdout, result.stdout
    assert "-c:1: 1 of 1 invocation did not succeed (web-2); the script stops here. Write 'try run --wait'" in result.stderr, result.stderr
    assert "never-" + tag not in comments_sent(emulator)


def targets_of(emulator, words, identity="admin"):
    """What `use WORDS` chose, as $targets (names), with the shell's status and stderr."""
    result = ssm_shell("-c", "use %s; echo \"[$targets]\"" % words, env=shell_env(emulator, identity))
    chosen = result.stdout.strip().split("\n")[-1] if result.returncode == 0 else None
    return result.returncode, chosen, result.stderr


def test_use_takes_out_with_bang_and_narrows_by_kind(emulator):
    assert targets_of(emulator, "web-* !web-3")[:2] == (0, "[web-1 web-2]")
    assert targets_of(emulator, "web-*,!web-3 db-1")[:2] == (0, "[web-1 web-2 db-1]")
    assert targets_of(emulator, "tag:Role=web platform:linux online")[:2] == (0, "[web-1 web-2 web-3 staging-1]")
    # Kinds narrow each other: prod nodes, Linux, Online (lost-1 is ConnectionLost, win-1 Windows).
    status, chosen, _ = targets_of(emulator, "tag:Env=prod platform:linux online")
    assert (status, chosen) == (0, "[web-1 web-2 web-3 db-1 legacy-1]")
    # With no target word the Online nodes are the start (lost-1 is ConnectionLost).
    assert targets_of(emulator, "!web-1 platform:linux")[:2] == (0, "[web-2 web-3 db-1 staging-1 legacy-1 onprem-1]")
    status, chosen, stderr = targets_of(emulator, "web-1 web-2 !db-1")
    assert (status, chosen) == (0, "[web-1 web-2]") and "warning: !db-1 takes out nothing" in stderr


def test_use_the_service_filters_what_it_can_in_one_call(emulator):
    before = emulator.control("state")["api_calls"].get("DescribeInstanceInformation", {}).get("advanced", 0)
    status, chosen, stderr = targets_of(emulator, "tag:Role=web platform:windows online", identity="advanced")
    assert status == 1 and "no managed node matches 'tag:Role=web platform:windows online'" in stderr, stderr
    after = emulator.control("state")["api_calls"]["DescribeInstanceInformation"]["advanced"]
    assert after - before == 1, "tag, platform and ping go to the service as one DescribeInstanceInformation"


def test_a_bang_that_takes_out_everything_is_an_error(emulator):
    status, chosen, stderr = targets_of(emulator, "web-1 web-2 !web-*")
    assert status == 1 and chosen is None
    assert "-c:1: the ! words of 'web-1 web-2 !web-*' take out all 2 nodes it matches: nothing is left" in stderr, stderr


def test_instances_agent_older_than_and_has_tag(emulator):
    env = shell_env(emulator, "admin")
    old = ssm_shell("--output", "text", "-c", "instances agent<3.0", env=env)
    assert old.returncode == 0, old.stderr
    assert [line.split("\t")[0] for line in old.stdout.splitlines()] == ["i-0a1b2c3d4e5f60006"], old.stdout
    assert "2.3.722.0" in old.stdout
    tagged = ssm_shell("--output", "text", "-c", "instances tag:Env", env=env)
    assert tagged.returncode == 0 and len(tagged.stdout.splitlines()) == 10, tagged.stdout + tagged.stderr
    missing = ssm_shell("-c", "instances tag:Owner", env=env)
    assert missing.returncode == 1 and "no managed node matches 'tag:Owner'" in missing.stderr, missing.stderr
    narrowed = ssm_shell("--output", "text", "-c", "instances tag:Env platform:linux !offline agent<3.3", env=env)
    assert [line.split("\t")[1] for line in narrowed.stdout.splitlines()] == ["legacy-1"], narrowed.stdout + narrowed.stderr


def test_nodes_found_by_tag_are_shown_by_name_in_the_prompt_wait_tables_and_output(emulator):
    """advanced may not call ec2:DescribeInstances: the names come from the computer names."""
    import pexpect
    from test_shell import BINARY
    env = shell_env(emulator, NO_COLOR="1")
    env["TERM"] = "xterm"
    child = pexpect.spawn(BINARY, env=env, encoding="utf-8", timeout=30, dimensions=(40, 200))
    try:
        child.expect("default:us-east-1> ")
        child.sendline("use tag:Role=web !tag:Env=staging")
        child.expect(r"targets: web-1 \(i-0a1b2c3d4e5f60001\), web-2 \(i-0a1b2c3d4e5f60002\), web-3 \(i-0a1b2c3d4e5f60003\)")
        child.expect(r"default:us-east-1 web-1\+2> ")
        child.sendline("run --on tag:Role=db sh -c 'sleep 2; echo done'")
        child.expect(r"default:us-east-1 web-1\+2> ")
        child.sendline("wait")
        child.expect(r"waiting: 0/1 done · left: db-1 · ")
        child.expect(r"db-1 \(i-0a1b2c3d4e5f60004\)\s+Success")
        child.expect(r"web-1\+2> ")
        child.sendline("output")
        child.expect("== db-1 · Success, exit 0")
        child.expect(r"web-1\+2> ")
        child.sendeof()
        child.expect(pexpect.EOF)
    finally:
        child.close()
