"""The emulator's CloudWatch Logs through botocore and the real AWS CLI: groups and streams,
PutLogEvents' rules, GetLogEvents' forward and backward tokens (the same token back when nothing
is new), FilterLogEvents across streams with nextToken, the 1 MB and 10,000-event caps, errors
and IAM with log-group ARNs."""
import json
import time
import uuid

import botocore.exceptions
import pytest

from conftest import ended_invocation, wait_until


def now_ms():
    return int(time.time() * 1000)


def fresh_group(logs, prefix="/test/logs-"):
    name = prefix + uuid.uuid4().hex[:12]
    logs.create_log_group(logGroupName=name)
    return name


def put(logs, group, stream, messages, start=None):
    start = start if start is not None else now_ms()
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": start + i, "message": m} for i, m in enumerate(messages)])


def error_of(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]


def test_groups_and_streams_are_created_once_and_described(emulator):
    logs = emulator.client("logs")
    group = fresh_group(logs)
    assert error_of(logs.create_log_group, logGroupName=group) == {
        "Code": "ResourceAlreadyExistsException", "Message": "The specified log group already exists"}
    logs.create_log_stream(logGroupName=group, logStreamName="b/stdout")
    logs.create_log_stream(logGroupName=group, logStreamName="a/stdout")
    assert error_of(logs.create_log_stream, logGroupName=group, logStreamName="a/stdout")["Code"] == "ResourceAlreadyExistsException"
    assert error_of(logs.create_log_stream, logGroupName=group + "-none", logStreamName="x") == {
        "Code": "ResourceNotFoundException", "Message": "The specified log group does not exist."}
    found = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert [g["logGroupName"] for g in found] == [group]
    assert found[0]["arn"] == "arn:aws:logs:%s:123456789012:log-group:%s:*" % (emulator.region, group)
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["a/stdout", "b/stdout"]
    assert "lastEventTimestamp" not in streams[0]
    put(logs, group, "b/stdout", ["one"])
    latest = logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime", descending=True)["logStreams"]
    assert latest[0]["logStreamName"] == "b/stdout" and latest[0]["lastEventTimestamp"] > 0


def test_put_log_events_rules(emulator):
    logs = emulator.client("logs")
    group = fresh_group(logs)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    assert error_of(logs.put_log_events, logGroupName=group, logStreamName="missing",
                    logEvents=[{"timestamp": now_ms(), "message": "x"}]) == {
        "Code": "ResourceNotFoundException", "Message": "The specified log stream does not exist."}
    t = now_ms()
    unordered = error_of(logs.put_log_events, logGroupName=group, logStreamName="s",
                         logEvents=[{"timestamp": t, "message": "b"}, {"timestamp": t - 1, "message": "a"}])
    assert unordered["Code"] == "InvalidParameterException" and "chronological order" in unordered["Message"]
    too_big = error_of(logs.put_log_events, logGroupName=group, logStreamName="s",
                       logEvents=[{"timestamp": t, "message": "x" * 600_000}, {"timestamp": t, "message": "y" * 600_000}])
    assert too_big["Code"] == "InvalidParameterException" and "1048576" in too_big["Message"]
    too_many = error_of(logs.put_log_events, logGroupName=group, logStreamName="s",
                        logEvents=[{"timestamp": t, "message": "x"}] * 10_001)
    assert too_many["Code"] == "ValidationException"
    # Events older than 14 days and more than 2 hours ahead are left out and reported; a batch
    # may not span more than 24 hours.
    span = error_of(logs.put_log_events, logGroupName=group, logStreamName="s",
                    logEvents=[{"timestamp": t - 25 * 3600_000, "message": "a"}, {"timestamp": t, "message": "b"}])
    assert span["Code"] == "InvalidParameterException" and "24 hours" in span["Message"]
    old = logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[
        {"timestamp": t - 15 * 86400_000, "message": "old"}, {"timestamp": t - 15 * 86400_000 + 1, "message": "old"}])
    assert old["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 1}
    answer = logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[
        {"timestamp": t, "message": "kept"}, {"timestamp": t + 3 * 3600_000, "message": "new"}])
    assert answer["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 1}
    assert answer["nextSequenceToken"]
    events = logs.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True)["events"]
    assert [e["message"] for e in events] == ["kept"]


