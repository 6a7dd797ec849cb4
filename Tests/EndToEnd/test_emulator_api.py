"""The emulator's APIs through the real AWS CLI (PyPI awscli, --endpoint-url) and boto3: every
served operation in its normal syntax, AWS-shaped errors as the CLI renders them, paginators,
the command-executed waiter, and the Run Command behaviour users rely on."""
import asyncio
import datetime
import html
import json
import re
import time
import urllib.error
import urllib.request

import aiohttp
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

WEB = ["i-0a1b2c3d4e5f60001", "i-0a1b2c3d4e5f60002", "i-0a1b2c3d4e5f60003"]


def wait_command(emulator, command_id, timeout=30):
    ssm = emulator.client("ssm")
    deadline = time.time() + timeout
    while time.time() < deadline:
        invocations = ssm.list_command_invocations(CommandId=command_id)["CommandInvocations"]
        if invocations and all(i["Status"] in ("Success", "Failed", "TimedOut", "Cancelled") for i in invocations):
            return invocations
        time.sleep(0.2)
    raise AssertionError("command %s did not finish" % command_id)


def parse_time(text):
    """GetCommandInvocation's ISO-8601 times, e.g. 2026-12-01T07:50:00.123Z; an empty one fails."""
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")


def get_invocation(ssm, command_id, instance_id):
    """GetCommandInvocation, treating InvocationDoesNotExist right after SendCommand as pending."""
    for _ in range(50):
        try:
            return ssm.get_command_invocation(CommandId=command_id, InstanceId=instance_id)
        except ssm.exceptions.InvocationDoesNotExist:
            time.sleep(0.1)
    raise AssertionError("the invocation never appeared")


def test_describe_instance_information_filters_and_paginator(emulator):
    # The CLI's paginator follows NextToken across pages of 3.
    everything = emulator.aws_json("ssm", "describe-instance-information", "--page-size", "5")["InstanceInformationList"]
    assert len(everything) == 10
    web = emulator.aws_json("ssm", "describe-instance-information", "--filters", "Key=tag:Role,Values=web")["InstanceInformationList"]
    assert sorted(n["InstanceId"] for n in web) == sorted(WEB + ["i-0a1b2c3d4e5f60005"])
    lost = emulator.aws_json("ssm", "describe-instance-information", "--instance-information-filter-list",
                             "key=PingStatus,valueSet=ConnectionLost")["InstanceInformationList"]
    assert [n["InstanceId"] for n in lost] == ["i-0a1b2c3d4e5f60007"]
    page = emulator.client("ssm").describe_instance_information(MaxResults=5)
    assert len(page["InstanceInformationList"]) == 5 and "NextToken" in page


def test_connection_status_and_identity(emulator):
    assert emulator.aws_json("ssm", "get-connection-status", "--target", WEB[0])["Status"] == "connected"
    assert emulator.aws_json("ssm", "get-connection-status", "--target", "i-0a1b2c3d4e5f60007")["Status"] == "notconnected"
    me = emulator.aws_json("sts", "get-caller-identity", identity="basic")
    assert me["Arn"] == "arn:aws:iam::123456789012:user/basic"


def test_assume_role_gives_working_temporary_credentials(emulator):
    creds = emulator.aws_json("sts", "assume-role", "--role-arn", "arn:aws:iam::123456789012:role/ssm-operator",
                              "--role-session-name", "e2e")["Credentials"]
    env = emulator.env(AWS_ACCESS_KEY_ID=creds["AccessKeyId"], AWS_SECRET_ACCESS_KEY=creds["SecretAccessKey"],
                       AWS_SESSION_TOKEN=creds["SessionToken"])
    me = json.loads(emulator.aws("sts", "get-caller-identity", env=env).stdout)
    assert me["Arn"] == "arn:aws:sts::123456789012:assumed-role/ssm-operator/e2e"
    emulator.faults(expire_credentials=True)
    expired = emulator.aws("ssm", "describe-instance-information", env=env, check=False)
    assert "(ExpiredTokenException)" in expired.stderr


