"""KMS (JSON 1.1, TrentService): GenerateDataKey and Decrypt, for KMS-encrypted sessions. The
"ciphertext" is an opaque token the emulator maps back to the key and its encryption context."""
import base64
import os
import secrets

from .errors import AWSError


class KMSService:
    def __init__(self, state):
        self.state = state
        self.keys = {}   # ciphertext blob (bytes) -> (plaintext, key id, context)

    def _key_arn(self, key_id, who):
        if key_id.startswith("arn:"):
            return key_id
        return "arn:aws:kms:%s:%s:key/%s" % (who.region, who.account, key_id.replace("alias/", ""))

    def GenerateDataKey(self, p, who):
        size = p.get("NumberOfBytes")
        if size is None:
            size = {"AES_256": 32, "AES_128": 16}.get(p.get("KeySpec", ""), None)
        if size is None:
            raise AWSError("ValidationException", "Please specify either number of bytes or key spec.")
        plaintext = os.urandom(size)
        blob = b"emulator-kms:" + secrets.token_bytes(32)
        arn = self._key_arn(p["KeyId"], who)
        self.keys[blob] = (plaintext, arn, p.get("EncryptionContext") or {})
        return {"CiphertextBlob": base64.b64encode(blob).decode(), "Plaintext": base64.b64encode(plaintext).decode(), "KeyId": arn}

    def decrypt(self, blob, context):
        """The agent's side of Decrypt: the same encryption context or InvalidCiphertextException."""
        entry = self.keys.get(blob)
        if entry is None or entry[2] != context:
            raise AWSError("InvalidCiphertextException", "")
        return entry[0]

    def Decrypt(self, p, who):
        blob = base64.b64decode(p["CiphertextBlob"])
        plaintext = self.decrypt(blob, p.get("EncryptionContext") or {})
        return {"Plaintext": base64.b64encode(plaintext).decode(), "KeyId": self.keys[blob][1], "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}