def test_get_log_events_tokens_forward_and_backward(emulator):
    logs = emulator.client("logs")
    group = fresh_group(logs)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    empty = logs.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True)
    assert empty["events"] == []
    put(logs, group, "s", ["m%d" % i for i in range(10)])
    # From the head, three at a time, following nextForwardToken.
    first = logs.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True, limit=3)
    assert [e["message"] for e in first["events"]] == ["m0", "m1", "m2"]
    assert first["nextForwardToken"].startswith("f/") and first["nextBackwardToken"].startswith("b/")
    seen, token = [e["message"] for e in first["events"]], first["nextForwardToken"]
    while True:
        page = logs.get_log_events(logGroupName=group, logStreamName="s", nextToken=token, startFromHead=True, limit=3)
        if not page["events"]:
            # Nothing new: the same token comes back.
            assert page["nextForwardToken"] == token
            break
        seen += [e["message"] for e in page["events"]]
        token = page["nextForwardToken"]
    assert seen == ["m%d" % i for i in range(10)]
    # Events put later are found from the token that ended the last read, and only they.
    put(logs, group, "s", ["late1", "late2"])
    later = logs.get_log_events(logGroupName=group, logStreamName="s", nextToken=token, startFromHead=True)
    assert [e["message"] for e in later["events"]] == ["late1", "late2"]
    assert later["nextForwardToken"] != token
    # The default is the latest events; nextBackwardToken pages back towards the start.
    last = logs.get_log_events(logGroupName=group, logStreamName="s", limit=4)
    assert [e["message"] for e in last["events"]] == ["m8", "m9", "late1", "late2"]
    back = logs.get_log_events(logGroupName=group, logStreamName="s", nextToken=last["nextBackwardToken"], limit=4)
    assert [e["message"] for e in back["events"]] == ["m4", "m5", "m6", "m7"]
    for _ in range(2):
        back = logs.get_log_events(logGroupName=group, logStreamName="s", nextToken=back["nextBackwardToken"], limit=4)
    assert back["events"] == [] and back["nextBackwardToken"].startswith("b/")
    again = logs.get_log_events(logGroupName=group, logStreamName="s", nextToken=back["nextBackwardToken"], limit=4)
    assert again["nextBackwardToken"] == back["nextBackwardToken"]
    bad = error_of(logs.get_log_events, logGroupName=group, logStreamName="s", nextToken="f/nonsense")
    assert bad["Code"] == "InvalidParameterException"


def test_get_log_events_time_window_and_the_one_megabyte_answer(emulator):
    logs = emulator.client("logs")
    group = fresh_group(logs)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    t = now_ms()
    put(logs, group, "s", ["a", "b", "c", "d"], start=t)
    window = logs.get_log_events(logGroupName=group, logStreamName="s", startTime=t + 1, endTime=t + 3, startFromHead=True)
    assert [e["message"] for e in window["events"]] == ["b", "c"]   # startTime included, endTime not
    # Five events of 300,000 bytes: an answer holds 1 MB, so three, and the token gets the rest.
    logs.create_log_stream(logGroupName=group, logStreamName="big")
    for i in range(5):
        put(logs, group, "big", [str(i) * 300_000], start=t + i)
    first = logs.get_log_events(logGroupName=group, logStreamName="big", startFromHead=True)
    assert [e["message"][0] for e in first["events"]] == ["0", "1", "2"]
    rest = logs.get_log_events(logGroupName=group, logStreamName="big", startFromHead=True, nextToken=first["nextForwardToken"])
    assert [e["message"][0] for e in rest["events"]] == ["3", "4"]


def test_get_log_events_holds_at_most_10000_events(emulator):
    logs = emulator.client("logs")
    group = fresh_group(logs)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    t = now_ms()
    for batch in range(2):
        put(logs, group, "s", ["e%d" % (batch * 6000 + i) for i in range(6000)], start=t + batch * 6000)
    first = logs.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True)
    assert len(first["events"]) == 10_000 and first["events"][-1]["message"] == "e9999"
    rest = logs.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True, nextToken=first["nextForwardToken"])
    assert len(rest["events"]) == 2000