def test_ec2_describe_instances_name_tags(emulator):
    reservations = emulator.aws_json("ec2", "describe-instances", "--filters", "Name=tag:Name,Values=web-*")["Reservations"]
    names = sorted(t["Value"] for r in reservations for i in r["Instances"] for t in i["Tags"] if t["Key"] == "Name")
    assert names == ["web-1", "web-2", "web-3"]
    unmanaged = emulator.aws_json("ec2", "describe-instances", "--instance-ids", "i-0a1b2c3d4e5f6ffff")["Reservations"]
    assert "IamInstanceProfile" not in unmanaged[0]["Instances"][0]


def test_run_command_cycle_with_the_cli_waiter(emulator):
    sent = emulator.aws_json("ssm", "send-command", "--document-name", "AWS-RunShellScript", "--instance-ids", *WEB,
                             "--parameters", 'commands=["echo node $AWS_SSM_INSTANCE_ID","pwd"]', "--comment", "e2e",
                             identity="advanced")["Command"]
    assert sent["TargetCount"] == 3 and sent["Status"] == "Pending"
    command_id = sent["CommandId"]
    emulator.aws("ssm", "wait", "command-executed", "--command-id", command_id, "--instance-id", WEB[1], identity="advanced")
    result = emulator.aws_json("ssm", "get-command-invocation", "--command-id", command_id, "--instance-id", WEB[1], identity="advanced")
    assert result["Status"] == "Success" and result["ResponseCode"] == 0
    assert result["StandardOutputContent"].startswith("node %s\n" % WEB[1])
    assert WEB[1] in result["StandardOutputContent"].splitlines()[1], "each node has its own working directory"
    invocations = wait_command(emulator, command_id)
    details = emulator.aws_json("ssm", "list-command-invocations", "--command-id", command_id, "--details")["CommandInvocations"]
    assert {d["InstanceId"] for d in details} == set(WEB)
    assert all(d["CommandPlugins"][0]["Name"] == "aws:runShellScript" for d in details)
    commands = emulator.aws_json("ssm", "list-commands", "--command-id", command_id)["Commands"]
    assert commands[0]["Status"] == "Success" and commands[0]["CompletedCount"] == 3


def test_failures_timeouts_caps_and_cancel(emulator):
    ssm = emulator.client("ssm")
    failing = ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=WEB[:2],
                               Parameters={"commands": ["echo before", "echo oops >&2", "exit 7"]})["Command"]["CommandId"]
    big = ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[WEB[2]],
                           Parameters={"commands": ["head -c 30000 /dev/zero | tr '\\0' x", "head -c 9000 /dev/zero | tr '\\0' y >&2"]})["Command"]["CommandId"]
    slow = ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[WEB[0]],
                            Parameters={"commands": ["echo started", "echo warned >&2", "sleep 30"], "executionTimeout": ["5"]})["Command"]["CommandId"]
    cancel = ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[WEB[1]],
                              Parameters={"commands": ["echo started", "sleep 30"]})["Command"]["CommandId"]
    time.sleep(0.8)
    emulator.aws("ssm", "cancel-command", "--command-id", cancel)
    for inv in wait_command(emulator, failing):
        assert inv["Status"] == "Failed"
    out = get_invocation(ssm, failing, WEB[0])
    # amazon-ssm-agent 3.3 (plugins/runscript, MarkAsFailed): a non-zero exit appends its own
    # line to stderr, with no newline of its own (issue 19).
    assert out["ResponseCode"] == 7 and out["StandardErrorContent"] == "oops\nfailed to run commands: exit status 7"
    plugin = ssm.list_command_invocations(CommandId=failing, Details=True)["CommandInvocations"][0]["CommandPlugins"][0]
    assert plugin["Output"] == "before\n\n----------ERROR-------\noops\nfailed to run commands: exit status 7"
    wait_command(emulator, big)
    out = get_invocation(ssm, big, WEB[2])
    # amazon-ssm-agent 3.3.1142.0 (issue 19): stdout keeps 23,980 characters and the marker, 24,000
    # in all; stderr is cut the same way at 24,000 and GetCommandInvocation shows its first 8,000.
    assert out["StandardOutputContent"] == "x" * 23980 + "--output truncated--"
    assert out["StandardErrorContent"] == "y" * 8000
    listed = ssm.list_command_invocations(CommandId=big, Details=True)["CommandInvocations"][0]
    assert len(listed["CommandPlugins"][0]["Output"]) == 2500
    timed_out = wait_command(emulator, slow)[0]
    assert timed_out["Status"] == "TimedOut" and timed_out["StatusDetails"] == "ExecutionTimedOut"
    assert wait_command(emulator, cancel)[0]["Status"] == "Cancelled"
    # amazon-ssm-agent 3.3.1142.0: the script it killed reports 137 (128 + SIGKILL), at the timeout
    # and on cancel alike (executers ExecuteCommand; issue 19 saw 1 for a cancel, the agent's code
    # when its kill fails; under with-agent it answered 137), in both GetCommandInvocation and the
    # Details listing.
    for command_id, instance_id, status, details, code in ((slow, WEB[0], "TimedOut", "ExecutionTimedOut", 137),
                                                            (cancel, WEB[1], "Cancelled", "Cancelled", 137)):
        out = get_invocation(ssm, command_id, instance_id)
        assert (out["Status"], out["StatusDetails"], out["ResponseCode"]) == (status, details, code)
        # What the script printed before the agent killed it is kept, and no failure line is
        # added: the agent marks only a plain non-zero exit as failed (plugins/runscript).
        assert out["StandardOutputContent"] == "started\n", out
        assert out["StandardErrorContent"] == ("warned\n" if command_id == slow else ""), out
        plugin = ssm.list_command_invocations(CommandId=command_id, Details=True)["CommandInvocations"][0]["CommandPlugins"][0]
        assert (plugin["Status"], plugin["ResponseCode"]) == (status, code)


