"""`connect` (issue 5, first part) through a real pty against the emulator: the local size and a
resize reach the remote pty, Ctrl-C interrupts the remote side and not the client, ~. leaves, the
terminal is restored, exit codes come back from command sessions, and the guide's basic identity
is enough."""
import os
import subprocess
import time

import pexpect

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


def test_piped_input_reaches_the_shell_and_eof_ends_it(emulator):
    env = shell_env(emulator, "basic")
    result = subprocess.run([BINARY, "-c", "connect web-3"], env=env, input="echo piped-$((6*7))\n", capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    assert "piped-42" in result.stdout


def test_sigterm_restores_the_terminal(emulator):
    env = shell_env(emulator, "basic")
    child = pexpect.spawn("/bin/sh", ["-c", "stty -g; %s -c 'connect web-1' & pid=$!; sleep 2; kill -TERM $pid; wait $pid; echo killed=$?; stty -g" % BINARY],
                          env=env, encoding="utf-8", timeout=20)
    child.expect(r"(\S+:\S+)\r\n")
    before = child.match.group(1)
    child.expect(r"killed=(\d+)")
    child.expect(r"(\S+:\S+)\r\n")
    assert child.match.group(1) == before
