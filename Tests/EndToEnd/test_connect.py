"""`connect` (issue 5, first part) through a real pty against the emulator: the local size and a
resize reach the remote pty, Ctrl-C interrupts the remote side and not the client, ~. leaves, the
terminal is restored, exit codes come back from command sessions, and the guide's basic identity
is enough."""
import os
import signal
import subprocess
import termios
import time

import pexpect
import pytest

from conftest import wait_until
from test_shell import BINARY, shell_env


def test_shell_session_size_resize_ctrl_c_and_escape(emulator):
    env = shell_env(emulator, "basic")
    env["TERM"] = "xterm"
    child = pexpect.spawn("/bin/sh", ["-c", "stty -g; %s -c 'connect web-1'; echo status=$?; stty -g" % BINARY],
                          env=env, encoding="utf-8", timeout=20, dimensions=(33, 111))
    child.expect(r"(\S+:\S+)\r\n")
    before = child.match.group(1)
    child.expect("Starting session")
    child.expect(r"\$ ")
    child.sendline("stty size")
    child.expect("33 111")
    child.setwinsize(40, 120)
    time.sleep(0.3)
    child.sendline("stty size")
    child.expect("40 120")
    child.sendline("sleep 30; echo slept")
    time.sleep(0.5)
    child.sendintr()                                    # 0x03 goes to the remote pty
    child.expect(r"\$ ")
    child.sendline("echo still-here")
    child.expect("still-here")
    child.send("\r~.")                                  # the escape, at the start of a line
    child.expect("leaving the session")
    child.expect("status=0")
    child.expect(r"(\S+:\S+)\r\n")
    assert child.match.group(1) == before, "the terminal mode is restored"
    child.expect(pexpect.EOF)


def test_interactive_exit_and_remote_exit_status(emulator):
    env = shell_env(emulator, "basic")
    child = pexpect.spawn(BINARY, ["-c", "connect web-2"], env=env, encoding="utf-8", timeout=20)
    child.expect(r"\$ ")
    child.sendline("exit")
    child.expect("Exiting session")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    piped = subprocess.run([BINARY, "-c", "connect db-1 --command 'echo out; echo err >&2; exit 3'"], env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=30)
    assert (piped.returncode, piped.stdout, piped.stderr) == (3, "out\n", "err\n")


