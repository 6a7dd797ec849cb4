"""Helper run by test_flow_control.py through `! python3 stalled_reader.py PORT SECONDS` inside
ssm-shell: it opens the forwarded port and never reads, samples ssm-shell's resident memory, and
reports whether and when ssm-shell closed the connection."""
import os
import select
import socket
import sys
import time


def ssm_shell_pid():
    pid = os.getppid()
    while pid > 1:
        with open("/proc/%d/comm" % pid) as f:
            if f.read().strip() == "ssm-shell":
                return pid
        with open("/proc/%d/stat" % pid) as f:
            pid = int(f.read().rsplit(")", 1)[1].split()[1])
    raise SystemExit("ssm-shell is not an ancestor")


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


def main(port, seconds):
    pid = ssm_shell_pid()
    baseline = rss_mib(pid)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    poller = select.poll()
    poller.register(s, select.POLLRDHUP)
    started = time.time()
    peak, closed_after = baseline, None
    while time.time() - started < seconds:
        peak = max(peak, rss_mib(pid))
        if poller.poll(200):
            closed_after = time.time() - started
            break
    print("stalled baseline_mib=%d peak_mib=%d closed_after=%s" % (baseline, peak, "%.1f" % closed_after if closed_after else "never"))
    s.close()


main(int(sys.argv[1]), float(sys.argv[2]))
