"""Whom sessions run as, decided as the agent decides it (issue 18 item 5; agent/session/shell
shell_unix.go, agent/session/utility): run-as disabled, the session user is ssm-user (created on
first use); run-as enabled, the named user must exist and must not be uid 0 ("invalid uid and
gid"). Modelled per node unless the emulator is started with --host-users."""
import asyncio
import os
import pwd

import pytest

from conftest import start_emulator
from dcclient import DataChannelClient
from test_shell import shell_env, ssm_shell


ERROR = "\n----------ERROR-------\n"   # iohandler's separator before a failed plugin's errors


def host_has(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def shell_session(emulator, target="i-0a1b2c3d4e5f60001", **start):
    """(the session's facts once its prompt came or it closed, the ChannelClosed Output or None)."""
    async def scenario():
        response = emulator.client("ssm").start_session(Target=target, **start)
        client = DataChannelClient(response["StreamUrl"], response["TokenValue"])
        await client.connect()
        prompt = asyncio.get_running_loop().create_task(client.read_until(lambda d: b"$ " in d, timeout=30))
        closed = asyncio.get_running_loop().create_task(client.closed.wait())
        await asyncio.wait([prompt, closed], timeout=30, return_when=asyncio.FIRST_COMPLETED)
        facts = emulator.control("state")["sessions"][response["SessionId"]]
        if not closed.done():
            await client.send(1, b"exit\r")
            await asyncio.wait_for(client.closed.wait(), 20)
        prompt.cancel()
        await client.close()
        return facts, (client.closed_payload or {}).get("Output")

    return asyncio.run(asyncio.wait_for(scenario(), 60))


def command_stderr(emulator, command):
    async def scenario():
        response = emulator.client("ssm").start_session(Target="i-0a1b2c3d4e5f60002", DocumentName="AWS-StartNonInteractiveCommand",
                                                        Parameters={"command": [command], "separateOutputStream": ["true"]})
        # Signed as this emulator's admin: one started by the test itself has no session fixture to set
        # the client's default credentials.
        admin = emulator.identity("admin")
        client = DataChannelClient(response["StreamUrl"], response["TokenValue"],
                                   credentials=(admin["access_key_id"], admin["secret_access_key"], emulator.region))
        await client.connect()
        await client.handshake()
        out = {1: b"", 11: b""}
        while not client.closed.is_set() or not client.delivered.empty():
            try:
                ptype, payload = await client.next(1)
            except asyncio.TimeoutError:
                continue
            out[ptype] = out.get(ptype, b"") + payload
        await client.close()
        return out[1], out[11], (client.closed_payload or {}).get("Output")

    return asyncio.run(asyncio.wait_for(scenario(), 60))


def test_with_run_as_disabled_sessions_run_as_ssm_user_and_the_host_is_untouched(emulator):
    before = host_has("ssm-user")
    facts, closed = shell_session(emulator)
    assert facts["run_as"] == "ssm-user"
    assert host_has("ssm-user") == before, "the host's users are changed only with --host-users"


def test_run_as_root_is_refused_with_the_agents_message(emulator):
    emulator.faults(run_as_enabled=True, run_as_default_user="root")
    facts, closed = shell_session(emulator)
    # The plugin failed: the agent's Output is its error after iohandler's separator, as amazon-ssm-agent
    # 3.3.1142.0 sent it in agent_task_complete (seen under with-agent), and the service passes it on.
    assert closed == ERROR + "Unable to start command: invalid uid and gid\n"
    assert facts["run_as"] is None


def test_a_command_session_as_root_gets_the_message_as_stderr(emulator):
    emulator.faults(run_as_enabled=True, run_as_default_user="root")
    assert command_stderr(emulator, "echo never") == (b"", b"Unable to start command: invalid uid and gid\n", ERROR + "Unable to start command: invalid uid and gid\n")


@pytest.mark.parametrize("user,message", [("nobody-here", "failed to start pty since RunAs user nobody-here does not exist"),
                                          (" ", "please set the RunAs default user")])
def test_run_as_a_user_that_is_not_there(emulator, user, message):
    emulator.faults(run_as_enabled=True, run_as_default_user=user)
    _, closed = shell_session(emulator)
    assert closed == ERROR + "Unable to start command: %s\n" % message


@pytest.mark.parametrize("command", [[], ["--command", "echo never"]])
def test_connect_fails_when_the_agent_refuses_the_session(emulator, command):
    """connect exited 0 with the agent's refusal printed as a closing note; then 1, which a
    remote command gives too: 255 as ssh's for a session the server refused."""
    emulator.faults(run_as_enabled=True, run_as_default_user="nobody-here")
    result = ssm_shell("-c", " ".join(["connect", "web-1"] + ["'%s'" % word for word in command]),
                       env=shell_env(emulator), stdin="")
    assert result.returncode == 255, result.stdout + result.stderr
    assert "failed to start pty since RunAs user nobody-here does not exist" in result.stderr, result.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="--host-users runs sessions as other users: the emulator must run as root")
def test_host_users_run_the_process_as_the_user():
    started = start_emulator("--host-users")
    try:
        started.faults(run_as_enabled=True, run_as_default_user="nobody")
        stdout, stderr, _ = command_stderr(started, "id -un")
        assert (stdout, stderr) == (b"nobody\n", b"")
        started.faults(run_as_default_user="root")
        assert command_stderr(started, "id -un")[:2] == (b"", b"Unable to start command: invalid uid and gid\n")
    finally:
        started.process.terminate()
        started.process.wait(timeout=10)
