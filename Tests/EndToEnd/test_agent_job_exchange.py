"""Run Command between the service's delivery (jobdelivery.py) and the simulated agent
(agent/runcommand.py), without the network: a pair of in-memory control channels carrying JSON
as the real one does, with the header's message id and created date added to what arrives
(gateway/control.py's seam). Who acks what is amazon-ssm-agent 3.3's (mgsinteractor.go)."""
import asyncio
import json
import os
import sys
import tempfile
import types

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "emulator"))
from emulator import agentjob  # noqa: E402
from emulator.agent import runcommand as agent_runcommand  # noqa: E402
from emulator.agent.runcommand import RunCommandAgent  # noqa: E402
from emulator.agent.runcommand_script import AGENT_RUN_OVERHEAD  # noqa: E402
from emulator import jobdelivery  # noqa: E402
from emulator.jobdelivery import JobDelivery  # noqa: E402
from emulator.runcommand import Command  # noqa: E402
from emulator.state import Faults  # noqa: E402

NODE = "i-0a1b2c3d4e5f60001"


class Wire:
    """Both ends of one node's control channel: JSON payloads, a header message id and created
    date added to what arrives, one message at a time in order (gateway/control.py's seam)."""

    def __init__(self, drop_reply_acks=0, drop_jobs=0):
        self.handlers = {"service": {}, "agent": {}}
        self.queues = {"service": asyncio.Queue(), "agent": asyncio.Queue()}
        self.sent = []                # (to, message type, payload with _message_id)
        self.drop_reply_acks = drop_reply_acks
        self.drop_jobs = drop_jobs
        self.tasks = [asyncio.get_running_loop().create_task(self._pump(side)) for side in self.queues]
        self.counter = 0
        self.service, self.agent = End(self, "service"), End(self, "agent")

    def put(self, to, message_type, payload):
        self.counter += 1
        message_id = "00000000-0000-4000-8000-%012d" % self.counter
        arrived = dict(json.loads(json.dumps(payload)), _message_id=message_id, _created_date=1764590000123)
        self.sent.append((to, message_type, arrived))
        if message_type == agentjob.AGENT_JOB_REPLY_ACK and self.drop_reply_acks:
            self.drop_reply_acks -= 1
        elif message_type == agentjob.AGENT_JOB and self.drop_jobs:
            self.drop_jobs -= 1
        else:
            self.queues[to].put_nowait((message_type, arrived))
        return message_id

    async def _pump(self, side):
        while True:
            message_type, payload = await self.queues[side].get()
            for handler in self.handlers[side].get(message_type, []):
                await handler(NODE, payload)

    def close(self):
        for task in self.tasks:
            task.cancel()


class End:
    def __init__(self, wire, side):
        self.wire, self.side = wire, side

    def on(self, message_type, handler):
        self.wire.handlers[self.side].setdefault(message_type, []).append(handler)

    def send(self, *args):
        to = "agent" if self.side == "service" else "service"
        return self.wire.put(to, *args[-2:])


def run_command(commands, drop_reply_acks=0, drop_jobs=0, cancel_after=None, **parameters):
    """Runs one command on NODE through the wire; the invocation and every message sent."""
    async def scenario():
        wire = Wire(drop_reply_acks, drop_jobs)
        workdir = tempfile.mkdtemp()
        node = {"id": NODE, "ping_status": "Online", "platform": "Linux", "workdir": workdir, "agent_version": "3.3.1142.0"}
        state = types.SimpleNamespace(faults=Faults(), region="us-east-1")
        agent = RunCommandAgent(node, state, wire.agent)
        delivery = JobDelivery(wire.service)
        params = dict({"commands": commands}, **parameters)
        command = Command(state, delivery, "AWS-RunShellScript", [node], params, "", 60, "50", "0", "us-east-1", [], [NODE])
        command.start()
        inv = command.invocations[0]
        if cancel_after is not None:
            await asyncio.wait_for(_until(lambda: inv.status == "InProgress"), 10)
            await asyncio.sleep(cancel_after)
            command.cancel()
        await asyncio.wait_for(command.task, 20)
        await asyncio.wait_for(_until(lambda: not agent.acks and not agent.runs), 10)
        agent.close()
        wire.close()
        return inv, wire.sent
    return asyncio.run(scenario())


async def _until(predicate):
    while not predicate():
        await asyncio.sleep(0.01)


