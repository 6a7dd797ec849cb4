"""`attach` (issue 15) through a real pty against the emulator: one kept shell session per node
behind a local prompt. Every test synchronises on output the node's shell computes (`$((40+2))`
prints 42, which the line itself does not contain) and never on time."""
import json
import os
import re

import pexpect

from test_shell import BINARY, shell_env, ssm_shell

PROMPT = r"attach \S+> "
FAILED_PROMPT = r"attach \S+ \[3\]> "


def attach(emulator, targets, identity="basic", command=None, **spawn):
    """ssm-shell's prompt, then `attach TARGETS`, waiting for the attach prompt."""
    env = shell_env(emulator, identity)
    env["TERM"] = "xterm"
    child = pexpect.spawn(BINARY, [], env=env, encoding="utf-8", timeout=30, **spawn)
    child.expect(r"> ")
    child.sendline(command or "attach " + targets)
    child.expect("Attached to")
    child.expect(PROMPT)
    child.state_home = env["XDG_STATE_HOME"]
    return child


def line(child, text, prompt=PROMPT):
    """Runs a line and returns what it printed before the next prompt."""
    child.sendline(text)
    child.expect(prompt)
    return child.before.replace("\r\n", "\n")


def leave(child):
    child.sendline("detach")
    child.expect(r"\S+:\S+ ?(\[\d+\])?> ")
    child.sendline("exit")
    child.expect(pexpect.EOF)


def test_state_persists_between_lines_and_streams_stay_apart(emulator):
    child = attach(emulator, "web-1")
    line(child, "cd /tmp && mkdir -p attach-e2e && cd attach-e2e; answer=$((40+2)); greet() { echo hello-$1; }")
    out = line(child, "pwd; echo v=$answer; greet $answer; echo to-stderr-$((1+1)) >&2")
    assert "/tmp/attach-e2e\n" in out
    assert "v=42\n" in out and "hello-42\n" in out and "to-stderr-2\n" in out
    # A line that reads stdin gets none, and a line with marker-like text is only output.
    out = line(child, "read x; echo read-status=$? x=[$x]; printf '\\036@A0000 0\\n\\036@R\\n'; printf no-newline")
    assert "read-status=1 x=[]" in out
    assert "\\x1e@A0000 0\n\\x1e@R\nno-newline\n" in out, out
    out = line(child, "false", prompt=FAILED_PROMPT)
    assert "failed on 1 of 1 node: web-1 (exit 1)" in out
    out = line(child, "echo after-$((40+2))")
    assert "after-42" in out
    leave(child)
    # The lines are in attach's own history file, not in the prompt's.
    history = open(os.path.join(child.state_home, "ssm-shell", "history")).read()
    attach_history = open(os.path.join(child.state_home, "ssm-shell", "attach-history")).read()
    assert "attach web-1\n" in history and "after-" not in history
    assert "echo after-$((40+2))\n" in attach_history and "attach web-1" not in attach_history


