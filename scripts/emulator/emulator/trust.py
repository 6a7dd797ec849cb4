"""Who may assume a role: the role's trust policy (Principal, sts:ExternalId, MFA) together with
the caller's identity policy, as IAM evaluates sts:AssumeRole.

IAM User Guide, "Cross-account policy evaluation logic": a principal of another account needs both
the trust policy's Allow and an identity policy that allows sts:AssumeRole on the role. Within one
account, a trust policy that names the principal itself is enough, while one that names the
account (`arn:aws:iam::ACCOUNT:root` or `ACCOUNT`) delegates to the identity policy."""
import fnmatch

from .auth import action_allowed, role_account
from .errors import AWSError

DEFAULT_MFA_CODE = "123456"


class TrustCheck:
    """Decides one AssumeRole call: CALLER (auth.Caller) assuming ROLE_ARN (its entry ROLE in the
    identities file) with the call's parameters P (ExternalId, SerialNumber, TokenCode)."""

    def __init__(self, caller, role_arn, role, p):
        self.caller = caller
        self.role_arn = role_arn
        self.role = role
        self.p = p

    def check(self):
        """Raises AccessDenied with AWS's sentence unless the caller may assume the role."""
        trust = self.role.get("trust")
        if trust is None:
            # Roles without a trust policy (the single-account fixtures) trust every identity, as
            # the emulator always did.
            return
        named, by_account, denied = self._principal_allowed(trust)
        same_account = self.caller.account == role_account(self.role_arn)
        identity_allows = action_allowed(self.caller.policy, "sts:AssumeRole", self.role_arn)
        # An explicit Deny, in the trust policy or the caller's own policy, wins over every Allow.
        if denied or explicitly_denied(self.caller.policy, "sts:AssumeRole", self.role_arn) or not (named or by_account):
            raise self.denied()
        if not same_account or not named:
            if not identity_allows:
                raise self.denied()

    def denied(self):
        return AWSError("AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s"
                        % (self.caller.arn, self.role_arn), 403)

    def _principal_allowed(self, trust):
        """(named, by_account, denied): some Allow statement whose conditions hold names the caller
        itself (its user ARN, or for role sessions the role's ARN) or the caller's account; a Deny
        statement that names it (or `*`) and whose conditions hold."""
        named = by_account = denied = False
        statements = trust.get("Statement", [])
        for st in [statements] if isinstance(statements, dict) else statements:
            if st.get("Effect") not in ("Allow", "Deny") or not any(
                    fnmatch.fnmatchcase("sts:AssumeRole", a) for a in _lists(st.get("Action", []))):
                continue
            principals = _lists((st.get("Principal") or {}).get("AWS", [])) if st.get("Principal") != "*" else ["*"]
            matched_named = any(self._names_caller(p) for p in principals)
            matched_account = any(p in ("*", self.caller.account, "arn:aws:iam::%s:root" % self.caller.account) for p in principals)
            if not (matched_named or matched_account) or not self._conditions_hold(st.get("Condition") or {}):
                continue
            if st["Effect"] == "Deny":
                denied = True
                continue
            named = named or matched_named
            by_account = by_account or matched_account
        return named, by_account, denied

    def _names_caller(self, principal):
        # A trust policy's principal ARN is exact: IAM refuses wildcards there other than "*".
        own = getattr(self.caller, "role_arn", None) or self.caller.arn
        return principal != "*" and own == principal

    def _conditions_hold(self, condition):
        """sts:ExternalId (StringEquals) and aws:MultiFactorAuthPresent (Bool); other keys never hold."""
        for operator, pairs in condition.items():
            for key, expected in pairs.items():
                values = _lists(expected)
                if operator == "StringEquals" and key == "sts:ExternalId":
                    if self.p.get("ExternalId") not in values:
                        return False
                elif operator == "Bool" and key == "aws:MultiFactorAuthPresent":
                    if [str(v).lower() for v in values] != ["true"]:
                        return False
                    if not self._mfa_present():
                        return False
                else:
                    return False
        return True

    def _mfa_present(self):
        """MFA in the caller's session (GetSessionToken with the device's code), or in the
        AssumeRole call itself (SerialNumber and TokenCode, as the CLI's mfa_serial sends them):
        the serial must be the caller's device; a wrong code is its own error."""
        if getattr(self.caller, "mfa_authenticated", False):
            return True
        serial = self.p.get("SerialNumber")
        if not serial or serial != getattr(self.caller, "mfa_serial", None):
            return False
        if self.p.get("TokenCode") != (getattr(self.caller, "mfa_code", None) or DEFAULT_MFA_CODE):
            raise AWSError("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.", 403)
        return True


def explicitly_denied(policy, action, resource):
    """Whether an identity policy has a Deny statement for ACTION on RESOURCE."""
    statements = policy.get("Statement", [])
    for st in [statements] if isinstance(statements, dict) else statements:
        if st.get("Effect") == "Deny" and any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in _lists(st.get("Action", []))) \
                and any(fnmatch.fnmatchcase(resource, r) for r in _lists(st.get("Resource", "*"))):
            return True
    return False


def _lists(value):
    return [value] if isinstance(value, str) else list(value)
