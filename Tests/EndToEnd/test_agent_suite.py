"""The agent suite (issue 12 item 3): one suite for the simulated agent and the real amazon-ssm-agent.
Under scripts/real-agent/with-agent it runs on the real nodes through that emulator (the gateway);
else on the emulator's simulated nodes, so scripts/test runs it every time. Which agent, and where
the two differ, is agent_target.py's (its EXPECTED table); the tests themselves never skip.

Interactive parts run through a real pty and synchronise on output the shell computes (`echo
word-$((40+2))` prints word-42, which its echo does not contain), so no test depends on the
agent's prompt or on timing."""
import hashlib
import os
import pwd
import random
import subprocess
import sys
import time

import pexpect
import pytest

import agent_target
from test_forward import CLIENT, data, expected_download, web  # noqa: F401 (fixtures)
from test_proxy import ssh_options, sshd  # noqa: F401 (fixture)
from test_connect import terminal_is_raw
from test_shell import BINARY
from conftest import ended_invocation, wait_until

_ready = agent_target.with_agent_ready_file()
if isinstance(_ready, str):
    pytest.skip(agent_target.skip_note(), allow_module_level=True)


def answer(child, word, timeout=30):
    """Types a command and waits for its output: the shell is there and has read all typed before."""
    child.sendline("echo %s-$((40+2))" % word)
    child.expect("%s-42" % word, timeout=timeout)


def start_shell(agent, node, identity="admin", dimensions=(24, 80)):
    child = agent.spawn("connect %s" % node, identity, dimensions=dimensions)
    child.expect(r"Starting session (\S+) on")
    session_id = child.match.group(1)
    answer(child, "ready")
    return child, session_id


def wait_for_size(child, rows, columns, seconds=15):
    """The remote pty's size, asked until it is ROWS COLUMNS: the client sends the new size when
    its SIGWINCH is handled, which may come after the next keys."""
    deadline = time.monotonic() + seconds
    for attempt in range(1, 1000):
        child.sendline("echo size-%d:$(stty size)" % attempt)
        child.expect(r"size-%d:(\d+ \d+)\r\n" % attempt)
        if child.match.group(1) == "%d %d" % (rows, columns):
            return
        if time.monotonic() > deadline:
            raise AssertionError("the remote pty is %s, not %d %d, after %d s" % (child.match.group(1), rows, columns, seconds))


def run_script(agent, script, identity="admin", timeout=120, stdin=None, cwd=None):
    return subprocess.run([BINARY, "-c", script], env=agent.env(identity), input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout, cwd=cwd)


def shown(agent, node):
    """How the shell shows a node it was given by id (issue 14): the first label of the computer
    name the agent reports, else the id."""
    info = agent.emulator.client("ssm").describe_instance_information(Filters=[{"Key": "InstanceIds", "Values": [node]}])
    return (info["InstanceInformationList"][0].get("ComputerName") or "").split(".")[0] or node


def api_calls(agent, operation):
    return sum(agent.emulator.control("state")["api_calls"].get(operation, {}).values())


# connect

def test_shell_size_resize_ctrl_c_escape_and_the_terminal_restored(agent):
    node = agent.node(0)
    env = agent.env("basic", TERM="xterm")
    child = pexpect.spawn("/bin/sh", ["-c", "stty -g; %s -c 'connect %s'; echo status=$?; stty -g" % (BINARY, node)],
                          env=env, encoding="utf-8", timeout=30, dimensions=(33, 111))
    child.expect(r"(\S+:\S+)\r\n")
    before = child.match.group(1)
    child.expect("Starting session")
    answer(child, "ready")
    wait_for_size(child, 33, 111)
    child.setwinsize(40, 120)
    wait_for_size(child, 40, 120)
    # The inner sh prints once it is the terminal's foreground job (the shell's child sets that before
    # it runs): a Ctrl-C sent between the echo and a plain sleep's fork went to the shell instead.
    child.sendline("sh -c 'echo sleeping-$((1+1)); exec sleep 30'; echo slept-$?")
    child.expect("sleeping-2")
    started = time.monotonic()
    child.sendintr()                                    # 0x03 goes to the remote pty, not to the client
    answer(child, "still", timeout=20)
    assert time.monotonic() - started < 20, "Ctrl-C ended the remote sleep"
    assert "slept" not in child.before, "the remote sleep ended by SIGINT, and the rest of its line with it"
    child.send("\r~.")                                  # the escape, at the start of a line
    child.expect("leaving the session")
    child.expect("status=0")
    child.expect(r"(\S+:\S+)\r\n")
    assert child.match.group(1) == before, "the terminal mode is restored"
    child.expect(pexpect.EOF)