def test_details_output_is_cut_at_2500_as_the_agent_cuts_it(emulator):
    # amazon-ssm-agent 3.3 (iohandler TruncateOutput, issue 19): stdout, then
    # "\n----------ERROR-------\n" and stderr when there is any, in 2,500 characters: both halves
    # cut when both are long, else only the long one, each with its own marker.
    ssm = emulator.client("ssm")
    out_marker, err_marker, title = "\n---Output truncated---", "\n---Error truncated----", "\n----------ERROR-------\n"
    cases = {
        "both long": (3000, 3000, "x" * 1215 + out_marker + title + "y" * 1215 + err_marker),
        "stderr long": (100, 3000, "x" * 100 + title + "y" * 2353 + err_marker),
        "stdout long": (3000, 100, "x" * 2353 + out_marker + title + "y" * 100),
        "stdout only": (3000, 0, "x" * 2477 + out_marker),
        "just fits": (1000, 1475, "x" * 1000 + title + "y" * 1475),
        # The agent's test is "less than", so 2,500 exactly is already cut.
        "one more": (1000, 1476, "x" * 1000 + title + "y" * 1453 + err_marker),
    }
    ids = {}
    for name, (stdout, stderr, _) in cases.items():
        script = ["printf '%%%ds' '' | tr ' ' x" % stdout, "printf '%%%ds' '' | tr ' ' y >&2" % stderr if stderr else "true"]
        ids[name] = ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[WEB[0]], Parameters={"commands": script})["Command"]["CommandId"]
    for name, (_, _, expected) in cases.items():
        wait_command(emulator, ids[name])
        output = ssm.list_command_invocations(CommandId=ids[name], Details=True)["CommandInvocations"][0]["CommandPlugins"][0]["Output"]
        assert output == expected, (name, len(output), output[-60:])
        assert len(output) <= 2500


def test_a_signal_that_ends_the_script_is_exit_minus_1_and_said_as_go_says_it(emulator):
    # amazon-ssm-agent 3.3 (executers ExecuteCommand): a shell ended by a signal has no exit
    # status (-1) and the failure line names the signal as Go's os/exec does ("signal: killed").
    ssm = emulator.client("ssm")
    command_id = ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[WEB[0]],
                                  Parameters={"commands": ["echo bye >&2", "kill -KILL $$"]})["Command"]["CommandId"]
    assert wait_command(emulator, command_id)[0]["Status"] == "Failed"
    out = get_invocation(ssm, command_id, WEB[0])
    assert (out["ResponseCode"], out["StandardErrorContent"]) == (-1, "bye\nfailed to run commands: signal: killed")


def agent_timing(ssm, command_id, instance_id):
    """Seconds from SendCommand to the agent taking the command, and from then to the end."""
    requested = ssm.list_commands(CommandId=command_id)["Commands"][0]["RequestedDateTime"]
    out = get_invocation(ssm, command_id, instance_id)
    start, end = parse_time(out["ExecutionStartDateTime"]), parse_time(out["ExecutionEndDateTime"])
    requested = requested.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return (start - requested).total_seconds(), (end - start).total_seconds()


