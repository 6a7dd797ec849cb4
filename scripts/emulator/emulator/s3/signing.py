"""S3's SigV4 rules on the service side (botocore S3SigV4Auth; S3 API reference, "Authenticating
Requests (AWS Signature Version 4)"): x-amz-content-sha256 is required and, unless it says
UNSIGNED-PAYLOAD, must be the SHA-256 of the body; the canonical URI is the key's path encoded
once, never normalised (`//` and `.` segments stay); the query is decoded and re-encoded."""
import hashlib
import re
from urllib.parse import quote, unquote_to_bytes

from .responses import S3Error

UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
# Forms that send the body in aws-chunked encoding; the emulator does not decode them.
STREAMING = ("STREAMING-",)


def payload_hash(headers, body):
    """The x-amz-content-sha256 value to sign with, or the S3Error S3 gives."""
    declared = headers.get("x-amz-content-sha256")
    if declared is None:
        raise S3Error("InvalidRequest", "Missing required header for this request: x-amz-content-sha256", 400)
    if declared == UNSIGNED_PAYLOAD:
        return declared
    if declared.startswith(STREAMING):
        raise S3Error("NotImplemented", "The emulator does not decode aws-chunked bodies (x-amz-content-sha256: %s); "
                      "send the body whole, signed or UNSIGNED-PAYLOAD." % declared, 501)
    if not SHA256_HEX.match(declared):
        raise S3Error("InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
                      "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
                      "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER "
                      "or a valid sha256 value.", 400, ArgumentName="x-amz-content-sha256", ArgumentValue=declared)
    computed = hashlib.sha256(body).hexdigest()
    if computed != declared:
        raise S3Error("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.", 400,
                      ClientComputedContentSHA256=declared, S3ComputedContentSHA256=computed)
    return declared


def canonical_path(raw_path):
    """The path as S3 signs it: each byte of the decoded path encoded once (RFC 3986 unreserved
    characters and '/' kept), whatever encoding the client chose on the wire. Bytes, not text:
    %FF must not canonicalise as the U+FFFD it would decode to."""
    return quote(unquote_to_bytes(raw_path), safe="/-_.~")


def raw_query_pairs(raw_query):
    """The query's (name, value) pairs as bytes, percent-decoded only: '+' is a '+', as signed."""
    pairs = []
    for pair in (raw_query or "").split("&"):
        if pair:
            name, _, value = pair.partition("=")
            pairs.append((unquote_to_bytes(name), unquote_to_bytes(value)))
    return pairs


def query_params(raw_query):
    """The query as the operations read it, decoded exactly as it was signed (canonical_query)."""
    return {name.decode("utf-8", "replace"): value.decode("utf-8", "replace") for name, value in raw_query_pairs(raw_query)}


def canonical_query(raw_query):
    """Each name and value decoded, then encoded as SigV4 wants; botocore sorts them."""
    return "&".join("%s=%s" % (quote(name, safe="-_.~"), quote(value, safe="-_.~")) for name, value in raw_query_pairs(raw_query))


def decoded_key(raw):
    """A bucket or key from the path: percent-decoded UTF-8, else S3's InvalidURI."""
    try:
        return unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise S3Error("InvalidURI", "Couldn't parse the specified URI.", 400, URI=raw)


def unsigned_amz_headers(headers):
    """The x-amz-* headers of a request that its Authorization does not sign: S3 refuses them
    (AccessDenied, "There were headers present in the request which were not signed")."""
    authorization = headers.get("authorization", "")
    signed = set()
    for part in authorization.split(","):
        name, _, value = part.strip().partition("=")
        if name.endswith("SignedHeaders"):
            signed = set(value.split(";"))
    return sorted(h for h in headers if h.startswith("x-amz-") and h not in signed)


def auth_error(error):
    """The authenticator's error (auth.py, shared with the other services) in S3's words."""
    code, message, status = error.code, error.message, error.status
    if code.startswith("MissingAuthenticationToken"):
        return S3Error("AccessDenied", "Access Denied", 403)
    if code == "InvalidClientTokenId":
        return S3Error("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", 403)
    if message.startswith("Signature expired"):
        return S3Error("RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", 403)
    if message.startswith("Credential should be scoped") or message.startswith("Date in Credential"):
        return S3Error("AuthorizationHeaderMalformed", "The authorization header is malformed; " + message.strip(), 400)
    if code == "ExpiredToken":
        return S3Error("ExpiredToken", "The provided token has expired.", 400)
    return S3Error(code, message, status)
