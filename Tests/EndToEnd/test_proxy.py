"""`ssm-shell proxy` as ssh's ProxyCommand (issue 6, first part): ssh and scp through
AWS-StartSSHSession to an sshd this test starts on loopback."""
import hashlib
import os
import subprocess
import tempfile
import time

import pytest

from test_shell import BINARY, shell_env

SSHD = "/usr/sbin/sshd"


@pytest.fixture(scope="module")
def sshd():
    if not os.path.exists(SSHD):
        pytest.fail("sshd is missing: scripts/setup installs openssh-server")
    directory = tempfile.mkdtemp(prefix="ssm-sshd-")
    for name in ("host", "client"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", os.path.join(directory, name)], check=True)
    with open(os.path.join(directory, "client.pub")) as f, open(os.path.join(directory, "authorized_keys"), "w") as out:
        out.write(f.read())
    os.chmod(os.path.join(directory, "authorized_keys"), 0o600)
    import socket
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    config = os.path.join(directory, "sshd_config")
    with open(config, "w") as f:
        f.write("Port %d\nListenAddress 127.0.0.1\nHostKey %s/host\nAuthorizedKeysFile %s/authorized_keys\nPidFile %s/sshd.pid\n"
                "UsePAM no\nStrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n"
                "Subsystem sftp /usr/lib/openssh/sftp-server\n"
                % (port, directory, directory, directory))
    os.makedirs("/run/sshd", exist_ok=True)
    process = subprocess.Popen([SSHD, "-D", "-e", "-f", config], stderr=open(os.path.join(directory, "sshd.log"), "w"))
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("sshd did not listen on port %d within 10 s; see %s/sshd.log" % (port, directory))
            time.sleep(0.1)
    yield {"port": port, "key": os.path.join(directory, "client"), "dir": directory}
    process.terminate()
    process.wait(timeout=10)


def ssh_options(sshd, target="web-1"):
    return ["-o", "ProxyCommand=%s proxy %s %d" % (BINARY, target, sshd["port"]), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-i", sshd["key"]]


def test_ssh_through_proxy(emulator, sshd):
    env = shell_env(emulator, "basic")
    user = os.environ.get("USER", "root")
    result = subprocess.run(["ssh", *ssh_options(sshd), "%s@web-1" % user, "echo over-ssm; exit 7"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert (result.returncode, result.stdout) == (7, "over-ssm\n"), result.stderr + open(os.path.join(sshd["dir"], "sshd.log")).read()


def test_scp_of_16_mib_keeps_every_byte(emulator, sshd, tmp_path):
    env = shell_env(emulator, "basic")
    user = os.environ.get("USER", "root")
    source = tmp_path / "blob"
    source.write_bytes(os.urandom(16 << 20))
    target = os.path.join(sshd["dir"], "copied")
    started = time.time()
    result = subprocess.run(["scp", "-q", *ssh_options(sshd), str(source), "%s@web-1:%s" % (user, target)], env=env, capture_output=True,
                            text=True, timeout=180)
    elapsed = time.time() - started
    assert result.returncode == 0, result.stderr
    assert hashlib.sha256(open(target, "rb").read()).hexdigest() == hashlib.sha256(source.read_bytes()).hexdigest()
    print("scp 16 MiB through the proxy: %.1f s" % elapsed)


def test_rsync_through_proxy(emulator, sshd, tmp_path):
    import shutil
    if shutil.which("rsync") is None:
        pytest.fail("rsync is missing: scripts/setup installs it")
    env = shell_env(emulator, "basic")
    user = os.environ.get("USER", "root")
    source = tmp_path / "tree"
    (source / "sub").mkdir(parents=True)
    for i in range(20):
        (source / "sub" / ("f%d" % i)).write_bytes(os.urandom(50_000 + i))
    target = os.path.join(sshd["dir"], "synced")
    ssh = "ssh " + " ".join("'%s'" % o for o in ssh_options(sshd))
    result = subprocess.run(["rsync", "-a", "-e", ssh, str(source) + "/", "%s@web-1:%s/" % (user, target)], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for i in range(20):
        assert open(os.path.join(target, "sub", "f%d" % i), "rb").read() == (source / "sub" / ("f%d" % i)).read_bytes()


def test_the_first_bytes_are_never_lost(emulator):
    """ssh speaks first: its banner goes out before the agent's handshake is over. The agent discards
    stream data during the handshake, so the client must hold it until HandshakeComplete."""
    import socket
    import threading
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(32)
    received = []

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.settimeout(5)
            data = b""
            try:
                while not data.endswith(b"\r\n"):
                    chunk = conn.recv(100)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            received.append(data)
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    env = shell_env(emulator, "basic")
    banner = b"SSH-2.0-OpenSSH_9.2p1 test\r\n"
    for _ in range(20):
        subprocess.run([BINARY, "proxy", "web-1", str(server.getsockname()[1])], input=banner, env=env, capture_output=True, timeout=30)
    # The agent acks the last banner once it is written to the socket: the server thread may not have read it yet.
    deadline = time.time() + 10
    while len(received) < 20 and time.time() < deadline:
        time.sleep(0.05)
    server.close()
    assert received == [banner] * 20


def test_input_waits_for_a_slow_handshake(emulator):
    """An agent that takes longer than 5 s to complete its handshake (its own KMS Decrypt, a loaded
    node) discards stream data until HandshakeComplete (spec 6.1, step 4). The client's fallback for
    agents that never handshake must not release ssh's banner into a handshake that has begun."""
    import socket
    import threading
    emulator.faults(handshake_delay=6)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(30)
    received = []

    def serve():
        data = b""
        try:
            conn, _ = server.accept()
            conn.settimeout(10)
            while not data.endswith(b"\r\n"):
                chunk = conn.recv(100)
                if not chunk:
                    break
                data += chunk
            conn.close()
        except OSError:
            pass
        received.append(data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    banner = b"SSH-2.0-OpenSSH_9.2p1 test\r\n"
    result = subprocess.run([BINARY, "proxy", "web-1", str(server.getsockname()[1])], input=banner, env=shell_env(emulator, "basic"),
                            capture_output=True, timeout=60)
    thread.join(30)
    server.close()
    assert received == [banner], "status %d, stderr %r" % (result.returncode, result.stderr[-500:])
