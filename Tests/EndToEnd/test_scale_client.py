"""ssm-shell's scale client (issue 14, "Scale") against the emulator's four accounts x two regions
with cheap generated nodes (scripts/emulator/README.md, "The cheap agent") and its per-account,
per-region rate limits ("Rate limits"): tag words only are one SendCommand by Targets a pair,
`output` reads ListCommandInvocations with Details and calls GetCommandInvocation only for the
invocations whose plugin Output the agent cut at 2,500 characters, and a throttled fleet-wide run
completes with status 0 through the adaptive retry mode's client rate limit."""
import os
import subprocess
import tempfile

import pytest

from conftest import ROOT, start_emulator

BINARY = os.path.join(ROOT, ".build", "debug", "ssm-shell")
EMULATOR_DIR = os.path.join(ROOT, "scripts", "emulator")
NODES = 800   # 100 a pair, one in 25 Windows
PROFILES = {"alpha": "alpha-admin", "beta": "beta-admin", "gamma": "gamma-admin", "delta": "delta-admin"}
REGIONS = ("us-east-1", "eu-west-1")
CONTEXT = "use context " + " ".join("%s@%s" % (p, r) for p in PROFILES for r in REGIONS)


@pytest.fixture(scope="module")
def fleet():
    started = start_emulator("--fleet", os.path.join(EMULATOR_DIR, "fleets", "multi.json"),
                             "--identities", os.path.join(EMULATOR_DIR, "identities-multi.json"),
                             "--cheap-nodes", str(NODES), "--cheap-delay", "0.05:0.3")
    yield started
    started.stop()


@pytest.fixture(autouse=True)
def fresh(fleet):
    fleet.control("reset", {})
    yield


