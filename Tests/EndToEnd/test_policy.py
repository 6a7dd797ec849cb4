"""`policy` and `console` (issue 7, first part): the policy printed for each example is exactly
enough: the script succeeds as an identity that has it, and fails with any one action removed."""
import json
import os
import subprocess
import tempfile

import pytest

from test_shell import BINARY, EXAMPLES, shell_env

SCRIPTS = {
    "tour": [],
    "disk-report": [],
    "rolling-restart": [],
    "config-check": ["/etc/os-release"],
}


def run_as(emulator, policy, script, args, name):
    keys = emulator.control("identities", {"name": name, "policy": policy})
    env = shell_env(emulator, "admin", AWS_ACCESS_KEY_ID=keys["access_key_id"], AWS_SECRET_ACCESS_KEY=keys["secret_access_key"])
    return subprocess.run([BINARY, os.path.join(EXAMPLES, script + ".ssm"), *args], env=env, capture_output=True, text=True,
                          cwd=tempfile.mkdtemp(), timeout=120)


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_policy_is_exactly_enough(emulator, script):
    printed = subprocess.run([BINARY, "policy", os.path.join(EXAMPLES, script + ".ssm")], env=shell_env(emulator), capture_output=True,
                             text=True, timeout=30)
    assert printed.returncode == 0, printed.stderr
    policy = json.loads(printed.stdout)
    actions = policy["Statement"][0]["Action"]
    assert "ssm:SendCommand" in actions
    ok = run_as(emulator, policy, script, SCRIPTS[script], "exact-%s" % script)
    assert ok.returncode == 0, ok.stderr
    for action in actions:
        if action == "ssm:GetCommandInvocation" and "output" in open(os.path.join(EXAMPLES, script + ".ssm")).read().split():
            # output reads ListCommandInvocations' details and asks GetCommandInvocation only for an
            # output the agent cut there (issue 14, "Scale"; test_scale_client.py): these outputs
            # are short, yet the policy must allow it for one that is not.
            continue
        if action == "ssm:ListCommands":
            # wait asks ListCommands only for a command sent by tag whose listed invocations are
            # fewer than the nodes 'use' found (a node left the tag; RunCommandResults.swift
            # targetsCommandsEnded): not here, yet the policy must allow it for when it happens.
            continue
        reduced = json.loads(json.dumps(policy))
        reduced["Statement"][0]["Action"] = [a for a in actions if a != action]
        failed = run_as(emulator, reduced, script, SCRIPTS[script], "without-%s-%s" % (script, action.replace(":", "-")))
        assert failed.returncode != 0, "%s still ran without %s" % (script, action)
        assert action in failed.stderr, failed.stderr


def test_a_connect_script_gets_the_guides_basic_policy(emulator):
    script = os.path.join(tempfile.mkdtemp(), "connect.ssm")
    open(script, "w").write("connect web-1 --command 'uptime'\n")
    printed = subprocess.run([BINARY, "-c", "policy %s" % script], env=shell_env(emulator), capture_output=True, text=True, timeout=30)
    actions = json.loads(printed.stdout)["Statement"][0]["Action"]
    # The guide's basic policy, and ResumeSession for a lost connection (connect resumes the session).
    assert sorted(actions) == sorted(["ssm:StartSession", "ssm:DescribeInstanceInformation", "ssm:GetConnectionStatus", "ssm:TerminateSession",
                                      "ssm:ResumeSession"])


def test_console_url(emulator):
    result = subprocess.run([BINARY, "-c", "console web-2"], env=shell_env(emulator, "basic"), capture_output=True, text=True, timeout=30)
    assert result.stdout == "https://us-east-1.console.aws.amazon.com/systems-manager/session-manager/i-0a1b2c3d4e5f60002?region=us-east-1\n"