def test_a_command_runs_through_the_job_exchange_and_every_reply_is_acked():
    inv, sent = run_command(["echo hello", "echo oops >&2", "exit 3"])
    assert (inv.status, inv.details, inv.response_code) == ("Failed", "Failed", 3)
    assert inv.stdout == "hello\n" and inv.stderr == "oops\nfailed to run commands: exit status 3"
    assert inv.output == "hello\n\n----------ERROR-------\noops\nfailed to run commands: exit status 3"
    kinds = [(to, kind) for to, kind, _ in sent]
    assert kinds[:3] == [("agent", "agent_job"), ("service", "agent_job_ack"), ("service", "agent_job_reply")]
    job = sent[0][2]
    ack = sent[1][2]
    assert ack["acknowledgedMessageId"] == job["_message_id"] and ack["statusCode"] == "200" and ack["jobId"] == job["JobId"]
    replies = [p for to, kind, p in sent if kind == "agent_job_reply"]
    statuses = [json.loads(p["content"])["documentStatus"] for p in replies]
    assert statuses == ["InProgress", "InProgress", "Failed"], "InProgress, the plugin's update, the document's end"
    acked = {p["acknowledgedMessageId"] for _, kind, p in sent if kind == "agent_job_reply_ack"}
    assert acked == {p["_message_id"] for p in replies}
    assert inv.ended - inv.started >= AGENT_RUN_OVERHEAD - 0.001, "times are the plugin's, as the agent reported them"


def test_a_reply_whose_ack_is_lost_is_sent_again(monkeypatch):
    monkeypatch.setattr(agent_runcommand, "REPLY_ACK_WAIT", 0.1)
    monkeypatch.setattr(agent_runcommand, "REPLY_RESEND_INTERVAL", 0.1)
    # The first InProgress reply is not waited for, so the acks lost are the two that are.
    inv, sent = run_command(["echo once"], drop_reply_acks=3)
    assert inv.status == "Success" and inv.stdout == "once\n"
    replies = [json.loads(p["content"])["documentStatus"] for _, kind, p in sent if kind == "agent_job_reply"]
    assert replies.count("Success") >= 2, replies


def test_cancel_reaches_the_running_script_as_the_agents_cancel_job():
    inv, sent = run_command(["echo started", "sleep 30"], cancel_after=0.3)
    assert (inv.status, inv.details, inv.response_code, inv.stdout) == ("Cancelled", "Cancelled", 137, "started\n")
    cancels = [p for to, kind, p in sent if kind == "agent_job" and p["Topic"].startswith("aws.ssm.cancelCommand")]
    assert len(cancels) == 1 and json.loads(cancels[0]["Content"])["CancelMessageId"] == sent[0][2]["JobId"]
    assert any(kind == "agent_job_ack" and p["jobId"] == cancels[0]["JobId"] for _, kind, p in sent)


def test_a_string_execution_timeout_is_the_agents_timeout():
    inv, _ = run_command(["echo started", "sleep 30"], executionTimeout=["5"])
    assert (inv.status, inv.details, inv.response_code, inv.stdout) == ("TimedOut", "ExecutionTimedOut", 137, "started\n")


def test_a_job_the_agent_dropped_unacknowledged_is_sent_again(monkeypatch):
    # mgsinteractor.go processAgentJobMessage drops a job, with no ack, while the agent's document
    # worker is not up yet; the service sends a job that got no agent_job_ack again.
    monkeypatch.setattr(jobdelivery, "UNACKED_JOB_RESEND", 0.2)
    inv, sent = run_command(["echo second time"], drop_jobs=1)
    assert inv.status == "Success" and inv.stdout == "second time\n"
    jobs = [p for _, kind, p in sent if kind == "agent_job"]
    assert len(jobs) == 2 and jobs[0]["JobId"] == jobs[1]["JobId"]


def test_an_ack_from_another_node_changes_nothing():
    """on_job_ack took any node's word for a job: another node's refusal failed the invocation."""
    async def scenario():
        delivery = JobDelivery(types.SimpleNamespace(on=lambda *args: None, send=lambda *args: "m-1"))
        finished = []
        delivery.jobs["job-1"] = types.SimpleNamespace(node={"id": NODE}, finish=lambda *args: finished.append(args))
        await delivery.on_job_ack("i-0a1b2c3d4e5f69999", {"jobId": "job-1", "statusCode": agentjob.ACK_PARSE_ERROR})
        assert (finished, delivery.acked) == ([], set())
        await delivery.on_job_ack(NODE, {"jobId": "job-1", "statusCode": agentjob.ACK_PARSE_ERROR})
        assert (finished, delivery.acked) == ([("Failed", "Undeliverable")], {"job-1"})
    asyncio.run(scenario())
