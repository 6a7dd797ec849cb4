"""Acks go out before anything that may block the session loop (the agent resends what is not
acked, once per RTO): a standard output nobody reads (`connect web-1 | less`, paused) and the KMS
call of the handshake (which may even ask an MFA question)."""
import fcntl
import socket
import subprocess
import threading

from conftest import wait_until
from test_flow_control import connected_session
from test_shell import BINARY, shell_env

WEB1 = "i-0a1b2c3d4e5f60001"
F_SETPIPE_SZ = 1031   # fcntl.h (Linux)
FIONREAD = 0x541B     # asm-generic/ioctls.h


def unacked(emulator):
    _, facts = connected_session(emulator, WEB1)
    return None if facts is None else facts["unacked"]


def pipe_fill(fd):
    return int.from_bytes(fcntl.ioctl(fd, FIONREAD, b"\0\0\0\0"), "little")


def test_an_output_message_is_acked_while_its_write_to_stdout_blocks(emulator):
    # One 60,000-byte message (one write by dd, read whole by the agent), then nothing for 10 s.
    emulator.faults(oversize=65536)
    shell = subprocess.Popen([BINARY, "-c", "connect web-1 --command 'dd if=/dev/zero bs=60000 count=1 2>/dev/null; sleep 10'"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=shell_env(emulator, "admin"))
    try:
        fcntl.fcntl(shell.stdout.fileno(), F_SETPIPE_SZ, 4096)
        # The pipe is full: the client is inside its write of the message, which cannot finish.
        wait_until(lambda: pipe_fill(shell.stdout.fileno()) >= 4096, 30, "the output never filled the pipe")
        wait_until(lambda: unacked(emulator) == 0, 10, "the message whose write blocks was never acked (the ack waits behind the write)")
        out = shell.stdout.read()
        assert shell.wait(timeout=30) == 0, shell.stderr.read().decode()
        assert out == b"\0" * 60000
    finally:
        if shell.poll() is None:
            shell.kill()
            shell.wait()


class HeldRelay:
    """A TCP relay to the emulator that holds each request until `release`: a KMS that takes its time."""

    def __init__(self, endpoint):
        host_port = endpoint.split("://", 1)[1].rstrip("/")
        self.upstream = (host_port.rsplit(":", 1)[0], int(host_port.rsplit(":", 1)[1]))
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.url = "http://127.0.0.1:%d" % self.server.getsockname()[1]
        self.arrived = threading.Event()
        self.released = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def release(self):
        self.released.set()

    def _serve(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client):
        first = client.recv(1 << 16)
        self.arrived.set()
        self.released.wait(60)
        upstream = socket.create_connection(self.upstream)
        upstream.sendall(first)
        threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()
        self._pump(client, upstream)

    @staticmethod
    def _pump(source, sink):
        try:
            while True:
                data = source.recv(1 << 16)
                if not data:
                    break
                sink.sendall(data)
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self):
        self.server.close()


def test_the_handshake_request_is_acked_before_the_kms_call(emulator):
    assert emulator.endpoint.startswith("http://"), "the relay passes plain HTTP"
    emulator.faults(kms_key_id="alias/session-key")
    relay = HeldRelay(emulator.endpoint)
    env = shell_env(emulator, "admin", AWS_ENDPOINT_URL_KMS=relay.url)
    shell = subprocess.Popen([BINARY, "-c", "connect web-1 --command 'echo sealed'"], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        assert relay.arrived.wait(30), "GenerateDataKey never came"
        # The handshake request is the only message the agent has sent: acked, it is not resent.
        wait_until(lambda: unacked(emulator) == 0, 10, "the handshake request was not acked while KMS was asked")
        relay.release()
        out, err = shell.communicate(timeout=30)
        assert (shell.returncode, out) == (0, b"sealed\n"), err.decode()
    finally:
        relay.release()
        relay.close()
        if shell.poll() is None:
            shell.kill()
            shell.wait()