def test_the_agent_takes_a_command_at_once_and_ends_a_quick_script_in_tens_of_ms(emulator):
    # amazon-ssm-agent 3.3 (issue 19): the job is acknowledged about 1 ms after delivery and a
    # quick script ends 20-35 ms later; the fault agent_delay brings back the old 0.2 s.
    ssm = emulator.client("ssm")
    quick = ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[WEB[0]], Parameters={"commands": ["true"]})["Command"]["CommandId"]
    assert wait_command(emulator, quick)[0]["Status"] == "Success"
    taken, ran = agent_timing(ssm, quick, WEB[0])
    assert taken < 0.19 and 0.02 <= ran < 1, (taken, ran)  # was never under 0.2 s before
    emulator.faults(agent_delay=0.2)
    try:
        slow = ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[WEB[0]], Parameters={"commands": ["true"]})["Command"]["CommandId"]
        assert wait_command(emulator, slow)[0]["Status"] == "Success"
        taken, _ = agent_timing(ssm, slow, WEB[0])
        assert taken >= 0.19, taken  # ExecutionStartDateTime is cut to the millisecond
    finally:
        emulator.faults(agent_delay=0)


def test_a_script_that_exits_137_itself_reads_as_timed_out(emulator):
    # amazon-ssm-agent 3.3 (pluginutil GetStatus): exit code 137 is its own code for a process it
    # stopped, so a script that exits 137 by itself is TimedOut, with no failure line.
    ssm = emulator.client("ssm")
    command_id = ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[WEB[0]],
                                  Parameters={"commands": ["echo own >&2", "exit 137"]})["Command"]["CommandId"]
    wait_command(emulator, command_id)
    out = get_invocation(ssm, command_id, WEB[0])
    assert (out["Status"], out["StatusDetails"], out["ResponseCode"], out["StandardErrorContent"]) == ("TimedOut", "ExecutionTimedOut", 137, "own\n")


def test_execution_timeout_outside_5_to_172800_is_replaced_by_3600(emulator):
    # amazon-ssm-agent 3.3.1142.0 (issue 19): executionTimeout 2 ran 'sleep 30' to Success, no error anywhere.
    ssm = emulator.client("ssm")
    ids = {value: ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[WEB[0]],
                                   Parameters={"commands": ["sleep 3", "echo done"], "executionTimeout": [value]})["Command"]["CommandId"]
           for value in ("2", "172801")}
    for value, command_id in ids.items():
        assert wait_command(emulator, command_id)[0]["Status"] == "Success", value
        out = get_invocation(ssm, command_id, WEB[0])
        assert out["ResponseCode"] == 0 and out["StandardOutputContent"] == "done\n", value


def test_tags_platforms_concurrency_and_offline_nodes(emulator):
    ssm = emulator.client("ssm")
    by_tag = ssm.send_command(DocumentName="AWS-RunShellScript", Targets=[{"Key": "tag:Env", "Values": ["prod"]}],
                              MaxConcurrency="1", MaxErrors="0", Parameters={"commands": ["date +%s.%N"]})["Command"]
    # Linux and macOS prod nodes are targeted, Windows is not (the document's platform).
    assert by_tag["TargetCount"] == 6
    invocations = {i["InstanceId"]: i for i in ssm.list_command_invocations(CommandId=by_tag["CommandId"])["CommandInvocations"]}
    assert "i-0a1b2c3d4e5f60008" not in invocations
    assert invocations["i-0a1b2c3d4e5f60007"]["Status"] == "Pending", "the offline node waits for delivery"
    windows = ssm.send_command(DocumentName="AWS-RunPowerShellScript", InstanceIds=["i-0a1b2c3d4e5f60008"],
                               Parameters={"commands": ['Write-Output "hello windows"', "hostname"]})["Command"]["CommandId"]
    wait_command(emulator, windows)
    assert get_invocation(ssm, windows, "i-0a1b2c3d4e5f60008")["StandardOutputContent"] == "hello windows\nWIN-1\n"
    # MaxConcurrency 1: executions never overlap on the online nodes. Each must have finished (an
    # unfinished one has empty times, which would compare as "no overlap").
    online = ["i-0a1b2c3d4e5f60001", "i-0a1b2c3d4e5f60002", "i-0a1b2c3d4e5f60003"]
    deadline = time.time() + 30
    while True:
        outs = [get_invocation(ssm, by_tag["CommandId"], node) for node in online]
        if all(o["Status"] == "Success" for o in outs):
            break
        assert time.time() < deadline, "the online nodes did not all run the command: %s" % [o["Status"] for o in outs]
        time.sleep(0.2)
    spans = sorted((parse_time(o["ExecutionStartDateTime"]), parse_time(o["ExecutionEndDateTime"])) for o in outs)
    assert all(start <= end for start, end in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), spans
    ssm.cancel_command(CommandId=by_tag["CommandId"])