def test_remote_exit_status_from_the_shell_a_pty_command_and_a_piped_command(agent):
    child, _ = start_shell(agent, agent.node(1), "basic")
    child.sendline("exit")
    child.expect("Exiting session")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    on_pty = agent.spawn("connect %s --command 'tty; exit 3'" % agent.node(2), "basic")
    on_pty.expect("/dev/pts/")
    on_pty.expect(pexpect.EOF)
    on_pty.close()
    assert on_pty.exitstatus == 3
    assert "ssm-shell-exit" not in on_pty.before
    piped = run_script(agent, "connect %s --command 'echo out; echo err >&2; exit 3'" % agent.node(3), "basic")
    assert (piped.returncode, piped.stdout, piped.stderr) == (3, "out\n", "err\n")


def test_piped_input_reaches_the_shell_and_its_end_ends_the_session(agent):
    result = run_script(agent, "connect %s" % agent.node(2), "basic", timeout=60, stdin="echo piped-$((6*7))\n")
    assert result.returncode == 0, result.stderr
    assert "piped-42" in result.stdout


def test_keys_typed_before_the_shell_is_ready_are_not_lost(agent):
    agent.emulator.faults(**agent.expect["slow_start_faults"])
    child = agent.spawn("connect %s" % agent.node(3))
    # Typed as soon as the client holds the terminal (it flushes what came before, as it makes the
    # terminal raw), and before the node's shell is there.
    wait_until(lambda: terminal_is_raw(child), 20, "raw mode")
    child.send("echo early-$((40+2))\r")
    child.expect("Starting session")
    child.expect("early-42")
    child.sendline("exit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_whom_the_shell_runs_as_and_uid_0_refused(agent):
    child, _ = start_shell(agent, agent.node(0))
    child.sendline("echo user-$(id -un)-$((40+2))")
    child.expect(r"user-(\S+)-42")
    assert child.match.group(1) == (agent.expect["shell_user"] or pwd.getpwuid(os.getuid()).pw_name)
    child.sendline("exit")
    child.expect(pexpect.EOF)
    # Run-as on with root: the agent refuses uid 0 (shell_unix.go getUserCredentials), issue 18 item 5.
    agent.emulator.faults(run_as_enabled=True, run_as_default_user="root")
    refused = agent.spawn("connect %s" % agent.node(1))
    refused.expect("Unable to start command: invalid uid and gid")
    refused.expect(pexpect.EOF)
    refused.close()
    # A session the agent refused is a failure, as ssh's 255 is when the server refuses one.
    assert refused.exitstatus == 255, refused.before
    piped = run_script(agent, "connect %s --command 'echo never'" % agent.node(0))
    assert piped.returncode == 255, piped.stderr
    assert "Unable to start command: invalid uid and gid" in piped.stderr and "never" not in piped.stdout


def test_kms_encrypted_sessions(agent):
    agent.emulator.faults(kms_key_id="alias/session-key")
    keys_before = api_calls(agent, "GenerateDataKey")
    piped = run_script(agent, "connect %s --command 'echo secret-$((6*7)); exit 4'" % agent.node(0))
    assert piped.returncode == 4, piped.stderr
    assert piped.stdout == "secret-42\n"
    assert "This session is encrypted using AWS KMS." in piped.stderr
    child = agent.spawn("connect %s" % agent.node(1))
    child.expect("encrypted using AWS KMS")
    answer(child, "typed")                              # typed, encrypted, decrypted by the agent, run
    child.sendline("exit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert api_calls(agent, "GenerateDataKey") - keys_before >= 2, "each session has its own data key"


# forward

def forward_script(node, port, *runs):
    return "forward %s %s; %s; forwards" % (node, port, "; ".join("! %s %s %s $port %s" % (sys.executable, CLIENT, mode, n) for mode, n in runs))


def test_forward_twenty_parallel_connections_and_a_remote_host(agent, web):  # noqa: F811
    result = run_script(agent, forward_script(agent.node(0), "0:%d" % web, ("http", 20)) + "; "
                        + forward_script(agent.node(1), "0:127.0.0.1:%d" % web, ("http", 3)), "basic")
    assert result.returncode == 0, result.stderr
    assert "http 20 ok=True" in result.stdout and "http 3 ok=True" in result.stdout, result.stdout
    assert "\tmux\t20\t" in result.stdout, result.stdout
    # The node by name with its id, as tables show nodes (issue 14).
    assert "127.0.0.1:%d\t%s (%s)" % (web, shown(agent, agent.node(1)), agent.node(1)) in result.stdout, result.stdout


def upload_and_download(result, mib):
    assert result.returncode == 0, result.stderr
    upload = [line for line in result.stdout.splitlines() if line.startswith("upload")][0].split()
    assert upload[1].split("=")[1] == upload[2].split("=")[1], "the server hashed what was sent"
    download = [line for line in result.stdout.splitlines() if line.startswith("download")][0]
    assert download == "download bytes=%d sha=%s" % (mib << 20, expected_download(mib))


def test_forward_64_mib_each_way_keeps_every_byte(agent, data):  # noqa: F811
    agent.unpace()
    result = run_script(agent, forward_script(agent.node(2), "0:%d" % data, ("put", 64), ("download", 64)), "basic",
                        timeout=agent.expect["forward_seconds"])
    upload_and_download(result, 64)
    assert "\tmux\t2\t" in result.stdout, result.stdout


def test_the_clients_fin_on_a_forwarded_connection(agent, data):  # noqa: F811
    result = run_script(agent, forward_script(agent.node(0), "0:%d" % data, ("upload", 1)), "basic", timeout=agent.expect["forward_seconds"])
    assert result.returncode == 0, result.stderr
    sent, received = [word.split("=")[1] for word in result.stdout.split("upload ")[1].split()[:2]]
    assert received == (sent if agent.expect["fin_half_closes"] else ""), result.stdout


def test_basic_mode_forward_one_connection_after_another(agent, data):  # noqa: F811
    node = agent.expect["basic_forward_node"] or agent.node(3)
    agent.unpace()
    result = run_script(agent, forward_script(node, "0:%d" % data, ("fetch", 2), ("fetch", 2)), "basic",
                        timeout=agent.expect["forward_seconds"])
    assert result.returncode == 0, result.stderr
    download = "download bytes=%d sha=%s" % (2 << 20, expected_download(2))
    assert result.stdout.count(download) == 2, result.stdout
    assert "\t%s\t2\t" % agent.expect["basic_forward_mode"] in result.stdout, result.stdout


# proxy

def test_ssh_and_scp_through_proxy(agent, sshd, tmp_path):  # noqa: F811
    env = agent.env("basic")
    node = agent.node(0)
    user = os.environ.get("USER", "root")
    options = ssh_options(sshd, node)
    result = subprocess.run(["ssh", *options, "%s@%s" % (user, node), "echo over-ssm; exit 7"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert (result.returncode, result.stdout) == (7, "over-ssm\n"), result.stderr
    source = tmp_path / "blob"
    source.write_bytes(os.urandom(4 << 20))
    remote = os.path.join(sshd["dir"], "copied-%d" % os.getpid())
    sent = subprocess.run(["scp", "-q", *options, str(source), "%s@%s:%s" % (user, node, remote)], env=env, capture_output=True,
                          text=True, timeout=agent.expect["forward_seconds"])
    assert sent.returncode == 0, sent.stderr
    back = tmp_path / "back"
    fetched = subprocess.run(["scp", "-q", *options, "%s@%s:%s" % (user, node, remote), str(back)], env=env, capture_output=True,
                             text=True, timeout=agent.expect["forward_seconds"])
    assert fetched.returncode == 0, fetched.stderr
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    assert hashlib.sha256(open(remote, "rb").read()).hexdigest() == digest
    assert hashlib.sha256(back.read_bytes()).hexdigest() == digest


# run, wait, output

def test_run_exit_codes_and_streams(agent):
    node = agent.node(0)
    failed = run_script(agent, "use %s; run sh -c 'echo out; echo err >&2; exit 5'; try wait; output" % node)
    assert "== %s · Failed, exit 5\nout\n-- stderr\nerr\n" % shown(agent, node) in failed.stdout, failed.stdout + failed.stderr
    assert "failed to run commands" not in failed.stdout, "the agent's own line is left out"
    assert failed.returncode == 3, failed.stderr
    fine = run_script(agent, "use %s; run echo fine; wait; output" % node)
    assert "== %s · Success, exit 0\nfine\n" % shown(agent, node) in fine.stdout, fine.stdout + fine.stderr
    assert fine.returncode == 0, fine.stderr


def test_a_failing_wait_stops_the_script_after_the_nodes_last_lines(agent):
    """Issue 14: the agent's own "failed to run commands" line is not among the last lines shown."""
    node = agent.node(0)
    script = "use %s; run sh -c 'for n in 1 2 3 4 5 6 7 8 9 10 11 12; do echo \"err $n\" >&2; done; exit 6'; wait; echo never" % node
    result = run_script(agent, script)
    assert result.returncode == 3, result.stdout + result.stderr
    assert " · Failed, exit 6\n-- stderr (last 10 of 12 lines)\n" + "".join("err %d\n" % n for n in range(3, 13)) in result.stdout, result.stdout
    assert "failed to run commands" not in result.stdout and "never" not in result.stdout
    assert "-c:1: 1 of 1 invocation did not succeed" in result.stderr, result.stderr


def test_run_output_is_cut_at_24000_characters_with_a_note(agent):
    node = agent.node(1)
    result = run_script(agent, "use %s; run seq 10000; wait; output" % node)
    assert result.returncode == 0, result.stderr
    expected = "".join("%d\n" % n for n in range(1, 10001))[:23980]
    note = ("(stdout cut by the agent at 24,000 characters: run the command with --output-bucket BUCKET (S3) or --cloudwatch (CloudWatch Logs), "
            "or 'set output-bucket BUCKET' first, and 'output' reads all of it from there)\n")
    assert "== %s · Success, exit 0\n" % shown(agent, node) + expected + "\n" + note in result.stdout, result.stdout[-300:]
    assert "--output truncated--" not in result.stdout


def test_run_output_reaches_cloudwatch_while_it_runs_in_the_agents_group_and_streams(agent, tmp_path):
    """The agent's CloudWatch Logs output (agent/framework/processor/executer/iohandler, agentlogstocloudwatch):
    group /aws/ssm/<document>, streams <command>/<node>/aws-runShellScript/stdout|stderr, lines there while
    the command runs, everything there once the invocation has ended."""
    from test_cloudwatch_logs import events_so_far, finished, invocation, lines_of, stream_text
    node = agent.node(0)
    ssm, logs = agent.emulator.client("ssm"), agent.emulator.client("logs")
    flag = tmp_path / "go-on"
    script = "echo first; echo oops >&2; while [ ! -f %s ]; do sleep 0.1; done; seq 1 3; printf end" % flag
    command_id = ssm.send_command(InstanceIds=[node], DocumentName="AWS-RunShellScript", Parameters={"commands": [script]},
                                  CloudWatchOutputConfig={"CloudWatchOutputEnabled": True})["Command"]["CommandId"]
    group, prefix = "/aws/ssm/AWS-RunShellScript", "%s/%s/aws-runShellScript/" % (command_id, node)
    assert wait_until(lambda: events_so_far(logs, group, prefix + "stdout"), 30, "the first line in CloudWatch") == ["first\n"]
    assert invocation(ssm, command_id, node)["Status"] == "InProgress"
    flag.write_text("")
    result = finished(ssm, command_id, node, seconds=90)
    assert result["Status"] == "Success", result
    assert lines_of(stream_text(logs, group, prefix + "stdout")) == ["first", "1", "2", "3", "end"]
    assert stream_text(logs, group, prefix + "stderr") == ["oops\n"]


def test_run_cancel_and_execution_timeout(agent):
    node = agent.node(2)
    script = ("use %s; run --timeout 5 sh -c 'echo started; sleep 30'; set slow $cmd; run sleep 30; sleep 1; cancel; try wait; output; "
              "try wait $slow; output $slow" % node)
    result = run_script(agent, script, timeout=90)
    assert result.returncode == 3, result.stderr
    assert "== %s · cancelled\n" % shown(agent, node) in result.stdout, result.stdout
    assert "== %s · timed out after 5s\nstarted\n" % shown(agent, node) in result.stdout, result.stdout
    assert "exit 137" not in result.stdout and "exit 1\n" not in result.stdout



def test_run_output_goes_whole_to_s3_under_the_agents_keys(agent):
    """The agent's S3 output (iohandler/iomodule/fileS3.go, s3util/s3util.go): every byte of each
    non-empty stream, under PREFIX/COMMAND/NODE/awsrunShellScript/0.awsrunShellScript/stdout|stderr,
    uploaded before the invocation ends; the real agent reaches the emulator's S3 as
    OUTPUT_BUCKET.s3.REGION.emulator.invalid (scripts/real-agent/realagent/agent_config.py)."""
    import boto3
    from botocore.config import Config
    emulator, node = agent.emulator, agent.node(3)
    admin = emulator.identity("admin")
    s3 = boto3.session.Session().client("s3", region_name=emulator.region, endpoint_url=emulator.endpoint,
                                        config=Config(s3={"addressing_style": "path"}), verify=emulator.ready.get("ca_bundle") or None,
                                        aws_access_key_id=admin["access_key_id"], aws_secret_access_key=admin["secret_access_key"])
    s3.create_bucket(Bucket=agent_target.OUTPUT_BUCKET)   # us-east-1 answers 200 when it exists already
    ssm = emulator.client("ssm")
    command_id = ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[node], OutputS3BucketName=agent_target.OUTPUT_BUCKET,
                                  OutputS3KeyPrefix="suite", Parameters={"commands": ["seq 30000", "echo to-stderr >&2"]})["Command"]["CommandId"]
    invocation = ended_invocation(ssm, command_id, node, seconds=120)
    assert invocation["Status"] == "Success", invocation
    key = "suite/%s/%s/awsrunShellScript/0.awsrunShellScript/" % (command_id, node)
    assert invocation["StandardOutputUrl"].endswith("/%s/%sstdout" % (agent_target.OUTPUT_BUCKET, key)), invocation["StandardOutputUrl"]
    stdout = s3.get_object(Bucket=agent_target.OUTPUT_BUCKET, Key=key + "stdout")["Body"].read()
    assert stdout == "".join("%d\n" % n for n in range(1, 30001)).encode()
    assert s3.get_object(Bucket=agent_target.OUTPUT_BUCKET, Key=key + "stderr")["Body"].read() == b"to-stderr\n"


def test_output_reads_the_agents_s3_objects_whole(agent):
    """ssm-shell's side of the same upload: `run --output-bucket` sends the bucket, and `output`
    (here through --wait) reads each stream the service cut from the object StandardOutputUrl /
    StandardErrorUrl names, signed with S3's rules, through the configured endpoint."""
    import boto3
    from botocore.config import Config
    emulator, node = agent.emulator, agent.node(3)
    admin = emulator.identity("admin")
    boto3.session.Session().client("s3", region_name=emulator.region, endpoint_url=emulator.endpoint,
                                   config=Config(s3={"addressing_style": "path"}), verify=emulator.ready.get("ca_bundle") or None,
                                   aws_access_key_id=admin["access_key_id"], aws_secret_access_key=admin["secret_access_key"]
                                   ).create_bucket(Bucket=agent_target.OUTPUT_BUCKET)   # 200 when it exists already
    result = run_script(agent, "use %s; run --output-bucket %s/client --wait sh -c 'seq 30000; seq 3000 >&2'" % (node, agent_target.OUTPUT_BUCKET))
    assert result.returncode == 0, result.stderr
    stdout = "".join("%d\n" % n for n in range(1, 30001))
    stderr = "".join("%d\n" % n for n in range(1, 3001))
    assert "== %s · Success, exit 0\n" % shown(agent, node) + stdout + "-- stderr\n" + stderr in result.stdout, "stdout holds %d characters" % len(result.stdout)
    assert "(stdout cut" not in result.stdout and "(stderr truncated" not in result.stdout

# reconnect and faults

def wait_for_resumes(agent, before, count, what, seconds=30):
    deadline = time.monotonic() + seconds
    while api_calls(agent, "ResumeSession") < before + count:
        assert time.monotonic() < deadline, "the client called ResumeSession %d times within %d s of %s" % (count, seconds, what)
        time.sleep(0.05)


def test_resume_after_the_gateway_drops_or_closes_the_clients_socket(agent):
    child, session_id = start_shell(agent, agent.node(3))
    for mode in ("reset", "bye"):                       # a TCP reset, then AWS's close frame "Bye"
        resumed = api_calls(agent, "ResumeSession")
        agent.emulator.control("sessions/%s/close" % session_id, {"mode": mode})
        wait_for_resumes(agent, resumed, 1, "the " + mode)
        answer(child, "back-" + mode)
    # A throttled ResumeSession is tried again until it passes (issue 11 item 9).
    resumed = api_calls(agent, "ResumeSession")
    agent.emulator.faults(throttle=1.0, fault_operations="ResumeSession")
    agent.emulator.control("sessions/%s/close" % session_id, {"mode": "reset"})
    wait_for_resumes(agent, resumed, 3, "a throttled reset", seconds=60)
    agent.emulator.faults(throttle=0.0, fault_operations="")
    answer(child, "back-throttled", timeout=60)
    child.sendline("exit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_keys_arrive_exactly_under_loss_duplicates_reordering_and_byes(agent):
    child, session_id = start_shell(agent, agent.node(0))
    path = "/tmp/ssm-suite-keys-%s" % session_id
    child.sendline("stty -echo; cat > %s" % path)
    agent.emulator.faults(drop=0.05, duplicate=0.05, reorder=0.05, bye_every=2)
    rng = random.Random(12)
    # 40 lines of 80 keys, the last one ended too, so that Ctrl-D then ends cat
    keys = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789 ") if i % 80 else "\r" for i in range(1, 3201))
    resumed = api_calls(agent, "ResumeSession")
    for i in range(0, len(keys), 100):                  # about 4 s of typing: at least one Bye meanwhile
        child.send(keys[i:i + 100])
        time.sleep(0.12)
    child.send("\x04")
    agent.emulator.faults(drop=0, duplicate=0, reorder=0, bye_every=0)
    child.sendline("stty echo; echo $(wc -c < %s)-$(sha256sum < %s | cut -c1-64)-$((40+2)); rm -f %s" % (path, path, path))
    written = keys.replace("\r", "\n").encode()
    child.expect(r"(\d+)-([0-9a-f]{64})-42", timeout=60)
    assert (int(child.match.group(1)), child.match.group(2)) == (len(written), hashlib.sha256(written).hexdigest())
    assert api_calls(agent, "ResumeSession") > resumed, "the session resumed after a Bye"
    child.sendline("exit")
    child.expect(pexpect.EOF)


def test_forward_keeps_every_byte_under_faults_and_byes(agent, data):  # noqa: F811
    agent.unpace()
    agent.emulator.faults(drop_input=0.05, duplicate=0.05, reorder=0.05, bye_every=3)
    result = run_script(agent, forward_script(agent.node(1), "0:%d" % data, ("put", 8), ("download", 8)), "admin",
                        timeout=agent.expect["forward_seconds"])
    upload_and_download(result, 8)
    assert "\tmux\t2\t" in result.stdout, result.stdout


# put / get

def test_put_and_get_keep_every_byte_through_the_agents_pty(agent, tmp_path):
    """A file with EF BF BD (which the agent's output path rewrites), NULs, CR LF, ^C/^D/^V and more
    than 4 KiB after its record (bash reads a terminal 4 KiB at a time) goes to the node and back
    exact, through AWS-StartInteractiveCommand sessions only."""
    node = agent.node(0)
    payload = (b"\xef\xbf\xbd\x00\x00\r\n\x03\x04\x16\x1b[0m" + bytes(range(256))) * 64
    (tmp_path / "bytes.bin").write_bytes(payload)
    remote = "/tmp/ssm-shell-put-%d.bin" % os.getpid()
    result = run_script(agent, "put --force bytes.bin %s:%s" % (node, remote), timeout=180, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    result = run_script(agent, "get %s:%s back.bin" % (node, remote), timeout=180, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "back.bin").read_bytes() == payload
