"""End-to-end fixtures: the emulator started once per test session, and helpers to call it with
the real AWS CLI (PyPI awscli), boto3 and the built ssm-shell binary."""
import json
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


class Emulator:
    def __init__(self, ready, process):
        self.ready = ready
        self.process = process
        self.endpoint = ready["endpoint"]
        self.region = ready["region"]

    def stop(self):
        """SIGTERM, then SIGKILL if it has not stopped within 10 s (a module fixture's teardown)."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def identity(self, name):
        return self.ready["identities"][name]

    def env(self, identity="admin", **extra):
        creds = self.identity(identity)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tempfile.gettempdir() + "/ssm-e2e-home",
               "AWS_ACCESS_KEY_ID": creds["access_key_id"], "AWS_SECRET_ACCESS_KEY": creds["secret_access_key"],
               "AWS_DEFAULT_REGION": self.region, "AWS_REGION": self.region, "AWS_EC2_METADATA_DISABLED": "true",
               "AWS_PAGER": ""}
        env.update(extra)
        return env

    def aws(self, *args, identity="admin", check=True, env=None):
        """The real AWS CLI, pointed at the emulator with --endpoint-url."""
        result = subprocess.run(["aws", "--endpoint-url", self.endpoint, *args], capture_output=True, text=True,
                                env=env or self.env(identity), timeout=120)
        if check and result.returncode != 0:
            raise AssertionError("aws %s failed (%d): %s" % (" ".join(args), result.returncode, result.stderr))
        return result

    def aws_json(self, *args, identity="admin"):
        return json.loads(self.aws(*args, "--output", "json", identity=identity).stdout or "{}")

    def client(self, service, identity="admin"):
        creds = self.identity(identity)
        return boto3.session.Session().client(service, region_name=self.region, endpoint_url=self.endpoint,
                                               aws_access_key_id=creds["access_key_id"], aws_secret_access_key=creds["secret_access_key"],
                                               verify=self.ready.get("ca_bundle") or None)

    def control(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.endpoint + "/_emulator/" + path, data=data, method="POST" if body is not None else "GET",
                                         headers={"Content-Type": "application/json"})
        context = ssl.create_default_context(cafile=self.ready["ca_bundle"]) if self.endpoint.startswith("https") else None
        with urllib.request.urlopen(request, timeout=30, context=context) as response:
            return json.loads(response.read())

    def faults(self, **values):
        return self.control("faults", values)

    def role_profile_home(self, session_name, config_extra=""):
        """A HOME whose ~/.aws has a [base] profile with the admin's keys and an [operator] profile
        that assumes the ssm-operator role from it (CONFIG_EXTRA appended to [operator])."""
        home = tempfile.mkdtemp()
        os.makedirs(os.path.join(home, ".aws"))
        admin = self.identity("admin")
        with open(os.path.join(home, ".aws", "credentials"), "w") as f:
            f.write("[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (admin["access_key_id"], admin["secret_access_key"]))
        with open(os.path.join(home, ".aws", "config"), "w") as f:
            f.write("[profile operator]\nrole_arn = arn:aws:iam::123456789012:role/ssm-operator\nsource_profile = base\n"
                    "role_session_name = %s\nregion = %s\n%s" % (session_name, self.region, config_extra))
        return home

    def sessions(self, state):
        """Every session of one state ("Active" or "History"), all pages (a page holds 20)."""
        pages = self.client("ssm").get_paginator("describe_sessions").paginate(State=state)
        return [s for page in pages for s in page["Sessions"]]

    def wait_for_history(self, predicate, seconds=15):
        """The first ended session that satisfies predicate, waiting with a deadline: the service
        moves a terminated session from Terminating to Terminated in History a moment later."""
        deadline = time.time() + seconds
        while True:
            found = [s for s in self.sessions("History") if predicate(s)]
            if found:
                return found[0]
            if time.time() > deadline:
                raise AssertionError("no ended session matched within %d s" % seconds)
            time.sleep(0.1)


TERMINAL_STATUSES = ("Success", "Failed", "TimedOut", "Cancelled")


def wait_until(predicate, seconds=10, what="the condition"):
    """The predicate's first true value, polled until SECONDS have passed; then an AssertionError
    naming WHAT. The one copy: test_connect, test_cloudwatch_logs and test_gateway had their own."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("%s did not happen within %d s" % (what, seconds))
        time.sleep(0.05)