def test_filter_log_events_interleaves_streams_and_pages(emulator):
    logs = emulator.client("logs")
    group = fresh_group(logs)
    t = now_ms()
    for name in ("cmd/i-1/aws-runShellScript/stdout", "cmd/i-2/aws-runShellScript/stdout", "other/stderr"):
        logs.create_log_stream(logGroupName=group, logStreamName=name)
    logs.put_log_events(logGroupName=group, logStreamName="cmd/i-1/aws-runShellScript/stdout",
                        logEvents=[{"timestamp": t, "message": "one a"}, {"timestamp": t + 2, "message": "one b"}])
    logs.put_log_events(logGroupName=group, logStreamName="cmd/i-2/aws-runShellScript/stdout",
                        logEvents=[{"timestamp": t + 1, "message": "two a"}, {"timestamp": t + 3, "message": "two b"}])
    logs.put_log_events(logGroupName=group, logStreamName="other/stderr", logEvents=[{"timestamp": t + 1, "message": "else"}])
    found = logs.filter_log_events(logGroupName=group, logStreamNamePrefix="cmd/")
    assert [(e["logStreamName"].split("/")[1], e["message"]) for e in found["events"]] == [
        ("i-1", "one a"), ("i-2", "two a"), ("i-1", "one b"), ("i-2", "two b")]
    assert "nextToken" not in found
    assert all(e["eventId"] and e["ingestionTime"] >= t for e in found["events"])
    # Two at a time through nextToken, then none left.
    page = logs.filter_log_events(logGroupName=group, limit=2)
    messages = [e["message"] for e in page["events"]]
    while "nextToken" in page:
        page = logs.filter_log_events(logGroupName=group, limit=2, nextToken=page["nextToken"])
        messages += [e["message"] for e in page["events"]]
    assert messages == ["one a", "two a", "else", "one b", "two b"]
    named = logs.filter_log_events(logGroupName=group, logStreamNames=["other/stderr"], filterPattern="else")
    assert [e["message"] for e in named["events"]] == ["else"]
    terms = logs.filter_log_events(logGroupName=group, filterPattern="b -two", startTime=t, endTime=t + 3)
    assert [e["message"] for e in terms["events"]] == ["one b"]
    any_of = logs.filter_log_events(logGroupName=group, filterPattern="?else ?\"two b\"")
    assert [e["message"] for e in any_of["events"]] == ["else", "two b"]
    assert error_of(logs.filter_log_events, logGroupName=group + "-none")["Code"] == "ResourceNotFoundException"


def test_the_aws_cli_reads_events(emulator):
    logs = emulator.client("logs")
    group = fresh_group(logs)
    logs.create_log_stream(logGroupName=group, logStreamName="cli/stdout")
    put(logs, group, "cli/stdout", ["hello\nworld", "second"])
    got = emulator.aws_json("logs", "get-log-events", "--log-group-name", group, "--log-stream-name", "cli/stdout", "--start-from-head")
    assert [e["message"] for e in got["events"]] == ["hello\nworld", "second"]
    filtered = emulator.aws_json("logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", "second")
    assert [(e["logStreamName"], e["message"]) for e in filtered["events"]] == [("cli/stdout", "second")]
    missing = emulator.aws("logs", "get-log-events", "--log-group-name", group, "--log-stream-name", "nope", check=False)
    assert missing.returncode != 0
    assert "An error occurred (ResourceNotFoundException) when calling the GetLogEvents operation: The specified log stream does not exist." in missing.stderr


def test_iam_checks_name_the_log_group_and_stream(emulator):
    admin = emulator.client("logs")
    group = fresh_group(admin, prefix="/aws/ssm/iam-")
    admin.create_log_stream(logGroupName=group, logStreamName="s")
    reader = emulator.control("identities", {"name": "logs-reader-" + uuid.uuid4().hex[:6], "policy": {"Statement": [
        {"Effect": "Allow", "Action": ["logs:GetLogEvents", "logs:FilterLogEvents"], "Resource": "arn:aws:logs:*:*:log-group:/aws/ssm/*"}]}})
    import boto3
    logs = boto3.session.Session().client("logs", region_name=emulator.region, endpoint_url=emulator.endpoint,
                                           aws_access_key_id=reader["access_key_id"], aws_secret_access_key=reader["secret_access_key"])
    assert logs.get_log_events(logGroupName=group, logStreamName="s")["events"] == []
    denied = error_of(logs.put_log_events, logGroupName=group, logStreamName="s", logEvents=[{"timestamp": now_ms(), "message": "x"}])
    assert denied["Code"] == "AccessDeniedException"
    assert denied["Message"] == ("User: %s is not authorized to perform: logs:PutLogEvents on resource: arn:aws:logs:%s:123456789012:"
                                 "log-group:%s:log-stream:s because no identity-based policy allows the logs:PutLogEvents action"
                                 % (reader["arn"], emulator.region, group))
    other = error_of(logs.get_log_events, logGroupName="/elsewhere", logStreamName="s")
    assert other["Code"] == "AccessDeniedException" and "log-group:/elsewhere:log-stream:s" in other["Message"]
    assert error_of(emulator.client("logs", identity="basic").describe_log_groups)["Code"] == "AccessDeniedException"


# -- Run Command output in CloudWatch Logs, as the agent writes it ---------------------------------

