"""The agent's side of the session handshake (spec section 6): HandshakeRequest with the session
type and its properties, the client's HandshakeResponse, HandshakeComplete; and KMS encryption
(spec 6.5): the data key decrypted with the session's encryption context, the challenge, and the
AES-256-GCM envelopes with counter nonces."""
import asyncio
import base64
import json
import os
import time

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .. import clientmessage as cm


class Handshake:
    def __init__(self, session):
        self.session = session
        # KMS (spec 6.5) when the preferences name a key; never for port sessions.
        self.kms_key_id = session.state.faults.kms_key_id if session.session_type != "Port" else ""
        # "none" (shells and interactive commands without KMS skip it), "pending", "challenge", "done".
        self.phase = "none" if session.session_type in ("Standard_Stream", "InteractiveCommands") and not self.kms_key_id else "pending"
        self.agent_key = None       # encrypts agent -> client (data key bytes 0-31)
        self.client_key = None      # decrypts client -> agent (data key bytes 32-63)
        self.challenge = None
        self.expected_challenge = None
        self.nonce_counter = int.from_bytes(os.urandom(12), "little")
        self.started = None

    def send_request(self):
        session = self.session
        properties = None
        if session.session_type == "Port":
            properties = {"portNumber": session.parameters.get("portNumber", "22" if session.document == "AWS-StartSSHSession" else "80")}
            if session.document != "AWS-StartSSHSession":
                properties["type"] = "LocalPortForwarding"
                properties["localPortNumber"] = session.parameters.get("localPortNumber", "0")
            if "host" in session.parameters:
                properties["host"] = session.parameters["host"]
        actions = [{"ActionType": "SessionType", "ActionParameters": {"SessionType": session.session_type, "Properties": properties}}]
        if self.kms_key_id:
            parameters = {"KMSKeyId": self.kms_key_id}
            if session.state.faults.kms_challenge:
                self.challenge = base64.b64encode(os.urandom(16)).decode()
                parameters["Challenge"] = self.challenge
            actions.append({"ActionType": "KMSEncryption", "ActionParameters": parameters})
        request = {"AgentVersion": session.node["agent_version"], "RequestedClientActions": actions}
        self.started = time.monotonic()
        session.channel.send(cm.HANDSHAKE_REQUEST, json.dumps(request, separators=(",", ":")).encode())
        asyncio.get_running_loop().call_later(15, self._timeout)

    def intercept(self, msg):
        """Client messages while the handshake runs: True when the handshake took the message
        (acknowledged and never delivered to the handler)."""
        if self.phase == "pending":
            if msg.payload_type == cm.HANDSHAKE_RESPONSE:
                delay = self.session.state.faults.handshake_delay
                if delay:
                    # A slow agent (its own KMS Decrypt, a loaded node): still "pending" meanwhile.
                    asyncio.get_running_loop().call_later(delay, self._response, msg.payload)
                else:
                    self._response(msg.payload)
            return True  # anything else during the handshake is acked and discarded
        if self.phase == "challenge":
            if msg.payload_type == cm.ENC_CHALLENGE_RESPONSE:
                self._challenge_response(msg.payload)
            return True
        return False

    def _timeout(self):
        if self.phase == "pending":
            # sessionplugin.go Execute wraps PerformHandshake's error (datachannel.go, handshakeTimeout).
            self.session.end("Encountered error while initiating handshake. Handshake timed out. "
                             "Please ensure that you have the latest version of the session manager plugin.")

    def _response(self, payload):
        session = self.session
        try:
            response = json.loads(payload)
            session.client_version = response.get("ClientVersion")
            failed = [a for a in response.get("ProcessedClientActions") or [] if a.get("ActionStatus") != 1]
        except (ValueError, AttributeError):
            failed = ["unreadable HandshakeResponse"]
        if failed:
            session.end("The client could not process the session actions: %s" % failed)
            return
        if self.kms_key_id:
            try:
                kms = next(a for a in response["ProcessedClientActions"] if a.get("ActionType") == "KMSEncryption")
                blob = base64.b64decode(kms["ActionResult"]["KMSCipherTextKey"])
                context = {"aws:ssm:SessionId": session.id, "aws:ssm:TargetId": session.node["id"]}
                # An agent that sent no challenge knows nothing of ChallengeAcknowledgement (spec 6.5).
                if self.challenge is not None and kms["ActionResult"].get("ChallengeAcknowledgement"):
                    context["aws:ssm:RandomChallenge"] = self.challenge
                key = session.registry.kms.decrypt(blob, context)
            except Exception:
                session.end("KMS encryption failed: the data key could not be decrypted with the session's encryption context.")
                return
            self.agent_key, self.client_key = key[:32], key[32:64]
            self.expected_challenge = os.urandom(64)
            self.phase = "challenge"
            session.channel.send(cm.ENC_CHALLENGE_REQUEST, json.dumps({"Challenge": base64.b64encode(self.seal(self.expected_challenge)).decode()},
                                                                      separators=(",", ":")).encode())
            return
        self._complete("")

    def _challenge_response(self, payload):
        try:
            answer = base64.b64decode(json.loads(payload)["Challenge"])
            ok = AESGCM(self.client_key).decrypt(answer[:12], answer[12:], None) == self.expected_challenge
        except Exception:
            ok = False
        if not ok:
            self.session.end("KMS encryption failed: the client did not answer the encryption challenge.")
            return
        self._complete("This session is encrypted using AWS KMS.")

    def seal(self, plaintext):
        """The agent's envelope: a 96-bit counter nonce (little-endian words), ciphertext and tag."""
        self.nonce_counter = (self.nonce_counter + 1) % (1 << 96)
        nonce = self.nonce_counter.to_bytes(12, "little")
        return nonce + AESGCM(self.agent_key).encrypt(nonce, plaintext, None)

    def open(self, payload):
        """The client's envelope opened, or None when it does not authenticate."""
        try:
            return AESGCM(self.client_key).decrypt(payload[:12], payload[12:], None)
        except Exception:
            return None

    def _complete(self, message):
        self.phase = "done"
        elapsed = int((time.monotonic() - self.started) * 1e9)
        self.session.channel.send(cm.HANDSHAKE_COMPLETE, json.dumps({"HandshakeTimeToComplete": elapsed, "CustomerMessage": message},
                                                                    separators=(",", ":")).encode())
        self.session.start_handler()
