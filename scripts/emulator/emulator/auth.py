"""Who is calling, and may they: SigV4 verified with botocore's own signer against the identity's
secret, temporary credentials from AssumeRole, and IAM identity policies (Allow/Deny, wildcards)."""
import datetime
import fnmatch
import hmac
import secrets
import time

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from .errors import AWSError

MAX_SKEW_SECONDS = 15 * 60
# Services whose front end answers in JSON (InvalidSignatureException, 400); the query services
# (STS, EC2, IAM) answer SignatureDoesNotMatch with 403.
JSON_SERVICES = ("ssm", "kms", "ssmmessages", "logs")
# The identity the simulated agents sign with (agent/fleet.py adds it).
AGENT_IDENTITY = "emulator-agent"
# IAM is global: its requests are signed for us-east-1 whatever the caller's region.
GLOBAL_SERVICE_REGIONS = {"iam": "us-east-1"}


def signature_error(service, message):
    if service in JSON_SERVICES:
        return AWSError("InvalidSignatureException", message, 400)
    return AWSError("SignatureDoesNotMatch", message, 403)


class Identity:
    def __init__(self, name, access_key_id, secret_access_key, arn, user_id, policy, account,
                 session_token=None, expires_at=None, role_arn=None, mfa_serial=None, mfa_code=None):
        self.name = name
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.arn = arn
        self.user_id = user_id
        self.policy = policy
        self.account = account
        self.session_token = session_token
        self.expires_at = expires_at
        self.role_arn = role_arn          # temporary credentials: the role they are a session of
        self.mfa_serial = mfa_serial      # the identity's MFA device, for trust policies that ask for MFA
        self.mfa_code = mfa_code
        self.mfa_authenticated = False    # a GetSessionToken session made with the device's code


class Caller:
    """An identity as one request calls: its account, and the region the request's credential
    scope names, which picks the fleet it sees (state.State.scope_nodes)."""

    def __init__(self, identity, region):
        self.identity = identity
        self.region = region

    def __getattr__(self, name):
        return getattr(self.identity, name)


