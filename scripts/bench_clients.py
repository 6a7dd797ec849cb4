"""The two clients scripts/bench_plugin.py puts side by side, driven the same way: ssm-shell
(`forward`, `connect`) and AWS's session-manager-plugin started by `aws ssm start-session`, as users
run it. Each gives the process whose CPU and memory are the client's: ssm-shell itself; for the
plugin the session-manager-plugin process, not the AWS CLI that started it and waits for it."""
import os
import re
import select
import signal
import subprocess
import tempfile
import time


class Forward:
    """An open port forward: the local port it listens on, the client process to measure, its stop."""

    def __init__(self, processes, measured_pid, local_port):
        self.processes = processes      # every process to stop, the outermost first
        self.measured_pid = measured_pid
        self.local_port = local_port

    def stop(self):
        # SIGINT, as Ctrl-C: ssm-shell and the plugin both end the session (TerminateSession) and exit;
        # the AWS CLI ignores SIGINT while its plugin runs and exits when the plugin does.
        for process in reversed(self.processes):
            if isinstance(process, int):
                try:
                    os.kill(process, signal.SIGINT)
                except ProcessLookupError:
                    pass
        outer = self.processes[0]
        try:
            outer.wait(timeout=15)
        except subprocess.TimeoutExpired:
            for process in self.processes[1:]:
                try:
                    os.kill(process, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            outer.kill()
            outer.wait()


class SsmShellClient:
    name = "ssm-shell"

    def __init__(self, binary, node_name):
        self.binary = binary
        self.node_name = node_name

    def open_forward(self, env, destination_port, deadline_s):
        process = subprocess.Popen([self.binary, "-c", "forward %s 0:%d --foreground" % (self.node_name, destination_port)], env=env,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            port = read_port(process.stderr.fileno(), r"127\.0\.0\.1:(\d+)\D", deadline_s)
        except RuntimeError:
            process.kill()
            process.wait()
            raise
        return Forward([process, process.pid], process.pid, port)

    def shell_argv(self):
        return self.binary, ["-c", "connect %s" % self.node_name]

    def shell_pid(self, child):
        return child.pid


class PluginClient:
    name = "session-manager-plugin"

    def __init__(self, aws, plugin, node_id, endpoint):
        self.aws = aws
        self.plugin = plugin
        self.node_id = node_id
        self.endpoint = endpoint
        # The AWS CLI runs the first `session-manager-plugin` on PATH (awscli/customizations/sessionmanager.py):
        # a directory of our own holding only that name, linked to the file given, makes it run that file.
        self.path_dir = tempfile.mkdtemp(prefix="ssm-bench-plugin-")
        os.symlink(os.path.abspath(plugin), os.path.join(self.path_dir, "session-manager-plugin"))

    def environment(self, env):
        env = dict(env)
        env["PATH"] = self.path_dir + os.pathsep + env.get("PATH", "")
        return env

    def start_session_argv(self, *extra):
        # AWS CLI v1 takes the endpoint from --endpoint-url only; it hands it on to the plugin.
        return [self.aws, "--endpoint-url", self.endpoint, "ssm", "start-session", "--target", self.node_id, *extra]

    def open_forward(self, env, destination_port, deadline_s):
        argv = self.start_session_argv("--document-name", "AWS-StartPortForwardingSession",
                                       "--parameters", "portNumber=%d,localPortNumber=0" % destination_port)
        process = subprocess.Popen(argv, env=self.environment(env), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL)
        try:
            port = read_port(process.stdout.fileno(), r"Port (\d+) opened", deadline_s)
            plugin_pid = child_pid(process.pid, deadline_s)
        except RuntimeError:
            # The plugin does not watch its parent: stop it by its pid first, then the AWS CLI.
            try:
                os.kill(child_pid(process.pid, 1), signal.SIGKILL)
            except (RuntimeError, ProcessLookupError):
                pass
            process.kill()
            process.wait()
            raise
        return Forward([process, plugin_pid], plugin_pid, port)

    def shell_argv(self):
        return self.start_session_argv()[0], self.start_session_argv()[1:]

    def shell_pid(self, child):
        return child_pid(child.pid, 2)


def read_port(fd, pattern, deadline_s):
    """The local port from the client's announcement line. Reads the pipe's fd itself: one read may
    carry several lines (the plugin writes three at once), which a buffered readline would hide from select."""
    deadline = time.monotonic() + deadline_s
    seen = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        seen += chunk
        found = re.search(pattern.encode(), seen)
        if found:
            return int(found.group(1))
    raise RuntimeError("the forward did not open within %.0f s: %r" % (deadline_s, seen[-300:]))


def child_pid(parent, deadline_s):
    """The first child of PARENT (the plugin the AWS CLI started), by /proc/*/stat's ppid."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open("/proc/%s/stat" % pid) as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == parent:
                        return int(pid)
            except (OSError, ValueError, IndexError):
                continue
        time.sleep(0.02)
    raise RuntimeError("the AWS CLI (pid %d) started no plugin within %.0f s" % (parent, deadline_s))


def private_mb(pid):
    """Unshared memory: Private_Clean + Private_Dirty of /proc/PID/smaps_rollup (MB of 2^20 bytes)."""
    total = 0
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
    return total / 1024
