"""`put` and `get` (issue 13) against the emulator, through sessions only: a 64 MiB random file
and a directory tree each way through a terminal (sha256 equal, modes kept, the rate printed),
20 nodes at once each intact, --force, and an interrupted copy that leaves no file under its
final name. The guide's basic identity (sessions only: no S3, no SendCommand) does it all."""
import hashlib
import json
import os
import re
import signal
import stat
import subprocess
import tempfile
import time
import uuid

import pexpect
import pytest

from conftest import start_emulator, wait_until
from test_shell import BINARY, shell_env, ssm_shell

MIB = 1 << 20


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(MIB), b""):
            digest.update(block)
    return digest.hexdigest()


def random_file(path, size, mode=0o640):
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 4 * MIB)
            f.write(os.urandom(n))
            left -= n
    os.chmod(path, mode)


def node_workdir(env, node):
    """Where a node's sessions start (relative remote paths land there): the emulator gives each
    node a directory of its own on this machine."""
    result = subprocess.run([BINARY, "-c", "connect %s --command pwd" % node], env=env, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def through_terminal(command, env, cwd, timeout=900):
    """Runs ssm-shell -c COMMAND on a pty; returns (status, everything it printed, seconds)."""
    started = time.monotonic()
    child = pexpect.spawn(BINARY, ["-c", command], env=env, cwd=cwd, encoding="utf-8", timeout=timeout, dimensions=(24, 120))
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, child.before, time.monotonic() - started


def test_a_64_mib_random_file_each_way_through_a_terminal(emulator):
    env = shell_env(emulator, "basic")
    local = tempfile.mkdtemp()
    random_file(os.path.join(local, "big.bin"), 64 * MIB, 0o640)
    expected = sha256_of(os.path.join(local, "big.bin"))
    status, printed, seconds = through_terminal("put big.bin web-2:big-copy.bin", env, local)
    assert status == 0, printed
    assert re.search(r"web-2 +big\.bin +\[[=> ]+\] +\d+\.\d/64\.0 MiB +\d+\.\d MB/s", printed), "a progress bar on a terminal"
    assert "web-2 (i-0a1b2c3d4e5f60002): 1 file, 67108864 bytes in" in printed
    print("\nput 64 MiB: %.1f s, %.1f MB/s" % (seconds, 64 * MIB / seconds / 1e6))
    remote = os.path.join(node_workdir(env, "web-2"), "big-copy.bin")
    assert sha256_of(remote) == expected
    assert stat.S_IMODE(os.stat(remote).st_mode) == 0o640
    status, printed, seconds = through_terminal("get web-2:big-copy.bin back.bin", env, local)
    assert status == 0, printed
    print("get 64 MiB: %.1f s, %.1f MB/s" % (seconds, 64 * MIB / seconds / 1e6))
    assert sha256_of(os.path.join(local, "back.bin")) == expected
    assert stat.S_IMODE(os.stat(os.path.join(local, "back.bin")).st_mode) == 0o640
    assert not [name for name in os.listdir(local) if "ssm-shell-part" in name]


def make_tree(root):
    os.makedirs(os.path.join(root, "sub", "deeper"))
    os.makedirs(os.path.join(root, "empty"))
    files = {
        "a.txt": (b"alpha\n", 0o600),
        ".hidden": (b"dot\n", 0o644),
        "sub/b c.bin": (b"\xef\xbf\xbd\x00\x00\xff\r\n\x04\x03\x1b" * 1000, 0o755),
        "sub/deeper/it's.txt": ("ünïcode\n".encode(), 0o640),
        "sub/deeper/zero": (b"", 0o400),
    }
    for name, (data, mode) in files.items():
        with open(os.path.join(root, name), "wb") as f:
            f.write(data)
        os.chmod(os.path.join(root, name), mode)
    os.chmod(os.path.join(root, "sub"), 0o750)
    os.symlink("a.txt", os.path.join(root, "link"))
    return files


def tree_of(root):
    """Every file and directory under root: relative path -> (mode, sha256 or None)."""
    found = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(directory, name)
            if os.path.islink(path):
                continue
            rel = os.path.relpath(path, root)
            found[rel] = (stat.S_IMODE(os.stat(path).st_mode), None if os.path.isdir(path) else sha256_of(path))
    return found


def test_a_directory_tree_each_way_keeps_names_bytes_and_modes(emulator):
    env = shell_env(emulator, "basic")
    local = tempfile.mkdtemp()
    make_tree(os.path.join(local, "tree"))
    sent = tree_of(os.path.join(local, "tree"))
    status, printed, _ = through_terminal("put tree web-1:tree-copy", env, local)
    assert status == 0, printed
    assert "tree/link (a symbolic link) is left out" in printed
    remote = os.path.join(node_workdir(env, "web-1"), "tree-copy")
    assert tree_of(remote) == sent
    status, printed, _ = through_terminal("get web-1:tree-copy back", env, local)
    assert status == 0, printed
    assert tree_of(os.path.join(local, "back")) == sent
    # Into an existing directory, under the source's own name (as cp does).
    os.makedirs(os.path.join(local, "into"))
    result = ssm_shell("-c", "get web-1:tree-copy into", env=env, cwd=local)
    assert result.returncode == 0, result.stderr
    assert tree_of(os.path.join(local, "into", "tree-copy")) == sent
    assert "\x1b[" not in result.stderr, "no progress bar on a pipe"


def test_force_is_needed_to_replace_a_file_on_either_end(emulator):
    env = shell_env(emulator, "basic")
    local = tempfile.mkdtemp()
    with open(os.path.join(local, "f.txt"), "w") as f:
        f.write("first\n")
    assert ssm_shell("-c", "put f.txt web-3:f.txt", env=env, cwd=local).returncode == 0
    with open(os.path.join(local, "f.txt"), "w") as f:
        f.write("second\n")
    refused = ssm_shell("-c", "put f.txt web-3:f.txt", env=env, cwd=local)
    assert refused.returncode == 3
    assert "f.txt exists on the node; --force replaces it" in refused.stderr
    assert "put failed on 1 of 1 node: web-3" in refused.stderr
    remote = os.path.join(node_workdir(env, "web-3"), "f.txt")
    assert open(remote).read() == "first\n"
    assert ssm_shell("-c", "put --force f.txt web-3:f.txt", env=env, cwd=local).returncode == 0
    assert open(remote).read() == "second\n"
    with open(os.path.join(local, "g.txt"), "w") as f:
        f.write("local\n")
    refused = ssm_shell("-c", "get web-3:f.txt g.txt", env=env, cwd=local)
    assert refused.returncode == 3 and "g.txt exists; --force replaces it" in refused.stderr
    assert open(os.path.join(local, "g.txt")).read() == "local\n"
    assert ssm_shell("-c", "get --force web-3:f.txt g.txt", env=env, cwd=local).returncode == 0
    assert open(os.path.join(local, "g.txt")).read() == "second\n"
    missing = ssm_shell("-c", "get web-3:no-such-file x", env=env, cwd=local)
    assert missing.returncode == 3 and "no-such-file: no such file or directory on the node" in missing.stderr


def kill_during_transfer(command, env, cwd):
    """Starts a copy on a pty, and kills the client (SIGKILL: no clean-up of its own) once the
    progress bar shows bytes moving."""
    child = pexpect.spawn(BINARY, ["-c", command], env=env, cwd=cwd, encoding="utf-8", timeout=300, dimensions=(24, 120))
    child.expect(r" [1-9]\d*\.\d/\d+\.\d MiB")
    child.kill(signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()


def test_an_interrupted_copy_leaves_nothing_under_the_final_name(emulator):
    env = shell_env(emulator, "basic")
    local = tempfile.mkdtemp()
    random_file(os.path.join(local, "big.bin"), 16 * MIB)
    workdir = node_workdir(env, "db-1")
    kill_during_transfer("put big.bin db-1:killed.bin", env, local)
    assert not os.path.exists(os.path.join(workdir, "killed.bin"))
    assert ssm_shell("-c", "put big.bin db-1:whole.bin", env=env, cwd=local).returncode == 0
    kill_during_transfer("get db-1:whole.bin killed-back.bin", env, local)
    assert not os.path.exists(os.path.join(local, "killed-back.bin"))


def interrupt_during_transfer(command, env, cwd):
    """Starts a copy on a pty, under an sh that prints the terminal's mode before and after it,
    and types Ctrl-C once the progress bar shows bytes moving; returns (status, mode before,
    mode after). The sh traps SIGINT (a trap, unlike an ignored signal, is not inherited), so
    it lives on to report."""
    script = 'trap : INT; stty -g; "$0" -c "$1"; echo "status=$?"; stty -g'
    child = pexpect.spawn("/bin/sh", ["-c", script, BINARY, command], env=env, cwd=cwd, encoding="utf-8", timeout=300,
                          dimensions=(24, 120))
    child.expect(r"(\S+:\S+)\r\n")
    before = child.match.group(1)
    child.expect(r" [1-9]\d*\.\d/\d+\.\d MiB")
    child.sendintr()
    child.expect(r"status=(\d+)\r\n")
    status = int(child.match.group(1))
    child.expect(r"(\S+:\S+)\r\n")
    after = child.match.group(1)
    child.expect(pexpect.EOF)
    child.close()
    return status, before, after


def leftovers(directory):
    return [name for name in os.listdir(directory) if "ssm-shell-part" in name]


def test_ctrl_c_stops_a_copy_with_status_130_and_leaves_nothing_behind(emulator):
    """Ctrl-C during put and during get: status 130, the terminal as it was, no file under the
    final name on either end, the local temporary removed at once and the node's once its
    session ends."""
    env = shell_env(emulator, "basic")
    local = tempfile.mkdtemp()
    random_file(os.path.join(local, "big.bin"), 32 * MIB)
    workdir = node_workdir(env, "web-3")
    status, before, after = interrupt_during_transfer("put big.bin web-3:stopped.bin", env, local)
    assert (status, after) == (130, before)
    assert not os.path.exists(os.path.join(workdir, "stopped.bin"))
    wait_until(lambda: not leftovers(workdir), 30, "the node's temporary file removed")
    assert ssm_shell("-c", "put big.bin web-3:whole.bin", env=env, cwd=local).returncode == 0
    status, before, after = interrupt_during_transfer("get web-3:whole.bin stopped-back.bin", env, local)
    assert (status, after) == (130, before)
    assert not os.path.exists(os.path.join(local, "stopped-back.bin"))
    assert not leftovers(local)
    wait_until(lambda: not leftovers(workdir), 30, "no temporary file on the node")


@pytest.fixture(scope="module")
def twenty_nodes():
    extra = os.path.join(tempfile.mkdtemp(), "nodes.json")
    nodes = [{"id": "i-0b0000000000000%02d" % n, "tags": {"Name": "bulk-%d" % n, "Role": "bulk"}, "platform": "Linux",
              "platform_name": "Amazon Linux", "platform_version": "2023", "agent_version": "3.3.1142.0", "ping_status": "Online",
              "ip": "10.0.9.%d" % n, "computer_name": "bulk-%d" % n, "resource_type": "EC2Instance"} for n in range(1, 21)]
    with open(extra, "w") as f:
        json.dump(nodes, f)
    started = start_emulator("--extra-nodes", extra)
    yield started
    started.process.send_signal(signal.SIGTERM)
    started.process.wait(timeout=15)


def test_twenty_nodes_at_once_each_get_the_file_intact(twenty_nodes):
    env = shell_env(twenty_nodes, "basic")
    local = tempfile.mkdtemp()
    random_file(os.path.join(local, "payload.bin"), MIB // 2)
    expected = sha256_of(os.path.join(local, "payload.bin"))
    result = ssm_shell("-c", "use tag:Role=bulk; put payload.bin payload.bin", env=env, cwd=local, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": 1 file, 524288 bytes in") == 20, result.stdout
    # Back from all twenty into LOCAL/INSTANCE-ID/.
    result = ssm_shell("-c", "use tag:Role=bulk; get payload.bin back", env=env, cwd=local, timeout=600)
    assert result.returncode == 0, result.stderr
    back = os.path.join(local, "back")
    assert sorted(os.listdir(back)) == ["i-0b0000000000000%02d" % n for n in range(1, 21)]
    for node in os.listdir(back):
        assert sha256_of(os.path.join(back, node, "payload.bin")) == expected, node
    # A node that fails is named, and the status says so: bulk-7 has the file already.
    with open(os.path.join(local, "small.txt"), "w") as f:
        f.write("small\n")
    assert ssm_shell("-c", "put small.txt bulk-7:small.txt", env=env, cwd=local).returncode == 0
    result = ssm_shell("-c", "use tag:Role=bulk; put small.txt small.txt", env=env, cwd=local, timeout=600)
    assert result.returncode == 3
    assert result.stdout.count(": 1 file, 6 bytes in") == 19
    # Nodes found by tag are shown by their computer name's first label (docs/language.md, Names).
    assert "put failed on 1 of 20 nodes: bulk-7" in result.stderr
    assert "bulk-7 (i-0b000000000000007): put failed: small.txt exists on the node; --force replaces it" in result.stderr


def test_put_works_where_sh_is_bash_and_where_it_is_dash(emulator):
    """bash (/bin/sh on Amazon Linux) reads a terminal up to 4 KiB at a time: a receiver that used
    `read` for a record's line swallowed the file bytes after it and put hung. web-1 is Amazon
    Linux (bash as sh), db-1 Ubuntu (dash)."""
    env = shell_env(emulator, "basic")
    local = tempfile.mkdtemp()
    shells = ssm_shell("-c", "connect web-1 --document AWS-StartInteractiveCommand --command 'echo \"bash=${BASH_VERSION:+yes}\"'", env=env, cwd=local)
    assert "bash=yes" in shells.stdout, shells.stdout + shells.stderr
    os.makedirs(os.path.join(local, "many"))
    for n in range(4):
        random_file(os.path.join(local, "many", "f%d.bin" % n), 10000 + n)
    sent = tree_of(os.path.join(local, "many"))
    for node in ("web-1", "db-1"):
        result = ssm_shell("-c", "put many %s:many-%s" % (node, node), env=env, cwd=local, timeout=300)
        assert result.returncode == 0, result.stderr
        assert tree_of(os.path.join(node_workdir(env, node), "many-" + node)) == sent


def test_put_sets_modes_only_on_what_it_made_and_never_setuid(emulator):
    """`put . web-1:/tmp/` chmodded /tmp, and setuid bits went along."""
    env = shell_env(emulator, "basic")
    local = tempfile.mkdtemp()
    os.makedirs(os.path.join(local, "t", "sub"))
    with open(os.path.join(local, "t", "s"), "w") as f:
        f.write("#!/bin/sh\n")
    os.chmod(os.path.join(local, "t", "s"), 0o4755)
    os.chmod(os.path.join(local, "t", "sub"), 0o2755)
    workdir = node_workdir(env, "web-1")
    for name, mode in (("existing", 0o711), ("existing-dot", 0o701)):
        os.makedirs(os.path.join(workdir, name))
        os.chmod(os.path.join(workdir, name), mode)
    result = ssm_shell("-c", "put t web-1:existing/", env=env, cwd=local)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(os.stat(os.path.join(workdir, "existing")).st_mode) == 0o711
    assert stat.S_IMODE(os.stat(os.path.join(workdir, "existing", "t", "s")).st_mode) == 0o755
    assert stat.S_IMODE(os.stat(os.path.join(workdir, "existing", "t", "sub")).st_mode) == 0o755
    result = ssm_shell("-c", "put . web-1:existing-dot/", env=env, cwd=os.path.join(local, "t"))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(os.stat(os.path.join(workdir, "existing-dot")).st_mode) == 0o701
    assert os.path.exists(os.path.join(workdir, "existing-dot", "s"))
    assert not [n for n in os.listdir(os.path.join(workdir, "existing-dot")) if "ssm-shell-part" in n]


def test_a_tilde_is_the_nodes_home_both_ways(emulator):
    env = shell_env(emulator, "basic")
    local = tempfile.mkdtemp()
    with open(os.path.join(local, "t.txt"), "w") as f:
        f.write("tilde\n")
    result = ssm_shell("-c", "put t.txt web-3:~/tilde.txt", env=env, cwd=local)
    assert result.returncode == 0, result.stderr
    assert open(os.path.join(node_workdir(env, "web-3"), "tilde.txt")).read() == "tilde\n"
    result = ssm_shell("-c", "get web-3:~/tilde.txt back.txt", env=env, cwd=local)
    assert result.returncode == 0, result.stderr
    assert open(os.path.join(local, "back.txt")).read() == "tilde\n"


# A node whose tag key holds colons, as CloudFormation's are (aws:cloudformation:stack-name).
STACK_NODE = {"id": "i-0c0000000000000c1", "tags": {"Name": "stack-1", "aws:cloudformation:stack-name": "web-stack"},
              "platform": "Linux", "platform_name": "Amazon Linux", "platform_version": "2023", "agent_version": "3.3.1142.0",
              "ping_status": "Online", "ip": "10.0.1.91", "computer_name": "stack-1.ec2.internal", "resource_type": "EC2Instance",
              "iam_role": "ssm-instance-role", "vpc_id": "vpc-0healthy00000001", "iam_instance_profile": "ssm-instance-profile"}


@pytest.fixture(scope="module")
def stacked():
    """The demo emulator with STACK_NODE added (--extra-nodes)."""
    extra = os.path.join(tempfile.mkdtemp(prefix="ssm-stack-"), "stack.json")
    with open(extra, "w") as f:
        json.dump([STACK_NODE], f)
    started = start_emulator("--extra-nodes", extra)
    yield started
    started.stop()


def test_a_tag_key_with_colons_names_its_nodes_and_an_ambiguous_word_is_refused(stacked):
    """The target ended at the key's first colon: tag:aws, with the path
    cloudformation:stack-name=web-stack:/..., and no error."""
    env = shell_env(stacked, "basic")
    here = tempfile.mkdtemp(prefix="ssm-stack-get-")
    source = os.path.join(here, "sent.txt")
    with open(source, "w") as f:
        f.write("to the stack\n")
    word = "tag:aws:cloudformation:stack-name=web-stack"
    remote = "~/stack-%s.txt" % uuid.uuid4().hex  # the node's home; a name of this run's own
    put = ssm_shell("-c", "put %s %s:%s" % (source, word, remote), env=env, cwd=here)
    assert put.returncode == 0, put.stdout + put.stderr
    assert "stack-1" in put.stdout or STACK_NODE["id"] in put.stdout, put.stdout
    got = ssm_shell("-c", "get %s:%s back.txt" % (word, remote), env=env, cwd=here)
    assert got.returncode == 0, got.stdout + got.stderr
    with open(os.path.join(here, "back.txt")) as f:
        assert f.read() == "to the stack\n"
    # A relative path after it reads two ways (a key-only tag:aws is another): refused, nothing started.
    refused = ssm_shell("-c", "get %s:stack-sent.txt again.txt" % word, env=env, cwd=here)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "can be read more than one way" in refused.stderr and "start the path after the target with / or ~" in refused.stderr
    assert not os.path.exists(os.path.join(here, "again.txt"))
