"""Runs the emulator as the gateway with TLS and N real-agent nodes, then COMMAND, then ends them all.
Meant to run inside with-agent's private mount, pid and network namespaces (loopback only)."""
import json
import os
import signal
import subprocess
import sys
import tempfile

from .agent_config import OUTPUT_BUCKET, fleet_node, host_name, node_id
from .node import RealAgentNode, wait_until

# The agent may take up to Mgs.StopTimeoutMillis (20 s) to stop gracefully; nothing here needs that.
AGENT_STOP_SECONDS = 5

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def say(message):
    print("with-agent: " + message, file=sys.stderr, flush=True)


class WithAgent:
    def __init__(self, agent_bin, nodes, command, work_dir, online_seconds, emulator_args=()):
        self.agent_bin = agent_bin
        self.count = nodes
        self.command = command
        self.work_dir = work_dir
        self.online_seconds = online_seconds
        self.emulator_args = list(emulator_args)
        self.emulator = None
        self.nodes = []
        with open(os.path.join(agent_bin, "VERSION")) as f:
            self.agent_version = f.read().strip()

    def run(self):
        """COMMAND's exit status, or 125 when the emulator or an agent could not be brought up."""
        try:
            ready = self._start_emulator()
            if ready is None:
                return 125
            if not self._start_nodes(ready):
                return 125
            ready_file = self._write_ready(ready)
            say("running %s" % " ".join(self.command))
            environment = dict(os.environ, SSM_EMULATOR_READY=ready_file, SSM_AGENT_BIN=self.agent_bin)
            try:
                return subprocess.call(self.command, env=environment)
            except OSError as e:
                say("cannot run %s: %s" % (self.command[0], e.strerror))
                return 127
        finally:
            self._stop()

    def _start_emulator(self):
        extra = os.path.join(self.work_dir, "real-nodes.json")
        with open(extra, "w") as f:
            json.dump([fleet_node(i, self.agent_version) for i in range(1, self.count + 1)], f, indent=1)
        ready_file = os.path.join(self.work_dir, "emulator-ready.json")
        log = open(os.path.join(self.work_dir, "emulator.log"), "ab")
        self.emulator = subprocess.Popen(
            [os.path.join(ROOT, "scripts", "emulator", "start"), "--tls", "--extra-nodes", extra,
             "--ready-file", ready_file, "--bucket", OUTPUT_BUCKET, *self.emulator_args],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        if not wait_until(lambda: os.path.exists(ready_file) or self.emulator.poll() is not None, 30) \
                or not os.path.exists(ready_file):
            say("the emulator did not start within 30 s; see %s" % log.name)
            return None
        with open(ready_file) as f:
            return json.load(f)

    def _start_nodes(self, ready):
        admin = ready["identities"]["admin"]
        # The agent signs as the emulator's admin identity (the default credential chain reads these), trusts
        # only the emulator's CA (Go's crypto/x509 reads SSL_CERT_FILE), and never asks EC2 metadata.
        environment = {
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": "/root",
            "LANG": "C.UTF-8",
            "AWS_ACCESS_KEY_ID": admin["access_key_id"],
            "AWS_SECRET_ACCESS_KEY": admin["secret_access_key"],
            "AWS_REGION": ready["region"],
            "AWS_EC2_METADATA_DISABLED": "true",
            "SSL_CERT_FILE": ready["ca_bundle"],
        }
        # The certificate names 127.0.0.1, and the namespace has only loopback.
        service_url = ready["endpoint"].replace("://localhost:", "://127.0.0.1:")
        for index in range(1, self.count + 1):
            node = RealAgentNode(node_id(index), host_name(index), os.path.join(self.work_dir, "node-%d" % index), self.agent_bin)
            node.prepare(ready["region"], service_url)
            node.start(environment)
            self.nodes.append(node)
        say("started %d real agent(s) %s; waiting up to %d s for them to be Online"
            % (self.count, self.agent_version, self.online_seconds))
        online = wait_until(lambda: self._all_online(ready) or not all(n.running() for n in self.nodes),
                            self.online_seconds, interval=0.5)
        if online is True:
            return True
        for node in self.nodes:
            state = "running" if node.running() else "exited"
            say("node %s (%s) is not Online; its logs:\n%s" % (node.instance_id, state, node.log_tail()))
        say("the real agents did not come Online; see %s" % self.work_dir)
        return False

    def _all_online(self, ready):
        statuses = ping_statuses(ready, [n.instance_id for n in self.nodes])
        return all(statuses.get(n.instance_id) == "Online" for n in self.nodes)

    def _write_ready(self, ready):
        combined = dict(ready, real_nodes=[n.instance_id for n in self.nodes], agent_version=self.agent_version)
        path = os.path.join(self.work_dir, "ready.json")
        with open(path + ".tmp", "w") as f:
            json.dump(combined, f, indent=1)
        os.replace(path + ".tmp", path)
        return path

    def _stop(self):
        """Ends the agents (SIGTERM, SIGKILL after AGENT_STOP_SECONDS), then the emulator; never raises, so COMMAND's
        status is what with-agent returns."""
        for node in self.nodes:
            node.terminate()
        for node in self.nodes:
            try:
                node.wait_or_kill(AGENT_STOP_SECONDS)
            except Exception as e:  # the namespace's end still ends it
                say("could not end the agent of %s: %s" % (node.instance_id, e))
        if self.emulator is not None and self.emulator.poll() is None:
            self.emulator.send_signal(signal.SIGTERM)
            try:
                self.emulator.wait(15)
            except subprocess.TimeoutExpired:
                self.emulator.kill()
                self.emulator.wait(5)


def ping_statuses(ready, instance_ids):
    """PingStatus of each node, as DescribeInstanceInformation reports it (boto3, like the tests)."""
    import boto3  # the pinned test dependency (scripts/requirements.txt)
    admin = ready["identities"]["admin"]
    client = boto3.client("ssm", region_name=ready["region"], endpoint_url=ready["endpoint"],
                          aws_access_key_id=admin["access_key_id"], aws_secret_access_key=admin["secret_access_key"],
                          verify=ready.get("ca_bundle") or True)
    try:
        answer = client.describe_instance_information(Filters=[{"Key": "InstanceIds", "Values": instance_ids}])
    except Exception as e:  # an emulator not answering yet is not fatal here; the caller has a deadline
        say("DescribeInstanceInformation: %s" % e)
        return {}
    return {i["InstanceId"]: i.get("PingStatus") for i in answer.get("InstanceInformationList", [])}


def new_work_dir(keep):
    if keep:
        os.makedirs(keep, exist_ok=True)
        return os.path.abspath(keep)
    return tempfile.mkdtemp(prefix="with-agent-")
