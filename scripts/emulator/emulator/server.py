"""One port serves it all: POST / (SSM JSON 1.1, STS and EC2 Query), GET /v1/data-channel/<id>
(the websocket data channel), /_emulator/... (the control API for tests), and S3 path-style on
every other path (/BUCKET/KEY; its routes come last so that they never shadow the others)."""
import asyncio
import base64
import json
import random
import uuid
from urllib.parse import parse_qsl

import botocore.session
from aiohttp import web

from . import errors
from .auth import AGENT_IDENTITY, Authenticator, action_allowed
from .cheapagent import CheapAgent
from .errors import AWSError
from .gateway import agent_api
from .gateway.agent_api import AgentAPI
from .gateway.control import ControlChannels
from .jobdelivery import JobDelivery
from .json_request import decode_json_call
from .kms import KMSService
from .logs_api import TARGET_PREFIX as LOGS_PREFIX, LogsService
from .query_api import EC2Service, IAMService, STSService, VPCCalls
from .ratelimit import RateLimiter, throttling_error
from .s3 import S3Service
from .ssm_api import SSMService
from .validation import validate

_MODELS = botocore.session.get_session()
SSM_MODEL = _MODELS.get_service_model("ssm")
KMS_MODEL = _MODELS.get_service_model("kms")