def ssm_shell(fleet, commands, **env_extra):
    home = tempfile.mkdtemp(prefix="ssm-shell-scale-")
    os.makedirs(os.path.join(home, ".aws"))
    with open(os.path.join(home, ".aws", "credentials"), "w") as f:
        for profile, identity in PROFILES.items():
            creds = fleet.identity(identity)
            f.write("[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (profile, creds["access_key_id"], creds["secret_access_key"]))
    with open(os.path.join(home, ".aws", "config"), "w") as f:
        f.write("".join("[profile %s]\nregion = us-east-1\n" % p for p in PROFILES))
    env = {"PATH": os.environ["PATH"], "HOME": home, "XDG_STATE_HOME": home + "/state", "XDG_CONFIG_HOME": home + "/config",
           "AWS_ENDPOINT_URL": fleet.endpoint, **env_extra}
    return subprocess.run([BINARY, "--output", "table", "-c", commands], capture_output=True, text=True, env=env, timeout=240)


def web_nodes(fleet):
    """The ids of every pair's nodes tagged Role=web, as DescribeInstanceInformation lists them."""
    import boto3
    ids = set()
    for identity in PROFILES.values():
        creds = fleet.identity(identity)
        for region in REGIONS:
            ssm = boto3.session.Session().client("ssm", region_name=region, endpoint_url=fleet.endpoint,
                                                 aws_access_key_id=creds["access_key_id"], aws_secret_access_key=creds["secret_access_key"])
            pages = ssm.get_paginator("describe_instance_information").paginate(Filters=[{"Key": "tag:Role", "Values": ["web"]}])
            ids |= {n["InstanceId"] for page in pages for n in page["InstanceInformationList"]}
    return ids


def calls(fleet):
    state = fleet.control("state")
    return {op: sum(v.values()) for op, v in state["api_calls"].items()}, {op: sum(v.values()) for op, v in state["throttled"].items()}


def test_a_tag_target_is_one_send_command_a_pair_and_every_node_answers(fleet):
    result = ssm_shell(fleet, CONTEXT + "\nuse tag:Role=web\nrun echo hi from $AWS_SSM_INSTANCE_ID\nwait\noutput --no-group\necho cmd=$cmd")
    assert result.returncode == 0, result.stderr[-2000:]
    made, throttled = calls(fleet)
    assert made["SendCommand"] == 8, "one SendCommand by Targets in each of the 8 pairs: %s" % made
    assert "GetCommandInvocation" not in made, "every output was whole in the listing: %s" % made
    assert len(result.stdout.split("cmd=")[1].split(",")) == 8
    # Every web node of every pair ran it and printed its own id (the cheap agent expands it).
    answered = {line for line in result.stdout.splitlines() if line.startswith("hi from i-")}
    assert answered == {"hi from " + i for i in web_nodes(fleet)}
    assert throttled == {}


def test_a_mixed_fleet_sends_the_shell_script_by_targets_and_the_windows_nodes_by_id(fleet):
    result = ssm_shell(fleet, CONTEXT + "\nuse tag:Fleet=scale\nrun --concurrency 100% echo hi\nwait\noutput")
    assert result.returncode == 0, result.stderr[-2000:]
    made, _ = calls(fleet)
    assert made["SendCommand"] == 16, "per pair: the Linux nodes by Targets, the 4 Windows nodes by id: %s" % made
    # Every one of the 800 nodes is in a group (the Windows nodes ran it with PowerShell).
    headers = [line for line in result.stdout.splitlines() if line.startswith("== ")]
    named = sum(len(line[3:].split(" · ")[0].split(", ")) for line in headers)
    assert named == NODES, (named, headers)
    assert all("Success, exit 0" in line for line in headers), headers
    assert "GetCommandInvocation" not in made


def test_output_asks_get_command_invocation_only_where_the_agent_cut_the_listing(fleet):
    # The simulated agents of multi.json run the script in sh: one node prints 3,893 characters
    # (cut at 2,500 in the listing), another prints to both streams and fails, a third is short.
    fleet.faults(invocation_lag=0)  # so that each GetCommandInvocation is answered at once and counted once
    script = ("case $AWS_SSM_INSTANCE_ID in\ni-0b000000000000011) seq 1 1000 ;;\n"
              "i-0b000000000000012) echo out; echo warn >&2; exit 3 ;;\n*) echo short ;;\nesac")
    result = ssm_shell(fleet, "use profile alpha\nuse region us-east-1\nuse tag:Name=alpha-web-1 tag:Name=alpha-web-2\n"
                              "run <<'EOF'\n%s\nEOF\ntry wait\noutput" % script)
    assert result.returncode == 3, result.stdout + result.stderr
    made, _ = calls(fleet)
    assert made["SendCommand"] == 1 and made["GetCommandInvocation"] == 1, made
    out = result.stdout
    assert "\n".join(str(n) for n in range(1, 1001)) + "\n" in out, "the cut output read whole from GetCommandInvocation"
    assert "== alpha-web-2 · Failed, exit 3\nout\n-- stderr\nwarn\n" in out, out[-600:]


def test_a_successful_node_that_wrote_to_stderr_costs_no_get_command_invocation(fleet):
    # The agent writes its error title exactly when stderr is not empty (iohandler.go,
    # TruncateOutput): `run apt-get update` on 1,000 nodes that warn on stderr must not cost
    # 1,000 GetCommandInvocation calls (issue 14, "Scale").
    fleet.faults(invocation_lag=0)
    result = ssm_shell(fleet, "use profile alpha\nuse region us-east-1\nuse tag:Name=alpha-web-1 tag:Name=alpha-web-2\n"
                              "run <<'EOF'\necho out\necho warn >&2\nEOF\nwait\noutput")
    assert result.returncode == 0, result.stdout + result.stderr
    made, _ = calls(fleet)
    assert made["SendCommand"] == 1 and "GetCommandInvocation" not in made, made
    assert "· Success, exit 0\nout\n-- stderr\nwarn\n" in result.stdout, result.stdout[-600:]


def test_a_throttled_fleet_completes_with_status_0_within_the_rate(fleet):
    # Every operation 1 call a second, 2 at once, per account and region: well under what the
    # run, the polling and the output ask for at full speed (in standard mode, which has no
    # client rate limit, this run ends with ThrottlingException after its 3 attempts).
    fleet.faults(rate_limits={"*": {"rate": 1, "burst": 2}})
    result = ssm_shell(fleet, CONTEXT + "\nuse tag:Fleet=scale\nrun --concurrency 100% echo hi\nwait\noutput")
    assert result.returncode == 0, result.stderr[-2000:]
    made, throttled = calls(fleet)
    assert throttled, "the limit was reached: the rate limit was exercised"
    headers = [line for line in result.stdout.splitlines() if line.startswith("== ")]
    assert sum(len(line[3:].split(" · ")[0].split(", ")) for line in headers) == NODES
    # No storm: the throttled answers are fewer than half the calls.
    assert sum(throttled.values()) * 2 < sum(made.values()), (made, throttled)


def test_standard_mode_is_what_retry_mode_says(fleet):
    # retry_mode = standard turns the client rate limit off: with one attempt a throttle is an error.
    fleet.faults(rate_limits={"DescribeInstanceInformation": {"rate": 0.2, "burst": 1}})
    result = ssm_shell(fleet, "use profile alpha\ninstances\ninstances", AWS_RETRY_MODE="standard", AWS_MAX_ATTEMPTS="1")
    assert result.returncode == 1 and "ThrottlingException" in result.stderr, result.stderr
    bad = ssm_shell(fleet, "use profile alpha\ninstances", AWS_RETRY_MODE="fast")
    assert bad.returncode != 0 and "AWS_RETRY_MODE is 'fast': it must be legacy, standard or adaptive" in bad.stderr, bad.stderr