def ended_invocation(ssm, command_id, instance_id, seconds=30):
    """GetCommandInvocation once the invocation has ended (InvocationDoesNotExist right after
    SendCommand counts as pending); fails after SECONDS."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            invocation = ssm.get_command_invocation(CommandId=command_id, InstanceId=instance_id)
        except ssm.exceptions.InvocationDoesNotExist:
            invocation = {"Status": "Pending"}
        if invocation["Status"] in TERMINAL_STATUSES:
            return invocation
        if time.monotonic() > deadline:
            raise AssertionError("command %s did not end on %s within %d s" % (command_id, instance_id, seconds))
        time.sleep(0.1)


def start_emulator(*arguments, seconds=30):
    """Starts scripts/emulator/start with ARGUMENTS and waits, at most SECONDS, for its ready file
    (written whole, by rename); fails at once when the emulator exits first."""
    directory = tempfile.mkdtemp(prefix="ssm-e2e-")
    ready_file = os.path.join(directory, "ready.json")
    log = os.path.join(directory, "emulator.log")
    process = subprocess.Popen([os.path.join(ROOT, "scripts", "emulator", "start"), *arguments, "--ready-file", ready_file],
                               stdout=subprocess.DEVNULL, stderr=open(log, "w"))
    deadline = time.monotonic() + seconds
    while not os.path.exists(ready_file):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("the emulator did not start within %d s; see %s" % (seconds, log))
        time.sleep(0.05)
    with open(ready_file) as f:
        return Emulator(json.load(f), process)


@pytest.fixture(scope="session")
def emulator():
    started = start_emulator()
    process = started.process
    import dcclient  # the data-channel test client signs its upgrades as the admin identity
    admin = started.identity("admin")
    dcclient.DataChannelClient.default_credentials = (admin["access_key_id"], admin["secret_access_key"], started.region)
    yield started
    process.send_signal(signal.SIGTERM)
    try:
        assert process.wait(timeout=10) == 0, "the emulator must stop cleanly on SIGTERM"
    except subprocess.TimeoutExpired:
        process.kill()
        raise


@pytest.fixture(autouse=True)
def clean_faults(request):
    """Every test starts with no faults switched on."""
    yield
    if "emulator" in request.fixturenames:
        request.getfixturevalue("emulator").control("reset", {})


@pytest.fixture(scope="session")
def agent_target(request):
    """The agent suite's target (agent_target.py): the real agents of a with-agent run, trusting its
    "ca_bundle", else the simulated nodes of the session's emulator."""
    import agent_target as target
    ready = target.with_agent_ready_file()
    if isinstance(ready, dict):
        return target.AgentTarget(target.REAL, Emulator(ready, None), list(ready["real_nodes"]))
    return target.AgentTarget(target.SIMULATED, request.getfixturevalue("emulator"), target.SIMULATED_NODES)


@pytest.fixture
def agent(agent_target):
    """The agent suite's target for one test, its faults cleared after it."""
    yield agent_target
    agent_target.emulator.control("reset", {})


def pytest_terminal_summary(terminalreporter):
    """The agent suite's one line: the real agent it ran against, or why the real agent was not run."""
    if any("test_agent_suite" in str(report.nodeid) for reports in terminalreporter.stats.values() for report in reports
           if hasattr(report, "nodeid")):
        import agent_target
        note = agent_target.summary_line()
        if note:
            terminalreporter.write_line(note)
