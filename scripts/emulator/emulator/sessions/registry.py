"""The registry of sessions: what StartSession creates and DescribeSessions, ResumeSession,
TerminateSession and the control API look up."""
import secrets

from . import endpoint
from .session import Session


class Sessions:
    def __init__(self, state):
        self.state = state
        self.by_id = {}
        self.base_url = "ws://127.0.0.1:0"
        self.auth = None
        self.kms = None

    def create(self, node, document, parameters, reason, who):
        owner_name = who.arn.split("/")[-1]
        session = Session(self, self.state, "%s-%s" % (owner_name, secrets.token_hex(9)[:17]), node, document, parameters, reason, who.arn)
        self.by_id[session.id] = session
        return session

    def get(self, session_id):
        return self.by_id.get(session_id)

    def all(self):
        return list(self.by_id.values())

    async def websocket_handler(self, request):
        return await endpoint.serve(self, request)
