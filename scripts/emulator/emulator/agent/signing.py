"""SigV4 for the simulated agent's calls to the service (ssmmessages), as amazon-ssm-agent signs
them (agent/session/service/service.go makeRestcall, communicator/websocketchannel.go
getV4SignatureHeader: the upgrade GET is signed with no body)."""
import datetime

from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


class Signer:
    """Signs requests with one identity's keys. `skew` (a function returning seconds) keeps the
    agent's clock on the service's: the emulator's `clock_skew` fault models the client's clock,
    never the node's."""

    def __init__(self, access_key_id, secret_access_key, region, skew=lambda: 0.0):
        self.credentials = Credentials(access_key_id, secret_access_key)
        self.region = region
        self.skew = skew

    def headers(self, method, url, body=b"", extra=None, service="ssmmessages"):
        request = AWSRequest(method=method, url=url, data=body, headers=dict(extra or {}))
        signer = SigV4Auth(self.credentials, service, self.region)
        now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=self.skew())
        request.context["timestamp"] = now.strftime(SIGV4_TIMESTAMP)
        signer._modify_request_before_signing(request)
        canonical = signer.canonical_request(request)
        signer._inject_signature_to_request(request, signer.signature(signer.string_to_sign(request, canonical), request))
        return dict(request.headers.items())