def test_an_undelivered_command_is_delivery_timed_out_and_not_an_error(emulator):
    # The service: an invocation the node never took ends TimedOut / DeliveryTimedOut after
    # TimeoutSeconds (ListCommandInvocations' TimedOut "includes both Delivery and Execution time
    # outs"); delivery timeouts do not count against MaxErrors, nor in ErrorCount ("Failed or
    # Execution Timed Out"). 30 s, the smallest TimeoutSeconds.
    ssm = emulator.client("ssm")
    offline, online = "i-0a1b2c3d4e5f60007", WEB[0]
    command_id = ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[offline, online], TimeoutSeconds=30,
                                  MaxConcurrency="1", MaxErrors="0", Parameters={"commands": ["echo ran"]})["Command"]["CommandId"]
    invocations = {i["InstanceId"]: i for i in wait_command(emulator, command_id, timeout=45)}
    assert (invocations[offline]["Status"], invocations[offline]["StatusDetails"]) == ("TimedOut", "DeliveryTimedOut")
    assert invocations[online]["Status"] == "Success", "a delivery timeout is not one of MaxErrors"
    out = get_invocation(ssm, command_id, offline)
    assert (out["Status"], out["StatusDetails"], out["ResponseCode"]) == ("TimedOut", "DeliveryTimedOut", -1)
    assert (out["StandardOutputContent"], out["ExecutionStartDateTime"]) == ("", "")
    plugin = ssm.list_command_invocations(CommandId=command_id, InstanceId=offline, Details=True)["CommandInvocations"][0]["CommandPlugins"][0]
    assert (plugin["Status"], plugin["StatusDetails"], plugin["ResponseCode"]) == ("TimedOut", "DeliveryTimedOut", -1)
    command = ssm.list_commands(CommandId=command_id)["Commands"][0]
    assert (command["DeliveryTimedOutCount"], command["ErrorCount"], command["CompletedCount"]) == (1, 0, 2)


def test_max_errors_stops_sending(emulator):
    ssm = emulator.client("ssm")
    command = ssm.send_command(DocumentName="AWS-RunShellScript", Targets=[{"Key": "tag:Role", "Values": ["web"]}],
                               MaxConcurrency="1", MaxErrors="0", Parameters={"commands": ["exit 1"]})["Command"]["CommandId"]
    statuses = sorted(i["Status"] for i in wait_command(emulator, command))
    assert statuses == ["Cancelled", "Cancelled", "Cancelled", "Failed"]


