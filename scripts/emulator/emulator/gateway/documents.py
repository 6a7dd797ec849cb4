"""The session documents' content as the service hands it to the agent in `interactive_shell`
(AgentTaskPayload.DocumentContent, agent/contracts/model.go SessionDocumentContent: schemaVersion,
description, sessionType, inputs, parameters, properties). The agent substitutes `{{ name }}` in
`properties` from `parameters` (their defaults) and the StartSession Parameters
(framework/docparser). Contents as `aws ssm get-document` shows the AWS-owned documents."""

SHELL_INPUTS = {"s3BucketName": "", "s3KeyPrefix": "", "s3EncryptionEnabled": True, "cloudWatchLogGroupName": "",
                "cloudWatchEncryptionEnabled": True, "cloudWatchStreamingEnabled": False, "kmsKeyId": "", "runAsEnabled": False,
                "runAsDefaultUser": "", "shellProfile": {"windows": "", "linux": ""}}


def _port(description, parameters, properties):
    return {"schemaVersion": "1.0", "description": description, "sessionType": "Port", "parameters": parameters,
            "properties": properties}


def _string(description, default=None, pattern=None):
    p = {"type": "String", "description": description}
    if default is not None:
        p["default"] = default
    if pattern is not None:
        p["allowedPattern"] = pattern
    return p


PORT_PATTERN = "^([1-9]|[1-9][0-9]{1,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$"
LOCAL_PORT_PATTERN = "^([0-9]|[1-9][0-9]{1,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$"


def _commands(session_type, extra):
    platform = dict({"commands": "{{ command }}", "runAsElevated": False}, **extra)
    return {"schemaVersion": "1.0", "description": "Document to run a single command.", "sessionType": session_type,
            "parameters": {"command": _string("The command to run.")},
            "properties": {"windows": platform, "linux": platform, "macos": platform}}


DOCUMENTS = {
    "SSM-SessionManagerRunShell": {"schemaVersion": "1.0", "description": "Document to hold regional settings for Session Manager",
                                   "sessionType": "Standard_Stream", "inputs": SHELL_INPUTS},
    "AWS-StartSSHSession": _port("Document to start SSH session", {"portNumber": _string("(Optional) Port number of SSH server on the instance",
                                                                                        "22", PORT_PATTERN)},
                                 {"portNumber": "{{ portNumber }}"}),
    "AWS-StartPortForwardingSession": _port(
        "Document to start port forwarding session over Session Manager",
        {"portNumber": _string("(Optional) Port number of the server on the instance", "80", PORT_PATTERN),
         "localPortNumber": _string("(Optional) Port number on local machine to forward traffic to. An open port is chosen at run-time if not provided",
                                    "0", LOCAL_PORT_PATTERN)},
        {"portNumber": "{{ portNumber }}", "type": "LocalPortForwarding", "localPortNumber": "{{ localPortNumber }}"}),
    "AWS-StartPortForwardingSessionToRemoteHost": _port(
        "Document to start port forwarding session over Session Manager to a remote host",
        {"portNumber": _string("(Optional) Port number of the server on the remote host", "80", PORT_PATTERN),
         "localPortNumber": _string("(Optional) Port number on local machine to forward traffic to. An open port is chosen at run-time if not provided",
                                    "0", LOCAL_PORT_PATTERN),
         "host": _string("(Required) The hostname or IP address of the destination server")},
        {"portNumber": "{{ portNumber }}", "type": "LocalPortForwarding", "localPortNumber": "{{ localPortNumber }}", "host": "{{ host }}"}),
    "AWS-StartInteractiveCommand": _commands("InteractiveCommands", {}),
    "AWS-StartNonInteractiveCommand": _commands("NonInteractiveCommands", {"separateOutputStream": "{{ separateOutputStream }}",
                                                                           "stdOutSeparatorPrefix": "{{ stdOutSeparatorPrefix }}",
                                                                           "stdErrSeparatorPrefix": "{{ stdErrSeparatorPrefix }}"}),
}
DOCUMENTS["AWS-StartNonInteractiveCommand"]["parameters"].update({
    "separateOutputStream": _string("Separate stdout and stderr", "false"),
    "stdOutSeparatorPrefix": _string("Prefix of stdout lines", ""),
    "stdErrSeparatorPrefix": _string("Prefix of stderr lines", "")})


def content(document, kms_key_id="", run_as_enabled=False, run_as_default_user=""):
    """The DocumentContent for a session document; the Session Manager preferences (the shell
    document's inputs: the KMS key, run-as) go with every one, as the service merges them."""
    doc = dict(DOCUMENTS[document or "SSM-SessionManagerRunShell"])
    doc["inputs"] = dict(SHELL_INPUTS, kmsKeyId=kms_key_id, runAsEnabled=run_as_enabled, runAsDefaultUser=run_as_default_user)
    return doc
