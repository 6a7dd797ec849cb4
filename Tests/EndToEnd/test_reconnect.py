"""Reconnecting through a throttled or failing ResumeSession (issue 11, item 9): throttling and
5xx answers are retried with backoff until they pass, for `forward` and `connect` alike; only a
refusal ends the session."""
import subprocess
import sys
import textwrap

import pexpect
import pytest

from test_forward import CLIENT, web  # noqa: F401 (fixture)
from test_shell import BINARY, shell_env

# Run inside ssm-shell with `!`: the fault on ResumeSession only, the session's connection cut,
# then the fault held until ResumeSession has failed CALLS times (several rounds of the client's
# own retries), and lifted.
OUTAGE = textwrap.dedent('''
    import json, sys, time, urllib.request
    endpoint, session, fault, calls = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    def control(path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(endpoint + "/_emulator/" + path, data=data, method="POST" if data else "GET",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())
    def resumes():
        return sum(control("state")["api_calls"].get("ResumeSession", {}).values())
    before = resumes()
    if fault != "none":
        control("faults", {fault: 1.0, "fault_operations": "ResumeSession"})
    control("sessions/%s/close" % session, {"mode": "reset"})
    deadline = time.time() + 90
    while resumes() - before < calls and time.time() < deadline:
        time.sleep(0.1)
    if fault != "none":
        control("faults", {fault: 0.0, "fault_operations": ""})
    else:   # a refusal: wait for the client to end the session
        while control("state")["sessions"][session]["status"] != "Terminated" and time.time() < deadline:
            time.sleep(0.1)
    print("outage over after %d failed ResumeSession calls" % (resumes() - before))
''')


@pytest.fixture
def outage(tmp_path):
    path = tmp_path / "outage.py"
    path.write_text(OUTAGE)
    return str(path)


@pytest.mark.parametrize("fault", ["throttle", "server_errors"])
def test_a_forward_outlives_a_failing_resume_session(emulator, web, outage, fault):  # noqa: F811
    script = ("forward web-1 0:%d; ! %s %s %s $session %s 9; ! %s %s http $port 5; forwards"
              % (web, sys.executable, outage, emulator.endpoint, fault, sys.executable, CLIENT))
    result = subprocess.run([BINARY, "-c", script], env=shell_env(emulator, "admin"), capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    failed = int(result.stdout.split("outage over after ")[1].split()[0])
    assert failed >= 9, "ResumeSession was tried again and again: %s" % result.stdout
    assert "http 5 ok=True" in result.stdout, result.stdout + result.stderr
    assert "\tmux\t" in result.stdout and "ended" not in result.stdout, result.stdout


def test_connect_outlives_a_throttled_resume_session(emulator, outage):
    env = shell_env(emulator, "admin")
    child = pexpect.spawn(BINARY, ["-c", "connect web-3"], env=env, encoding="utf-8", timeout=120)
    child.expect(r"Starting session (\S+) on")
    session = child.match.group(1)
    child.expect(r"\$ ")
    outage_run = subprocess.run([sys.executable, outage, emulator.endpoint, session, "throttle", "9"], capture_output=True, text=True,
                                timeout=120)
    assert "outage over" in outage_run.stdout, outage_run.stderr
    child.sendline("echo back-$((40+2))")
    child.expect("back-42")
    child.sendline("exit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_a_refusal_still_ends_a_forward(emulator, web, outage):  # noqa: F811
    emulator.faults(resume="refuse")
    script = "forward web-2 0:%d; ! %s %s %s $session none 1; forwards" % (web, sys.executable, outage, emulator.endpoint)
    result = subprocess.run([BINARY, "-c", script], env=shell_env(emulator, "admin"), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "outage over after 1 failed" in result.stdout, result.stdout
    assert "ended: " in result.stdout, result.stdout