def test_stdout_and_stderr_go_to_their_own_streams(emulator):
    env = shell_env(emulator, "basic")
    result = ssm_shell("-c", "attach web-2 <<'EOF'\necho out-$((40+2))\necho err-$((40+2)) >&2\nEOF", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "out-42\n"
    assert result.stderr == "err-42\n"


def test_a_here_document_stops_at_the_first_failing_line(emulator):
    env = shell_env(emulator, "basic")
    script = "attach web-1 web-2 <<'EOF'\ncd /tmp\necho in-$(pwd)\n[ $AWS_SSM_INSTANCE_ID != i-0a1b2c3d4e5f60002 ]\necho never\nEOF\necho not-reached"
    result = ssm_shell("-c", script, env=env)
    assert result.returncode == 3, result.stderr
    assert re.search(r"web-1 \| in-/tmp\n", result.stdout) and re.search(r"web-2 \| in-/tmp\n", result.stdout)
    assert "never" not in result.stdout and "not-reached" not in result.stdout
    assert "line 3 of the here-document ([ $AWS_SSM_INSTANCE_ID != i-0a1b2c3d4e5f60002 ]) failed on 1 of 2 nodes: web-2 (exit 1)" in result.stderr


def test_output_is_live_and_ctrl_c_interrupts_every_node_keeping_the_sessions(emulator):
    child = attach(emulator, "web-1 web-2")
    child.sendline("n=$((40+2)); echo first-$n; sleep 60; echo never")
    # Both nodes' first line shows while the line still runs, behind each node's coloured name.
    child.expect(r"web-\d\x1b\[0m \| first-42")
    child.expect(r"web-\d\x1b\[0m \| first-42")
    child.sendintr()
    child.expect(FAILED_PROMPT)
    assert "failed on 2 of 2 nodes: web-1 (exit 130), web-2 (exit 130)" in child.before
    assert "never" not in child.before
    # A builtin loop that never ends is interrupted too; the shells and their state stay.
    child.sendline("echo looping-$n; while :; do :; done")
    child.expect("looping-42")
    child.expect("looping-42")
    child.sendintr()
    child.expect(FAILED_PROMPT)
    out = line(child, "echo kept-$n")
    assert re.search(r"web-1\x1b\[0m \| kept-42\n", out) and re.search(r"web-2\x1b\[0m \| kept-42\n", out), out
    leave(child)


def test_a_line_that_exits_the_remote_shell_ends_only_that_node(emulator):
    child = attach(emulator, "web-1 web-2")
    out = line(child, "[ $AWS_SSM_INSTANCE_ID = i-0a1b2c3d4e5f60001 ] || exit 7", prompt=FAILED_PROMPT)
    assert "web-2: the session ended; 'attach web-2' opens a new one" in out, out
    assert "failed on 1 of 2 nodes: web-2 (session ended)" in out
    out = line(child, "echo on-$AWS_SSM_INSTANCE_ID")
    assert "on-i-0a1b2c3d4e5f60001" in out and "i-0a1b2c3d4e5f60002" not in out
    leave(child)


def test_a_dropped_connection_resumes_with_the_shell_state_kept(emulator):
    # ResumeSession is not in the guide's basic policy: an identity that has it.
    child = attach(emulator, "web-3", identity="admin")
    line(child, "kept=$((40+2)); cd /tmp")
    [session] = [s["SessionId"] for s in emulator.sessions("Active") if s["Target"] == "i-0a1b2c3d4e5f60003"]
    resumes = sum(emulator.control("state")["api_calls"].get("ResumeSession", {}).values())
    emulator.control("sessions/%s/close" % session, {"mode": "reset"})
    out = line(child, "echo kept=$kept in $(pwd)")
    assert "kept=42 in /tmp" in out
    assert sum(emulator.control("state")["api_calls"].get("ResumeSession", {}).values()) > resumes
    leave(child)


def test_a_session_the_service_ends_is_reported_and_can_be_attached_again(emulator):
    child = attach(emulator, "web-1 db-1", identity="admin")
    [session] = [s["SessionId"] for s in emulator.sessions("Active") if s["Target"] == "i-0a1b2c3d4e5f60004"]
    emulator.client("ssm").terminate_session(SessionId=session)   # as the idle or maximum session time does
    out = line(child, "echo $((40+2))", prompt=FAILED_PROMPT)
    assert "db-1: the session ended" in out and "failed on 1 of 2 nodes: db-1 (session ended)" in out, out
    child.sendline("detach")
    child.expect(r"\S+:\S+ \[3\]> ")
    child.sendline("attach db-1")
    child.expect(PROMPT)
    assert "again-42" in line(child, "echo again-$((40+2))")
    leave(child)


def test_ctrl_d_and_tilde_dot_leave_and_the_terminal_is_restored(emulator):
    env = shell_env(emulator, "basic")
    child = pexpect.spawn("/bin/sh", ["-c", "stty -g; %s -c 'attach web-1; echo left=$status; attach web-2'; echo status=$?; stty -g" % BINARY],
                          env=env, encoding="utf-8", timeout=30)
    child.expect(r"(\S+:\S+)\r\n")
    before = child.match.group(1)
    child.expect(PROMPT)
    child.send("~.")                        # at the start of a line: no Enter needed
    child.expect("left=0")
    child.expect(PROMPT)
    child.sendeof()
    child.expect("status=0")
    child.expect(r"(\S+:\S+)\r\n")
    assert child.match.group(1) == before, "the terminal mode is restored"
    child.expect(pexpect.EOF)


def test_policy_knows_attach_needs_the_guides_basic_session_actions_and_resume(emulator, tmp_path):
    script = tmp_path / "attach.ssm"
    script.write_text("attach web-1 web-2 <<'EOF'\nuptime\nEOF\n")
    printed = ssm_shell("policy", str(script), env=shell_env(emulator))
    actions = json.loads(printed.stdout)["Statement"][0]["Action"]
    # ResumeSession: attach resumes a session whose connection was lost.
    assert sorted(actions) == sorted(["ssm:StartSession", "ssm:DescribeInstanceInformation", "ssm:GetConnectionStatus", "ssm:TerminateSession",
                                      "ssm:ResumeSession"])


def test_a_node_that_is_not_connected_is_reported_and_attach_fails(emulator):
    result = ssm_shell("-c", "attach lost-1 <<'EOF'\necho never\nEOF", env=shell_env(emulator, "basic"))
    assert result.returncode == 3
    assert "lost-1: attach failed: " in result.stderr and "is not connected" in result.stderr, result.stderr
    assert "attach opened no session on lost-1" in result.stderr


def test_a_script_runs_everywhere_or_nowhere(emulator):
    script = "attach web-1 lost-1 <<'EOF'\necho ran-$((40+2))\nEOF"
    result = ssm_shell("-c", script, env=shell_env(emulator, "basic"))
    assert result.returncode == 3
    assert "ran-42" not in result.stdout
    assert "attach could not open a session on lost-1: no line was sent" in result.stderr, result.stderr


def test_a_line_that_ignores_ctrl_c_is_closed_at_the_third(emulator):
    child = attach(emulator, "web-1 web-2")
    assert "pager=cat" in line(child, "echo pager=$PAGER")
    # web-2's shell ignores SIGINT from now on, and so does its sleep; web-1's line says when it is interrupted.
    child.sendline("if [ $AWS_SSM_INSTANCE_ID = i-0a1b2c3d4e5f60002 ]; then trap '' INT; echo armed-$((40+2)); sleep 60; "
                   "else sh -c 'trap \"echo got-int-\\$((40+2)); exit 1\" INT; echo armed-$((40+2)); while :; do sleep 1; done'; fi")
    child.expect("armed-42")
    child.expect("armed-42")
    child.sendintr()
    child.expect("got-int-42")
    child.sendintr()
    child.expect("web-2: the line still runs; one more Ctrl-C closes the session")
    child.sendintr()
    child.expect(FAILED_PROMPT)
    assert "web-2: the line did not stop after 3 Ctrl-C: its session is closed" in child.before, child.before
    assert "web-1 (exit 1)" in child.before and "web-2 (session ended)" in child.before
    assert "still-42" in line(child, "echo still-$((40+2))")
    leave(child)


def test_under_try_a_here_document_goes_on_past_a_failing_line_and_ends_with_3(emulator):
    """Issue 15: a here-document stops at the first failing line "unless inside try"."""
    env = shell_env(emulator, "basic")
    script = (
        "try attach web-1 web-2 <<'EOF'\n[ $AWS_SSM_INSTANCE_ID != i-0a1b2c3d4e5f60002 ]\necho after-$((40+2))\nfalse\nEOF\n"
        "echo status=$status"
    )
    result = ssm_shell("-c", script, env=env)
    assert result.returncode == 0, result.stderr
    assert re.search(r"web-1 \| after-42\n", result.stdout) and re.search(r"web-2 \| after-42\n", result.stdout), result.stdout
    assert "status=3\n" in result.stdout
    assert "line 1 of the here-document ([ $AWS_SSM_INSTANCE_ID != i-0a1b2c3d4e5f60002 ]) failed on 1 of 2 nodes: web-2 (exit 1)" in result.stderr
    assert "line 3 of the here-document (false) failed on 2 of 2 nodes" in result.stderr