class Authenticator:
    def __init__(self, identities_doc, state):
        # The default account: identities that name none are its, and so are nodes that name none.
        self.account = identities_doc.get("account", "123456789012")
        self.by_key = {}
        self.by_name = {}
        self.roles = identities_doc.get("roles", {})
        self.state = state
        state.default_account = self.account
        for name, d in identities_doc["identities"].items():
            ident = Identity(name, d["access_key_id"], d["secret_access_key"], d["arn"], d.get("user_id", "AIDA" + name.upper()),
                             d["policy"], d.get("account", self.account), mfa_serial=d.get("mfa_serial"), mfa_code=d.get("mfa_code"))
            self.by_key[ident.access_key_id] = ident
            self.by_name[name] = ident

    def add_identity(self, name, policy, account=None):
        """A new identity of ACCOUNT (default: the default account); by_name keeps the first of a name."""
        account = account or self.account
        key = "AKIA" + secrets.token_hex(8).upper()
        ident = Identity(name, key, secrets.token_urlsafe(30), "arn:aws:iam::%s:user/%s" % (account, name),
                         "AIDA" + secrets.token_hex(8).upper(), policy, account)
        self.by_key[key] = ident
        self.by_name.setdefault(name, ident)
        return ident

    def issue_temporary(self, source, role_arn, session_name, duration):
        """AssumeRole: temporary keys that carry the role's policy."""
        role = self.roles.get(role_arn)
        policy = role["policy"] if role else source.policy
        key = "ASIA" + secrets.token_hex(8).upper()
        role_name = role_arn.split("/")[-1]
        account = role_account(role_arn) or self.account
        ident = Identity("role:" + role_name, key, secrets.token_urlsafe(30),
                         "arn:aws:sts::%s:assumed-role/%s/%s" % (account, role_name, session_name),
                         "AROA%s:%s" % (secrets.token_hex(6).upper(), session_name), policy, account,
                         session_token="IQoJemulator" + secrets.token_urlsafe(96),
                         expires_at=time.time() + duration, role_arn=role_arn)
        self.by_key[key] = ident
        return ident

    def issue_session(self, user, duration, mfa_authenticated):
        """GetSessionToken: temporary keys of the IAM user itself (same ARN and policy); with an MFA
        code, AssumeRole calls made with them count as MFA-authenticated (IAM User Guide,
        "Configuring MFA-protected API access")."""
        key = "ASIA" + secrets.token_hex(8).upper()
        ident = Identity(user.name, key, secrets.token_urlsafe(30), user.arn, user.user_id, user.policy, user.account,
                         session_token="IQoJemulator" + secrets.token_urlsafe(96), expires_at=time.time() + duration,
                         mfa_serial=user.mfa_serial, mfa_code=user.mfa_code)
        ident.mfa_authenticated = mfa_authenticated
        self.by_key[key] = ident
        return ident

    def authenticate(self, method, url, headers, body, service, payload_hash=None):
        """Returns the calling identity or raises the error AWS would give. PAYLOAD_HASH is S3's:
        the x-amz-content-sha256 value already checked against the body (s3/signing.py), and URL
        then carries the path exactly as signed, never normalised (botocore S3SigV4Auth)."""
        auth = headers.get("Authorization")
        if not auth:
            raise AWSError("MissingAuthenticationTokenException" if service != "sts" else "MissingAuthenticationToken",
                           "Missing Authentication Token", 400 if service in JSON_SERVICES else 403)
        try:
            algorithm, rest = auth.split(" ", 1)
            parts = dict(p.strip().split("=", 1) for p in rest.split(","))
            credential = parts["Credential"]
            signed_headers = parts["SignedHeaders"].split(";")
            signature = parts["Signature"]
            key_id, day, region, signing_service, terminator = credential.split("/")
        except (ValueError, KeyError):
            raise AWSError("IncompleteSignature", "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.", 400)
        if algorithm != "AWS4-HMAC-SHA256":
            raise AWSError("IncompleteSignature", "Unsupported AWS 'algorithm': '%s'" % algorithm, 400)
        amz_date = headers.get("X-Amz-Date", "")
        try:
            when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            raise AWSError("IncompleteSignature", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.", 400)
        now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=self.state.faults.clock_skew)
        if abs((now - when).total_seconds()) > MAX_SKEW_SECONDS:
            raise signature_error(service, "Signature expired: %s is now earlier than %s (%s - 15 min.)" % (
                amz_date, (now - datetime.timedelta(minutes=15)).strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%dT%H%M%SZ")))
        # AWS's front end checks, in this order: host signed, then every part of the credential
        # scope against the request (all the mismatches in one message), then the key.
        if "host" not in (h.lower() for h in signed_headers):
            raise signature_error(service, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
        problems = ""
        # Any region the emulator serves (state.regions); IAM only in its global region.
        global_region = GLOBAL_SERVICE_REGIONS.get(service)
        if (region != global_region) if global_region else (region not in self.state.regions):
            problems += "Credential should be scoped to a valid region, not '%s'. " % region
        if signing_service != service:
            problems += "Credential should be scoped to correct service: '%s'. " % service
        if terminator != "aws4_request":
            problems += "Credential should be scoped with a valid terminator: 'aws4_request', not '%s'. " % terminator
        if day != amz_date[:8]:
            problems += "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'." % (
                day, amz_date[:8], amz_date)
        if problems:
            raise signature_error(service, problems)
        ident = self.by_key.get(key_id)
        if ident is None:
            if service in ("sts", "ec2", "iam", "s3"):
                raise AWSError("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
            raise AWSError("UnrecognizedClientException", "The security token included in the request is invalid.", 400)
        if ident.session_token is not None:
            if headers.get("X-Amz-Security-Token") != ident.session_token:
                raise AWSError("UnrecognizedClientException" if service in JSON_SERVICES else "InvalidClientTokenId",
                               "The security token included in the request is invalid.", 400 if service in JSON_SERVICES else 403)
            if ident.expires_at is not None and time.time() > ident.expires_at:
                raise AWSError("ExpiredTokenException" if service in JSON_SERVICES else "ExpiredToken",
                               "The security token included in the request is expired", 400 if service in JSON_SERVICES else 403)
        expected = self._signature(method, url, headers, body, signed_headers, ident, amz_date, region, signing_service, payload_hash)
        if not hmac.compare_digest(expected, signature):
            raise signature_error(service, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
        if ident.expires_at is not None and self.state.faults.expire_credentials:
            raise AWSError("ExpiredTokenException" if service in JSON_SERVICES else "ExpiredToken",
                           "The security token included in the request is expired", 400 if service in JSON_SERVICES else 403)
        return Caller(ident, region)

    @staticmethod
    def _signature(method, url, headers, body, signed_headers, ident, amz_date, region, service, payload_hash=None):
        """botocore computes the signature over exactly the headers the client signed; S3's signer
        takes the path as it is (no double encoding, no normalisation) and the payload hash the
        client declared."""
        lower = {k.lower(): v for k, v in headers.items()}
        request = AWSRequest(method=method, url=url, data=body,
                             headers={h: lower.get(h, "") for h in signed_headers})
        request.context["timestamp"] = amz_date
        signer_class = SigV4Auth if payload_hash is None else S3SigV4Auth
        signer = signer_class(Credentials(ident.access_key_id, ident.secret_access_key, ident.session_token), service, region)
        if payload_hash is not None:
            signer.payload = lambda r: payload_hash
        # botocore's list of headers to sign drops user-agent and the like; follow the client's list.
        signer.headers_to_sign = lambda r: _Headers({h: lower.get(h, "") for h in signed_headers})
        canonical = signer.canonical_request(request)
        string_to_sign = signer.string_to_sign(request, canonical)
        return signer.signature(string_to_sign, request)


class _Headers(dict):
    """What botocore's canonical_headers expects from headers_to_sign: get_all and keys."""

    def get_all(self, name):
        return [self[name]]


def role_account(arn):
    """The account of an IAM ARN (arn:aws:iam::ACCOUNT:role/NAME), or None."""
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[0] == "arn" else None


def action_allowed(policy, action, resource="*"):
    """IAM identity-policy evaluation: an explicit Deny wins, then any Allow, else implicit deny."""
    allowed = False
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    for st in statements:
        actions = st.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        resources = st.get("Resource", "*")
        resources = [resources] if isinstance(resources, str) else resources
        if not any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in actions):
            continue
        if not any(fnmatch.fnmatchcase(resource, r) for r in resources):
            continue
        if st.get("Effect") == "Deny":
            return False
        allowed = True
    return allowed
