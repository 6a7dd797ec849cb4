"""Run Command's control-channel payloads: agent_job / agent_job_ack / agent_job_reply /
agent_job_reply_ack as amazon-ssm-agent 3.3 reads and writes them (agentjob.py), and what a reply
means for the invocation (invocationreply.py)."""
import json
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "emulator"))
from emulator import agentjob  # noqa: E402
from emulator.agent.runcommand import plugin_of  # noqa: E402
from emulator.invocationreply import update_from_reply  # noqa: E402

NODE = "i-0a1b2c3d4e5f60001"
COMMAND = "2b196342-d7d4-436e-8f09-3883a1116ac3"


# -- the payloads -----------------------------------------------------------------------------

def test_a_send_command_job_is_what_the_agent_parses():
    payload = agentjob.send_command_job(COMMAND, NODE, "AWS-RunShellScript", "aws:runShellScript",
                                        agentjob.job_parameters({"commands": ["echo hi"], "executionTimeout": ["5"]}), "us-east-1")
    # session/contracts AgentJobPayload; its Content is SendCommandPayload as a string.
    assert set(payload) == {"Content", "JobId", "Topic", "SchemaVersion"}
    assert payload["JobId"] == "aws.ssm.%s.%s" % (COMMAND, NODE) and payload["Topic"].startswith("aws.ssm.sendCommand")
    content = json.loads(payload["Content"])
    assert content["CommandId"] == COMMAND and content["DocumentName"] == "AWS-RunShellScript"
    # A String parameter goes as a string: a list would not be a number of seconds to the agent.
    assert content["Parameters"] == {"commands": ["echo hi"], "executionTimeout": "5"}
    job = agentjob.parse_job(payload)
    assert isinstance(job, agentjob.SendCommandJob) and job.command_id == COMMAND
    plugin, properties = plugin_of(job.document, job.parameters)
    assert plugin == "aws:runShellScript"
    assert properties == {"id": "0.aws:runShellScript", "runCommand": ["echo hi"], "workingDirectory": "", "timeoutSeconds": "5"}


def test_the_document_defaults_fill_in_what_was_not_given():
    _, properties = plugin_of(agentjob.document_content("aws:runPowerShellScript"), {"commands": ["hostname"]})
    assert properties["timeoutSeconds"] == "3600" and properties["workingDirectory"] == ""


def test_a_cancel_job_names_the_job_it_cancels():
    payload = agentjob.cancel_command_job("c0eed09f-965b-4424-9ce1-6b30d327efd7", COMMAND, NODE, "us-east-1")
    assert payload["Topic"].startswith("aws.ssm.cancelCommand")
    job = agentjob.parse_job(payload)
    assert isinstance(job, agentjob.CancelJob)
    assert job.cancel_job_id == "aws.ssm.%s.%s" % (COMMAND, NODE) and job.job_id.startswith("aws.ssm.c0eed09f-")


@pytest.mark.parametrize("payload, words", [
    ({"Content": "{}", "Topic": "aws.ssm.sendCommand"}, "no JobId"),
    ({"JobId": "aws.ssm.x.i-1", "Content": "not json", "Topic": "aws.ssm.sendCommand"}, "not JSON"),
    ({"JobId": "aws.ssm.x.i-1", "Content": "{}", "Topic": "aws.ssm.sendCommand"}, "no DocumentContent"),
    ({"JobId": "aws.ssm.x.i-1", "Content": "{}", "Topic": "aws.ssm.somethingElse"}, "unexpected agent_job topic"),
    ({"JobId": "nodots", "Content": '{"DocumentContent": {}}', "Topic": "aws.ssm.sendCommand"}, "is not aws.ssm."),
])
def test_a_job_the_agent_cannot_read_is_refused_with_a_reason(payload, words):
    with pytest.raises(agentjob.JobError, match=words):
        agentjob.parse_job(payload)


