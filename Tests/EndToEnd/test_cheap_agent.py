"""The cheap simulated agent of generated fleets (`--cheap-nodes N`, issue 14's scale benchmark):
nodes spread over every account and region, Run Command by tag Targets with MaxConcurrency and
MaxErrors, results computed from the script's lines, cancel, and no sessions."""
import json
import os
import time

import boto3
import botocore.exceptions
import pytest

from conftest import ROOT, TERMINAL_STATUSES, ended_invocation, start_emulator

EMULATOR_DIR = os.path.join(ROOT, "scripts", "emulator")
NODES = 400
PAIRS = [(a, r) for a in ("111111111111", "222222222222", "333333333333", "444444444444") for r in ("eu-west-1", "us-east-1")]
ADMIN = {"111111111111": "alpha-admin", "222222222222": "beta-admin", "333333333333": "gamma-admin", "444444444444": "delta-admin"}


@pytest.fixture(scope="module")
def cheap():
    started = start_emulator("--fleet", os.path.join(EMULATOR_DIR, "fleets", "multi.json"),
                             "--identities", os.path.join(EMULATOR_DIR, "identities-multi.json"),
                             "--cheap-nodes", str(NODES), "--cheap-delay", "0.05:0.3")
    yield started
    started.process.terminate()
    started.process.wait(timeout=10)


def ssm(emulator, account, region):
    creds = emulator.identity(ADMIN[account])
    return boto3.session.Session().client("ssm", region_name=region, endpoint_url=emulator.endpoint,
                                           aws_access_key_id=creds["access_key_id"], aws_secret_access_key=creds["secret_access_key"])


def scale_nodes(client):
    pages = client.get_paginator("describe_instance_information").paginate(
        Filters=[{"Key": "tag:Fleet", "Values": ["scale"]}], PaginationConfig={"PageSize": 50})
    return [n for page in pages for n in page["InstanceInformationList"]]


