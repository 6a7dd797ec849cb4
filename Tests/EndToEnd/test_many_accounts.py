"""ssm-shell over several accounts and regions at once (issue 14, "Many accounts and regions"):
the emulator's two accounts with nodes x two regions (scripts/emulator/README.md "Accounts and
regions"), a second account reached by AssumeRole through a profile's role_arn and
source_profile, and a pair whose credentials fail skipped with status 1."""
import json
import os
import subprocess
import tempfile
import uuid

import pexpect
import pytest

from conftest import ROOT, start_emulator

BINARY = os.path.join(ROOT, ".build", "debug", "ssm-shell")
EMULATOR_DIR = os.path.join(ROOT, "scripts", "emulator")

CONFIG = """[profile alpha]
region = us-east-1
[profile ops]
role_arn = arn:aws:iam::222222222222:role/ops
source_profile = alpha
role_session_name = ops-beta
region = us-east-1
[profile broken]
region = us-east-1
"""

CREDENTIALS = """[alpha]
aws_access_key_id = AKIAMULTIALPHA001000
aws_secret_access_key = emulator/multi/alpha-admin/secret/0001
[broken]
aws_access_key_id = AKIANOSUCHKEY0000000
aws_secret_access_key = not-a-secret-the-emulator-knows
"""


@pytest.fixture(scope="module")
def multi():
    started = start_emulator("--fleet", os.path.join(EMULATOR_DIR, "fleets", "multi.json"),
                             "--identities", os.path.join(EMULATOR_DIR, "identities-multi.json"))
    yield started
    started.stop()


def shell_home(multi):
    """A HOME with the profiles, and the environment that points ssm-shell at the emulator."""
    home = tempfile.mkdtemp(prefix="ssm-shell-multi-")
    os.makedirs(os.path.join(home, ".aws"))
    for name, text in (("config", CONFIG), ("credentials", CREDENTIALS)):
        with open(os.path.join(home, ".aws", name), "w") as f:
            f.write(text)
    return {"PATH": os.environ["PATH"], "HOME": home, "XDG_STATE_HOME": home + "/state", "AWS_ENDPOINT_URL": multi.endpoint}


def ssm_shell(multi, commands):
    env = shell_home(multi)
    return subprocess.run([BINARY, "--output", "table", "-c", commands], capture_output=True, text=True, env=env, timeout=120)


def test_two_accounts_by_two_regions_list_run_wait_and_output(multi):
    result = ssm_shell(multi, "use profile alpha,ops\nuse region us-east-1,eu-west-1\ninstances\n"
                              "use tag:Role=web\nrun hostname\nwait\noutput\necho cmd=$cmd")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["ACCOUNT", "REGION", "ID"]
    rows = {(line.split()[0], line.split()[1], line.split()[3]) for line in lines[1:9]}
    # ops is role/ops in 222222222222, assumed from alpha's keys.
    assert ("111111111111", "eu-west-1", "alpha-web-3") in rows
    assert ("222222222222", "eu-west-1", "beta-web-2") in rows
    assert len(rows) == 8
    wait_rows = [line for line in lines if " Success " in line and line.startswith(("1111", "2222"))]
    assert len(wait_rows) == 6, result.stdout
    assert "== alpha-web-1, alpha-web-2, alpha-web-3, beta-web-1, beta-web-2, beta-web-3 · Success, exit 0" in result.stdout
    ids = result.stdout.split("cmd=")[1].strip().split(",")
    assert [i.split(":")[0] for i in ids] == ["alpha@us-east-1", "alpha@eu-west-1", "ops@us-east-1", "ops@eu-west-1"]


def test_a_pair_whose_credentials_fail_is_skipped_and_the_script_ends_with_1(multi):
    result = ssm_shell(multi, "use context alpha@us-east-1 broken@eu-west-1\ninstances\necho after")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "alpha-web-1" in result.stdout and result.stdout.endswith("after\n")
    assert "broken@eu-west-1: " in result.stderr and "(skipped; the other accounts and regions go on)" in result.stderr


