"""The simulated agent's calls to a JSON 1.1 AWS service (CloudWatch Logs) through the emulator's
front door, signed as the node's agent (signing.py), as the agent's AWS SDK makes them."""
import json

import aiohttp


class AWSCallError(Exception):
    """An error answer: CODE is the "__type" without its namespace."""

    def __init__(self, code, message):
        super().__init__("%s: %s" % (code, message))
        self.code = code


class AWSJsonClient:
    def __init__(self, http, base_url, signer, service, target_prefix):
        self.http = http                  # the fleet's aiohttp.ClientSession
        self.url = base_url.rstrip("/") + "/"
        self.signer = signer
        self.service = service            # the signing name, e.g. "logs"
        self.target_prefix = target_prefix  # e.g. "Logs_20140328"

    async def call(self, operation, params):
        body = json.dumps(params).encode()
        headers = self.signer.headers("POST", self.url, body, {
            "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "%s.%s" % (self.target_prefix, operation)},
            service=self.service)
        try:
            async with self.http.post(self.url, data=body, headers=headers) as response:
                text = await response.read()
                status = response.status
        except (aiohttp.ClientError, OSError) as e:
            raise AWSCallError("RequestError", str(e))
        try:
            answer = json.loads(text or b"{}")
        except ValueError:
            raise AWSCallError("SerializationException", "unreadable answer (HTTP %d)" % status)
        if status >= 300:
            raise AWSCallError(str(answer.get("__type", "")).split("#")[-1], answer.get("message") or answer.get("Message") or "")
        return answer
