"""Run Command on the control channel, the service's side: each invocation goes to its node's
agent as an `agent_job`, CancelCommand as the agent's cancel job, and every `agent_job_reply`
is acknowledged and mapped onto its invocation (agentjob.py, invocationreply.py)."""
import asyncio
import logging
import time
import uuid

from . import agentjob
from .invocationreply import update_from_reply
from .runcommand import DOCUMENTS

log = logging.getLogger(__name__)

# How often a job is offered again while the node's control channel is not there, until the
# delivery timeout (the service keeps undelivered messages for TimeoutSeconds).
REDELIVERY_INTERVAL = 0.5
# How long a sent job may go without its agent_job_ack before it is sent again.
UNACKED_JOB_RESEND = 5.0


class JobDelivery:
    """Run Command on every node's control channel CONTROL (gateway/control.py: send(instance_id,
    type, payload) -> message id or None when the node has none; on(type, handler(instance_id,
    payload)), payloads carrying their header's "_message_id")."""

    def __init__(self, control, cheap=None):
        self.control = control
        self.cheap = cheap  # cheapagent.CheapAgent: nodes with "agent": "cheap" get no job, a computed result
        self.jobs = {}    # job id -> Invocation
        self.acked = set()  # job ids the agent acknowledged (any statusCode)
        self.cancels = {}   # cancel job id -> the Invocation it cancels
        control.on(agentjob.AGENT_JOB_ACK, self.on_job_ack)
        control.on(agentjob.AGENT_JOB_REPLY, self.on_job_reply)

    async def deliver(self, inv):
        """Sends INV's job once the node is Online and its control channel takes it, and returns
        when the invocation has ended; DeliveryTimedOut when it is still Pending at TimeoutSeconds."""
        if self.cheap is not None and self.cheap.serves(inv.node):
            await self.cheap.run(inv)
            return
        job = agentjob.job_id(inv.command.id, inv.node["id"])
        self.jobs[job] = inv
        try:
            await self._deliver(inv, job)
        finally:
            # An ended invocation's job is forgotten: a late ack or reply for it finds nothing to change.
            self.jobs.pop(job, None)
            self.acked.discard(job)

    async def _deliver(self, inv, job):
        command, node = inv.command, inv.node
        deadline = command.requested + command.timeout
        payload = agentjob.send_command_job(command.id, node["id"], command.document, _plugin(command),
                                            agentjob.job_parameters(command.parameters), command.region,
                                            command.output_s3, command.cloudwatch_output)
        while not inv.terminal and not inv.job_sent:
            if command.cancelled:
                inv.finish("Cancelled", "Cancelled")
                return
            if node.get("ping_status") == "Online" and self._send(node["id"], agentjob.AGENT_JOB, payload):
                inv.job_sent = True
                break
            if time.time() >= deadline:
                inv.finish("TimedOut", "DeliveryTimedOut")
                return
            await self._wait(inv, min(REDELIVERY_INTERVAL if node.get("ping_status") == "Online" else 1.0, deadline - time.time()))
        # Sent: it ends with the agent's reply; a job the agent never takes is a delivery timeout,
        # TimeoutSeconds after it was sent (a target MaxConcurrency held back is sent late). An
        # agent drops jobs that come before its document worker is up, without an ack
        # (mgsinteractor.go processAgentJobMessage), so an unacknowledged job is sent again.
        deadline = max(deadline, time.time() + command.timeout)
        resend_at = time.time() + UNACKED_JOB_RESEND
        while not inv.terminal:
            now = time.time()
            if inv.status == "Pending" and now >= deadline:
                inv.finish("TimedOut", "DeliveryTimedOut")
                return
            if job not in self.acked and now >= resend_at:
                self._send(node["id"], agentjob.AGENT_JOB, payload)
                resend_at = now + UNACKED_JOB_RESEND
            if inv.status != "Pending":
                await self._wait(inv, None)
            else:
                await self._wait(inv, max(0.05, min(deadline, resend_at if job not in self.acked else deadline) - now))

    def cancel(self, inv):
        """The agent's cancel job for INV's job (a job of its own, with the cancel's id), sent until the agent
        acknowledges it or the invocation ends: like any job it is lost while the node's control channel is
        down, and dropped unacknowledged by an agent not ready for it (mgsinteractor.go processAgentJobMessage)."""
        if self.cheap is not None and self.cheap.serves(inv.node):
            self.cheap.cancel(inv)
            return
        payload = agentjob.cancel_command_job(str(uuid.uuid4()), inv.command.id, inv.node["id"], inv.command.region)
        cancel_job = payload["JobId"]
        self.cancels[cancel_job] = inv
        task = asyncio.get_running_loop().create_task(self._send_cancel(inv, cancel_job, payload))
        task.add_done_callback(lambda _: (self.cancels.pop(cancel_job, None), self.acked.discard(cancel_job)))

    async def _send_cancel(self, inv, cancel_job, payload):
        while not inv.terminal and cancel_job not in self.acked:
            sent = self._send(inv.node["id"], agentjob.AGENT_JOB, payload)
            await self._wait(inv, UNACKED_JOB_RESEND if sent else REDELIVERY_INTERVAL)

    async def on_job_ack(self, instance_id, payload):
        """agent_job_ack: 200 is taken; a job the agent refused cannot be delivered (a duplicate is
        the agent telling us it has it already). Only the node the job went to speaks for it, as
        for replies."""
        job = payload.get("jobId")
        if job in self.cancels:
            if self.cancels[job].node["id"] == instance_id:
                self.acked.add(job)   # any answer: the agent has the cancel (a refusal is not retried)
            return
        inv = self.jobs.get(job)
        if inv is None or inv.node["id"] != instance_id:
            return
        self.acked.add(job)
        code = payload.get("statusCode")
        if code not in (agentjob.ACK_OK, agentjob.ACK_DUPLICATE):
            log.warning("%s refused job %s: %s %s", instance_id, job, code, payload.get("errorMessage"))
            inv.finish("Failed", "Undeliverable")

    async def on_job_reply(self, instance_id, payload):
        """agent_job_reply: acknowledged (the agent resends until it is), then applied."""
        try:
            reply = agentjob.parse_reply(payload)
        except agentjob.JobError as e:
            log.warning("%s: agent_job_reply not understood: %s", instance_id, e)
            return
        self._send(instance_id, agentjob.AGENT_JOB_REPLY_ACK, agentjob.reply_ack(reply.job_id, payload.get("_message_id", "")))
        inv = self.jobs.get(reply.job_id)
        if inv is None or inv.node["id"] != instance_id:
            return
        update = update_from_reply(reply, _plugin(inv.command), agentjob.parse_iso_millis)
        if update is not None:
            inv.apply(update)

    def _send(self, instance_id, message_type, payload):
        if self.control.send(instance_id, message_type, payload) is None:
            log.info("%s to %s not sent: the node has no control channel", message_type, instance_id)
            return False
        return True

    @staticmethod
    async def _wait(inv, seconds):
        try:
            await asyncio.wait_for(inv.done.wait(), seconds)
        except asyncio.TimeoutError:
            pass


def _plugin(command):
    return DOCUMENTS[command.document]["plugin"]
