"""The simulated agents of every node in the fleet, connected to the emulator's own port as
clients, through the same control and data channels as amazon-ssm-agent (TLS or not)."""
import asyncio
import re
import ssl

import aiohttp

from ..auth import AGENT_IDENTITY
from .node import SimulatedNode
from .signing import Signer

# The identity the simulated agents sign with: what AmazonSSMManagedInstanceCore allows them, and
# the CloudWatch Logs calls of Run Command output (the instance profile needs them on AWS:
# agentlogstocloudwatch/cloudwatchlogspublisher/cloudwatchlogsservice.go).
AGENT_POLICY = {"Statement": [{"Effect": "Allow", "Action": ["ssmmessages:*", "ec2messages:*", "ssm:UpdateInstanceInformation",
                                                            "ssm:ListInstanceAssociations", "kms:Decrypt",
                                                            "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
                                                            "logs:DescribeLogGroups", "logs:DescribeLogStreams"], "Resource": "*"},
                             # Run Command output to S3: what the instance profile needs on AWS (s3util/s3util.go S3Upload,
                             # getSSEAlgorithm; the Systems Manager guide's instance-profile S3 statement).
                             {"Effect": "Allow", "Action": ["s3:PutObject", "s3:PutObjectAcl", "s3:GetEncryptionConfiguration",
                                                            "s3:ListBucket"], "Resource": "*"}]}
NODE_ID = re.compile(r"^(i|mi)-[0-9a-f]{8,17}$")


class SimulatedFleet:
    def __init__(self, state, auth, kms, base_url, ca_bundle=None):
        self.state = state
        self.kms = kms                    # the emulator's KMS: the agent decrypts session data keys with it
        self.base_url = base_url
        self.ca_bundle = ca_bundle
        self.auth = auth
        ident = auth.add_identity(AGENT_IDENTITY, AGENT_POLICY)
        self.signer = Signer(ident.access_key_id, ident.secret_access_key, state.region, lambda: state.faults.clock_skew)
        self.signers = {(auth.account, state.region): self.signer}
        self.http = None
        self.nodes = {}

    def signer_for(self, node):
        """The signer of NODE's own account and region: its instance profile's, as on AWS, so the
        CloudWatch Logs it writes land in its account and region (logs_api keeps a store per pair),
        never all in the default one."""
        account, region = node.get("account", self.auth.account), node["region"]
        if (account, region) not in self.signers:
            ident = self.auth.add_identity(AGENT_IDENTITY, AGENT_POLICY, account=account)
            self.signers[(account, region)] = Signer(ident.access_key_id, ident.secret_access_key, region, lambda: self.state.faults.clock_skew)
        return self.signers[(account, region)]

    async def start(self, timeout=30):
        """Starts an agent on every node and waits, at most `timeout` seconds, for their control channels."""
        context = ssl.create_default_context(cafile=self.ca_bundle) if self.ca_bundle else None
        connector = aiohttp.TCPConnector(ssl=context if context is not None else False, limit=0)
        self.http = aiohttp.ClientSession(connector=connector)
        for node in self.state.nodes.values():
            if NODE_ID.match(node["id"]) and node.get("agent") not in ("real", "cheap"):   # a real amazon-ssm-agent serves those; cheapagent.py the cheap ones
                self.nodes[node["id"]] = SimulatedNode(self, node)
        for simulated in self.nodes.values():
            simulated.start()
        waits = [asyncio.ensure_future(n.control.ready.wait()) for n in self.nodes.values()]
        if waits:
            await asyncio.wait(waits, timeout=timeout)
        for w in waits:
            w.cancel()

    async def stop(self):
        await asyncio.gather(*(n.stop() for n in self.nodes.values()), return_exceptions=True)
        if self.http is not None:
            await self.http.close()