def test_connect_takes_profile_at_region_colon_target(multi):
    result = ssm_shell(multi, "use profile alpha,ops\nconnect ops@us-east-1:beta-web-1 --command 'echo on-$(hostname)'")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "on-" in result.stdout
    refused = ssm_shell(multi, "use profile alpha,ops\nconnect alpha@us-east-1:beta-web-1")
    assert refused.returncode == 1 and "no managed node matches 'beta-web-1' in alpha@us-east-1" in refused.stderr


# One Name in two pairs: alpha@us-east-1 and beta (profile ops) in eu-west-1.
SHARED = [
    {"id": "i-0b0000000000000a1", "account": "111111111111", "region": "us-east-1", "tags": {"Name": "shared-1", "Role": "app"},
     "platform": "Linux", "platform_name": "Amazon Linux", "platform_version": "2023", "agent_version": "3.3.1142.0",
     "ping_status": "Online", "ip": "10.1.0.9", "computer_name": "shared-1.us-east-1.compute.internal", "resource_type": "EC2Instance",
     "iam_role": "ssm-instance-role", "vpc_id": "vpc-0healthy00000001", "iam_instance_profile": "ssm-instance-profile"},
    {"id": "i-0b0000000000000b1", "account": "222222222222", "region": "eu-west-1", "tags": {"Name": "shared-1", "Role": "app"},
     "platform": "Linux", "platform_name": "Amazon Linux", "platform_version": "2023", "agent_version": "3.3.1142.0",
     "ping_status": "Online", "ip": "10.4.0.9", "computer_name": "shared-1.eu-west-1.compute.internal", "resource_type": "EC2Instance",
     "iam_role": "ssm-instance-role", "vpc_id": "vpc-0healthy00000001", "iam_instance_profile": "ssm-instance-profile"},
]


@pytest.fixture(scope="module")
def shared():
    """The multi-account emulator with shared-1 in two pairs (--extra-nodes)."""
    extra = os.path.join(tempfile.mkdtemp(prefix="ssm-shared-"), "shared.json")
    with open(extra, "w") as f:
        json.dump(SHARED, f)
    started = start_emulator("--fleet", os.path.join(EMULATOR_DIR, "fleets", "multi.json"),
                             "--identities", os.path.join(EMULATOR_DIR, "identities-multi.json"), "--extra-nodes", extra)
    yield started
    started.stop()


def prompt_shell(emulator):
    """ssm-shell at its prompt on a terminal, over the four pairs."""
    env = shell_home(emulator)
    child = pexpect.spawn(BINARY, ["--output", "table"], env=env, encoding="utf-8", timeout=30, dimensions=(40, 200))
    child.expect("> ")
    child.sendline("use profile alpha,ops; use region us-east-1,eu-west-1")
    child.expect("alpha,ops:us-east-1,eu-west-1.*> ")
    return child


def test_connect_asks_which_pair_when_a_name_is_in_several(shared):
    child = prompt_shell(shared)
    child.sendline("connect shared-1 --command 'echo on-$AWS_SSM_INSTANCE_ID'")
    child.expect_exact("  1) alpha@us-east-1:shared-1 (i-0b0000000000000a1)")
    child.expect_exact("  2) ops@eu-west-1:shared-1 (i-0b0000000000000b1)")
    child.expect_exact("connect to which (1-2)? ")
    child.sendline("2")
    child.expect_exact("on-i-0b0000000000000b1")
    child.expect("> ")
    # An answer that is none of them starts nothing, and the prompt says so.
    child.sendline("connect shared-1 --command 'echo on-$AWS_SSM_INSTANCE_ID'")
    child.expect_exact("connect to which (1-2)? ")
    child.sendline("7")
    child.expect_exact("connect: '7' is none of 1 to 2; nothing was started")
    child.expect("> ")
    # Ctrl-C at the question is an interruption (130, as at the MFA question), not a wrong
    # answer (it was read as '' and gave status 2).
    child.sendline("forward shared-1 8080")
    child.expect_exact("forward to which (1-2)? ")
    child.sendintr()
    child.expect_exact("interrupted at the question; nothing was started")
    child.expect("> ")
    child.sendline("echo status=$status")
    child.expect_exact("status=130")
    child.expect("> ")
    # Ctrl-D after a half-typed answer (the first hands "1" over, the second is end of input)
    # cancels the question: the partial answer is never taken for pair 1.
    child.sendline("connect shared-1 --command 'echo on-$AWS_SSM_INSTANCE_ID'")
    child.expect_exact("connect to which (1-2)? ")
    child.send("1")
    child.sendeof()
    child.sendeof()
    child.expect_exact("connect: the terminal gave no more input at the question (Ctrl-D, or it closed); nothing was started")
    child.expect("> ")
    child.sendline("echo status=$status")
    child.expect_exact("status=2")
    child.expect("> ")
    child.sendline("exit")
    child.expect(pexpect.EOF)
    child.close()
    assert "on-i-0b0000000000000a1" not in child.before


