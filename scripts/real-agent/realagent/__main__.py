"""python3 -m realagent --agent-bin DIR [--nodes N] [--keep DIR] [--online-seconds S] -- COMMAND [ARG...]
Run by scripts/real-agent/with-agent inside its namespaces; see scripts/real-agent/README.md."""
import argparse
import os
import shutil
import signal
import subprocess
import sys

from .node import BINARIES
from .with_agent import WithAgent, new_work_dir, say


def parse(argv):
    p = argparse.ArgumentParser(prog="scripts/real-agent/with-agent",
                                description="Runs COMMAND against the emulator as the gateway with real amazon-ssm-agent nodes.")
    p.add_argument("--agent-bin", required=True, help="a directory built by scripts/real-agent/build")
    p.add_argument("--nodes", type=int, default=1, help="real-agent managed nodes to start (default 1)")
    p.add_argument("--keep", metavar="DIR", help="keep the work directory (logs, configuration, agent state) in DIR")
    p.add_argument("--online-seconds", type=float, default=90, help="how long the agents may take to be Online (default 90)")
    p.add_argument("--emulator-option", action="append", default=[], metavar="OPT",
                   help="passed to scripts/emulator/start (repeatable), e.g. --emulator-option=--unpaced")
    p.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARG...]")
    args = p.parse_args(argv)
    if args.command[:1] == ["--"]:
        args.command = args.command[1:]
    if not args.command:
        p.error("give the command to run after --")
    if not 1 <= args.nodes <= 20:
        p.error("--nodes takes 1 to 20")
    return args


def missing_binaries(agent_bin):
    return [name for name in (*BINARIES, "VERSION") if not os.path.isfile(os.path.join(agent_bin, name))]


def end_everything_on_sigterm():
    """As pid 1 of with-agent's namespace this process gets no signal it has no handler for, so unshare's
    --kill-child=SIGTERM (sent when with-agent itself dies, even by SIGKILL) would be ignored and every agent, the
    emulator and COMMAND would run on (pid_namespaces(7): init's signals). The handler kills everything else in the
    namespace at once, then unwinds, so the work directory is still removed."""
    if os.getpid() != 1:
        return   # kill(-1) outside the namespace would reach every process of this user

    def end(number, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        os.kill(-1, signal.SIGKILL)   # every process of the namespace but this one (kill(2))
        raise SystemExit(128 + number)
    signal.signal(signal.SIGTERM, end)


def main(argv):
    end_everything_on_sigterm()
    args = parse(argv)
    args.agent_bin = os.path.abspath(args.agent_bin)
    missing = missing_binaries(args.agent_bin)
    if missing:
        say("%s lacks %s; build the agent there first: scripts/real-agent/build SRC_DIR %s"
            % (args.agent_bin, ", ".join(missing), args.agent_bin))
        return 2
    # Loopback only: the namespace starts with lo down and no other interface.
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    work_dir = new_work_dir(args.keep)
    try:
        return WithAgent(args.agent_bin, args.nodes, args.command, work_dir, args.online_seconds,
                         args.emulator_option).run()
    finally:
        if not args.keep:
            shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