def test_errors_render_as_the_cli_renders_aws_errors(emulator):
    denied = emulator.aws("ssm", "send-command", "--document-name", "AWS-RunShellScript", "--instance-ids", WEB[0],
                          "--parameters", "commands=uptime", identity="basic", check=False)
    assert denied.returncode == 255
    assert denied.stderr.strip() == ("An error occurred (AccessDeniedException) when calling the SendCommand operation: User: "
                                     "arn:aws:iam::123456789012:user/basic is not authorized to perform: ssm:SendCommand on resource: "
                                     "arn:aws:ssm:us-east-1::document/AWS-RunShellScript because no identity-based policy allows the ssm:SendCommand action")
    env = emulator.env()
    env["AWS_SECRET_ACCESS_KEY"] = "wrong"
    bad = emulator.aws("ssm", "describe-instance-information", env=env, check=False)
    assert "An error occurred (InvalidSignatureException) when calling the DescribeInstanceInformation operation: The request signature we calculated does not match" in bad.stderr
    emulator.faults(invocation_lag=30)
    command = emulator.client("ssm").send_command(DocumentName="AWS-RunShellScript", InstanceIds=[WEB[0]], Parameters={"commands": ["true"]})
    missing = emulator.aws("ssm", "get-command-invocation", "--command-id", command["Command"]["CommandId"], "--instance-id", WEB[0], check=False)
    assert "An error occurred (InvocationDoesNotExist) when calling the GetCommandInvocation operation" in missing.stderr
    too_many = emulator.aws("ssm", "send-command", "--document-name", "AWS-RunShellScript", "--instance-ids",
                            *["i-%017d" % n for n in range(51)], "--parameters", "commands=true", check=False)
    assert ("An error occurred (ValidationException) when calling the SendCommand operation: 1 validation error detected: Value '[" in too_many.stderr
            and "at 'instanceIds' failed to satisfy constraint: Member must have length less than or equal to 50" in too_many.stderr)
    unknown = emulator.aws("ssm", "describe-instance-information", identity="none", check=False)
    assert "(AccessDeniedException)" in unknown.stderr and "ssm:DescribeInstanceInformation" in unknown.stderr
    ec2 = emulator.aws("ec2", "describe-instances", identity="basic", check=False)
    assert "An error occurred (UnauthorizedOperation) when calling the DescribeInstances operation" in ec2.stderr


def test_sessions_api_through_the_cli(emulator):
    started = emulator.client("ssm").start_session(Target=WEB[0])
    assert started["StreamUrl"].startswith("ws://127.0.0.1:") and "role=publish_subscribe" in started["StreamUrl"]
    active = emulator.aws_json("ssm", "describe-sessions", "--state", "Active", "--filters", "key=Target,value=%s" % WEB[0])["Sessions"]
    assert started["SessionId"] in [s["SessionId"] for s in active]
    resumed = emulator.aws_json("ssm", "resume-session", "--session-id", started["SessionId"])
    assert resumed["TokenValue"] and resumed["TokenValue"] != started["TokenValue"]
    assert emulator.aws_json("ssm", "terminate-session", "--session-id", started["SessionId"])["SessionId"] == started["SessionId"]
    offline = emulator.aws("ssm", "start-session", "--target", "i-0a1b2c3d4e5f60007", check=False)
    assert "(TargetNotConnected)" in offline.stderr
    facts = emulator.control("state")
    assert facts["api_calls"]["StartSession"]["admin"] >= 1


def test_throttling_and_server_errors_are_retried_by_the_cli(emulator):
    # Half the calls are throttled. With the CLI's default 5 attempts a call fails outright 3% of
    # the time, so this test gives the CLI 12 (standard mode, backoff capped at 20 s): a call then
    # fails once in 4,096, and ten calls are throttled at least once all but once in a thousand.
    emulator.faults(throttle=0.5)
    env = emulator.env("admin", AWS_MAX_ATTEMPTS="12", AWS_RETRY_MODE="standard")
    before = emulator.control("state")["api_calls"].get("GetConnectionStatus", {}).get("admin", 0)
    for _ in range(10):
        emulator.aws("ssm", "get-connection-status", "--target", WEB[0], env=env)
    calls = emulator.control("state")["api_calls"]["GetConnectionStatus"]["admin"] - before
    assert calls > 10, "some calls were throttled and retried"


