"""One simulated managed node's agent: its control channel (control.py) and the handlers it
installs on it: sessions (sessions.py) and Run Command's `agent_job` (runcommand.py)."""
from ..logs_api import TARGET_PREFIX as LOGS_TARGET_PREFIX
from .aws_json import AWSJsonClient
from .control import ControlChannelClient
from .output_s3 import S3Uploader
from .output_cloudwatch import CloudWatchOutput, cloudwatch_settings
from .runcommand import RunCommandAgent
from .sessions import SessionWorker


class SimulatedNode:
    def __init__(self, fleet, node):
        self.fleet = fleet
        self.node = node                  # the fleet's node dict (state.nodes[id])
        self.control = ControlChannelClient(fleet.http, fleet.base_url, node["id"], fleet.signer, node.get("agent_version", "3.3.1142.0"),
                                            "windows" if node.get("platform") == "Windows" else "linux")
        self.run_command = RunCommandAgent(node, fleet.state, self.control)
        self.run_command.s3_uploader = S3Uploader(fleet.http, fleet.base_url, fleet.signer)
        # Run Command's CloudWatch output goes to the node's own account and region.
        self.logs = AWSJsonClient(fleet.http, fleet.base_url, fleet.signer_for(node), "logs", LOGS_TARGET_PREFIX.rstrip("."))
        self.run_command.output_factories.append(self.cloudwatch_output)
        self.sessions = SessionWorker(self)

    def cloudwatch_output(self, job, plugin):
        """The CloudWatch Logs output of a Run Command job's plugin, when the job asks for it."""
        settings = cloudwatch_settings(job.content, job.command_id, self.node["id"], plugin)
        return CloudWatchOutput(self.logs, *settings) if settings else None

    def start(self):
        self.control.start()

    async def stop(self):
        self.run_command.close()
        await self.sessions.stop()
        await self.control.stop()
