"""STS (awsQuery) and EC2 (ec2 protocol) operations, answered in their XML shapes."""
import datetime
import re
from xml.sax.saxutils import escape

from .errors import AWSError
from .trust import TrustCheck

STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"


def iso8601(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def decode_query_list(params, prefix, ec2=False):
    """Name.member.N (Query) or Name.N (EC2) back into a list, in index order."""
    pattern = re.compile(r"^%s\.(?:member\.)?(\d+)(?:\.(.+))?$" % re.escape(prefix))
    items = {}
    for key, value in params.items():
        m = pattern.match(key)
        if m:
            index = int(m.group(1))
            if m.group(2):
                items.setdefault(index, {})[m.group(2)] = value
            else:
                items[index] = value
    return [items[i] for i in sorted(items)]


class STSService:
    def __init__(self, state, authenticator):
        self.state = state
        self.auth = authenticator

    def GetCallerIdentity(self, p, who, request_id):
        return ("<GetCallerIdentityResponse xmlns=\"%s\">\n  <GetCallerIdentityResult>\n    <Arn>%s</Arn>\n    <UserId>%s</UserId>\n"
                "    <Account>%s</Account>\n  </GetCallerIdentityResult>\n  <ResponseMetadata>\n    <RequestId>%s</RequestId>\n"
                "  </ResponseMetadata>\n</GetCallerIdentityResponse>\n") % (STS_NS, escape(who.arn), escape(who.user_id), who.account, request_id)

    def AssumeRole(self, p, who, request_id):
        role_arn = p.get("RoleArn")
        session_name = p.get("RoleSessionName")
        if not role_arn or not session_name:
            raise AWSError("ValidationError", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null"
                           % ("roleArn" if not role_arn else "roleSessionName"))
        if not re.fullmatch(r"[\w+=,.@-]{2,64}", session_name):
            raise AWSError("ValidationError", "1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: "
                           "Member must satisfy regular expression pattern: [\\w+=,.@-]*" % session_name)
        role = self.auth.roles.get(role_arn)
        if role is None:
            raise AWSError("AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s" % (who.arn, role_arn), 403)
        TrustCheck(who, role_arn, role, p).check()
        if role.get("mfa_serial") and not (who.mfa_authenticated and who.mfa_serial == role["mfa_serial"]):
            if p.get("SerialNumber") != role["mfa_serial"] or p.get("TokenCode") != role.get("mfa_code", "123456"):
                raise AWSError("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.", 403)
        duration = int(p.get("DurationSeconds", role.get("duration_seconds", 3600)))
        if not 900 <= duration <= 43200:
            raise AWSError("ValidationError", "1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: "
                           "Member must have value greater than or equal to 900" % duration)
        temp = self.auth.issue_temporary(who, role_arn, session_name, duration)
        return ("<AssumeRoleResponse xmlns=\"%s\">\n  <AssumeRoleResult>\n    <AssumedRoleUser>\n      <AssumedRoleId>%s</AssumedRoleId>\n"
                "      <Arn>%s</Arn>\n    </AssumedRoleUser>\n    <Credentials>\n      <AccessKeyId>%s</AccessKeyId>\n"
                "      <SecretAccessKey>%s</SecretAccessKey>\n      <SessionToken>%s</SessionToken>\n      <Expiration>%s</Expiration>\n"
                "    </Credentials>\n  </AssumeRoleResult>\n  <ResponseMetadata>\n    <RequestId>%s</RequestId>\n  </ResponseMetadata>\n"
                "</AssumeRoleResponse>\n") % (STS_NS, escape(temp.user_id), escape(temp.arn), temp.access_key_id, escape(temp.secret_access_key),
                                              escape(temp.session_token), iso8601(temp.expires_at), request_id)


    def GetSessionToken(self, p, who, request_id):
        """Temporary keys of an IAM user; with SerialNumber and TokenCode (the user's device and
        code), an MFA-authenticated session. Role sessions are refused, as STS refuses them."""
        if who.session_token is not None:
            raise AWSError("AccessDenied", "Cannot call GetSessionToken with session credentials", 403)
        duration = int(p.get("DurationSeconds", 43200))
        if not 900 <= duration <= 129600:
            raise AWSError("ValidationError", "1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: "
                           "Member must have value between 900 and 129600" % duration)
        serial = p.get("SerialNumber")
        if serial is not None:
            if serial != who.mfa_serial or p.get("TokenCode") != (who.mfa_code or "123456"):
                raise AWSError("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.", 403)
        temp = self.auth.issue_session(who.identity, duration, mfa_authenticated=serial is not None)
        return ("<GetSessionTokenResponse xmlns=\"%s\">\n  <GetSessionTokenResult>\n    <Credentials>\n"
                "      <AccessKeyId>%s</AccessKeyId>\n      <SecretAccessKey>%s</SecretAccessKey>\n      <SessionToken>%s</SessionToken>\n"
                "      <Expiration>%s</Expiration>\n    </Credentials>\n  </GetSessionTokenResult>\n  <ResponseMetadata>\n"
                "    <RequestId>%s</RequestId>\n  </ResponseMetadata>\n</GetSessionTokenResponse>\n") % (
                    STS_NS, temp.access_key_id, escape(temp.secret_access_key), escape(temp.session_token), iso8601(temp.expires_at), request_id)


class EC2Service:
    def __init__(self, state):
        self.state = state

    @staticmethod
    def _profile_arn(name, account):
        return "arn:aws:iam::%s:instance-profile/%s" % (account, name) if name else None

    def _instances(self, who):
        """The caller's account's instances in the caller's region."""
        for n in self.state.scope_nodes(who):
            if n["resource_type"] == "EC2Instance":
                yield {"id": n["id"], "tags": n["tags"], "ip": n["ip"], "platform": n["platform"],
                       "profile": self._profile_arn(n.get("iam_instance_profile", "ssm-instance-profile"), who.account),
                       "vpc": n.get("vpc_id", "vpc-0healthy00000001"),
                       "state": "running" if n["ping_status"] != "Inactive" else "stopped"}
        for u in self.state.unmanaged.values():
            if not self.state.in_scope(u, who.account, who.region):
                continue
            yield {"id": u["id"], "tags": u.get("tags", {}), "ip": u.get("ip", ""), "platform": u.get("platform", "Linux"),
                   "profile": self._profile_arn(u.get("iam_instance_profile"), who.account), "vpc": u.get("vpc_id", "vpc-0healthy00000001"),
                   "state": u.get("state", "running")}

    def DescribeInstances(self, p, who, request_id):
        ids = decode_query_list(p, "InstanceId", ec2=True)
        filters = decode_query_list(p, "Filter", ec2=True)
        instances = list(self._instances(who))
        if ids:
            known = {i["id"] for i in instances}
            missing = [i for i in ids if i not in known]
            if missing:
                raise AWSError("InvalidInstanceID.NotFound", "The instance IDs '%s' do not exist" % ", ".join(missing))
            instances = [i for i in instances if i["id"] in ids]
        for f in filters:
            name = f.get("Name", "")
            values = [v for k, v in sorted(f.items()) if k.startswith("Value.")]
            import fnmatch
            if name.startswith("tag:"):
                instances = [i for i in instances if any(fnmatch.fnmatchcase(i["tags"].get(name[4:], "\0"), v) for v in values)]
            elif name == "instance-id":
                instances = [i for i in instances if i["id"] in values]
            elif name == "instance-state-name":
                instances = [i for i in instances if i["state"] in values]
            else:
                raise AWSError("InvalidParameterValue", "The filter '%s' is invalid" % name)
        items = []
        for i in instances:
            tags = "".join("<item><key>%s</key><value>%s</value></item>" % (escape(k), escape(v)) for k, v in sorted(i["tags"].items()))
            profile = "<iamInstanceProfile><arn>%s</arn><id>AIPA%s</id></iamInstanceProfile>" % (escape(i["profile"]), i["id"][-8:].upper()) if i["profile"] else ""
            platform = "<platform>windows</platform>" if i["platform"] == "Windows" else ""
            items.append("<item><reservationId>r-%s</reservationId><ownerId>%s</ownerId><groupSet/><instancesSet><item>"
                         "<instanceId>%s</instanceId><imageId>ami-0123456789abcdef0</imageId><instanceState><code>16</code><name>%s</name></instanceState>"
                         "<privateIpAddress>%s</privateIpAddress><instanceType>t3.micro</instanceType>%s%s"
                         "<vpcId>%s</vpcId><subnetId>subnet-0emulator0000001</subnetId><tagSet>%s</tagSet></item></instancesSet></item>"
                         % (i["id"][2:], who.account, i["id"], i["state"], i["ip"], platform, profile, i["vpc"], tags))
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DescribeInstancesResponse xmlns=\"%s\"><requestId>%s</requestId>"
                "<reservationSet>%s</reservationSet></DescribeInstancesResponse>") % (EC2_NS, request_id, "".join(items))


