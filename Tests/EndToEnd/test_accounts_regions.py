"""Several accounts and regions in one emulator (issue 14): each (account, region) sees only its
own fleet and commands, roles are assumed across accounts only as their trust policies and the
caller's policy allow, GetCallerIdentity names the right account; checked with the real AWS CLI
and botocore against scripts/emulator/fleets/multi.json and identities-multi.json."""
import json
import os
import subprocess
import sys
import tempfile

import boto3
import botocore.exceptions
import pytest

from conftest import ROOT, ended_invocation, start_emulator

sys.path.insert(0, os.path.join(ROOT, "scripts", "emulator"))
from emulator.auth import Caller, Identity  # noqa: E402
from emulator.errors import AWSError  # noqa: E402
from emulator.trust import TrustCheck  # noqa: E402

EMULATOR_DIR = os.path.join(ROOT, "scripts", "emulator")
ALPHA, BETA, GAMMA = "111111111111", "222222222222", "333333333333"
# fleets/multi.json: Name tags per (account, region).
FLEET = {
    (ALPHA, "us-east-1"): {"alpha-web-1", "alpha-web-2"},
    (ALPHA, "eu-west-1"): {"alpha-web-3", "alpha-db-1"},
    (BETA, "us-east-1"): {"beta-web-1"},
    (BETA, "eu-west-1"): {"beta-web-2", "beta-web-3", "beta-db-1"},
}
ADMINS = {ALPHA: "alpha-admin", BETA: "beta-admin"}


@pytest.fixture(scope="module")
def multi():
    started = start_emulator("--fleet", os.path.join(EMULATOR_DIR, "fleets", "multi.json"),
                             "--identities", os.path.join(EMULATOR_DIR, "identities-multi.json"))
    yield started
    started.process.terminate()
    started.process.wait(timeout=10)


@pytest.fixture(autouse=True)
def reset_multi(request):
    yield
    if "multi" in request.fixturenames:
        request.getfixturevalue("multi").control("reset", {})


def client(emulator, service, identity, region, **extra):
    creds = emulator.identity(identity)
    return boto3.session.Session().client(service, region_name=region, endpoint_url=emulator.endpoint,
                                           aws_access_key_id=creds["access_key_id"], aws_secret_access_key=creds["secret_access_key"],
                                           **extra)


def names(instance_information):
    """The nodes' names: multi.json's computer names are NAME.REGION.compute.internal."""
    return {i["ComputerName"].split(".")[0] for i in instance_information}