def test_a_script_is_told_the_candidates_and_a_pair_qualified_name_needs_no_question(shared):
    result = ssm_shell(shared, "use profile alpha,ops\nuse region us-east-1,eu-west-1\nconnect shared-1 --command 'echo hi'")
    assert result.returncode == 2, result.stdout + result.stderr
    assert ("alpha@us-east-1:shared-1 (i-0b0000000000000a1), ops@eu-west-1:shared-1 (i-0b0000000000000b1); "
            "write the one you mean as PROFILE@REGION:TARGET") in result.stderr, result.stderr
    result = ssm_shell(shared, "use profile alpha,ops\nuse region us-east-1,eu-west-1\n"
                               "connect alpha@us-east-1:shared-1 --command 'echo on-$AWS_SSM_INSTANCE_ID'")
    assert result.returncode == 0 and "on-i-0b0000000000000a1" in result.stdout, result.stdout + result.stderr


def test_put_get_sessions_follow_and_commands_act_in_each_pair(multi):
    tag = uuid.uuid4().hex[:8]
    directory = tempfile.mkdtemp(prefix="ssm-multi-put-")
    source = os.path.join(directory, "payload")
    with open(source, "w") as f:
        f.write("payload-" + tag)
    back = os.path.join(directory, "back")
    result = ssm_shell(multi, "use profile alpha,ops\nuse region us-east-1,eu-west-1\n"
                              # A pair in front, and a platform word whose colon is its own.
                              "put %s ops@eu-west-1:platform:linux:pq-%s\n"
                              "get ops@eu-west-1:beta-web-3:pq-%s %s\n"
                              "sessions --history\nuse all\nrun --follow sh -c 'echo hi-$AWS_SSM_INSTANCE_ID'\n"
                              "commands --limit 4" % (source, tag, tag, back))
    # The role of profile ops may not read CloudWatch Logs: each of its pairs is named once, its
    # nodes' output shown when they end, the others followed as they run; nothing is skipped.
    assert result.returncode == 0, result.stdout + result.stderr
    copied = sorted(line.split()[0] for line in result.stdout.splitlines() if "sha256 checked" in line)
    assert copied == ["beta-db-1", "beta-web-2", "beta-web-3", "beta-web-3"], result.stdout
    with open(back) as f:
        assert f.read() == "payload-" + tag
    lines = result.stdout.splitlines()
    header = next(line for line in lines if "SESSION" in line)
    assert header.split()[:3] == ["ACCOUNT", "REGION", "SESSION"]
    assert any(line.startswith("222222222222  eu-west-1  ") for line in lines[lines.index(header):]), result.stdout
    # Both of alpha's regions followed from its streams (the agents write CloudWatch Logs in each
    # node's own account and region); ops's nodes' output once ended, from Run Command.
    assert "alpha-web-1  hi-i-0b000000000000011\n" in result.stdout, result.stdout
    assert "alpha-db-1   hi-i-0b000000000000022\n" in result.stdout, result.stdout
    assert "== beta-web-1 · Success, exit 0\nhi-i-0b000000000000031\n" in result.stdout, result.stdout
    for pair in ["ops@us-east-1", "ops@eu-west-1"]:
        assert result.stderr.count(pair + ": logs:GetLogEvents was refused") == 1, result.stderr
    assert "skipped" not in result.stderr, result.stderr
    commands = lines[next(i for i, line in enumerate(lines) if line.split()[2:3] == ["ID"]):]
    assert commands[0].split()[:3] == ["ACCOUNT", "REGION", "ID"], result.stdout
    assert len(commands) == 5 and all("@" in line.split()[2] for line in commands[1:]), result.stdout