class Emulator:
    def __init__(self, state, identities_doc, sessions):
        self.state = state
        self.auth = Authenticator(identities_doc, state)
        self.sessions = sessions
        self.ssm = SSMService(state, sessions)
        self.sts = STSService(state, self.auth)
        self.ec2 = EC2Service(state)
        self.kms = KMSService(state)
        self.iam = IAMService(state)
        self.s3 = S3Service(state, self.auth)
        self.logs = LogsService(state, self.auth.account)
        self.vpc_calls = VPCCalls(state)
        self.rate_limiter = RateLimiter()
        sessions.kms = self.kms
        sessions.auth = self.auth
        self.control = ControlChannels(state, self.auth)
        self.agent_api = AgentAPI(state)
        state.control = self.control
        self.ssm.jobs = JobDelivery(self.control, CheapAgent(state))
        sessions.connect(self.control)

    def app(self):
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_post("/", self.api)
        app.router.add_get("/v1/data-channel/{session_id}", self.sessions.websocket_handler)
        app.router.add_post("/v1/data-channel/{session_id}", self.sessions.create_data_channel)
        app.router.add_post("/v1/control-channel/{instance_id}", self.control.create)
        app.router.add_get("/v1/control-channel/{instance_id}", self.control.serve)
        app.router.add_get("/_emulator/state", self.control_state)
        app.router.add_post("/_emulator/faults", self.control_faults)
        app.router.add_post("/_emulator/reset", self.control_reset)
        app.router.add_get("/_emulator/sessions/{session_id}/received", self.control_received)
        app.router.add_post("/_emulator/nodes/{node_id}", self.control_node)
        app.router.add_post("/_emulator/sessions/{session_id}/close", self.control_close)
        app.router.add_post("/_emulator/identities", self.control_identity)
        self.s3.routes(app)     # last: its /{bucket}/{key} patterns match any path
        return app

    # -- the AWS APIs ---------------------------------------------------------------------------

    async def api(self, request):
        request_id = str(uuid.uuid4())
        body = await request.read()
        target = request.headers.get("X-Amz-Target")
        agent_call = agent_api.is_agent_call(target)
        if target:
            protocol, service = "json", "kms" if target.startswith("TrentService.") else "ssm"
            if target.startswith(agent_api.EC2MESSAGES_PREFIX):
                service = "ec2messages"
            if target.startswith(LOGS_PREFIX):
                service = "logs"
        else:
            form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            version = form.get("Version", "")
            protocol, service = {"2016-11-15": ("ec2", "ec2"), "2010-05-08": ("query", "iam")}.get(version, ("query", "sts"))
        try:
            if self.state.faults.latency_ms and not agent_call:
                await asyncio.sleep(self.state.faults.latency_ms / 1000)
            who = self.auth.authenticate(request.method, str(request.url), request.headers, body, service)
            if protocol == "json":
                if not target.startswith("AmazonSSM.") and not target.startswith("TrentService.") and service not in ("ec2messages", "logs"):
                    raise AWSError("UnknownOperationException", "")
                operation = target.split(".", 1)[1]
            else:
                operation = form.get("Action", "")
            self.state.count_call(operation, who.name)
            if agent_call:
                return self._json_response(self._agent_call(service, operation, body, who), request_id)
            # The simulated agents' CloudWatch uploads are the agent's own calls: never faulted.
            if not (service == "logs" and who.name == AGENT_IDENTITY):
                self._limit_rate(protocol, operation, who)
                self._inject_faults(protocol, operation)
            if service == "logs":
                return self._json_response(self.logs.call(operation, body, who), request_id)
            if protocol == "json" and service == "kms":
                return self._json_response(self._json_call(self.kms, KMS_MODEL, "kms", operation, body, who), request_id)
            if protocol == "json":
                response = self._json_response(await self._ssm(operation, body, who, request_id), request_id)
                return self._maybe_drop_answer(request, operation, response)
            if protocol == "query" and service == "iam":
                return self._xml_response(self._query(self.iam, "iam", operation, form, who, request_id), request_id)
            if protocol == "query":
                return self._xml_response(self._query(self.sts, "sts", operation, form, who, request_id), request_id)
            return self._xml_response(self._query(self.ec2, "ec2", operation, form, who, request_id), request_id)
        except AWSError as e:
            if protocol == "json":
                return web.Response(status=e.status, body=errors.json_body(e, request_id),
                                    headers={"x-amzn-RequestId": request_id, "Content-Type": "application/x-amz-json-1.1"})
            body = errors.query_body(e, request_id) if protocol == "query" else errors.ec2_body(e, request_id)
            return web.Response(status=e.status, body=body, headers={"x-amzn-RequestId": request_id, "Content-Type": "text/xml"})

    def _agent_call(self, service, operation, body, who):
        """The agent's own calls (gateway/agent_api.py), which the API faults never touch. They are
        not in botocore's public SSM model, so they are not validated against it."""
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            raise AWSError("SerializationException", "Unreadable request body.")
        return self.agent_api.call(service, operation, params if isinstance(params, dict) else {})

    def _limit_rate(self, protocol, operation, who):
        """The configured rate per account, region and operation (ratelimit.py), as AWS throttles."""
        if not self.rate_limiter.take(self.state.faults.rate_limits, who.account, who.region, operation):
            self._count_throttle(operation, who)
            raise throttling_error(protocol)

    def _count_throttle(self, operation, who):
        with self.state.lock:
            self.state.throttled[(operation, who.account, who.region)] += 1

    def _inject_faults(self, protocol, operation):
        f = self.state.faults
        if f.fault_operations and operation not in f.fault_operations.split(","):
            return
        if f.throttle and random.random() < f.throttle:
            raise AWSError("ThrottlingException" if protocol == "json" else "Throttling", "Rate exceeded", 400)
        if f.server_errors and random.random() < f.server_errors:
            if random.random() < 0.5:
                raise AWSError("InternalServerError" if protocol == "json" else "InternalFailure", "An internal error occurred.", 500, sender=False)
            raise AWSError("ServiceUnavailable", "Service is unavailable. Please try again.", 503, sender=False)

    def _maybe_drop_answer(self, request, operation, response):
        """The `drop_answer` fault: the work is done, then the connection is cut before any byte of
        the answer, as a network failure after the service took a request looks to the client."""
        if operation not in [o.strip() for o in self.state.faults.drop_answer.split(",") if o.strip()]:
            return response
        request.transport.abort()
        raise ConnectionResetError("drop_answer fault: %s done, connection dropped unanswered" % operation)

    async def _ssm(self, operation, body, who, request_id):
        return self._json_call(self.ssm, SSM_MODEL, "ssm", operation, body, who)

    def _json_call(self, service_impl, model, prefix, operation, body, who):
        operation_model, handler, params = decode_json_call(model, service_impl, operation, body)
        action = prefix + ":" + operation
        if not action_allowed(who.policy, action):
            raise AWSError("AccessDeniedException", "User: %s is not authorized to perform: %s on resource: %s because no identity-based policy allows the %s action"
                           % (who.arn, action, self._resource(operation, params, who), action))
        validate(operation_model.input_shape, params)
        return handler(params, who)

    def _resource(self, operation, params, who):
        region, account = who.region, who.account
        if operation == "SendCommand":
            return "arn:aws:ssm:%s::document/%s" % (region, params.get("DocumentName", "AWS-RunShellScript"))
        if operation == "StartSession" and params.get("Target"):
            return "arn:aws:ec2:%s:%s:instance/%s" % (region, account, params["Target"])
        if operation in ("TerminateSession", "ResumeSession") and params.get("SessionId"):
            return "arn:aws:ssm:%s:%s:session/%s" % (region, account, params["SessionId"])
        return "arn:aws:ssm:%s:%s:*" % (region, account)

    def _query(self, service_impl, service, operation, form, who, request_id):
        handler = getattr(service_impl, operation, None)
        if handler is None and service == "ec2":
            handler = getattr(self.vpc_calls, operation, None)
        if handler is None:
            raise AWSError("InvalidAction", "Could not find operation %s for version %s" % (operation, form.get("Version")))
        action = "%s:%s" % (service, operation)
        if service == "ec2" and not action_allowed(who.policy, action):
            raise AWSError("UnauthorizedOperation", "You are not authorized to perform this operation. User: %s is not authorized to perform: %s "
                           "because no identity-based policy allows the %s action" % (who.arn, action, action), 403)
        if service == "iam" and not action_allowed(who.policy, action):
            raise AWSError("AccessDenied", "User: %s is not authorized to perform: %s on resource: arn:aws:iam::%s:* because no "
                           "identity-based policy allows the %s action" % (who.arn, action, who.account, action), 403)
        return handler(form, who, request_id)

    @staticmethod
    def _json_response(payload, request_id):
        return web.Response(body=json.dumps(payload).encode(), headers={"x-amzn-RequestId": request_id, "Content-Type": "application/x-amz-json-1.1"})

    @staticmethod
    def _xml_response(text, request_id):
        return web.Response(body=text.encode(), headers={"x-amzn-RequestId": request_id, "Content-Type": "text/xml"})

    # -- the control API ------------------------------------------------------------------------

    async def control_state(self, request):
        calls = {}
        for (operation, identity), count in self.state.api_calls.items():
            calls.setdefault(operation, {})[identity] = count
        throttled = {}
        for (operation, account, region), count in self.state.throttled.items():
            throttled.setdefault(operation, {})["%s/%s" % (account, region)] = count
        return web.json_response({
            "api_calls": calls,
            "throttled": throttled,
            "sessions": {s.id: s.facts() for s in self.sessions.all()},
            "faults": self.state.faults.__dict__,
            "commands": {c.id: c.summary()["Status"] for c in self.state.commands.values()},
            "control_channels": self.control.facts(),
        })

    async def control_faults(self, request):
        values = await request.json()
        try:
            self.state.faults.update(values)
        except (KeyError, ValueError) as e:
            return web.json_response({"error": "unknown or invalid fault %s" % e}, status=400)
        return web.json_response(self.state.faults.__dict__)

    async def control_reset(self, request):
        self.state.api_calls.clear()
        self.state.throttled.clear()
        self.rate_limiter.reset()
        self.state.faults.update(dict(self.state.fault_defaults.__dict__))
        return web.json_response({"ok": True})

    async def control_received(self, request):
        data = bytes(self.state.agent_bytes.get(request.match_info["session_id"], b""))
        return web.json_response({"bytes": base64.b64encode(data).decode(), "length": len(data)})

    async def control_node(self, request):
        node = self.state.nodes.get(request.match_info["node_id"])
        if node is None:
            return web.json_response({"error": "no such node"}, status=404)
        node.update(await request.json())
        return web.json_response(node)

    async def control_identity(self, request):
        """Adds an identity with the given policy (for least-privilege tests); returns its keys."""
        body = await request.json()
        ident = self.auth.add_identity(body["name"], body["policy"])
        return web.json_response({"access_key_id": ident.access_key_id, "secret_access_key": ident.secret_access_key, "arn": ident.arn})

    async def control_close(self, request):
        session = self.sessions.get(request.match_info["session_id"])
        if session is None:
            return web.json_response({"error": "no such session"}, status=404)
        mode = (await request.json()).get("mode", "bye")
        await session.drop_connection(mode)
        return web.json_response({"ok": True})
