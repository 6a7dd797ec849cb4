"""The fleet entries and the amazon-ssm-agent.json of the real-agent nodes with-agent starts."""

# InstanceID pattern the service accepts: i- and 17 hex digits.
NODE_ID_PREFIX = "i-0a9e47"


def node_id(index):
    return "%s%011x" % (NODE_ID_PREFIX, index)


def host_name(index):
    """The node's Name tag, host name and ComputerName."""
    return "real-%d" % index


def fleet_node(index, agent_version):
    """A fleet entry for `scripts/emulator/start --extra-nodes`: "agent": "real" tells the emulator to run no
    simulated agent for it; its ping status follows the real agent (ConnectionLost until it checks in)."""
    return {
        "id": node_id(index),
        "agent": "real",
        "tags": {"Name": host_name(index), "Env": "real-agent"},
        "platform": "Linux",
        "platform_name": "Debian GNU/Linux",
        "platform_version": "12",
        "agent_version": agent_version,
        "ping_status": "ConnectionLost",
        "ip": "127.0.0.1",
        "computer_name": host_name(index),
        "resource_type": "EC2Instance",
    }


SERVICE_DOMAIN = "emulator.invalid"


def service_domain(service_url):
    """Agent.ServiceDomain: a domain that cannot resolve, with the emulator's port. Services without an Endpoint
    setting are reached at "<service>.<region>.<ServiceDomain>" over https (common/identity/endpoint/endpoint.go
    GetServiceEndpoint; the SDK adds the scheme): CloudWatch Logs among them (agent/sdkutil/awsconfig.go AwsConfig(ctx,
    "logs")), which has no Endpoint setting of its own."""
    return "%s:%s" % (SERVICE_DOMAIN, service_url.rsplit(":", 1)[1].split("/")[0])


def logs_host(region):
    """The host name the agent calls CloudWatch Logs at; the node's /etc/hosts maps it to the emulator, whose TLS
    certificate names *.<region>.emulator.invalid."""
    return "logs.%s.%s" % (region, SERVICE_DOMAIN)


# The bucket with-agent makes for Run Command output (Tests/EndToEnd/agent_target.py OUTPUT_BUCKET, the same name).
OUTPUT_BUCKET = "ssm-agent-output"


def s3_host(region):
    return "s3.%s.%s" % (region, SERVICE_DOMAIN)


def s3_endpoint(region, service_url):
    """S3.Endpoint (s3util/riputil.go GetS3Endpoint, crossregion.go GetS3CrossRegionCapableSession). The agent sets no
    path-style option, so its SDK (aws-sdk-go v1, service/s3/host_style_bucket.go) puts the bucket in the host:
    BUCKET.s3.REGION.emulator.invalid:PORT, which the node's /etc/hosts maps to the emulator (loopback_hosts), its TLS
    certificate names (*.s3.REGION.emulator.invalid) and its S3 reads as the bucket (emulator/s3/api.py hosted_bucket).
    An IP endpoint cannot work: BUCKET.127.0.0.1 does not resolve."""
    return "https://%s:%s" % (s3_host(region), service_url.rsplit(":", 1)[1].split("/")[0])


def loopback_hosts(region):
    """The names a node's /etc/hosts maps to the emulator: CloudWatch Logs, S3 and OUTPUT_BUCKET's virtual host."""
    return [logs_host(region), s3_host(region), "%s.%s" % (OUTPUT_BUCKET, s3_host(region))]


def agent_config(instance_id, region, service_url):
    """amazon-ssm-agent.json for one node. Every service endpoint is the emulator (Endpoint takes a full URL for
    Ssm, Mds, Kms and S3; for Mgs only host:port is kept and https/wss is always used:
    agent/session/config/config.go GetMgsEndpoint). ServiceDomain is a name that cannot resolve except where the
    node's /etc/hosts says (CloudWatch Logs, see service_domain), so nothing else is reached
    (common/identity/endpoint/endpoint.go). CustomIdentity takes the instance id and region
    from here and credentials from the environment (common/identity/availableidentities/customidentity)."""
    return {
        "Profile": {"ShareCreds": False, "ShareProfile": "", "ForceUpdateCreds": False, "KeyAutoRotateDays": 0},
        "Identity": {
            "ConsumptionOrder": ["CustomIdentity"],
            "CustomIdentities": [{"InstanceID": instance_id, "Region": region}],
        },
        "Mds": {"CommandWorkersLimit": 5, "StopTimeoutMillis": 20000, "Endpoint": service_url, "CommandRetryLimit": 15},
        "Ssm": {"Endpoint": service_url, "HealthFrequencyMinutes": 5, "SessionLogsDestination": "none"},
        "Mgs": {"Region": region, "Endpoint": service_url, "StopTimeoutMillis": 20000, "SessionWorkersLimit": 1000},
        "Agent": {
            "Region": region,
            "ServiceDomain": service_domain(service_url),
            "SelfUpdate": False,
            "TelemetryMetricsToCloudWatch": False,
            "TelemetryMetricsToSSM": False,
            "ContainerMode": False,
        },
        "Os": {"Lang": "en-US", "Name": "", "Version": "1"},
        "S3": {"Endpoint": s3_endpoint(region, service_url), "Region": region, "LogBucket": "", "LogKey": ""},
        "Kms": {"Endpoint": service_url},
    }


# Debug level to a file in the node's private /var/log/amazon/ssm, nothing on the console (the console is
# with-agent's); the layout of the agent's seelog_unix.xml.
SEELOG_XML = """<seelog type="sync" minlevel="debug">
    <outputs formatid="fmt">
        <file path="/var/log/amazon/ssm/amazon-ssm-agent.log"/>
        <filter levels="error,critical"><file path="/var/log/amazon/ssm/errors.log"/></filter>
    </outputs>
    <formats>
        <format id="fmt" format="%Date(2006-01-02 15:04:05.0000) %LEVEL [%FuncShort @ %File.%Line] %Msg%n"/>
    </formats>
</seelog>
"""
