"""One simulated managed node's agent: its control channel (control.py) and the handlers it
installs on it: sessions (sessions.py) and Run Command's `agent_job` (runcommand.py)."""
from .control import ControlChannelClient
from .output_s3 import S3Uploader
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
        self.sessions = SessionWorker(self)

    def start(self):
        self.control.start()

    async def stop(self):
        self.run_command.close()
        await self.sessions.stop()
        await self.control.stop()
