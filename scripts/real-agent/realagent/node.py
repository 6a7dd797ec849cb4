"""One real amazon-ssm-agent node: its private directories, configuration and process."""
import json
import os
import signal
import subprocess
import time

from .agent_config import SEELOG_XML, agent_config, loopback_hosts

BINARIES = ("amazon-ssm-agent", "ssm-agent-worker", "ssm-session-worker", "ssm-document-worker")

# Run inside the node's own mount, pid and UTS namespaces (unshare, below); the host name is the node's Name, which the
# agent reports as ComputerName. /etc, /home, /var/lib and /var/log get a
# per-node overlay, so what the agent writes there (state in /var/lib/amazon/ssm, logs, ssm-user and its sudoers
# file) never reaches the host and the fixed paths exist without creating them on the host; the node's own
# directories are then bound over the agent's state and log paths (agent/appconfig/constants_unix.go).
NODE_START = r"""set -e
node="$1"
hostname "$2"
for top in etc home var/lib var/log; do
  name=$(echo "$top" | tr / _)
  mkdir -p "$node/overlay/$name/upper" "$node/overlay/$name/work"
  mount -t overlay overlay -o "lowerdir=/$top,upperdir=$node/overlay/$name/upper,workdir=$node/overlay/$name/work" "/$top"
done
mkdir -p /var/lib/amazon/ssm /var/log/amazon/ssm /etc/amazon/ssm
# CloudWatch Logs (no endpoint setting) and S3 (virtual-hosted buckets): their hosts (agent_config.py loopback_hosts)
# are the emulator's loopback.
printf '127.0.0.1 %s\n' "$3" >> /etc/hosts
mount --bind "$node/lib" /var/lib/amazon/ssm
mount --bind "$node/log" /var/log/amazon/ssm
cd /
exec "$node/bin/amazon-ssm-agent"
"""


class RealAgentNode:
    """Prepares DIRECTORY for one node (binaries linked from BIN_DIR, so the agent finds its configuration beside
    them: agent/appconfig/constants_unix.go init) and runs the agent in its own namespaces."""

    def __init__(self, instance_id, host_name, directory, agent_bin):
        self.instance_id = instance_id
        self.host_name = host_name
        self.directory = directory
        self.agent_bin = agent_bin
        self.process = None
        self.loopback_hosts = None

    @property
    def log_path(self):
        return os.path.join(self.directory, "log", "amazon-ssm-agent.log")

    def prepare(self, region, service_url):
        for sub in ("bin/configuration", "lib", "log"):
            os.makedirs(os.path.join(self.directory, sub), exist_ok=True)
        for name in BINARIES:
            link = os.path.join(self.directory, "bin", name)
            # Replaced every time: a directory kept (--keep) from a run with another --agent-bin must not run
            # that run's binaries.
            if os.path.lexists(link):
                os.unlink(link)
            os.symlink(os.path.join(self.agent_bin, name), link)
        configuration = os.path.join(self.directory, "bin", "configuration")
        with open(os.path.join(configuration, "amazon-ssm-agent.json"), "w") as f:
            json.dump(agent_config(self.instance_id, region, service_url), f, indent=1)
        self.loopback_hosts = " ".join(loopback_hosts(region))
        with open(os.path.join(configuration, "seelog.xml"), "w") as f:
            f.write(SEELOG_XML)
        # The agent ignores configuration that is not root's or that group or others may write
        # (validateRelativeConfigFile); with-agent runs as root in its namespaces.
        for path in (os.path.join(self.directory, "bin"), configuration):
            os.chmod(path, 0o755)
        for name in ("amazon-ssm-agent.json", "seelog.xml"):
            os.chmod(os.path.join(configuration, name), 0o644)
        with open(os.path.join(self.directory, "start.sh"), "w") as f:
            f.write(NODE_START)

    def start(self, environment):
        """Starts the agent; the pid namespace ends the session workers it detaches when the agent ends."""
        with open(os.path.join(self.directory, "console.log"), "ab") as console:
            self.process = subprocess.Popen(
                ["unshare", "--mount", "--pid", "--uts", "--fork", "--mount-proc", "--kill-child=SIGTERM",
                 "sh", os.path.join(self.directory, "start.sh"), self.directory, self.host_name, self.loopback_hosts],
                env=environment, stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT)

    def running(self):
        return self.process is not None and self.process.poll() is None

    def terminate(self):
        """SIGTERM to the agent (it stops its workers and says goodbye to the service)."""
        self._signal(signal.SIGTERM)

    def wait_or_kill(self, seconds):
        """Waits at most SECONDS for the agent to end, then SIGKILLs it; its pid namespace then ends whatever it
        detached (session workers)."""
        if self.process is None:
            return
        try:
            self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            self.process.wait(10)

    def _signal(self, number):
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.kill(self._namespace_init() or self.process.pid, number)
        except ProcessLookupError:
            pass  # it ended meanwhile

    def _namespace_init(self):
        """The agent's pid as seen from here: unshare --fork's only child."""
        try:
            with open("/proc/%d/task/%d/children" % (self.process.pid, self.process.pid)) as f:
                children = f.read().split()
        except OSError:
            return None
        return int(children[0]) if children else None

    def log_tail(self, lines=30):
        parts = []
        for path in (os.path.join(self.directory, "console.log"), self.log_path):
            try:
                with open(path, errors="replace") as f:
                    tail = f.read().splitlines()[-lines:]
            except OSError:
                continue
            parts.append("--- %s\n%s" % (path, "\n".join(tail)))
        return "\n".join(parts)


def wait_until(predicate, seconds, interval=0.25):
    """Polls PREDICATE until it is true or SECONDS pass; returns its last value."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)