WEB = ["i-0a1b2c3d4e5f60001", "i-0a1b2c3d4e5f60002"]


def invocation(ssm, command_id, instance_id):
    try:
        return ssm.get_command_invocation(CommandId=command_id, InstanceId=instance_id)
    except ssm.exceptions.InvocationDoesNotExist:
        return None


def finished(ssm, command_id, instance_id, seconds=30):
    return ended_invocation(ssm, command_id, instance_id, seconds)


def stream_text(logs, group, stream):
    """The whole stream, following nextForwardToken until the same token comes back."""
    page = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
    messages = [e["message"] for e in page["events"]]
    while True:
        token = page["nextForwardToken"]
        page = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True, nextToken=token)
        if page["nextForwardToken"] == token:
            assert page["events"] == []
            return messages
        messages += [e["message"] for e in page["events"]]


def lines_of(messages):
    """The lines of a stream's events: each event ends at a line's end, newline or not."""
    return [line for m in messages for line in (m[:-1] if m.endswith("\n") else m).split("\n")]


def events_so_far(logs, group, stream):
    try:
        return [e["message"] for e in logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)["events"]]
    except logs.exceptions.ResourceNotFoundException:
        return []


def test_run_command_output_reaches_cloudwatch_while_the_command_runs(emulator, tmp_path):
    ssm, logs = emulator.client("ssm"), emulator.client("logs")
    flag = tmp_path / "go-on"
    script = "echo first; echo oops >&2; while [ ! -f %s ]; do sleep 0.05; done; echo last; printf partial" % flag
    command = ssm.send_command(InstanceIds=[WEB[0]], DocumentName="AWS-RunShellScript", Parameters={"commands": [script]},
                               CloudWatchOutputConfig={"CloudWatchOutputEnabled": True})["Command"]
    command_id = command["CommandId"]
    assert command["CloudWatchOutputConfig"] == {"CloudWatchLogGroupName": "", "CloudWatchOutputEnabled": True}
    group = "/aws/ssm/AWS-RunShellScript"
    stdout = "%s/%s/aws-runShellScript/stdout" % (command_id, WEB[0])
    # The first line is in CloudWatch while the script still waits for the flag.
    early = wait_until(lambda: events_so_far(logs, group, stdout), 15, "the first line in CloudWatch")
    assert early == ["first\n"]
    assert invocation(ssm, command_id, WEB[0])["Status"] == "InProgress"
    # The real AWS CLI reads it too.
    cli = emulator.aws_json("logs", "get-log-events", "--log-group-name", group, "--log-stream-name", stdout, "--start-from-head")
    assert [e["message"] for e in cli["events"]] == ["first\n"]
    flag.write_text("")
    result = finished(ssm, command_id, WEB[0])
    assert result["Status"] == "Success"
    assert result["CloudWatchOutputConfig"] == {"CloudWatchLogGroupName": "", "CloudWatchOutputEnabled": True}
    # Everything is there once the invocation has ended; the last event lost no text.
    assert "".join(stream_text(logs, group, stdout)) == "first\nlast\npartial" == result["StandardOutputContent"]
    assert stream_text(logs, group, "%s/%s/aws-runShellScript/stderr" % (command_id, WEB[0])) == ["oops\n"]
    listed = ssm.list_command_invocations(CommandId=command_id, Details=True)["CommandInvocations"][0]
    assert listed["CloudWatchOutputConfig"]["CloudWatchOutputEnabled"] is True
    assert ssm.list_commands(CommandId=command_id)["Commands"][0]["CloudWatchOutputConfig"]["CloudWatchOutputEnabled"] is True