def test_vpc_and_iam_calls_through_the_aws_cli(emulator):
    """What `doctor` reads, in AWS's XML, parsed by the real AWS CLI."""
    on = emulator.aws_json("ec2", "describe-vpc-attribute", "--vpc-id", "vpc-0nodns000000001", "--attribute", "enableDnsHostnames")
    assert on == {"VpcId": "vpc-0nodns000000001", "EnableDnsHostnames": {"Value": False}}
    endpoints = emulator.aws_json("ec2", "describe-vpc-endpoints", "--filters", "Name=vpc-id,Values=vpc-0healthy00000001")["VpcEndpoints"]
    assert sorted(e["ServiceName"] for e in endpoints) == ["com.amazonaws.us-east-1.ec2messages", "com.amazonaws.us-east-1.ssm",
                                                           "com.amazonaws.us-east-1.ssmmessages"]
    isolated = emulator.aws_json("ec2", "describe-route-tables", "--filters", "Name=vpc-id,Values=vpc-0isolated0000001")["RouteTables"]
    assert [r["GatewayId"] for t in isolated for r in t["Routes"]] == ["local"]
    profile = emulator.aws_json("iam", "get-instance-profile", "--instance-profile-name", "app-only-profile")["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == ["app-only-role"]
    policies = emulator.aws_json("iam", "list-attached-role-policies", "--role-name", "ssm-instance-role")["AttachedPolicies"]
    assert [p["PolicyName"] for p in policies] == ["AmazonSSMManagedInstanceCore"]
    instances = emulator.aws_json("ec2", "describe-instances", "--instance-ids", "i-0a1b2c3d4e5f6ffff")["Reservations"][0]["Instances"]
    assert "IamInstanceProfile" not in instances[0] and instances[0]["VpcId"] == "vpc-0healthy00000001"
    denied = emulator.aws("iam", "get-instance-profile", "--instance-profile-name", "app-only-profile", identity="basic", check=False)
    assert denied.returncode != 0 and "AccessDenied" in denied.stderr and "iam:GetInstanceProfile" in denied.stderr
    missing = emulator.aws("ec2", "describe-vpc-attribute", "--vpc-id", "vpc-0nothere00000000", "--attribute", "enableDnsSupport", check=False)
    assert "InvalidVpcID.NotFound" in missing.stderr


# -- SigV4 as strict as AWS (issue 11, item 18) ------------------------------------------------------
# The messages are those of AWS's front end: the credential scope must name the endpoint's region,
# the request's service, the date of X-Amz-Date and the terminator aws4_request, and `host` must be
# signed. JSON services answer InvalidSignatureException (400), query services SignatureDoesNotMatch (403).

SSM_CALL = {"body": b"{}", "headers": {"X-Amz-Target": "AmazonSSM.DescribeInstanceInformation",
                                       "Content-Type": "application/x-amz-json-1.1"}}
STS_CALL = {"body": b"Action=GetCallerIdentity&Version=2011-06-15",
            "headers": {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}}


def signed_call(emulator, call, service, region=None, sign_host=True, scope=None):
    """POSTs `call` signed by botocore for `service`/`region`; `scope` rewrites parts of the credential
    scope afterwards ({index: value}: 1 date, 2 region, 3 service, 4 terminator). Returns (status, body)."""
    creds = emulator.identity("admin")
    request = AWSRequest(method="POST", url=emulator.endpoint + "/", data=call["body"], headers=dict(call["headers"]))
    signer = SigV4Auth(Credentials(creds["access_key_id"], creds["secret_access_key"]), service, region or emulator.region)
    if not sign_host:
        chosen = signer.headers_to_sign

        def without_host(r):
            headers = chosen(r)
            del headers["host"]
            return headers
        signer.headers_to_sign = without_host
    signer.add_auth(request)
    if scope:
        algorithm, rest = request.headers["Authorization"].split(" ", 1)
        fields = [f.strip() for f in rest.split(",")]
        parts = fields[0][len("Credential="):].split("/")
        for index, value in scope.items():
            parts[index] = value
        fields[0] = "Credential=" + "/".join(parts)
        del request.headers["Authorization"]
        request.headers["Authorization"] = algorithm + " " + ", ".join(fields)
    sent = urllib.request.Request(emulator.endpoint + "/", data=call["body"], method="POST", headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(sent, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def json_error(body):
    document = json.loads(body)
    return document["__type"].split("#")[-1], document.get("message", document.get("Message"))


def query_error(body):
    return re.search(r"<Code>(.*?)</Code>", body).group(1), html.unescape(re.search(r"<Message>(.*?)</Message>", body, re.S).group(1))


def test_botocore_signed_requests_are_accepted(emulator):
    status, body = signed_call(emulator, SSM_CALL, "ssm")
    assert status == 200, body
    status, body = signed_call(emulator, STS_CALL, "sts")
    assert status == 200, body


def test_a_scope_for_another_region_is_refused(emulator):
    status, body = signed_call(emulator, SSM_CALL, "ssm", region="eu-west-3")
    assert (status, json_error(body)) == (400, ("InvalidSignatureException", "Credential should be scoped to a valid region, not 'eu-west-3'. "))
    status, body = signed_call(emulator, STS_CALL, "sts", region="eu-west-3")
    assert (status, query_error(body)) == (403, ("SignatureDoesNotMatch", "Credential should be scoped to a valid region, not 'eu-west-3'. "))


def test_a_scope_for_another_service_is_refused(emulator):
    status, body = signed_call(emulator, SSM_CALL, "ec2")
    assert (status, json_error(body)) == (400, ("InvalidSignatureException", "Credential should be scoped to correct service: 'ssm'. "))
    status, body = signed_call(emulator, STS_CALL, "ssm")
    assert (status, query_error(body)) == (403, ("SignatureDoesNotMatch", "Credential should be scoped to correct service: 'sts'. "))


def test_a_scope_with_another_date_or_terminator_is_refused(emulator):
    status, body = signed_call(emulator, SSM_CALL, "ssm", scope={1: "20200101"})
    kind, message = json_error(body)
    assert status == 400 and kind == "InvalidSignatureException", body
    assert re.fullmatch(r"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                        r"'20200101' != '(\d{8})', from '\1T\d{6}Z'\.", message), message
    status, body = signed_call(emulator, STS_CALL, "sts", scope={4: "aws4_reques"})
    assert (status, query_error(body)) == (403, ("SignatureDoesNotMatch",
                                                 "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_reques'. "))


def test_host_must_be_signed(emulator):
    status, body = signed_call(emulator, SSM_CALL, "ssm", sign_host=False)
    assert (status, json_error(body)) == (400, ("InvalidSignatureException", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."))
    status, body = signed_call(emulator, STS_CALL, "sts", sign_host=False)
    assert (status, query_error(body)) == (403, ("SignatureDoesNotMatch", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."))


def test_the_data_channel_upgrade_must_be_signed_for_ssmmessages(emulator):
    session = emulator.client("ssm").start_session(Target=WEB[0])
    creds = emulator.identity("admin")

    def upgrade(service=None, signed=True):
        headers = {}
        if signed:
            request = AWSRequest(method="GET", url=session["StreamUrl"])
            SigV4Auth(Credentials(creds["access_key_id"], creds["secret_access_key"]), service, emulator.region).add_auth(request)
            headers = dict(request.headers.items())

        async def attempt():
            async with aiohttp.ClientSession() as client:
                try:
                    async with client.ws_connect(session["StreamUrl"], headers=headers):
                        return 101
                except aiohttp.WSServerHandshakeError as error:
                    return error.status
        return asyncio.run(asyncio.wait_for(attempt(), 30))

    try:
        assert upgrade(signed=False) == 403, "an unsigned upgrade is refused"
        assert upgrade("ssm") == 403, "an upgrade signed for another service is refused"
        assert upgrade("ssmmessages") == 101
    finally:
        emulator.client("ssm").terminate_session(SessionId=session["SessionId"])


def test_unsigned_upgrades_switch_lets_an_unsigned_upgrade_in_but_not_a_wrong_signature(emulator):
    """The public session-manager-plugin dials the stream URL with no headers (websocketutil.go:
    dialer.Dial(url, nil)); `unsigned_upgrades` (--unsigned-upgrades) lets the bench drive it. A
    signature that is present is still checked, and the OpenDataChannel token still is."""
    session = emulator.client("ssm").start_session(Target=WEB[0])
    creds = emulator.identity("admin")

    def upgrade(service=None):
        headers = {}
        if service:
            request = AWSRequest(method="GET", url=session["StreamUrl"])
            SigV4Auth(Credentials(creds["access_key_id"], creds["secret_access_key"]), service, emulator.region).add_auth(request)
            headers = dict(request.headers.items())

        async def attempt():
            async with aiohttp.ClientSession() as client:
                try:
                    async with client.ws_connect(session["StreamUrl"], headers=headers):
                        return 101
                except aiohttp.WSServerHandshakeError as error:
                    return error.status
        return asyncio.run(asyncio.wait_for(attempt(), 30))

    try:
        emulator.faults(unsigned_upgrades=True)
        assert upgrade() == 101, "an unsigned upgrade is let in"
        assert upgrade("ssm") == 403, "an upgrade signed for another service is still refused"
    finally:
        emulator.faults(unsigned_upgrades=False)
        emulator.client("ssm").terminate_session(SessionId=session["SessionId"])
