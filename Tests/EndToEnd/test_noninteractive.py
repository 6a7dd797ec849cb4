"""AWS-StartNonInteractiveCommand as the real agent runs it (issue 18 item 1): the command split
into words like google/shlex and executed without a shell (agent/session/shell/shell_unix.go), no
stdin, the agent's error messages; and `connect --command` on a pipe, which wraps the command in
`sh -c` so that the node's shell reads it and its exit status comes back."""
import asyncio
import os
import select
import signal
import subprocess
import sys

import pytest

from dcclient import DataChannelClient
from test_shell import BINARY, shell_env

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "emulator"))
from emulator.sessions.command_words import split_command  # noqa: E402


@pytest.mark.parametrize("text,words", [
    ("echo real-$((6*7)); exit 5", ["echo", "real-$((6*7));", "exit", "5"]),
    ("sh -c 'echo a; exit 3'", ["sh", "-c", "echo a; exit 3"]),
    ("sh -c 'it'\\''s'", ["sh", "-c", "it's"]),
    ('printf "%s\\n" "a b"', ["printf", "%sn", "a b"]),       # in "..." a backslash takes any next character
    ("a\\ b  c\td\r\ne", ["a b", "c", "d", "e"]),
    ("'' x", ["", "x"]),
    ("a#b #c d\ne", ["a#b", "e"]),                             # a # only at a word's start comments
    ('x"y"\'z\'', ["xyz"]),
    ("", []),
])
def test_the_agents_word_splitting(text, words):
    assert split_command(text) == words


@pytest.mark.parametrize("text,message", [("echo 'open", "EOF found when expecting closing quote"),
                                          ('echo "open', "EOF found when expecting closing quote"),
                                          ("echo \\", "EOF found after escape character")])
def test_the_agents_splitting_errors(text, message):
    with pytest.raises(ValueError, match=message):
        split_command(text)


def command_session(emulator, command, send=None):
    """stdout, stderr and the EXIT_CODE payload (or None) of one AWS-StartNonInteractiveCommand session."""
    async def scenario():
        response = emulator.client("ssm").start_session(Target="i-0a1b2c3d4e5f60002", DocumentName="AWS-StartNonInteractiveCommand",
                                                        Parameters={"command": [command], "separateOutputStream": ["true"]})
        client = DataChannelClient(response["StreamUrl"], response["TokenValue"])
        await client.connect()
        await client.handshake()
        if send is not None:
            await client.send(1, send)
        out = {1: b"", 11: b"", 12: None}
        while not client.closed.is_set() or not client.delivered.empty():
            try:
                ptype, payload = await client.next(1)
            except asyncio.TimeoutError:
                continue
            out[ptype] = payload if ptype == 12 else out.get(ptype, b"") + payload
        await client.close()
        return out[1], out[11], out[12]

    return asyncio.run(asyncio.wait_for(scenario(), 60))


def test_the_command_runs_without_a_shell(emulator):
    # The example: echo gets the words; nothing expands and `exit 5` is two more words.
    assert command_session(emulator, "echo real-$((6*7)); exit 5") == (b"real-$((6*7)); exit 5\n", b"", b"EXIT_CODE: 0")


def test_a_shell_builtin_is_not_an_executable(emulator):
    # processCommandsWithExec: the exit code first, then Start's error as StdErr a second later.
    stdout, stderr, exit_code = command_session(emulator, "exit 3")
    assert (stdout, exit_code) == (b"", b"EXIT_CODE: 1")
    assert stderr == b'exec: "exit": executable file not found in $PATH'


def test_a_command_that_does_not_split_is_refused_with_the_agents_message(emulator):
    stdout, stderr, exit_code = command_session(emulator, "echo 'unclosed")
    assert (stdout, exit_code) == (b"", None)
    assert stderr == b"Unable to start command: Failed to parse commands input: EOF found when expecting closing quote\n\n"


def test_the_command_has_no_stdin(emulator):
    # The agent assigns no stdin: input is dropped (but for control bytes), so cat reads nothing.
    stdout, stderr, exit_code = command_session(emulator, "sh -c 'cat; echo status=$?'", send=b"typed input\n")
    assert (stdout, stderr, exit_code) == (b"status=0\n", b"", b"EXIT_CODE: 0")


def test_connect_command_on_a_pipe_gets_the_shell_and_the_exit_status(emulator):
    result = subprocess.run([BINARY, "-c", "connect db-1 --command \"echo real-$((6*7)) 'it'\\''s'; exit 5\""], env=shell_env(emulator, "basic"),
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (5, "real-42 it's\n"), result.stderr


def blocking(number):
    """The child's signal state as a parent may leave it: NUMBER blocked. Its disposition is reset
    first, since a background job of a non-interactive shell (a CI runner's) inherits SIGINT
    ignored, and an ignored signal sent before ssm-shell installs its handler is lost."""
    def set_up():
        signal.signal(number, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_BLOCK, {number})
    return set_up


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM"])
def test_a_signal_the_parent_left_blocked_still_stops_a_script(name):
    """The main thread is the only one that takes signals (the pool's threads block them); a mask
    survives exec, so a parent that left SIGINT or SIGTERM blocked made them do nothing while the
    main thread waited in pause() (Review 2 of wave 8): it waits with an empty mask."""
    number = getattr(signal, name)
    started = subprocess.Popen([BINARY, "-c", "echo started; sleep 30; echo not-interrupted"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, preexec_fn=blocking(number))
    try:
        # Once the script runs, its handlers are installed: the signal is the user's Ctrl-C or kill.
        ready, _, _ = select.select([started.stdout], [], [], 30)
        assert ready and started.stdout.readline() == b"started\n", "the script never started"
        started.send_signal(number)
        status = started.wait(timeout=10)
        assert b"not-interrupted" not in started.stdout.read()
        assert status in ((130,) if number == signal.SIGINT else (128 + number, -number)), "status %r" % status
    finally:
        if started.poll() is None:
            started.kill()
            started.wait()
