"""The simulated agent's Run Command: `agent_job` in, `agent_job_ack` and `agent_job_reply` out,
as amazon-ssm-agent 3.3 does it over its control channel (agent/messageservice/interactor/
mgsinteractor): the job is acknowledged, an InProgress reply follows, the script runs, and a
reply for the finished plugin and one for the document go back, each resent until the service
acknowledges it (mgsinteractor/sendreply.go processReply)."""
import asyncio
import logging
import os

from .. import agentjob
from .output_s3 import S3Output, s3_settings
from .runcommand_script import ScriptRun, agent_cut

log = logging.getLogger(__name__)

# amazon-ssm-agent 3.3 (issue 19): a job is taken (acknowledged, InProgress) about 1 ms after
# delivery; a node's `delivery_delay` or the `agent_delay` fault slows this down.
AGENT_ACK_DELAY = 0.001
# replytypes/agentruncommandreplytype.go: one send, then 1 s for the ack; an unacknowledged reply
# is kept and resent by the failed-reply job every 5 minutes (messageservice/utils
# SendFailedReplyFrequencyMinutes) for 2 hours (documentLevelTimeOutDurationHour).
REPLY_ACK_WAIT = 1.0
REPLY_RESEND_INTERVAL = 300.0
REPLY_GIVE_UP = 7200.0


def plugin_of(document, parameters):
    """The one plugin of a schema 1.2 document (framework/docparser parsePluginStateForV10Schema:
    its id is its name) and its first properties with the parameters filled in, the document's
    defaults for those not given."""
    runtime = document.get("runtimeConfig")
    if not isinstance(runtime, dict) or not runtime:
        raise agentjob.JobError("the document has no runtimeConfig (only schema 1.2 documents are simulated)")
    name, config = next(iter(runtime.items()))
    properties = (config or {}).get("properties") or [{}]
    properties = properties[0] if isinstance(properties, list) else properties
    values = {k: v.get("default") for k, v in (document.get("parameters") or {}).items() if isinstance(v, dict)}
    values.update(parameters or {})
    return name, {key: _fill(value, values) for key, value in properties.items()}


def _fill(value, values):
    """A property that is exactly "{{ name }}" takes the parameter's value, list or string."""
    if isinstance(value, str) and value.startswith("{{") and value.endswith("}}"):
        return values.get(value[2:-2].strip(), "")
    return value


