"""Issue 11 item 6: a call that is not idempotent (SendCommand, StartSession) is never sent twice
when the service may have taken it. The emulator's `drop_answer` fault carries out the call and
then cuts the connection unanswered; afterwards exactly one command exists, and the user is told
that the request may have been processed and how to check."""
import json
import uuid

from test_shell import shell_env, ssm_shell


def commands_with(emulator, marker):
    """The commands whose script contains `marker`, fetched with the fault switched off."""
    emulator.faults(drop_answer="")
    ssm = emulator.client("ssm")
    found, token = [], None
    while True:
        page = ssm.list_commands(**({"NextToken": token} if token else {}))
        found += [c for c in page["Commands"] if marker in json.dumps(c.get("Parameters", {}))]
        token = page.get("NextToken")
        if not token:
            return found


def assert_told_to_check(stderr):
    assert "may have been processed" in stderr, stderr
    assert "was not sent again" in stderr, stderr
    assert "ListCommands" in stderr, stderr
    assert "Traceback" not in stderr and "TransportError" not in stderr, stderr


def test_run_is_not_resent_after_the_answer_is_lost(emulator):
    marker = "once-" + uuid.uuid4().hex
    emulator.faults(drop_answer="SendCommand")
    # 'use' resolves web-1 first, so SendCommand goes out on a reused keep-alive connection.
    result = ssm_shell("-c", "use web-1; run 'echo %s'" % marker, env=shell_env(emulator), timeout=60)
    assert result.returncode != 0, result.stdout
    assert len(commands_with(emulator, marker)) == 1
    assert_told_to_check(result.stderr)


def test_api_send_command_follows_the_operations_idempotency(emulator):
    marker = "api-once-" + uuid.uuid4().hex
    emulator.faults(drop_answer="SendCommand")
    request = {"DocumentName": "AWS-RunShellScript", "InstanceIds": ["i-0a1b2c3d4e5f60001"], "Parameters": {"commands": ["echo " + marker]}}
    result = ssm_shell("api", "ssm", "SendCommand", json.dumps(request), env=shell_env(emulator), timeout=60)
    assert result.returncode != 0, result.stdout
    assert len(commands_with(emulator, marker)) == 1
    assert_told_to_check(result.stderr)


def test_an_idempotent_call_is_retried_through_the_same_fault(emulator):
    """The other side of the rule: a read whose answer is lost is simply sent again, up to the
    attempt limit (3 by default), and the error then is the plain connection failure."""
    emulator.control("reset", {})
    emulator.faults(drop_answer="DescribeInstanceInformation")
    result = ssm_shell("api", "ssm", "DescribeInstanceInformation", "{}", env=shell_env(emulator), timeout=60)
    assert result.returncode != 0, result.stdout
    assert "may have been processed" not in result.stderr, result.stderr
    calls = emulator.control("state")["api_calls"]["DescribeInstanceInformation"]
    assert calls == {"advanced": 3}, calls


def test_connect_is_not_restarted_after_the_answer_is_lost(emulator):
    """StartSession creates a session on the node: a lost answer must not start a second one."""
    target = "i-0a1b2c3d4e5f60004"
    before = {s["SessionId"] for s in emulator.sessions("Active") + emulator.sessions("History")}
    emulator.faults(drop_answer="StartSession")
    # 'use' resolves the node first, so StartSession goes out on a reused keep-alive connection.
    result = ssm_shell("-c", "use %s; connect --command 'echo started'" % target, env=shell_env(emulator), timeout=60)
    emulator.faults(drop_answer="")
    assert result.returncode != 0, result.stdout
    assert "started" not in result.stdout
    started = [s for s in emulator.sessions("Active") + emulator.sessions("History")
               if s["SessionId"] not in before and s["Target"] == target]
    assert len(started) == 1, started
    assert "may have been processed" in result.stderr and "was not sent again" in result.stderr, result.stderr
    assert "'ssm-shell -c sessions'" in result.stderr, result.stderr
