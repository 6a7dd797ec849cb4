"""ssm-shell over several accounts and regions at once (issue 14, "Many accounts and regions"):
the emulator's two accounts with nodes x two regions (scripts/emulator/README.md "Accounts and
regions"), a second account reached by AssumeRole through a profile's role_arn and
source_profile, and a pair whose credentials fail skipped with status 1."""
import os
import signal
import subprocess
import tempfile

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
    started.process.send_signal(signal.SIGTERM)
    try:
        started.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        started.process.kill()


def ssm_shell(multi, commands):
    home = tempfile.mkdtemp(prefix="ssm-shell-multi-")
    os.makedirs(os.path.join(home, ".aws"))
    for name, text in (("config", CONFIG), ("credentials", CREDENTIALS)):
        with open(os.path.join(home, ".aws", name), "w") as f:
            f.write(text)
    env = {"PATH": os.environ["PATH"], "HOME": home, "XDG_STATE_HOME": home + "/state", "AWS_ENDPOINT_URL": multi.endpoint}
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
