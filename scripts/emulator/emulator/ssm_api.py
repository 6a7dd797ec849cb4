"""The SSM operations (JSON 1.1)."""
import base64
import fnmatch
import json
import secrets
import time

from .errors import AWSError
from .runcommand import Command, DOCUMENTS, parse_limit

SESSION_DOCUMENTS = {
    None: "Standard_Stream",
    "SSM-SessionManagerRunShell": "Standard_Stream",
    "AWS-StartInteractiveCommand": "InteractiveCommands",
    "AWS-StartNonInteractiveCommand": "NonInteractiveCommands",
    "AWS-StartPortForwardingSession": "Port",
    "AWS-StartPortForwardingSessionToRemoteHost": "Port",
    "AWS-StartSSHSession": "Port",
}


def _token(offset):
    return base64.b64encode(json.dumps({"o": offset}).encode()).decode()


def _offset(token, operation):
    if token is None:
        return 0
    try:
        return int(json.loads(base64.b64decode(token))["o"])
    except Exception:
        raise AWSError("InvalidNextToken", "The specified token isn't valid.")


def _page(items, params, key, default, operation):
    start = _offset(params.get("NextToken"), operation)
    size = params.get("MaxResults") or default
    page = items[start:start + size]
    result = {key: page}
    if start + size < len(items):
        result["NextToken"] = _token(start + size)
    return result


