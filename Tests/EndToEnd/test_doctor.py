"""`doctor` against the emulator (issue 7): one run per row of the guide's requirements and
troubleshooting tables, each giving the diagnosis and the fix in the guide's terms."""
import os
import shlex
import subprocess

from test_shell import BINARY, shell_env


def doctor(emulator, *args, identity="admin", **extra):
    env = shell_env(emulator, identity)
    env.update(extra)
    result = subprocess.run([BINARY, "doctor", *args], env=env, capture_output=True, text=True, timeout=60)
    return result.returncode, result.stdout, result.stderr


def findings(stdout):
    """{check: (level, detail, fix)} from the report."""
    found, last = {}, None
    for line in stdout.splitlines():
        if line.startswith("        fix: ") and last:
            found[last] = found[last][:2] + (line[len("        fix: "):],)
        elif line.startswith("  ") and ": " in line:
            level, rest = line[2:7].strip(), line[8:]
            check, _, detail = rest.partition(": ")
            found[check] = (level, detail, None)
            last = check
    return found


def test_healthy_node_has_no_problems(emulator):
    code, out, err = doctor(emulator, "web-1")
    assert code == 0, out + err
    f = findings(out)
    assert f["managed node"][0] == "ok" and f["managed node"][1].startswith("Online")
    assert f["agent version"][0] == "ok"
    assert f["connection status"] == ("ok", "connected", None)
    assert out.endswith("No problems found.\n")


def test_role_without_managed_instance_core(emulator):
    # "Instance not showing in UI/CLI -> ensure the IAM role has AmazonSSMManagedInstanceCore"
    code, out, _ = doctor(emulator, "norole-1")
    assert code == 3
    f = findings(out)
    assert f["managed node"][0] == "FAIL" and "not a managed node" in f["managed node"][1]
    level, detail, fix = f["instance role"]
    assert level == "FAIL" and "app-only-role lacks AmazonSSMManagedInstanceCore" in detail and "AmazonS3ReadOnlyAccess" in detail
    assert fix.startswith("aws iam attach-role-policy --role-name app-only-role --policy-arn arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")
    assert f["VPC DNS"][0] == "ok" and f["network path"][0] == "ok"


def test_instance_without_any_profile(emulator):
    code, out, _ = doctor(emulator, "i-0a1b2c3d4e5f6ffff")
    assert code == 3
    level, detail, fix = findings(out)["instance profile"]
    assert level == "FAIL" and "none is attached" in detail
    assert "aws ec2 associate-iam-instance-profile --instance-id i-0a1b2c3d4e5f6ffff" in fix


def test_vpc_without_dns_hostnames(emulator):
    # "Private DNS error creating endpoint -> enableDnsSupport and enableDnsHostnames"
    code, out, _ = doctor(emulator, "nodns-1")
    assert code == 3
    f = findings(out)
    level, detail, fix = f["VPC DNS"]
    assert level == "FAIL" and "vpc-0nodns000000001 has enableDnsHostnames off" in detail
    assert fix == "aws ec2 modify-vpc-attribute --vpc-id vpc-0nodns000000001 --enable-dns-hostnames"
    assert f["instance role"][0] == "ok"


def test_connection_lost_without_a_route_to_the_endpoints(emulator):
    # "Timeout or stuck session -> EC2 lacks SSM endpoint access (VPC endpoint or NAT)"
    code, out, _ = doctor(emulator, "lost-1")
    assert code == 3
    f = findings(out)
    level, detail, fix = f["managed node"]
    assert level == "FAIL" and detail.startswith("ConnectionLost")
    assert "NAT" in fix and "ssm, ssmmessages and ec2messages" in fix and "amazon-ssm-agent" in fix
    level, detail, fix = f["network path"]
    assert level == "FAIL" and "no interface endpoint for ssm, ssmmessages, ec2messages and no route to a NAT or internet gateway" in detail
    assert "com.amazonaws.us-east-1.{ssm,ssmmessages,ec2messages}" in fix
    assert f["instance role"][0] == "ok" and f["VPC DNS"][0] == "ok"


