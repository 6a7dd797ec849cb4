"""The calls amazon-ssm-agent makes to the service at start-up and while it runs, besides its
control and data channels (seen from 3.3.1142.0 under with-agent; agent/health/healthcheck.go,
agent/ssm/service.go, agent/runcommand/mds, agent/association): UpdateInstanceInformation (the
health ping: any failure sends the agent into hibernation for 5 minutes, agent/hibernation), which
sets the node's ping status and facts; ListInstanceAssociations (none); and ec2messages
(`EC2WindowsMessageDeliveryService.*`, polled while the control channel is down: no messages,
since everything reaches the node on its control channel). None of them is ever throttled,
failed or slowed by the API faults: those model the client's view of AWS."""
import time

SSM_OPERATIONS = ("UpdateInstanceInformation", "ListInstanceAssociations")
EC2MESSAGES_PREFIX = "EC2WindowsMessageDeliveryService."


def is_agent_call(target):
    return bool(target) and (target.startswith(EC2MESSAGES_PREFIX)
                             or (target.startswith("AmazonSSM.") and target.split(".", 1)[1] in SSM_OPERATIONS))


class AgentAPI:
    def __init__(self, state):
        self.state = state

    def call(self, service, operation, p):
        if service == "ec2messages":
            return self.ec2messages(operation, p)
        return getattr(self, operation)(p)

    # -- ssm (JSON 1.1; not in botocore's public SSM model) -------------------------------------

    def UpdateInstanceInformation(self, p):
        node = self.state.nodes.get(p.get("InstanceId"))
        if node is not None:
            node["ping_status"] = "Online"
            node["last_ping"] = time.time()
            for field, key in (("AgentVersion", "agent_version"), ("PlatformName", "platform_name"),
                               ("PlatformVersion", "platform_version"), ("ComputerName", "computer_name"), ("IPAddress", "ip")):
                if p.get(field):
                    node[key] = p[field]
        return {}

    def ListInstanceAssociations(self, p):
        return {"Associations": []}

    # -- ec2messages (no botocore model: answered as MDS answers an agent with nothing to do) -----

    def ec2messages(self, operation, p):
        if operation == "GetMessages":
            return {"Destination": p.get("Destination", ""), "Messages": [], "MessagesRequestId": p.get("MessagesRequestId", "")}
        return {}
