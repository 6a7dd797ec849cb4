"""The registry of sessions on the service side: what StartSession creates (and hands to the node's
agent on its control channel) and DescribeSessions, ResumeSession, TerminateSession, the agent's
CreateDataChannel and the control API look up."""
import asyncio
import secrets

from aiohttp import web

from ..errors import AWSError
from ..gateway.session import GatewaySession
from ..ssm_api import SESSION_DOCUMENTS
from . import endpoint


class Sessions:
    def __init__(self, state):
        self.state = state
        self.by_id = {}
        self.base_url = "ws://127.0.0.1:0"
        self.auth = None
        self.kms = None
        self.control = None       # gateway.control.ControlChannels, once the app is built
        self.ending = set()       # the tasks ending sessions the agent reported complete (kept from garbage collection)

    def connect(self, control):
        self.control = control
        control.on("agent_task_complete", self._task_complete)

    def create(self, node, document, parameters, reason, who):
        owner_name = who.arn.split("/")[-1]
        session_id = "%s-%s" % (owner_name, secrets.token_hex(9)[:17])
        session = GatewaySession(self, self.state, session_id, node, document, SESSION_DOCUMENTS[document], parameters, reason, who.arn)
        kms_key_id = self.state.faults.kms_key_id if session.session_type != "Port" else ""
        # The agent gets the session at once and opens its data channel (issue 18 item 2).
        f = self.state.faults
        task = session.task_payload(kms_key_id, f.run_as_enabled, f.run_as_default_user)   # the preferences reach a real agent too
        if self.control_send(node["id"], "interactive_shell", task) is None:
            raise AWSError("TargetNotConnected", "%s is not connected." % node["id"])
        self.by_id[session.id] = session
        return session

    def control_send(self, instance_id, message_type, payload):
        return self.control.send(instance_id, message_type, payload) if self.control is not None else None

    def get(self, session_id):
        return self.by_id.get(session_id)

    def all(self):
        return list(self.by_id.values())

    async def _task_complete(self, instance_id, payload):
        session = self.by_id.get(payload.get("TaskId"))
        if session is not None and session.node["id"] == instance_id:
            # In a task of its own: the end waits on the client's socket (channel_closed) and on the agent's data
            # channel closing, without bound for a client that stopped reading, and this handler runs inside the
            # node's control-channel reader, which its Run Command replies and other sessions share.
            ending = asyncio.get_running_loop().create_task(session.agent_task_complete(payload.get("Output") or ""))
            self.ending.add(ending)
            ending.add_done_callback(self.ending.discard)

    async def create_data_channel(self, request):
        """The agent's CreateDataChannel (service/service.go): signed, answered 201 with an XML token."""
        session = self.by_id.get(request.match_info["session_id"])
        body = await request.read()
        try:
            self.auth.authenticate(request.method, str(request.url), request.headers, body, "ssmmessages")
        except AWSError as error:
            return web.json_response({"message": error.message}, status=403, headers={"x-amzn-ErrorType": error.code})
        if session is None or session.finished:
            return web.Response(status=400, text="<ValidationException><Message>Session %s is not active.</Message></ValidationException>"
                                % request.match_info["session_id"][:100])
        xml = ("<CreateDataChannelOutput><MessageSchemaVersion>1.0</MessageSchemaVersion><TokenValue>%s</TokenValue>"
               "</CreateDataChannelOutput>" % session.agent_channel_created())
        return web.Response(status=201, body=xml.encode(), content_type="application/xml")

    async def websocket_handler(self, request):
        return await endpoint.serve(self, request)