def cli_home(emulator, config):
    """A HOME whose ~/.aws has alpha-admin's and alpha-dev's keys as profiles and CONFIG appended."""
    home = tempfile.mkdtemp(prefix="ssm-e2e-multi-")
    os.makedirs(os.path.join(home, ".aws"))
    with open(os.path.join(home, ".aws", "credentials"), "w") as f:
        for name in ("alpha-admin", "alpha-dev"):
            creds = emulator.identity(name)
            f.write("[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (name, creds["access_key_id"], creds["secret_access_key"]))
    with open(os.path.join(home, ".aws", "config"), "w") as f:
        f.write(config)
    return home


def cli(emulator, home, *args, check=True):
    # AWS_ENDPOINT_URL too: the CLI assumes a profile's role with a client of its own, which --endpoint-url does not reach.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": "",
           "AWS_ENDPOINT_URL": emulator.endpoint}
    result = subprocess.run(["aws", "--endpoint-url", emulator.endpoint, "--output", "json", *args], capture_output=True, text=True,
                            env=env, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError("aws %s failed (%d): %s" % (" ".join(args), result.returncode, result.stderr))
    return result


def test_the_ready_file_names_every_account_region_and_role(multi):
    assert multi.ready["regions"] == ["eu-west-1", "us-east-1"]
    assert multi.ready["accounts"] == [ALPHA, BETA, GAMMA, "444444444444"]
    assert "arn:aws:iam::%s:role/ops" % BETA in multi.ready["roles"]
    assert multi.identity("beta-admin")["account"] == BETA


@pytest.mark.parametrize("account,region", sorted(FLEET))
def test_each_account_and_region_sees_only_its_own_nodes(multi, account, region):
    ssm = client(multi, "ssm", ADMINS[account], region)
    assert names(ssm.describe_instance_information()["InstanceInformationList"]) == FLEET[(account, region)]
    reservations = client(multi, "ec2", ADMINS[account], region).describe_instances()["Reservations"]
    tags = {t["Value"] for r in reservations for i in r["Instances"] for t in i["Tags"] if t["Key"] == "Name"}
    assert tags == FLEET[(account, region)]
    assert {r["OwnerId"] for r in reservations} == {account}


def test_an_account_without_nodes_sees_none_and_an_unserved_region_is_refused(multi):
    assert client(multi, "ssm", "gamma-admin", "us-east-1").describe_instance_information()["InstanceInformationList"] == []
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        client(multi, "ssm", "alpha-admin", "ap-south-1").describe_instance_information()
    assert refused.value.response["Error"]["Message"] == "Credential should be scoped to a valid region, not 'ap-south-1'. "


def test_the_aws_cli_sees_each_region_of_an_account(multi):
    home = cli_home(multi, "")
    for region in ("us-east-1", "eu-west-1"):
        listed = json.loads(cli(multi, home, "--profile", "alpha-admin", "--region", region, "ssm", "describe-instance-information").stdout)
        assert names(listed["InstanceInformationList"]) == FLEET[(ALPHA, region)]


def test_a_command_runs_in_its_own_account_and_region_only(multi):
    beta = client(multi, "ssm", "beta-admin", "eu-west-1")
    sent = beta.send_command(DocumentName="AWS-RunShellScript", Targets=[{"Key": "tag:Role", "Values": ["web"]}],
                             Parameters={"commands": ["echo $AWS_SSM_REGION_NAME"]})["Command"]
    nodes = {i["InstanceId"]: i for i in beta.describe_instance_information()["InstanceInformationList"]}
    web = sorted(i for i, n in nodes.items() if n["ComputerName"].startswith("beta-web"))
    assert sent["TargetCount"] == 2
    for instance_id in web:
        result = ended_invocation(beta, sent["CommandId"], instance_id)
        assert (result["Status"], result["StandardOutputContent"]) == ("Success", "eu-west-1\n")
    alpha = client(multi, "ssm", "alpha-admin", "eu-west-1")
    with pytest.raises(botocore.exceptions.ClientError) as unknown:
        alpha.list_command_invocations(CommandId=sent["CommandId"])
    assert unknown.value.response["Error"]["Code"] == "InvalidCommandId"
    assert all(c["CommandId"] != sent["CommandId"] for c in alpha.list_commands()["Commands"])
    assert client(multi, "ssm", "beta-admin", "us-east-1").list_commands()["Commands"] == []
    with pytest.raises(botocore.exceptions.ClientError) as other_account:
        alpha.send_command(DocumentName="AWS-RunShellScript", InstanceIds=web[:1], Parameters={"commands": ["true"]})
    assert other_account.value.response["Error"] == {
        "Code": "InvalidInstanceId", "Message": "Instances [[%s]] not in a valid state for account %s" % (web[0], ALPHA)}


def test_cross_account_assume_role_with_the_aws_cli_and_get_caller_identity(multi):
    # Session names differ per profile: the CLI caches assumed-role credentials by role and session name.
    home = cli_home(multi, "[profile beta-ops]\nrole_arn = arn:aws:iam::%s:role/ops\nsource_profile = alpha-admin\n"
                           "role_session_name = e2e\n"
                           "[profile beta-ops-dev]\nrole_arn = arn:aws:iam::%s:role/ops\nsource_profile = alpha-dev\n"
                           "role_session_name = e2e-dev\n"
                           "[profile beta-auditor]\nrole_arn = arn:aws:iam::%s:role/auditor\nsource_profile = alpha-admin\n" % (BETA, BETA, BETA))
    me = json.loads(cli(multi, home, "--profile", "alpha-admin", "--region", "us-east-1", "sts", "get-caller-identity").stdout)
    assert (me["Account"], me["Arn"]) == (ALPHA, "arn:aws:iam::%s:user/alpha-admin" % ALPHA)
    assumed = json.loads(cli(multi, home, "--profile", "beta-ops", "--region", "eu-west-1", "sts", "get-caller-identity").stdout)
    assert (assumed["Account"], assumed["Arn"]) == (BETA, "arn:aws:sts::%s:assumed-role/ops/e2e" % BETA)
    listed = json.loads(cli(multi, home, "--profile", "beta-ops", "--region", "eu-west-1", "ssm", "describe-instance-information").stdout)
    assert names(listed["InstanceInformationList"]) == FLEET[(BETA, "eu-west-1")]
    # The trust policy allows alpha's account, but alpha-dev's own policy does not allow sts:AssumeRole.
    refused = cli(multi, home, "--profile", "beta-ops-dev", "--region", "eu-west-1", "sts", "get-caller-identity", check=False)
    assert refused.returncode != 0
    assert ("An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:iam::%s:user/alpha-dev is not "
            "authorized to perform: sts:AssumeRole on resource: arn:aws:iam::%s:role/ops" % (ALPHA, BETA)) in refused.stderr
    # The auditor role trusts only gamma's account.
    refused = cli(multi, home, "--profile", "beta-auditor", "--region", "us-east-1", "sts", "get-caller-identity", check=False)
    assert ("An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:iam::%s:user/alpha-admin is not "
            "authorized to perform: sts:AssumeRole on resource: arn:aws:iam::%s:role/auditor" % (ALPHA, BETA)) in refused.stderr


def assume(multi, identity, role, **extra):
    return client(multi, "sts", identity, "us-east-1").assume_role(RoleArn="arn:aws:iam::%s:role/%s" % (BETA, role),
                                                                    RoleSessionName="e2e", **extra)


def denied(call):
    with pytest.raises(botocore.exceptions.ClientError) as error:
        call()
    return error.value.response["Error"]["Code"], error.value.response["Error"]["Message"], error.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_trust_conditions_external_id_and_mfa(multi):
    sentence = "User: arn:aws:iam::%s:user/alpha-admin is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::%s:role/%%s" % (ALPHA, BETA)
    assert denied(lambda: assume(multi, "alpha-admin", "partner")) == ("AccessDenied", sentence % "partner", 403)
    assert denied(lambda: assume(multi, "alpha-admin", "partner", ExternalId="wrong-id")) == ("AccessDenied", sentence % "partner", 403)
    assert assume(multi, "alpha-admin", "partner", ExternalId="alpha-ext-42")["AssumedRoleUser"]["Arn"] == \
        "arn:aws:sts::%s:assumed-role/partner/e2e" % BETA
    device = "arn:aws:iam::%s:mfa/alpha-admin" % ALPHA
    assert denied(lambda: assume(multi, "alpha-admin", "breakglass")) == ("AccessDenied", sentence % "breakglass", 403)
    assert denied(lambda: assume(multi, "alpha-admin", "breakglass", SerialNumber=device, TokenCode="000000")) == (
        "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.", 403)
    creds = assume(multi, "alpha-admin", "breakglass", SerialNumber=device, TokenCode="123456")["Credentials"]
    sts = boto3.session.Session().client("sts", region_name="eu-west-1", endpoint_url=multi.endpoint, aws_access_key_id=creds["AccessKeyId"],
                                         aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
    assert sts.get_caller_identity()["Account"] == BETA
    # breakglass names alpha-admin itself: another identity of alpha's account is not trusted.
    assert denied(lambda: assume(multi, "alpha-dev", "breakglass", SerialNumber=device, TokenCode="123456"))[0] == "AccessDenied"


def test_sessions_log_groups_and_buckets_belong_to_their_account_and_region(multi):
    alpha_east = client(multi, "ssm", "alpha-admin", "us-east-1")
    node = next(i["InstanceId"] for i in alpha_east.describe_instance_information()["InstanceInformationList"])
    with pytest.raises(botocore.exceptions.ClientError) as elsewhere:
        client(multi, "ssm", "beta-admin", "us-east-1").start_session(Target=node)
    assert elsewhere.value.response["Error"]["Code"] == "TargetNotConnected"
    session = alpha_east.start_session(Target=node)["SessionId"]
    try:
        assert [s["SessionId"] for s in alpha_east.describe_sessions(State="Active")["Sessions"]] == [session]
        assert client(multi, "ssm", "alpha-admin", "eu-west-1").describe_sessions(State="Active")["Sessions"] == []
        assert client(multi, "ssm", "beta-admin", "us-east-1").describe_sessions(State="Active")["Sessions"] == []
    finally:
        alpha_east.terminate_session(SessionId=session)
    client(multi, "logs", "alpha-admin", "us-east-1").create_log_group(logGroupName="/e2e/alpha-east")
    assert [g["logGroupName"] for g in client(multi, "logs", "alpha-admin", "us-east-1").describe_log_groups()["logGroups"]] == ["/e2e/alpha-east"]
    for identity, region in (("alpha-admin", "eu-west-1"), ("beta-admin", "us-east-1")):
        assert client(multi, "logs", identity, region).describe_log_groups()["logGroups"] == []
    client(multi, "s3", "beta-admin", "eu-west-1").create_bucket(Bucket="e2e-beta-west", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert [b["Name"] for b in client(multi, "s3", "beta-admin", "eu-west-1").list_buckets()["Buckets"]] == ["e2e-beta-west"]
    assert client(multi, "s3", "alpha-admin", "us-east-1").list_buckets()["Buckets"] == []
    location = client(multi, "s3", "beta-admin", "eu-west-1").get_bucket_location(Bucket="e2e-beta-west")["LocationConstraint"]
    assert location == "eu-west-1"


def trust_decision(policy, trust, caller_arn="arn:aws:iam::111111111111:user/ann", role="arn:aws:iam::111111111111:role/r"):
    caller = Caller(Identity("ann", "AKIA", "s", caller_arn, "AIDA", policy, caller_arn.split(":")[4]), "us-east-1")
    try:
        TrustCheck(caller, role, {"policy": {}, "trust": trust}, {}).check()
        return "allowed"
    except AWSError as e:
        return e.code


def statement(effect, principal):
    return {"Effect": effect, "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}


def test_explicit_denies_win_and_principals_are_exact():
    allow_all = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    deny_assume = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                                 {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}]}
    named = {"Statement": [statement("Allow", "arn:aws:iam::111111111111:user/ann")]}
    assert trust_decision({}, named) == "allowed", "same account, named in the trust policy: no identity policy needed"
    assert trust_decision(deny_assume, named) == "AccessDenied", "the caller's explicit Deny wins"
    both = {"Statement": [statement("Allow", "arn:aws:iam::111111111111:root"), statement("Deny", "arn:aws:iam::111111111111:user/ann")]}
    assert trust_decision(allow_all, both) == "AccessDenied", "the trust policy's Deny wins"
    wildcard = {"Statement": [statement("Allow", "arn:aws:iam::111111111111:user/*")]}
    assert trust_decision(allow_all, wildcard) == "AccessDenied", "IAM takes no wildcards in a principal ARN"
