"""Security hardening (issue 11, items 11, 14, 15) end to end: what a file in the current directory,
a Name tag or a child process may and may not reach."""
import json
import os
import socket
import subprocess
import tempfile

import pexpect
import pytest

from conftest import start_emulator
from test_shell import BINARY, shell_env


@pytest.mark.parametrize("word", ["proxy", "policy", "doctor", "console"])
def test_a_file_named_like_a_command_is_never_run_in_its_place(emulator, word):
    # ssh runs ProxyCommand in whatever directory the user is in: a `proxy` file there is data.
    cwd = tempfile.mkdtemp()
    with open(os.path.join(cwd, word), "w") as f:
        f.write("! touch marker\n")
    subprocess.run([BINARY, word], env=shell_env(emulator), cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    assert not os.path.exists(os.path.join(cwd, "marker")), "ssm-shell %s ran ./%s" % (word, word)
    # The script of that name runs when asked for by path.
    script = subprocess.run([BINARY, "./" + word], env=shell_env(emulator), cwd=cwd, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=60)
    assert script.returncode == 0, script.stderr
    assert os.path.exists(os.path.join(cwd, "marker"))


def test_a_child_of_bang_inherits_no_socket_or_pipe_during_a_forward(emulator):
    # Every socket and pipe ssm-shell opens is close-on-exec: a `!` child gets only 0, 1 and 2.
    port_server = socket.socket()
    port_server.bind(("127.0.0.1", 0))
    port_server.listen()
    port = port_server.getsockname()[1]
    result = subprocess.run([BINARY, "-c", "forward web-1 0:%d; ! ls -l /proc/self/fd" % port], env=shell_env(emulator, "basic"),
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    port_server.close()
    assert result.returncode == 0, result.stderr
    inherited = {}
    for line in result.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[-2] == "->" and fields[-3].isdigit() and int(fields[-3]) > 2:
            inherited[int(fields[-3])] = fields[-1]
    assert inherited, "ls lists at least the directory it reads: %r" % result.stdout
    leaked = {fd: target for fd, target in inherited.items() if target.startswith(("socket:", "pipe:", "anon_inode:"))}
    assert not leaked, "the ! child inherited %r" % leaked


def test_a_line_typed_with_a_leading_space_is_not_kept_in_history(emulator):
    env = shell_env(emulator, "admin")
    env["TERM"] = "xterm"
    child = pexpect.spawn(BINARY, env=env, encoding="utf-8", timeout=20, dimensions=(40, 160))
    child.expect("> ")
    child.sendline(" echo not-kept-$((1))")
    child.expect("> ")
    child.sendline("echo kept")
    child.expect("kept")
    child.expect("> ")
    child.sendeof()
    child.expect(pexpect.EOF)
    history = os.path.join(env["XDG_STATE_HOME"], "ssm-shell", "history")
    assert open(history).read().splitlines() == ["echo kept"]


def node(n, name):
    return {"id": "i-%017x" % (0x300000 + n), "tags": {"Name": name}, "platform": "Linux", "platform_name": "Amazon Linux",
            "platform_version": "2023", "agent_version": "3.3.1142.0", "ping_status": "Online", "ip": "10.2.0.%d" % (n + 1),
            "computer_name": "node-%d" % n, "resource_type": "EC2Instance"}


@pytest.fixture
def tagged_fleet():
    """An emulator whose Name tags are hostile: a path that climbs out, and one name on two nodes."""
    fleet = os.path.join(tempfile.mkdtemp(), "fleet.json")
    json.dump({"region": "us-east-1", "nodes": [node(0, "../evil"), node(1, "twin"), node(2, "twin"), node(3, "/etc/evil")]},
              open(fleet, "w"))
    started = start_emulator("--fleet", fleet)
    yield started
    started.process.terminate()
    started.process.wait(timeout=10)


def test_output_save_names_files_so_no_tag_escapes_the_directory_or_overwrites(tagged_fleet):
    work = tempfile.mkdtemp()
    os.mkdir(os.path.join(work, "out"))
    ids = ["i-%017x" % (0x300000 + n) for n in range(4)]
    result = subprocess.run([BINARY, "-c", "instances; use %s; run echo from $AWS_SSM_INSTANCE_ID; wait; output --save out" % " ".join(ids)],
                            env=shell_env(tagged_fleet, "admin"), cwd=work, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(work)) == ["out"], "a Name tag wrote outside the directory: %r" % os.listdir(work)
    saved = sorted(os.listdir(os.path.join(work, "out")))
    assert len(saved) == 8, saved
    outputs = sorted(open(os.path.join(work, "out", f)).read() for f in saved if f.endswith(".stdout"))
    assert outputs == ["from %s\n" % i for i in ids], "each node keeps its own output"
    for instance in ids:
        assert any(instance in f for f in saved), "the file names carry the instance id: %r" % saved


def test_endpoint_url_reaches_only_the_commands_own_service(emulator):
    # As in the AWS CLI: the assumed role's STS call keeps its own endpoint (here one that refuses),
    # so it never goes to the host given with --endpoint-url.
    home = emulator.role_profile_home("e2e-scope")
    admin = emulator.identity("admin")
    env = {"PATH": os.environ["PATH"], "HOME": home, "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:1",
           "AWS_MAX_ATTEMPTS": "1"}
    role = subprocess.run([BINARY, "--profile", "operator", "--endpoint-url", emulator.endpoint, "api", "ssm", "DescribeInstanceInformation"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert role.returncode != 0 and "127.0.0.1:1" in role.stderr, role.stdout + role.stderr
    # With `api sts` the flag is for STS itself.
    env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = admin["access_key_id"], admin["secret_access_key"]
    me = subprocess.run([BINARY, "--endpoint-url", emulator.endpoint, "api", "sts", "GetCallerIdentity"], env=env, capture_output=True,
                        text=True, timeout=60)
    assert me.returncode == 0, me.stderr