def test_keys_typed_before_the_session_starts_reach_the_remote_shell(emulator):
    """Typeahead, as ssh keeps it: a line typed while the session is still being opened (the
    terminal not yet raw) runs on the node. Raw mode used to be entered with TCSAFLUSH, which
    threw such keys away."""
    env = shell_env(emulator, "basic")
    child = pexpect.spawn(BINARY, ["-c", "connect web-2"], env=env, encoding="utf-8", timeout=20)
    child.delaybeforesend = None  # pexpect waits 50 ms before sending by default
    child.sendline("echo typed-$((40+2))")
    assert not terminal_is_raw(child), "the line must be typed before ssm-shell takes the terminal"
    child.expect("typed-42")
    child.sendline("exit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_piped_input_reaches_the_shell_and_eof_ends_it(emulator):
    env = shell_env(emulator, "basic")
    result = subprocess.run([BINARY, "-c", "connect web-3"], env=env, input="echo piped-$((6*7))\n", capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    assert "piped-42" in result.stdout


def terminal_is_raw(child):
    """The pty's mode as the client sees it (on Linux the master reports the terminal's termios)."""
    lflag = termios.tcgetattr(child.child_fd)[3]
    return lflag & (termios.ICANON | termios.ECHO | termios.ISIG) == 0


@pytest.mark.parametrize("signal_name", ["TERM", "HUP"])
def test_a_killed_client_restores_the_terminal(emulator, signal_name):
    env = shell_env(emulator, "basic")
    # The client runs in the foreground of the pty (a background job of sh reads /dev/null, and
    # would never make the terminal raw); the inner sh prints its pid and becomes the client.
    child = pexpect.spawn("/bin/sh", ["-c", "stty -g; sh -c 'echo pid=$$; exec \"$0\" -c \"connect web-1\"' %s; echo killed=$?; stty -g"
                                      % BINARY], env=env, encoding="utf-8", timeout=20)
    child.expect(r"(\S+:\S+)\r\n")
    before = child.match.group(1)
    assert not terminal_is_raw(child)
    child.expect(r"pid=(\d+)")
    pid = int(child.match.group(1))
    child.expect("Starting session")
    child.expect(r"\$ ")
    wait_until(lambda: terminal_is_raw(child), 10, "raw mode")
    number = getattr(signal, "SIG" + signal_name)
    os.kill(pid, number)
    child.expect(r"killed=(\d+)")
    assert int(child.match.group(1)) == 128 + number, "the client ends by the signal itself, after restoring"
    child.expect(r"(\S+:\S+)\r\n")
    assert child.match.group(1) == before
    assert not terminal_is_raw(child)
    child.expect(pexpect.EOF)


def test_ten_thousand_keys_arrive_exactly_under_faults_and_reconnects(emulator):
    import base64
    import random
    # Reconnecting needs ssm:ResumeSession, which the guide's basic policy does not grant.
    env = shell_env(emulator, "admin")
    child = pexpect.spawn(BINARY, ["-c", "connect web-1"], env=env, encoding="utf-8", timeout=60)
    child.expect(r"Starting session (\S+) on")
    session_id = child.match.group(1)
    child.expect(r"\$ ")
    emulator.faults(drop=0.05, duplicate=0.05, reorder=0.05, bye_every=5)
    typed = "stty -echo; cat > /dev/null\r"
    child.send(typed)
    rng = random.Random(7)
    keys = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789 ") if i % 100 else "\r" for i in range(1, 10_001))
    for i in range(0, len(keys), 125):     # about 11 s of typing: at least two Byes
        child.send(keys[i:i + 125])
        time.sleep(0.14)
    typed += keys
    deadline = time.time() + 90
    while time.time() < deadline:
        received = emulator.control("sessions/%s/received" % session_id)
        if received["length"] >= len(typed):
            break
        time.sleep(0.25)
    assert base64.b64decode(received["bytes"]).decode() == typed
    facts = emulator.control("state")["sessions"][session_id]
    assert facts["connections"] >= 3, "the session reconnected after each Bye"
    emulator.faults(drop=0, duplicate=0, reorder=0, bye_every=0)
    child.send("\x04")
    child.send("stty echo; exit\r")
    child.expect(pexpect.EOF, timeout=30)


def test_basic_identity_instances_connect_status_terminate(emulator):
    env = shell_env(emulator, "basic")
    listing = subprocess.run([BINARY, "--output", "text", "-c", "instances online; status web-1 lost-1"], env=env, capture_output=True, text=True, timeout=30)
    assert listing.returncode == 3, listing.stderr          # lost-1 is not connected
    # Names from the computer name's first label: basic may not call ec2:DescribeInstances.
    assert "i-0a1b2c3d4e5f60001\tweb-1\tOnline" in listing.stdout, listing.stdout
    assert "web-1 (i-0a1b2c3d4e5f60001)\tconnected" in listing.stdout
    assert "lost-1 (i-0a1b2c3d4e5f60007)\tnotconnected" in listing.stdout
    started = emulator.client("ssm", "basic").start_session(Target="i-0a1b2c3d4e5f60002")
    ended = subprocess.run([BINARY, "-c", "terminate %s" % started["SessionId"]], env=env, capture_output=True, text=True, timeout=30)
    assert ended.returncode == 0, ended.stderr
    emulator.wait_for_history(lambda s: s["SessionId"] == started["SessionId"])


def test_a_refused_resume_names_the_missing_action(emulator):
    env = shell_env(emulator, "basic")
    child = pexpect.spawn(BINARY, ["-c", "connect web-2"], env=env, encoding="utf-8", timeout=30)
    child.expect(r"Starting session (\S+) on")
    session_id = child.match.group(1)
    child.expect(r"\$ ")
    emulator.control("sessions/%s/close" % session_id, {"mode": "bye"})
    child.expect("reconnecting failed: ")
    child.expect("ssm:ResumeSession")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 255, "lost and not resumed: no remote status, as ssh (255)"


def test_record_writes_an_asciicast_v2_transcript(emulator, tmp_path):
    import json
    env = shell_env(emulator, "basic")
    cast = tmp_path / "session.cast"
    child = pexpect.spawn(BINARY, ["-c", "connect web-3 --record %s" % cast], env=env, encoding="utf-8", timeout=20, dimensions=(30, 100))
    child.expect(r"\$ ")
    child.sendline("echo recorded-$((40+2))")
    child.expect("recorded-42")
    child.sendline("exit")
    child.expect(pexpect.EOF)
    lines = cast.read_text().splitlines()
    header = json.loads(lines[0])
    assert (header["version"], header["width"], header["height"]) == (2, 100, 30)
    events = [json.loads(line) for line in lines[1:]]
    assert all(e[1] == "o" and isinstance(e[0], float) for e in events)
    assert [e[0] for e in events] == sorted(e[0] for e in events)
    assert "recorded-42" in "".join(e[2] for e in events)


def test_kms_encrypted_sessions(emulator):
    import base64
    emulator.faults(kms_key_id="alias/session-key")
    env = shell_env(emulator, "admin")
    piped = subprocess.run([BINARY, "-c", "connect web-1 --command 'echo secret-$((6*7)); exit 4'"], env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=30)
    assert piped.returncode == 4, piped.stderr
    assert piped.stdout == "secret-42\n"
    assert "This session is encrypted using AWS KMS." in piped.stderr
    child = pexpect.spawn(BINARY, ["-c", "connect web-2"], env=env, encoding="utf-8", timeout=20)
    child.expect(r"Starting session (\S+) on")
    session_id = child.match.group(1)
    child.expect("encrypted using AWS KMS")
    child.expect(r"\$ ")
    child.sendline("echo typed-$((1+1))")
    child.expect("typed-2")
    child.sendline("exit")
    child.expect(pexpect.EOF)
    received = base64.b64decode(emulator.control("sessions/%s/received" % session_id)["bytes"])
    assert received.startswith(b"echo typed-$((1+1))"), "the agent decrypted exactly what was typed"
    assert emulator.control("state")["api_calls"]["GenerateDataKey"]["admin"] >= 2


def test_a_null_resume_token_ends_the_session_with_a_clear_message(emulator):
    env = shell_env(emulator, "admin")
    child = pexpect.spawn(BINARY, ["-c", "connect web-3"], env=env, encoding="utf-8", timeout=30)
    child.expect(r"Starting session (\S+) on")
    session_id = child.match.group(1)
    child.expect(r"\$ ")
    emulator.faults(resume="null-token")
    emulator.control("sessions/%s/close" % session_id, {"mode": "reset"})
    child.expect("can no longer be resumed")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 255, "lost and not resumed: no remote status, as ssh (255)"


def test_wss_through_the_ca_bundle():
    from conftest import start_emulator
    tls = start_emulator("--tls")
    process, info = tls.process, tls.ready
    try:
        assert tls.endpoint.startswith("https://localhost:")
        env = shell_env(tls, "basic", AWS_CA_BUNDLE=info["ca_bundle"])
        result = subprocess.run([BINARY, "-c", "connect web-1 --command 'echo over-wss'"], env=env, stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=30)
        assert (result.returncode, result.stdout) == (0, "over-wss\n"), result.stderr
        untrusted = subprocess.run([BINARY, "-c", "instances"], env=shell_env(tls, "basic"), capture_output=True, text=True, timeout=30)
        assert untrusted.returncode == 1 and "AWS_CA_BUNDLE" in untrusted.stderr
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_plain_ws_stream_url_from_an_https_endpoint_is_refused():
    """Issue 11 item 16: the upgrade's signed headers and the token would cross in clear."""
    from conftest import start_emulator
    tls = start_emulator("--tls")
    try:
        tls.faults(plain_stream_url=True)
        # admin may resume: the refusal must end the session at once, not spend the reconnect budget
        env = shell_env(tls, "admin", AWS_CA_BUNDLE=tls.ready["ca_bundle"])
        result = subprocess.run([BINARY, "-c", "connect web-1 --command 'echo over-ws'"], env=env, stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 255, result.stderr  # no session, no remote status: as ssh
        assert "over-ws" not in result.stdout
        assert "unencrypted ws:// stream URL" in result.stderr and "wss://" in result.stderr
        assert "AAEAA" not in result.stderr        # the session token never appears
        assert "X-Amz-Signature" not in result.stderr
    finally:
        tls.process.terminate()
        tls.process.wait(timeout=10)


def test_exit_status_of_an_interactive_command_on_a_pty(emulator):
    env = shell_env(emulator, "basic")
    child = pexpect.spawn(BINARY, ["-c", "connect web-1 --command 'tty; exit 3'"], env=env, encoding="utf-8", timeout=20)
    child.expect("/dev/pts/")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 3
    assert "ssm-shell-exit" not in child.before


def test_the_emulator_stops_at_once_with_a_shell_session_open():
    """SIGTERM ends the sessions and the emulator within a couple of seconds, as its README says,
    even while a client is connected: the simulated agent stops without waiting for acknowledgements
    nobody will send (it used to wait 10 s for them, and a failing test then failed its teardown)."""
    from conftest import start_emulator
    started = start_emulator()
    try:
        child = pexpect.spawn(BINARY, ["-c", "connect web-2"], env=shell_env(started, "basic"), encoding="utf-8", timeout=20)
        child.sendline("echo ready-$((40+2))")
        child.expect("ready-42")
        began = time.monotonic()
        started.process.send_signal(signal.SIGTERM)
        assert started.process.wait(timeout=30) == 0
        assert time.monotonic() - began < 3, "the emulator took %.1f s to stop" % (time.monotonic() - began)
        child.expect(pexpect.EOF)
    finally:
        if started.process.poll() is None:
            started.process.kill()


def test_a_windows_command_on_a_terminal_is_sent_unwrapped_and_says_its_status_is_unknown(emulator):
    """PowerShell has no printf: the POSIX exit marker made a Windows node's command fail (status
    1 for one that succeeded). The emulator runs sh for Windows sessions, so this checks what it
    can: the command's output, no marker asked for, status 0 and the line saying why; PowerShell
    itself is untested here."""
    env = shell_env(emulator, "basic")
    child = pexpect.spawn("/bin/sh", ["-c", "%s -c \"connect win-1 --command 'echo from-win'\"; echo status=$?" % BINARY],
                          env=env, encoding="utf-8", timeout=30)
    child.expect_exact("does not come back on a terminal")
    child.expect_exact("from-win")
    child.expect(r"status=(\d+)")
    assert child.match.group(1) == "0"
    child.expect(pexpect.EOF)