class RunCommandAgent:
    """One node's Run Command on its control channel CONTROL (agent/control.py: send(type,
    payload) -> message id or None; on(type, handler(instance_id, payload)), payloads carrying
    their header's "_message_id" and "_created_date")."""

    def __init__(self, node, state, control, agent_info=None):
        self.node = node
        self.state = state
        self.control = control
        control.on(agentjob.AGENT_JOB, self.on_agent_job)
        control.on(agentjob.AGENT_JOB_REPLY_ACK, self.on_reply_ack)
        self.agent_info = agent_info or {"lang": "en-US", "name": "amazon-ssm-agent", "os": node.get("platform", "Linux"),
                                         "osver": node.get("platform_version", ""), "ver": node.get("agent_version", "")}
        self.runs = {}          # job id -> ScriptRun of a job taken and not yet ended
        self.taken = set()      # every job id seen, for DuplicateCommand
        self.acks = {}          # reply message id -> asyncio.Event set by its agent_job_reply_ack
        self.tasks = set()
        # Output sinks for each plugin run: factories (job, plugin id) -> a sink or None, added by
        # the node (agent/output_cloudwatch.py); see ScriptRun.sinks.
        self.output_factories = []
        self.s3_uploader = None     # agent/output_s3.py S3Uploader, set by the node

    async def on_agent_job(self, instance_id, payload):
        message_id, created_ms = payload.get("_message_id", ""), payload.get("_created_date") or 0
        try:
            job = agentjob.parse_job(payload)
        except agentjob.JobError as e:
            log.warning("%s: agent_job dropped: %s", self.node["id"], e)
            self._send(agentjob.AGENT_JOB_ACK, agentjob.job_ack(str(payload.get("JobId", "")), message_id, created_ms, agentjob.ACK_PARSE_ERROR))
            return
        if isinstance(job, agentjob.CancelJob):
            # processCancelCommand: the job is cancelled if still known; no reply of its own.
            self._send(agentjob.AGENT_JOB_ACK, agentjob.job_ack(job.job_id, message_id, created_ms))
            run = self.runs.get(job.cancel_job_id)
            if run is not None:
                run.cancel()
            return
        if job.job_id in self.taken:
            self._send(agentjob.AGENT_JOB_ACK, agentjob.job_ack(job.job_id, message_id, created_ms, agentjob.ACK_DUPLICATE))
            return
        self.taken.add(job.job_id)
        try:
            plugin, properties = plugin_of(job.document, job.parameters)
        except agentjob.JobError as e:
            log.warning("%s: agent_job %s dropped: %s", self.node["id"], job.job_id, e)
            self._send(agentjob.AGENT_JOB_ACK, agentjob.job_ack(job.job_id, message_id, created_ms, agentjob.ACK_PARSE_ERROR))
            return
        commands = properties.get("runCommand") or []
        # The real agent keeps each command's files under its orchestration folder (docparser).
        script_dir = os.path.join(os.path.dirname(self.node["workdir"]), ".orchestration", self.node["id"], job.command_id,
                                  plugin.replace(":", ""))
        run = ScriptRun(self.node, self.node.get("region", self.state.region), plugin, commands if isinstance(commands, list) else [commands],
                        properties.get("workingDirectory") or "", properties.get("timeoutSeconds"), job.command_id, script_dir)
        run.sinks = [s for s in (factory(job, plugin) for factory in self.output_factories) if s is not None]
        output_s3 = s3_settings(job.content, job.command_id, self.node["id"], plugin, str(properties.get("id") or plugin))
        if output_s3 and self.s3_uploader is not None:
            run.sinks.append(S3Output(self.s3_uploader, *output_s3))
        self.runs[job.job_id] = run
        self._spawn(self._take(job.job_id, plugin, run, message_id, created_ms, output_s3))

    async def on_reply_ack(self, instance_id, payload):
        acked = self.acks.get(payload.get("acknowledgedMessageId"))
        if acked is not None:
            acked.set()

    async def _take(self, job, plugin, run, message_id, created_ms, output_s3=None):
        delay = float(self.node.get("delivery_delay") or self.state.faults.agent_delay or AGENT_ACK_DELAY)
        await asyncio.sleep(delay)
        self._send(agentjob.AGENT_JOB_ACK, agentjob.job_ack(job, message_id, created_ms))
        # mgsinteractor.go processAgentJobMessage: InProgress at once, sent once, no ack awaited.
        self._send(agentjob.AGENT_JOB_REPLY, agentjob.job_reply(job, agentjob.reply_content("InProgress", None, self.agent_info)))
        closed = False
        try:
            # iohandler Init before the plugin runs (the CloudWatch group is created then); the
            # reply waits for the sinks' close (iomodule/fileS3.go Read).
            for sink in run.sinks if not run.cancelled else []:
                await sink.open()
            result = await run.run()
            for sink in run.sinks:
                await sink.close()
            closed = True
        finally:
            self.runs.pop(job, None)
            if not closed:
                # Cancelled (the emulator stopping) or the script failed to start: no upload task
                # may outlive the run, no output file stays behind.
                for sink in run.sinks:
                    sink.discard()
        # runpluginutil: the plugin's Output as the plugin made it, then the exit-code rules, then
        # stdout and stderr cut at 24,000.
        result = result.after_step_rules()
        output = result.output()
        runtime = {plugin: agentjob.plugin_status(plugin, result.status, result.code, output, agent_cut(result.stdout),
                                                  agent_cut(result.stderr), result.started, result.ended, output_s3)}
        # basicexecuter.go: a reply for the finished plugin, then the document's; each its own sender.
        await asyncio.gather(self._reply(job, agentjob.reply_content("InProgress", runtime, self.agent_info)),
                             self._reply(job, agentjob.reply_content(result.status, runtime, self.agent_info)))

    async def _reply(self, job, content):
        """Sends one reply until it is acknowledged, or given up as the agent gives up. Each
        resend is a new message with the same reply id in the agent; here the ack names the
        message, so each attempt waits for its own."""
        payload = agentjob.job_reply(job, content)
        wait, waited = REPLY_ACK_WAIT, 0.0
        while waited < REPLY_GIVE_UP:
            message_id = self._send(agentjob.AGENT_JOB_REPLY, payload)
            acked = asyncio.Event()
            if message_id is not None:
                self.acks[message_id] = acked
            try:
                await asyncio.wait_for(acked.wait(), wait)
                return
            except asyncio.TimeoutError:
                waited += wait
                wait = REPLY_RESEND_INTERVAL
            finally:
                self.acks.pop(message_id, None)

    def _send(self, message_type, payload):
        """The message id, or None while the control channel is down (a reply is resent later)."""
        message_id = self.control.send(message_type, payload)
        if message_id is None:
            log.info("%s: %s not sent: the control channel is down", self.node["id"], message_type)
        return message_id

    def _spawn(self, coroutine):
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def close(self):
        for run in list(self.runs.values()):
            run.cancel()
        for task in list(self.tasks):
            task.cancel()