class SSMService:
    def __init__(self, state, sessions):
        self.state = state
        self.sessions = sessions
        self.jobs = None     # jobdelivery.JobDelivery: Run Command on the nodes' control channels

    # -- managed nodes --------------------------------------------------------------------------

    def node_info(self, n):
        return {
            "InstanceId": n["id"], "PingStatus": n["ping_status"], "LastPingDateTime": n.get("last_ping", time.time() - 30),
            "AgentVersion": n["agent_version"], "IsLatestVersion": n["agent_version"] == "3.3.1142.0",
            "PlatformType": n["platform"], "PlatformName": n["platform_name"], "PlatformVersion": n["platform_version"],
            "ResourceType": n["resource_type"], "IPAddress": n["ip"], "ComputerName": n["computer_name"],
            "IamRole": n.get("iam_role", ""), "AssociationStatus": "Success", "SourceId": n["id"],
            "SourceType": "AWS::EC2::Instance" if n["resource_type"] == "EC2Instance" else "AWS::SSM::ManagedInstance",
            "RegistrationDate": n.get("registered", 1700000000.0) if n["resource_type"] == "ManagedInstance" else None,
        }

    def _matches(self, n, key, values):
        if key == "InstanceIds":
            return n["id"] in values
        if key == "PingStatus":
            return n["ping_status"] in values
        if key == "PlatformTypes":
            return n["platform"] in values
        if key == "ResourceType":
            return n["resource_type"] in values
        if key == "AgentVersion":
            return n["agent_version"] in values
        if key == "IamRole":
            return n.get("iam_role") in values
        if key == "tag-key":
            return any(k in values for k in n["tags"])
        if key.startswith("tag:"):
            tag = n["tags"].get(key[4:])
            return tag is not None and any(fnmatch.fnmatchcase(tag, v) for v in values)
        if key in ("ActivationIds", "AssociationStatus"):
            return False
        raise AWSError("InvalidInstanceInformationFilterValue" if key else "InvalidFilterKey",
                       "The specified filter key isn't valid: %s" % key)

    def DescribeInstanceInformation(self, p, who):
        if p.get("Filters") and p.get("InstanceInformationFilterList"):
            raise AWSError("InvalidFilterKey", "InstanceInformationFilterList and Filters can't be used together.")
        nodes = self.state.scope_nodes(who)
        for f in p.get("InstanceInformationFilterList") or []:
            nodes = [n for n in nodes if self._matches(n, f["key"], f["valueSet"])]
        for f in p.get("Filters") or []:
            if not f["Values"]:
                raise AWSError("InvalidInstanceInformationFilterValue", "The filter value is empty for key %s." % f["Key"])
            nodes = [n for n in nodes if self._matches(n, f["Key"], f["Values"])]
        if p.get("MaxResults") is not None and not 5 <= p["MaxResults"] <= 50:
            raise AWSError("ValidationException", "1 validation error detected: Value '%s' at 'maxResults' failed to satisfy constraint: "
                           "Member must have value between 5 and 50" % p["MaxResults"])
        # Paged before each entry is built: a 10,000-node fleet is listed 50 at a time.
        result = _page(nodes, p, "InstanceInformationList", 10, "DescribeInstanceInformation")
        result["InstanceInformationList"] = [{k: v for k, v in self.node_info(n).items() if v is not None}
                                             for n in result["InstanceInformationList"]]
        return result

    def GetConnectionStatus(self, p, who):
        node = self.state.scope_node(who, p["Target"])
        return {"Target": p["Target"], "Status": "connected" if node and node["ping_status"] == "Online" else "notconnected"}

    # -- sessions -------------------------------------------------------------------------------

    def StartSession(self, p, who):
        target = p["Target"]
        document = p.get("DocumentName")
        if document not in SESSION_DOCUMENTS:
            raise AWSError("InvalidDocument", "Document with name %s does not exist." % document)
        node = self.state.scope_node(who, target)
        if node is None or node["ping_status"] != "Online":
            raise AWSError("TargetNotConnected", "%s is not connected." % target)
        session = self.sessions.create(node, document, p.get("Parameters") or {}, p.get("Reason"), who)
        return {"SessionId": session.id, "TokenValue": session.token, "StreamUrl": session.stream_url}

    def ResumeSession(self, p, who):
        session = self._session(p["SessionId"], who)
        mode = self.state.faults.resume
        if session is None or mode == "refuse":
            raise AWSError("DoesNotExistException", "Session with id %s does not exist or is not resumable." % p["SessionId"])
        if session.status in ("Terminated", "Terminating", "Failed") or mode == "null-token":
            return {"SessionId": session.id, "TokenValue": None, "StreamUrl": session.stream_url}
        session.token = "AAEAA" + secrets.token_urlsafe(48)
        return {"SessionId": session.id, "TokenValue": session.token, "StreamUrl": session.stream_url}

    def TerminateSession(self, p, who):
        session = self._session(p["SessionId"], who)
        if session is not None:
            session.terminate("Terminated by the TerminateSession API.")
        return {"SessionId": p["SessionId"]}

    def DescribeSessions(self, p, who):
        state = p["State"]
        if state not in ("Active", "History"):
            raise AWSError("ValidationException", "1 validation error detected: Value '%s' at 'state' failed to satisfy constraint: "
                           "Member must satisfy enum value set: [Active, History]" % state)
        items = [s for s in self.sessions.all() if self._in_scope(s, who) and (s.status in ("Connected", "Connecting", "Disconnected")) == (state == "Active")]
        for f in p.get("Filters") or []:
            key, value = f["key"], f["value"]
            if key == "Target":
                items = [s for s in items if s.node["id"] == value]
            elif key == "Owner":
                items = [s for s in items if s.owner == value]
            elif key == "Status":
                items = [s for s in items if s.status == value]
            elif key == "SessionId":
                items = [s for s in items if s.id == value]
            elif key in ("InvokedAfter", "InvokedBefore", "AccessType"):
                pass
            else:
                raise AWSError("InvalidFilterKey", "The specified filter key isn't valid.")
        return _page([s.describe() for s in items], p, "Sessions", 20, "DescribeSessions")

    # -- Run Command ----------------------------------------------------------------------------

    def SendCommand(self, p, who):
        document = p["DocumentName"]
        if document.startswith("arn:"):
            document = document.split("/")[-1]
        if document not in DOCUMENTS:
            raise AWSError("InvalidDocument", "Document with name %s does not exist." % p["DocumentName"])
        ids = p.get("InstanceIds")
        targets = p.get("Targets")
        if ids and targets:
            raise AWSError("ValidationException", "Both InstanceIds and Targets were specified; specify one of them.")
        if not ids and not targets:
            raise AWSError("ValidationException", "Either InstanceIds or Targets must be specified.")
        nodes = []
        if ids:
            if len(set(ids)) != len(ids):
                raise AWSError("DuplicateInstanceId", "Instance Id list has duplicate instance Ids.")
            unknown = [i for i in ids if self.state.scope_node(who, i) is None]
            if unknown:
                raise AWSError("InvalidInstanceId", "Instances [[%s]] not in a valid state for account %s" % (", ".join(unknown), who.account))
            nodes = [self.state.nodes[i] for i in ids]
            platforms = DOCUMENTS[document]["platforms"]
            if not any(n["platform"] in platforms for n in nodes):
                raise AWSError("UnsupportedPlatformType", "The document %s doesn't support the platform type of the given managed node IDs." % document)
        else:
            candidates = self.state.scope_nodes(who)
            for t in targets:
                key, values = t.get("Key", ""), t.get("Values", [])
                if key == "InstanceIds":
                    candidates = [n for n in candidates if n["id"] in values]
                elif key.startswith("tag:"):
                    candidates = [n for n in candidates if any(fnmatch.fnmatchcase(n["tags"].get(key[4:], "\0"), v) for v in values)]
                elif key == "tag-key":
                    candidates = [n for n in candidates if any(k in n["tags"] for k in values)]
                else:
                    raise AWSError("InvalidParameters", "Target key %s is not supported; use InstanceIds, tag:<key> or tag-key." % key)
            platforms = DOCUMENTS[document]["platforms"]
            nodes = [n for n in candidates if n["platform"] in platforms]
        params = p.get("Parameters") or {}
        if "commands" not in params:
            raise AWSError("InvalidParameters", "document %s does not support parameters [] or is missing required parameter commands." % document)
        unknown_params = set(params) - {"commands", "executionTimeout", "workingDirectory"}
        if unknown_params:
            raise AWSError("InvalidParameters", "document %s does not support parameters %s." % (document, sorted(unknown_params)))
        max_concurrency = p.get("MaxConcurrency", "50")
        max_errors = p.get("MaxErrors", "0")
        parse_limit(max_concurrency, max(1, len(nodes)), "maxConcurrency")
        parse_limit(max_errors, max(1, len(nodes)), "maxErrors")
        command = Command(self.state, self.jobs, document, nodes, params, p.get("Comment", ""), p.get("TimeoutSeconds", 3600),
                          max_concurrency, max_errors, who.region, targets or [], ids or [])
        command.account = who.account
        # OutputS3*: kept as given and handed to the agents, which upload the complete output.
        command.output_s3 = {"OutputS3BucketName": p.get("OutputS3BucketName", ""), "OutputS3KeyPrefix": p.get("OutputS3KeyPrefix", ""),
                             "OutputS3Region": p.get("OutputS3Region") or who.region}
        cloudwatch = p.get("CloudWatchOutputConfig") or {}
        command.cloudwatch_output = {"CloudWatchLogGroupName": cloudwatch.get("CloudWatchLogGroupName", ""),
                                     "CloudWatchOutputEnabled": bool(cloudwatch.get("CloudWatchOutputEnabled"))}
        self.state.commands[command.id] = command
        command.start()
        return {"Command": command.summary()}

    def _command(self, command_id, who):
        """The caller's command: another account's or region's is unknown to it."""
        command = self.state.commands.get(command_id)
        if command is None or (command.account, command.region) != (who.account, who.region):
            raise AWSError("InvalidCommandId", "")
        return command

    def _session(self, session_id, who):
        session = self.sessions.get(session_id)
        return session if session is not None and self._in_scope(session, who) else None

    def _in_scope(self, session, who):
        return self.state.in_scope(session.node, who.account, who.region)

    def ListCommands(self, p, who):
        commands = list(reversed(self.state.scope_commands(who)))
        if p.get("CommandId"):
            commands = [self._command(p["CommandId"], who)]
        if p.get("InstanceId"):
            commands = [c for c in commands if any(i.node["id"] == p["InstanceId"] for i in c.invocations)]
        for f in p.get("Filters") or []:
            if f["key"] == "Status":
                commands = [c for c in commands if c.status == f["value"]]
            elif f["key"] == "DocumentName":
                commands = [c for c in commands if c.document == f["value"]]
        return _page([c.summary() for c in commands], p, "Commands", 50, "ListCommands")

    def ListCommandInvocations(self, p, who):
        invocations = []
        commands = [self._command(p["CommandId"], who)] if p.get("CommandId") else list(reversed(self.state.scope_commands(who)))
        for c in commands:
            invocations += [i for i in c.invocations if not p.get("InstanceId") or i.node["id"] == p["InstanceId"]]
        for f in p.get("Filters") or []:
            if f["key"] == "Status":
                invocations = [i for i in invocations if i.status == f["value"]]
        # Paged before each entry is built (10,000 invocations are listed 50 at a time).
        result = _page(invocations, p, "CommandInvocations", 50, "ListCommandInvocations")
        result["CommandInvocations"] = [i.list_entry(bool(p.get("Details"))) for i in result["CommandInvocations"]]
        return result

    def GetCommandInvocation(self, p, who):
        command = self._command(p["CommandId"], who)
        # Eventually consistent right after SendCommand, as the real API is.
        if time.time() - command.requested < self.state.faults.invocation_lag:
            raise AWSError("InvocationDoesNotExist", "")
        for inv in command.invocations:
            if inv.node["id"] == p["InstanceId"]:
                plugin = p.get("PluginName")
                if plugin and plugin != DOCUMENTS[command.document]["plugin"]:
                    raise AWSError("InvalidPluginName", "")
                return inv.get_output()
        raise AWSError("InvocationDoesNotExist", "")

    def CancelCommand(self, p, who):
        command = self._command(p["CommandId"], who)
        ids = p.get("InstanceIds") or None
        if ids:
            unknown = [i for i in ids if all(inv.node["id"] != i for inv in command.invocations)]
            if unknown:
                raise AWSError("InvalidInstanceId", "Instances [[%s]] not in a valid state for account %s" % (", ".join(unknown), who.account))
        command.cancel(ids)
        return {}