def test_basic_identity_is_denied_send_command(emulator):
    # "CLI fails: AccessDenied -> add ssm:StartSession and related permissions"
    code, out, err = doctor(emulator, identity="basic")
    assert code == 3, out + err
    f = findings(out)
    assert f["identity"] == ("ok", "arn:aws:iam::123456789012:user/basic (account 123456789012)", None)
    for action in ("ssm:StartSession", "ssm:TerminateSession", "ssm:DescribeInstanceInformation", "ssm:GetConnectionStatus"):
        assert f[action][0] == "ok", action
    level, detail, fix = f["ssm:SendCommand"]
    assert level == "FAIL" and detail == "denied, so run will fail"
    assert fix == "add ssm:SendCommand to the identity's policy"
    assert "advanced one adds run, wait and output" in f["policies"][1]
    # The advanced identity of the guide may run commands.
    code, out, _ = doctor(emulator, identity="advanced")
    assert findings(out)["ssm:SendCommand"][0] == "ok"
    # An identity with no SSM permission at all cannot start sessions.
    code, out, _ = doctor(emulator, identity="none")
    assert findings(out)["ssm:StartSession"][0] == "FAIL"


def test_endpoint_that_does_not_resolve(emulator):
    # "Can't resolve ssm.amazonaws.com -> check VPC DNS settings or endpoint routing"
    code, out, _ = doctor(emulator, AWS_ENDPOINT_URL_SSMMESSAGES="https://ssmmessages.doctor-test.invalid")
    assert code == 3
    f = findings(out)
    level, detail, fix = f["ssmmessages endpoint"]
    assert level == "FAIL" and "https://ssmmessages.doctor-test.invalid/ does not resolve" in detail
    assert "enableDnsSupport and enableDnsHostnames" in fix
    assert f["ssm endpoint"][0] == "ok"
    assert f["ssm:SendCommand"][0] == "ok"


def test_no_credentials(emulator):
    # "AWS CLI profile configured": nothing to sign with.
    env = shell_env(emulator, "admin")
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    result = subprocess.run([BINARY, "doctor"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    f = findings(result.stdout)
    assert f["credentials"][0] == "FAIL" and "aws configure" in f["credentials"][2]
    assert f["permissions"][0] == "skip"


def test_checks_the_identity_may_not_make_are_skipped(emulator):
    # basic may not call ec2:DescribeInstances: the instance checks say what they need.
    code, out, err = doctor(emulator, "i-0a1b2c3d4e5f6ffff", identity="basic")
    f = findings(out)
    assert f["EC2 instance"] == ("skip", "not checked: this identity may not call ec2:DescribeInstances",
                                 "allow ec2:DescribeInstances to let doctor check this")
    assert f["managed node"][0] == "FAIL"
    # A Name that only EC2 knows cannot be looked up without it, and the error says so.
    code, out, err = doctor(emulator, "no-ssm-1", identity="basic")
    assert code != 0 and "needs ec2:DescribeInstances" in err


def test_unreachable_endpoints_skip_the_calls_that_would_wait(emulator):
    # Port 1 on 127.0.0.1 refuses: every endpoint fails its check, and no signed call is made.
    code, out, _ = doctor(emulator, AWS_ENDPOINT_URL="http://127.0.0.1:1")
    assert code == 3
    f = findings(out)
    for service in ("ssm", "ssmmessages", "sts"):
        assert f["%s endpoint" % service][0] == "FAIL" and "could not connect to http://127.0.0.1:1/" in f["%s endpoint" % service][1]
    assert f["identity and permissions"] == ("skip", "not checked: the sts endpoint does not answer", None)


def test_suggested_commands_quote_the_names_they_carry(emulator):
    # A fix is a command to paste into a shell: the profile's name must reach it as one word, not as code.
    env = shell_env(emulator, "admin")
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    name = "dev team; echo INJECTED"
    config = os.path.join(env["HOME"], "config")
    with open(config, "w") as f:
        f.write("[profile %s]\nregion = us-east-1\n" % name)
    env.update(AWS_CONFIG_FILE=config, AWS_PROFILE=name)
    result = subprocess.run([BINARY, "doctor"], env=env, capture_output=True, text=True, timeout=60)
    fix = findings(result.stdout)["credentials"][2]
    assert shlex.split(fix.split(", or ")[-1]) == ["aws", "sso", "login", "--profile", name], fix
