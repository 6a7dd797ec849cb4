"""The Swift AWS client core (issue 2) end to end: the built ssm-shell binary against the emulator,
through the environment, a config file with an assume-role profile, and the CLI's exit codes."""
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.path.join(ROOT, ".build", "debug", "ssm-shell")


def ssm_shell(*args, env):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, env=env, timeout=60)


def test_calls_every_protocol_through_aws_endpoint_url(emulator):
    env = emulator.env(AWS_ENDPOINT_URL=emulator.endpoint)
    me = ssm_shell("api", "sts", "GetCallerIdentity", env=env)
    assert me.returncode == 0, me.stderr
    assert json.loads(me.stdout)["Arn"] == "arn:aws:iam::123456789012:user/admin"
    nodes = json.loads(ssm_shell("api", "ssm", "DescribeInstanceInformation", '{"MaxResults": 50}', env=env).stdout)
    assert len(nodes["InstanceInformationList"]) == 10
    ec2 = json.loads(ssm_shell("api", "ec2", "DescribeInstances", '{"InstanceId": ["i-0a1b2c3d4e5f60001"]}', env=env).stdout)
    assert ec2["reservationSet"]["item"]["instancesSet"]["item"]["instanceId"] == "i-0a1b2c3d4e5f60001"


def test_access_denied_and_bad_secret_exit_254_with_aws_sentences(emulator):
    denied = ssm_shell("api", "ssm", "SendCommand", '{"DocumentName":"AWS-RunShellScript","InstanceIds":["i-0a1b2c3d4e5f60001"],"Parameters":{"commands":["id"]}}',
                       env=emulator.env("basic", AWS_ENDPOINT_URL=emulator.endpoint))
    assert denied.returncode == 254
    assert "An error occurred (AccessDeniedException) when calling the SendCommand operation: User: arn:aws:iam::123456789012:user/basic is not authorized to perform: ssm:SendCommand" in denied.stderr
    env = emulator.env(AWS_ENDPOINT_URL=emulator.endpoint)
    env["AWS_SECRET_ACCESS_KEY"] = "not-the-secret"
    bad = ssm_shell("api", "ssm", "DescribeInstanceInformation", env=env)
    assert bad.returncode == 254 and "(InvalidSignatureException)" in bad.stderr
    assert "not-the-secret" not in bad.stderr


def test_assume_role_profile_chain_against_the_emulators_sts(emulator):
    home = emulator.role_profile_home("e2e-chain", "endpoint_url = %s\n" % emulator.endpoint)
    admin = emulator.identity("admin")
    env = {"PATH": os.environ["PATH"], "HOME": home, "AWS_EC2_METADATA_DISABLED": "true"}
    me = ssm_shell("--profile", "operator", "--debug", "api", "sts", "GetCallerIdentity", env=env)
    assert me.returncode == 0, me.stderr
    assert json.loads(me.stdout)["Arn"] == "arn:aws:sts::123456789012:assumed-role/ssm-operator/e2e-chain"
    assert "AssumeRole" in me.stderr, "the --debug log shows the AssumeRole call"
    assert admin["secret_access_key"] not in me.stderr and "<SecretAccessKey>****</SecretAccessKey>" in me.stderr
