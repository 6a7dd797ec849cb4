"""scripts/real-agent/build and with-agent: the refusals that need no agent, the emulator's --extra-nodes, and,
when SSM_AGENT_BIN names built binaries, with-agent itself (ready file, Online nodes, COMMAND's status, cleanup)."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from conftest import ROOT, start_emulator

sys.path.insert(0, os.path.join(ROOT, "scripts", "real-agent"))
from realagent.agent_config import fleet_node, node_id  # noqa: E402

BUILD = os.path.join(ROOT, "scripts", "real-agent", "build")
WITH_AGENT = os.path.join(ROOT, "scripts", "real-agent", "with-agent")


def test_build_refuses_a_tree_without_go_mod_or_vendor_and_says_what_to_do():
    source = tempfile.mkdtemp()
    os.makedirs(os.path.join(source, "core"))
    open(os.path.join(source, "core", "agent.go"), "w").close()
    result = subprocess.run([BUILD, source, tempfile.mkdtemp()], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "has no go.mod, so it is not a complete amazon-ssm-agent source tree" in result.stderr
    assert "archive" in result.stderr


def test_build_refuses_a_tree_whose_version_it_cannot_tell():
    source = tempfile.mkdtemp(prefix="agent-src-")
    for path in ("go.mod", "vendor/modules.txt", "core/agent.go", "agent/agent.go"):
        os.makedirs(os.path.dirname(os.path.join(source, path)), exist_ok=True)
        open(os.path.join(source, path), "w").close()
    result = subprocess.run([BUILD, source, tempfile.mkdtemp()], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "pass --version X.Y.Z.W" in result.stderr


def test_with_agent_refuses_a_bin_dir_without_the_agent_and_names_the_build():
    empty = tempfile.mkdtemp()
    result = subprocess.run([WITH_AGENT, "--agent-bin", empty, "--", "true"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "lacks amazon-ssm-agent" in result.stderr
    assert "scripts/real-agent/build SRC_DIR " + empty in result.stderr


def test_with_agent_needs_a_command():
    result = subprocess.run([WITH_AGENT, "--agent-bin", "/nonexistent"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "give the command to run after --" in result.stderr


def test_extra_nodes_join_the_fleet():
    extra = os.path.join(tempfile.mkdtemp(), "nodes.json")
    with open(extra, "w") as f:
        json.dump([fleet_node(1, "3.3.1142.0"), fleet_node(2, "3.3.1142.0")], f)
    started = start_emulator("--extra-nodes", extra)
    try:
        ssm = started.client("ssm")
        listed = ssm.describe_instance_information(
            Filters=[{"Key": "InstanceIds", "Values": [node_id(1), node_id(2)]}])["InstanceInformationList"]
        assert sorted(i["InstanceId"] for i in listed) == [node_id(1), node_id(2)]
        assert all(i["AgentVersion"] == "3.3.1142.0" for i in listed)
        # The demo fleet is still there.
        assert len(ssm.describe_instance_information()["InstanceInformationList"]) > 2
    finally:
        started.process.send_signal(signal.SIGTERM)
        started.process.wait(timeout=15)


AGENT_BIN = os.environ.get("SSM_AGENT_BIN", "")
needs_agent_bin = pytest.mark.skipif(not AGENT_BIN, reason="SSM_AGENT_BIN is not set: with-agent was not run against a real agent "
                                                           "(build one with scripts/real-agent/build, see scripts/real-agent/README.md)")


def processes_naming(*words):
    """The pids whose command line holds any of WORDS."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                line = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(word in line for word in words):
            found.append(int(pid))
    return found


def wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@needs_agent_bin
def test_with_agent_killed_with_sigkill_leaves_nothing_it_started_running():
    """with-agent's python is pid 1 of its namespace, which ignores a signal it has no handler for, so unshare's
    --kill-child=SIGTERM did nothing: the agents, the emulator and COMMAND ran on after a SIGKILL."""
    if os.environ.get("SSM_EMULATOR_READY"):
        pytest.skip("already under with-agent: this test starts its own")
    keep = os.path.join(tempfile.mkdtemp(), "keep")
    command = "600.%d" % os.getpid()     # `sleep 600.PID`: this run's COMMAND, found by its arguments
    with open(os.path.join(os.path.dirname(keep), "stderr"), "wb") as stderr:
        started = subprocess.Popen([WITH_AGENT, "--agent-bin", AGENT_BIN, "--keep", keep, "--", "sleep", command],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        assert wait_for(lambda: processes_naming("sleep " + command), 180), "COMMAND never started"
        assert processes_naming(keep), "the agents and the emulator run from the kept directory"
    finally:
        started.kill()
        started.wait(10)
    gone = wait_for(lambda: not processes_naming(keep, "sleep " + command), 5)
    assert gone, "still running 5 s after with-agent was killed: %s" % [
        open("/proc/%d/cmdline" % pid, "rb").read() for pid in processes_naming(keep, "sleep " + command)]


@needs_agent_bin
def test_with_agent_brings_real_nodes_online_returns_the_status_and_ends_everything():
    if os.environ.get("SSM_EMULATOR_READY"):
        pytest.skip("already under with-agent: this test starts its own")
    work = tempfile.mkdtemp()
    probe = ("import json, os, sys, boto3\n"
             "ready = json.load(open(os.environ['SSM_EMULATOR_READY']))\n"
             "admin = ready['identities']['admin']\n"
             "ssm = boto3.client('ssm', region_name=ready['region'], endpoint_url=ready['endpoint'], verify=ready['ca_bundle'],"
             " aws_access_key_id=admin['access_key_id'], aws_secret_access_key=admin['secret_access_key'])\n"
             "info = ssm.describe_instance_information(Filters=[{'Key': 'InstanceIds', 'Values': ready['real_nodes']}])\n"
             "json.dump({'ready': ready, 'ping': {i['InstanceId']: i['PingStatus'] for i in info['InstanceInformationList']},"
             " 'pids': sorted(os.listdir('/proc'))}, open(sys.argv[1], 'w'))\n"
             "sys.exit(7)\n")
    out = os.path.join(work, "probe.json")
    keep = os.path.join(work, "keep")
    result = subprocess.run([WITH_AGENT, "--agent-bin", AGENT_BIN, "--nodes", "2", "--keep", keep,
                             "--", sys.executable, "-c", probe, out], capture_output=True, text=True, timeout=300)
    assert result.returncode == 7, result.stderr
    with open(out) as f:
        seen = json.load(f)
    assert seen["ready"]["real_nodes"] == [node_id(1), node_id(2)]
    assert os.path.isfile(seen["ready"]["ca_bundle"]) is False  # removed with the emulator's TLS directory
    assert seen["ping"] == {node_id(1): "Online", node_id(2): "Online"}
    # Nothing of the agents outlives with-agent (its pid namespace ended them); they run from the kept directory.
    leftovers = subprocess.run(["pgrep", "-f", keep], capture_output=True, text=True).stdout.split()
    assert leftovers == []
    with open(os.path.join(keep, "node-1", "log", "amazon-ssm-agent.log")) as f:
        assert node_id(1) in f.read()


def test_with_agent_runs_no_python_module_from_the_callers_directory():
    # with-agent runs as root: a json.py (or any module) in the caller's current directory must not be imported.
    here = tempfile.mkdtemp()
    marker = os.path.join(here, "imported")
    for name in ("json", "argparse", "realagent"):
        with open(os.path.join(here, name + ".py"), "w") as f:
            f.write("open(%r, 'w').close()\n" % marker)
    result = subprocess.run([WITH_AGENT, "--agent-bin", "/nonexistent"], capture_output=True, text=True, timeout=60,
                            cwd=here)
    assert "give the command to run after --" in result.stderr
    assert not os.path.exists(marker), "with-agent imported a module from its caller's directory"


def test_a_kept_node_directory_runs_the_agent_bin_given_this_time():
    # --keep DIR reused with another --agent-bin must run the new binaries, not the links left by the last run.
    from realagent.node import BINARIES, RealAgentNode
    directory = tempfile.mkdtemp()
    for agent_bin in ("/opt/agent-old", "/opt/agent-new"):
        RealAgentNode(node_id(1), "node-1", directory, agent_bin).prepare("us-east-1", "https://127.0.0.1:1")
    for name in BINARIES:
        assert os.readlink(os.path.join(directory, "bin", name)) == os.path.join("/opt/agent-new", name)