def test_acks_and_replies_have_the_agents_field_names():
    ack = agentjob.job_ack("aws.ssm.c.i", "6d1c3c4e-0000-4000-8000-000000000001", 1764590000123)
    assert ack == {"jobId": "aws.ssm.c.i", "acknowledgedMessageId": "6d1c3c4e-0000-4000-8000-000000000001",
                   "createdDate": "2025-12-01T11:53:20.123Z", "statusCode": "200", "errorMessage": ""}
    assert agentjob.job_ack("j", "m", 0, agentjob.ACK_DUPLICATE)["errorMessage"] == "DuplicateCommand"
    status = agentjob.plugin_status("aws:runShellScript", "Failed", 0, "o", "out", "err", 1.0, 2.5)
    assert status["code"] == 1, "a Failed plugin never reports 0 (contracts/aggregator.go)"
    assert (status["startDateTime"], status["endDateTime"]) == ("1970-01-01T00:00:01.000Z", "1970-01-01T00:00:02.500Z")
    reply = agentjob.job_reply("aws.ssm.c.i", agentjob.reply_content("Failed", {"aws:runShellScript": status}, {"ver": "3.3"}, now=3.0))
    assert set(reply) == {"schemaVersion", "jobId", "content", "topic"} and reply["topic"] == "aws.ssm.sendCommand"
    content = json.loads(reply["content"])
    assert content["additionalInfo"]["runtimeStatusCounts"] == {"Failed": 1}
    parsed = agentjob.parse_reply(reply)
    assert (parsed.job_id, parsed.document_status, parsed.date_time) == ("aws.ssm.c.i", "Failed", 3.0)
    assert agentjob.reply_ack("aws.ssm.c.i", "m-1") == {"jobId": "aws.ssm.c.i", "acknowledgedMessageId": "m-1"}


# -- replies -> invocation status -------------------------------------------------------------

def reply(document_status, plugin=None):
    runtime = {"aws:runShellScript": plugin} if plugin else None
    return agentjob.parse_reply(agentjob.job_reply("j", agentjob.reply_content(document_status, runtime, {}, now=10.0)))


@pytest.mark.parametrize("document_status, status, details", [
    ("Success", "Success", "Success"), ("Failed", "Failed", "Failed"),
    ("TimedOut", "TimedOut", "ExecutionTimedOut"), ("Cancelled", "Cancelled", "Cancelled"),
])
def test_a_final_reply_ends_the_invocation_with_the_plugins_code_and_output(document_status, status, details):
    plugin = agentjob.plugin_status("aws:runShellScript", document_status, 7, "summary", "out", "err", 11.0, 12.0)
    update = update_from_reply(reply(document_status, plugin), "aws:runShellScript", agentjob.parse_iso_millis)
    assert (update.status, update.details, update.terminal) == (status, details, True)
    assert (update.response_code if document_status != "Failed" else 7, update.output, update.stdout, update.stderr) == (7, "summary", "out", "err")
    assert (update.started, update.ended) == (11.0, 12.0)


def test_in_progress_replies_do_not_end_it_and_unknown_statuses_change_nothing():
    first = update_from_reply(reply("InProgress"), "aws:runShellScript", agentjob.parse_iso_millis)
    assert (first.status, first.terminal, first.started, first.stdout) == ("InProgress", False, 10.0, None)
    assert update_from_reply(reply("Exploded"), "aws:runShellScript", agentjob.parse_iso_millis) is None


def test_the_agents_millisecond_times_are_shown_as_they_came():
    # Before: GetCommandInvocation cut ts % 1 * 1000, which reads the agent's .100 back as 99.99...
    # and showed .099, so a 20 ms script could show 19 ms.
    from emulator.runcommand import iso
    for text in ("2025-12-01T11:53:20.100Z", "2025-12-01T11:53:20.999Z", "2025-12-01T11:53:20.000Z"):
        assert iso(agentjob.parse_iso_millis(text)) == text