def finished(client, command_id, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        command = client.list_commands(CommandId=command_id)["Commands"][0]
        if command["Status"] in TERMINAL_STATUSES:
            return command
        if time.monotonic() > deadline:
            raise AssertionError("command %s still %s after %d s" % (command_id, command["Status"], seconds))
        time.sleep(0.1)


def invocations(client, command_id):
    pages = client.get_paginator("list_command_invocations").paginate(CommandId=command_id, Details=True)
    return [i for page in pages for i in page["CommandInvocations"]]


def test_generated_nodes_are_spread_over_every_account_and_region(cheap):
    seen = {}
    for account, region in PAIRS:
        nodes = scale_nodes(ssm(cheap, account, region))
        seen[(account, region)] = {n["InstanceId"] for n in nodes}
        assert len(nodes) == NODES // len(PAIRS)
        assert {n["PingStatus"] for n in nodes} == {"Online"}
        assert {n["PlatformType"] for n in nodes} == {"Linux", "Windows"}
    assert len(set().union(*seen.values())) == NODES, "every node is in exactly one pair"


def test_run_command_by_tag_over_cheap_nodes_computes_each_output(cheap):
    client = ssm(cheap, "333333333333", "us-east-1")
    web = [n for n in scale_nodes(client) if n["PlatformType"] == "Linux"]
    sent = client.send_command(DocumentName="AWS-RunShellScript", Targets=[{"Key": "tag:Fleet", "Values": ["scale"]}],
                               MaxConcurrency="100%", Parameters={"commands": ["echo hi from $AWS_SSM_INSTANCE_ID", "hostname"]})["Command"]
    assert sent["TargetCount"] == len(web), "the Windows nodes do not run a shell script"
    assert finished(client, sent["CommandId"])["Status"] == "Success"
    listed = invocations(client, sent["CommandId"])
    assert len(listed) == len(web)
    for inv in listed:
        node = next(n for n in web if n["InstanceId"] == inv["InstanceId"])
        plugin = inv["CommandPlugins"][0]
        assert (plugin["Status"], plugin["ResponseCode"]) == ("Success", 0)
        assert plugin["Output"] == "hi from %s\n%s\n" % (node["InstanceId"], node["ComputerName"].split(".")[0])
    one = client.get_command_invocation(CommandId=sent["CommandId"], InstanceId=listed[0]["InstanceId"])
    assert one["StandardOutputContent"] == listed[0]["CommandPlugins"][0]["Output"]
    assert one["ExecutionStartDateTime"] and one["ExecutionEndDateTime"]


def test_max_errors_stops_the_rest_and_failures_read_as_the_agents(cheap):
    client = ssm(cheap, "444444444444", "eu-west-1")
    sent = client.send_command(DocumentName="AWS-RunShellScript", Targets=[{"Key": "tag:Fleet", "Values": ["scale"]}],
                               MaxConcurrency="2", MaxErrors="0", Parameters={"commands": ["echo before", "frobnicate now", "exit 3"]})["Command"]
    command = finished(client, sent["CommandId"])
    assert command["Status"] == "Failed"
    statuses = [i["Status"] for i in invocations(client, sent["CommandId"])]
    assert statuses.count("Failed") in (1, 2), "MaxConcurrency 2: at most two ran before MaxErrors 0 was exceeded"
    assert statuses.count("Cancelled") == len(statuses) - statuses.count("Failed")
    failed = next(i for i in invocations(client, sent["CommandId"]) if i["Status"] == "Failed")
    result = client.get_command_invocation(CommandId=sent["CommandId"], InstanceId=failed["InstanceId"])
    assert (result["ResponseCode"], result["StandardOutputContent"]) == (3, "before\n")
    assert result["StandardErrorContent"] == "sh: 1: frobnicate: not found\nfailed to run commands: exit status 3"


def test_cancel_ends_a_running_cheap_invocation_and_sessions_are_refused(cheap):
    client = ssm(cheap, "111111111111", "eu-west-1")
    target = scale_nodes(client)[0]["InstanceId"]
    sent = client.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[target], Parameters={"commands": ["sleep 60"]})["Command"]
    deadline = time.monotonic() + 10
    while client.list_command_invocations(CommandId=sent["CommandId"])["CommandInvocations"][0]["Status"] != "InProgress":
        assert time.monotonic() < deadline, "the cheap agent never took the command"
        time.sleep(0.05)
    client.cancel_command(CommandId=sent["CommandId"])
    assert finished(client, sent["CommandId"], seconds=10)["Status"] == "Cancelled"
    result = ended_invocation(client, sent["CommandId"], target)
    assert (result["Status"], result["ResponseCode"]) == ("Cancelled", 137)
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        client.start_session(Target=target)
    assert refused.value.response["Error"]["Code"] == "TargetNotConnected"


def test_the_aws_cli_sends_by_targets_and_lists_details(cheap):
    env = cheap.env("beta-admin", AWS_DEFAULT_REGION="us-east-1", AWS_REGION="us-east-1")
    sent = json.loads(cheap.aws("ssm", "send-command", "--document-name", "AWS-RunShellScript", "--targets", "Key=tag:Role,Values=web",
                                "--max-concurrency", "100%", "--parameters", 'commands=["echo ok"]', "--output", "json", env=env).stdout)["Command"]
    client = ssm(cheap, "222222222222", "us-east-1")
    finished(client, sent["CommandId"])
    listed = json.loads(cheap.aws("ssm", "list-command-invocations", "--command-id", sent["CommandId"], "--details", "--output", "json",
                                  env=env).stdout)["CommandInvocations"]
    pages = client.get_paginator("describe_instance_information").paginate(Filters=[{"Key": "tag:Role", "Values": ["web"]}])
    web = {n["InstanceId"] for page in pages for n in page["InstanceInformationList"] if n["PlatformType"] == "Linux"}
    assert {i["InstanceId"] for i in listed} == web and sent["TargetCount"] == len(web)
    assert "i-0b000000000000031" in web, "the fixture's simulated beta-web-1 runs it too, with a real sh"
    assert {i["CommandPlugins"][0]["Output"] for i in listed} == {"ok\n"}