def _vpc_filter(p):
    for f in decode_query_list(p, "Filter", ec2=True):
        if f.get("Name") == "vpc-id":
            return [v for k, v in sorted(f.items()) if k.startswith("Value.")]
    return None


class VPCCalls:
    """EC2's VPC queries for `doctor`: DNS attributes, interface endpoints, route tables."""

    def __init__(self, state):
        self.state = state

    def _vpc(self, vpc_id):
        vpc = self.state.vpcs.get(vpc_id)
        if vpc is None:
            raise AWSError("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist" % vpc_id)
        return vpc

    def DescribeVpcAttribute(self, p, who, request_id):
        vpc_id, attribute = p.get("VpcId", ""), p.get("Attribute", "")
        vpc = self._vpc(vpc_id)
        key = {"enableDnsSupport": "enable_dns_support", "enableDnsHostnames": "enable_dns_hostnames"}.get(attribute)
        if key is None:
            raise AWSError("InvalidParameterValue", "Value (%s) for parameter attribute is invalid." % attribute)
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DescribeVpcAttributeResponse xmlns=\"%s\"><requestId>%s</requestId>"
                "<vpcId>%s</vpcId><%s><value>%s</value></%s></DescribeVpcAttributeResponse>") % (
                    EC2_NS, request_id, vpc_id, attribute, "true" if vpc[key] else "false", attribute)

    def DescribeVpcEndpoints(self, p, who, request_id):
        ids = _vpc_filter(p) or list(self.state.vpcs)
        items = []
        for vpc_id in ids:
            for service in self._vpc(vpc_id)["endpoints"]:
                items.append("<item><vpcEndpointId>vpce-%s%s</vpcEndpointId><vpcEndpointType>Interface</vpcEndpointType><vpcId>%s</vpcId>"
                             "<serviceName>com.amazonaws.%s.%s</serviceName><state>available</state><privateDnsEnabled>true</privateDnsEnabled></item>"
                             % (vpc_id[-6:], service, vpc_id, who.region, service))
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DescribeVpcEndpointsResponse xmlns=\"%s\"><requestId>%s</requestId>"
                "<vpcEndpointSet>%s</vpcEndpointSet></DescribeVpcEndpointsResponse>") % (EC2_NS, request_id, "".join(items))

    def DescribeRouteTables(self, p, who, request_id):
        ids = _vpc_filter(p) or list(self.state.vpcs)
        items = []
        for vpc_id in ids:
            routes = "<item><destinationCidrBlock>10.0.0.0/16</destinationCidrBlock><gatewayId>local</gatewayId><state>active</state></item>"
            if self._vpc(vpc_id).get("nat"):
                routes += "<item><destinationCidrBlock>0.0.0.0/0</destinationCidrBlock><natGatewayId>nat-0emulator</natGatewayId><state>active</state></item>"
            items.append("<item><routeTableId>rtb-%s</routeTableId><vpcId>%s</vpcId><routeSet>%s</routeSet></item>" % (vpc_id[-8:], vpc_id, routes))
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DescribeRouteTablesResponse xmlns=\"%s\"><requestId>%s</requestId>"
                "<routeTableSet>%s</routeTableSet></DescribeRouteTablesResponse>") % (EC2_NS, request_id, "".join(items))


IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"


class IAMService:
    """IAM (Query): the instance profile and its role's attached policies, for `doctor`."""

    def __init__(self, state):
        self.state = state

    def GetInstanceProfile(self, p, who, request_id):
        name = p.get("InstanceProfileName", "")
        profile = self.state.instance_profiles.get(name)
        if profile is None:
            raise AWSError("NoSuchEntity", "Instance Profile %s cannot be found." % name, 404)
        return ("<GetInstanceProfileResponse xmlns=\"%s\"><GetInstanceProfileResult><InstanceProfile><InstanceProfileName>%s</InstanceProfileName>"
                "<Arn>arn:aws:iam::%s:instance-profile/%s</Arn><Roles><member><RoleName>%s</RoleName><Arn>arn:aws:iam::%s:role/%s</Arn></member></Roles>"
                "</InstanceProfile></GetInstanceProfileResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></GetInstanceProfileResponse>") % (
                    IAM_NS, name, who.account, name, profile["role"], who.account, profile["role"], request_id)

    def ListAttachedRolePolicies(self, p, who, request_id):
        role = p.get("RoleName", "")
        profile = next((v for v in self.state.instance_profiles.values() if v["role"] == role), None)
        if profile is None:
            raise AWSError("NoSuchEntity", "The role with name %s cannot be found." % role, 404)
        members = "".join("<member><PolicyName>%s</PolicyName><PolicyArn>arn:aws:iam::aws:policy/%s</PolicyArn></member>" % (n, n) for n in profile["policies"])
        return ("<ListAttachedRolePoliciesResponse xmlns=\"%s\"><ListAttachedRolePoliciesResult><AttachedPolicies>%s</AttachedPolicies>"
                "<IsTruncated>false</IsTruncated></ListAttachedRolePoliciesResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata>"
                "</ListAttachedRolePoliciesResponse>") % (IAM_NS, members, request_id)
