"""Run Command on the control channel: the JSON payloads of `agent_job`, `agent_job_ack`,
`agent_job_reply` and `agent_job_reply_ack`, as amazon-ssm-agent 3.3 reads and writes them.
Pure values, dicts in and out; the binary AgentMessage around them is the control channel's.

The exchange (agent/messageservice/interactor/mgsinteractor/mgsinteractor.go):
  service -> agent_job (JobId "aws.ssm.<CommandId>.<InstanceId>", Topic aws.ssm.sendCommand...,
             Content the SendCommandPayload as a JSON string)
  agent   -> agent_job_ack (acknowledgedMessageId: the job's header MessageId, statusCode "200")
  agent   -> agent_job_reply InProgress (sent once), then one per finished plugin and the
             document's final one, each resent until an agent_job_reply_ack names its header
             MessageId (mgsinteractor/sendreply.go processReply).
CancelCommand is another agent_job, topic aws.ssm.cancelCommand..., Content {"CancelMessageId":
the JobId to cancel}; the agent acks it and sends no reply of its own (framework/processor
processCancelCommand).
"""
import dataclasses
import datetime
import json
import re
import time

AGENT_JOB = "agent_job"
AGENT_JOB_ACK = "agent_job_ack"
AGENT_JOB_REPLY = "agent_job_reply"
AGENT_JOB_REPLY_ACK = "agent_job_reply_ack"

# agent/messageservice/utils/messageutil.go: the agent tells the two jobs apart by topic prefix.
SEND_COMMAND_TOPIC = "aws.ssm.sendCommand"
CANCEL_COMMAND_TOPIC = "aws.ssm.cancelCommand"
# mgsinteractor.go Initialize (ackSkipCodes): the statusCode of an agent_job_ack.
ACK_OK = "200"
ACK_DUPLICATE = "51405"
ACK_PARSE_ERROR = "51408"
ACK_ERRORS = {ACK_DUPLICATE: "DuplicateCommand", ACK_PARSE_ERROR: "AgentJobMessageParseError"}

# The documents' content as the service hands it to the agent: schema 1.2, one plugin whose
# properties name the parameters; the agent fills in the defaults and the values
# (framework/docparser). Defaults as the public AWS-RunShellScript document has them.
_PARAMETERS = {
    "commands": {"type": "StringList"},
    "workingDirectory": {"type": "String", "default": ""},
    "executionTimeout": {"type": "String", "default": "3600"},
}


def document_content(plugin):
    return {
        "schemaVersion": "1.2",
        "parameters": _PARAMETERS,
        "runtimeConfig": {plugin: {"properties": [{
            "id": "0." + plugin, "runCommand": "{{ commands }}",
            "workingDirectory": "{{ workingDirectory }}", "timeoutSeconds": "{{ executionTimeout }}"}]}},
    }


def job_parameters(parameters):
    """SendCommand's parameters (each a list of strings) as the service hands them to the agent:
    a String parameter as its one string, a StringList as the list (docparser reads them by the
    document's types: a list where a String belongs is not a number of seconds, for one)."""
    given = {}
    for name, value in parameters.items():
        kind = _PARAMETERS.get(name, {}).get("type", "StringList")
        given[name] = (value[0] if value else "") if kind == "String" and isinstance(value, list) else value
    return given


class JobError(ValueError):
    """A payload the agent could not read; the message says which part."""


def job_id(command_id, instance_id):
    return "aws.ssm.%s.%s" % (command_id, instance_id)


def command_id_of(job):
    """runcommand/contracts/model.go GetCommandID: the next-to-last dotted part of a job id."""
    if not re.search(r"aws\.ssm\..+\.+", job):
        raise JobError("job id %r is not aws.ssm.<CommandId>.<InstanceId>" % job)
    return job.split(".")[-2]


def iso_millis(seconds):
    """agent/times ToIso8601UTC: 2006-01-02T15:04:05.000Z."""
    moment = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def parse_iso_millis(text):
    try:
        moment = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    except (TypeError, ValueError):
        return None
    return moment.replace(tzinfo=datetime.timezone.utc).timestamp()


# -- service -> agent ---------------------------------------------------------------------------

def send_command_job(command_id, instance_id, document_name, plugin, parameters, region, output_s3=None, cloudwatch=None):
    """The agent_job payload of one SendCommand invocation (session/contracts/model.go
    AgentJobPayload; its Content is runcommand/contracts SendCommandPayload as a JSON string).
    OUTPUT_S3 is the command's OutputS3BucketName and OutputS3KeyPrefix; CLOUDWATCH its
    CloudWatchOutputConfig, whose enabled flag the payload carries as a string, as the agent parses
    it (strconv.ParseBool)."""
    output_s3 = output_s3 or {}
    cloudwatch = cloudwatch or {}
    content = {
        "Parameters": parameters, "DocumentContent": document_content(plugin), "CommandId": command_id,
        "DocumentName": document_name,
        "OutputS3KeyPrefix": output_s3.get("OutputS3KeyPrefix", ""), "OutputS3BucketName": output_s3.get("OutputS3BucketName", ""),
        "CloudWatchLogGroupName": cloudwatch.get("CloudWatchLogGroupName", ""),
        "CloudWatchOutputEnabled": "true" if cloudwatch.get("CloudWatchOutputEnabled") else "false",
    }
    return {"Content": json.dumps(content), "JobId": job_id(command_id, instance_id),
            "Topic": "%s.%s" % (SEND_COMMAND_TOPIC, region), "SchemaVersion": 1}