def test_output_past_the_caps_is_whole_in_a_named_group_and_streams_interleave(emulator):
    ssm, logs = emulator.client("ssm"), emulator.client("logs")
    group = "/test/run-" + uuid.uuid4().hex[:8]
    command = ssm.send_command(InstanceIds=WEB, DocumentName="AWS-RunShellScript",
                               Parameters={"commands": ["seq 1 40000; echo \"$AWS_SSM_INSTANCE_ID\"; exit 3"]},
                               CloudWatchOutputConfig={"CloudWatchOutputEnabled": True, "CloudWatchLogGroupName": group})["Command"]
    command_id = command["CommandId"]
    expected = "".join("%d\n" % i for i in range(1, 40001))   # 228,894 characters
    for node in WEB:
        result = finished(ssm, command_id, node)
        assert result["Status"] == "Failed" and result["StandardOutputContent"].endswith("--output truncated--")
        messages = stream_text(logs, group, "%s/%s/aws-runShellScript/stdout" % (command_id, node))
        assert sum(len(m) for m in messages) > 200_000
        # Each event ends a line: those built after the script ended lost their final newline
        # (cloudwatchlogsservice.go buildEventInfo), so the text is the events' lines.
        assert len(messages) >= 2 and not messages[0].endswith("\n")
        assert lines_of(messages) == (expected + node).split("\n")
        assert stream_text(logs, group, "%s/%s/aws-runShellScript/stderr" % (command_id, node)) == ["failed to run commands: exit status 3"]
    # The agent packs lines into events of at most 200,000 bytes.
    sizes = [len(m.encode()) for m in stream_text(logs, group, "%s/%s/aws-runShellScript/stdout" % (command_id, WEB[0]))]
    assert max(sizes) <= 200_000 and len(sizes) >= 2
    # FilterLogEvents over the command's streams: both nodes' last lines, interleaved by time.
    found = logs.filter_log_events(logGroupName=group, logStreamNamePrefix=command_id + "/", filterPattern="i-0a1b2c3d4e5f6000")
    assert sorted(e["logStreamName"].split("/")[1] for e in found["events"]) == WEB
    assert [e["timestamp"] for e in found["events"]] == sorted(e["timestamp"] for e in found["events"])


def test_no_cloudwatch_output_unless_asked(emulator):
    ssm, logs = emulator.client("ssm"), emulator.client("logs")
    command_id = ssm.send_command(InstanceIds=[WEB[0]], DocumentName="AWS-RunShellScript",
                                  Parameters={"commands": ["echo quiet"]})["Command"]["CommandId"]
    result = finished(ssm, command_id, WEB[0])
    assert result["CloudWatchOutputConfig"] == {"CloudWatchLogGroupName": "", "CloudWatchOutputEnabled": False}
    for group in logs.describe_log_groups()["logGroups"]:
        streams = logs.describe_log_streams(logGroupName=group["logGroupName"], logStreamNamePrefix=command_id)["logStreams"]
        assert streams == []


def test_api_faults_reach_readers_but_never_the_agents_uploads(emulator):
    import boto3
    from botocore.config import Config
    ssm = emulator.client("ssm")
    creds = emulator.identity("admin")
    logs = boto3.session.Session().client("logs", region_name=emulator.region, endpoint_url=emulator.endpoint,
                                           aws_access_key_id=creds["access_key_id"], aws_secret_access_key=creds["secret_access_key"],
                                           config=Config(retries={"max_attempts": 1, "mode": "standard"}))
    group = "/test/faults-" + uuid.uuid4().hex[:8]
    emulator.faults(throttle=1.0, fault_operations="CreateLogGroup,CreateLogStream,PutLogEvents,GetLogEvents")
    command_id = ssm.send_command(InstanceIds=[WEB[0]], DocumentName="AWS-RunShellScript", Parameters={"commands": ["echo through"]},
                                  CloudWatchOutputConfig={"CloudWatchOutputEnabled": True, "CloudWatchLogGroupName": group})["Command"]["CommandId"]
    assert error_of(logs.get_log_events, logGroupName=group, logStreamName="x")["Code"] == "ThrottlingException"
    finished(ssm, command_id, WEB[0])
    emulator.control("reset", {})
    assert stream_text(logs, group, "%s/%s/aws-runShellScript/stdout" % (command_id, WEB[0])) == ["through"]


def test_s3_and_cloudwatch_output_of_one_command_are_both_whole(emulator):
    """Both output sinks of the simulated agent on one run: the S3 objects and the CloudWatch
    streams hold the same complete output."""
    from test_s3 import key_of, new_bucket, run_and_wait
    bucket, group = new_bucket(emulator), "/test/both-" + uuid.uuid4().hex[:8]
    command_id, result = run_and_wait(emulator, ["seq 1 30000; seq 5 7 >&2"], OutputS3BucketName=bucket,
                                      CloudWatchOutputConfig={"CloudWatchOutputEnabled": True, "CloudWatchLogGroupName": group})
    assert result["Status"] == "Success"
    s3, logs = emulator.client("s3"), emulator.client("logs")
    from_s3 = s3.get_object(Bucket=bucket, Key=key_of(result["StandardOutputUrl"], bucket))["Body"].read().decode()
    assert from_s3 == "".join("%d\n" % i for i in range(1, 30001))
    prefix = "%s/%s/aws-runShellScript/" % (command_id, result["InstanceId"])
    assert lines_of(stream_text(logs, group, prefix + "stdout")) == from_s3.split("\n")[:-1]
    assert lines_of(stream_text(logs, group, prefix + "stderr")) == ["5", "6", "7"]
