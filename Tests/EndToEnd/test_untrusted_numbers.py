"""Numbers from outside, through the built binary (issue 11 item 4): durations on the command line,
an environment variable and times in replies. Out of range is a usage error (status 2, nothing sent)
or a sentence with the documented status (docs/language.md); never a crash, which would end the
process by a signal (a negative returncode here)."""
import os
import subprocess
import tempfile
import time

import pytest

from conftest import ROOT

BINARY = os.path.join(ROOT, ".build", "debug", "ssm-shell")


def shell_env(emulator, **extra):
    home = tempfile.mkdtemp(prefix="ssm-shell-home-")
    return emulator.env("advanced", AWS_ENDPOINT_URL=emulator.endpoint, HOME=home, XDG_STATE_HOME=home + "/state", **extra)


def ssm_shell(*args, env, timeout=60):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, env=env, timeout=timeout)


def command_count(emulator):
    return len(emulator.client("ssm").list_commands()["Commands"])


@pytest.mark.parametrize("line, message", [
    ("run --timeout inf uptime", "-c:1: run --timeout takes a duration (90, 90s, 5m, 2h) of at most a year (8760h), not 'inf'"),
    ("run --timeout 1e300 uptime", "-c:1: run --timeout takes a duration (90, 90s, 5m, 2h) of at most a year (8760h), not '1e300'"),
    ("run --timeout 49h uptime", "-c:1: run --timeout is the document's executionTimeout: from 5s to 48h (172800 s), not 176400s (the agent runs a value outside that range for 1h without a word)"),
    ("run --timeout 2 sleep 30", "-c:1: run --timeout is the document's executionTimeout: from 5s to 48h (172800 s), not 2s (the agent runs a value outside that range for 1h without a word)"),
    ("sleep inf", "-c:1: sleep takes one duration of at most a year (8760h): 90, 90s, 5m or 2h"),
    ("sleep 1e300", "-c:1: sleep takes one duration of at most a year (8760h): 90, 90s, 5m or 2h"),
    ("sleep 8761h", "-c:1: sleep takes one duration of at most a year (8760h): 90, 90s, 5m or 2h"),
])
def test_out_of_range_durations_are_usage_errors_and_send_nothing(emulator, line, message):
    before = command_count(emulator)
    result = ssm_shell("-c", "use web-1; " + line, env=shell_env(emulator))
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert message in result.stderr
    assert command_count(emulator) == before


def test_run_timeout_at_the_limit_is_sent(emulator):
    result = ssm_shell("-c", "use web-1; run --timeout 48h uptime; wait; output", env=shell_env(emulator))
    assert result.returncode == 0, result.stderr
    command = emulator.client("ssm").list_commands()["Commands"][0]
    assert command["Parameters"]["executionTimeout"] == ["172800"]


@pytest.mark.parametrize("value", ["inf", "nan", "1e300", "-1"])
def test_metadata_service_timeout_out_of_range_is_a_sentence(emulator, value):
    # No keys, no files: the chain reaches the instance metadata service, whose timeout is checked
    # before anything is sent (the endpoint refuses connections, should it be reached).
    env = shell_env(emulator, AWS_METADATA_SERVICE_TIMEOUT=value, AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:1")
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_EC2_METADATA_DISABLED"):
        env.pop(key)
    sentence = "AWS_METADATA_SERVICE_TIMEOUT is '%s': set it to a number of seconds above 0 and at most 3600 (the default is 1)." % value
    shell = ssm_shell("-c", "use web-1", env=env)
    assert shell.returncode == 1, (shell.returncode, shell.stderr)
    assert sentence in shell.stderr
    api = ssm_shell("api", "ssm", "DescribeInstanceInformation", env=env)
    assert api.returncode == 253, (api.returncode, api.stderr)  # the AWS CLI's status for credentials
    assert sentence in api.stderr


@pytest.mark.parametrize("last_ping", [1e300, -1e300, 253402300800])
def test_a_reply_time_no_calendar_can_show_is_left_blank(emulator, last_ping):
    node = "i-0a1b2c3d4e5f60003"
    emulator.control("nodes/" + node, {"last_ping": last_ping})
    try:
        result = ssm_shell("--output", "text", "-c", "instances", env=shell_env(emulator))
    finally:
        emulator.control("nodes/" + node, {"last_ping": time.time() - 30})
    assert result.returncode == 0, (result.returncode, result.stderr)
    row = next(line for line in result.stdout.splitlines() if line.startswith(node))
    assert row.split("\t")[-1] == ""
    others = [line for line in result.stdout.splitlines() if line.startswith("i-") and not line.startswith(node)]
    assert others and all(line.split("\t")[-1].endswith(" ago") for line in others)