def cancel_command_job(cancel_id, command_id, instance_id, region):
    """The agent_job payload that cancels COMMAND_ID on INSTANCE_ID (runcommand/contracts CancelPayload)."""
    return {"Content": json.dumps({"CancelMessageId": job_id(command_id, instance_id)}),
            "JobId": job_id(cancel_id, instance_id), "Topic": "%s.%s" % (CANCEL_COMMAND_TOPIC, region), "SchemaVersion": 1}


@dataclasses.dataclass
class SendCommandJob:
    job_id: str
    command_id: str
    document_name: str
    document: dict
    parameters: dict
    content: dict = dataclasses.field(default_factory=dict)   # the whole SendCommandPayload (output options)


@dataclasses.dataclass
class CancelJob:
    job_id: str
    cancel_job_id: str


def parse_job(payload):
    """What the agent reads of an agent_job: a SendCommandJob or a CancelJob (JobError else)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("JobId"), str):
        raise JobError("agent_job payload has no JobId")
    topic, job = payload.get("Topic") or "", payload["JobId"]
    try:
        content = json.loads(payload.get("Content") or "")
    except ValueError as e:
        raise JobError("agent_job Content is not JSON: %s" % e)
    if not isinstance(content, dict):
        raise JobError("agent_job Content is not a JSON object")
    if topic.startswith(SEND_COMMAND_TOPIC):
        if not isinstance(content.get("DocumentContent"), dict):
            raise JobError("agent_job %s has no DocumentContent" % job)
        return SendCommandJob(job, command_id_of(job), content.get("DocumentName", ""), content["DocumentContent"],
                              content.get("Parameters") or {}, content)
    if topic.startswith(CANCEL_COMMAND_TOPIC):
        if not isinstance(content.get("CancelMessageId"), str):
            raise JobError("cancel agent_job %s has no CancelMessageId" % job)
        return CancelJob(job, content["CancelMessageId"])
    raise JobError("unexpected agent_job topic %r" % topic)


def reply_ack(job, reply_message_id):
    """session/contracts/model.go AgentJobReplyAckContent: the service's ack of one reply."""
    return {"jobId": job, "acknowledgedMessageId": reply_message_id}


# -- agent -> service ---------------------------------------------------------------------------

def job_ack(job, job_message_id, job_created_ms, status_code=ACK_OK):
    """session/contracts/model.go AgentJobAck, with the job's CreatedDate as ISO-8601."""
    return {"jobId": job, "acknowledgedMessageId": job_message_id, "createdDate": iso_millis(job_created_ms / 1000),
            "statusCode": status_code, "errorMessage": ACK_ERRORS.get(status_code, "" if status_code == ACK_OK else "UnexpectedError")}


def plugin_status(name, status, code, output, stdout, stderr, started, ended, output_s3=None):
    """contracts/model.go PluginRuntimeStatus; a Failed plugin never reports code 0
    (contracts/aggregator.go prepareRuntimeStatus). OUTPUT_S3 is (bucket, key prefix, step name)
    when the output went to S3 (aggregator.go sets them only then)."""
    bucket, key_prefix, step = output_s3 or ("", "", "")
    if status == "Failed" and code == 0:
        code = 1
    return {"status": status, "code": code, "name": name, "output": output,
            "startDateTime": iso_millis(started), "endDateTime": iso_millis(ended),
            "outputS3BucketName": bucket, "outputS3KeyPrefix": key_prefix, "stepName": step,
            "standardOutput": stdout, "standardError": stderr}


def reply_content(document_status, runtime_status, agent_info, now=None):
    """runcommand/contracts SendReplyPayload; RUNTIME_STATUS maps plugin id to plugin_status(...)
    or is None (the first InProgress reply, messageservice/utils PrepareReplyPayloadToUpdateDocumentStatus)."""
    counts = {}
    for plugin in (runtime_status or {}).values():
        counts[plugin["status"]] = counts.get(plugin["status"], 0) + 1
    return {"additionalInfo": {"agent": agent_info, "dateTime": iso_millis(time.time() if now is None else now),
                               "runId": "", "runtimeStatusCounts": counts},
            "documentStatus": document_status, "documentTraceOutput": "", "runtimeStatus": runtime_status}


def job_reply(job, content):
    """session/contracts/model.go AgentJobReplyContent (mgsinteractor/utils GenerateAgentJobReplyPayload)."""
    return {"schemaVersion": 1, "jobId": job, "content": json.dumps(content), "topic": SEND_COMMAND_TOPIC}


@dataclasses.dataclass
class Reply:
    job_id: str
    document_status: str
    runtime_status: dict
    date_time: float


def parse_reply(payload):
    """What the service reads of an agent_job_reply (JobError when it cannot)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("jobId"), str):
        raise JobError("agent_job_reply payload has no jobId")
    try:
        content = json.loads(payload.get("content") or "")
    except ValueError as e:
        raise JobError("agent_job_reply content is not JSON: %s" % e)
    if not isinstance(content, dict) or not isinstance(content.get("documentStatus"), str):
        raise JobError("agent_job_reply content has no documentStatus")
    runtime = content.get("runtimeStatus") or {}
    if not isinstance(runtime, dict) or not all(isinstance(p, dict) for p in runtime.values()):
        raise JobError("agent_job_reply runtimeStatus is not an object of plugins")
    info = content.get("additionalInfo") if isinstance(content.get("additionalInfo"), dict) else {}
    return Reply(payload["jobId"], content["documentStatus"], runtime, parse_iso_millis(info.get("dateTime")) or time.time())
