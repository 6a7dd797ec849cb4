"""Starts the emulator: scripts/emulator/start [--fleet FILE] [--identities FILE] [--port N] --ready-file FILE"""
import argparse
import asyncio
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile

from aiohttp import web

from .agent.fleet import SimulatedFleet
from .fleetgen import FleetGenerator
from .ratelimit import parse_limit
from .server import Emulator
from .sessions import Sessions
from .state import State

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_tls(directory, region):
    """A throwaway CA and a certificate for 127.0.0.1/localhost, for AWS_CA_BUNDLE tests, and for
    *.REGION.emulator.invalid, where scripts/real-agent's nodes reach the services they find by
    their ServiceDomain (CloudWatch Logs: real-agent/realagent/agent_config.py), and *.s3.REGION.emulator.invalid,
    the virtual hosts of their S3 buckets."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", directory + "/ca.key", "-out", directory + "/ca.pem",
        "-days", "2", "-subj", "/CN=ssm-shell emulator CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", directory + "/server.key", "-out", directory + "/server.csr", "-subj", "/CN=localhost")
    with open(directory + "/ext.cnf", "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:*.%s.emulator.invalid,DNS:*.s3.%s.emulator.invalid\n" % (region, region))
    run("x509", "-req", "-in", directory + "/server.csr", "-CA", directory + "/ca.pem", "-CAkey", directory + "/ca.key", "-CAcreateserial",
        "-out", directory + "/server.pem", "-days", "2", "-extfile", directory + "/ext.cnf")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(directory + "/server.pem", directory + "/server.key")
    return context, directory + "/ca.pem"


async def main(args):
    with open(args.fleet) as f:
        fleet = json.load(f)
    with open(args.identities) as f:
        identities = json.load(f)
    if args.extra_nodes:
        # Nodes added by scripts/real-agent/with-agent; "agent": "real" marks those a real agent serves.
        with open(args.extra_nodes) as f:
            fleet["nodes"] = fleet["nodes"] + json.load(f)
    region = args.region or fleet.get("region", "us-east-1")
    fleet["regions"] = sorted({*fleet.get("regions", []), *args.regions})
    if args.cheap_nodes:
        fleet["nodes"] = fleet["nodes"] + cheap_fleet(args, identities, fleet, region)
    state = State(fleet, region)
    state.host_users = args.host_users
    for faults in (state.faults, state.fault_defaults):
        faults.update({"pacing": args.pacing, "agent_delay": args.agent_delay, "unpaced": args.unpaced, "unsigned_upgrades": args.unsigned_upgrades,
                       "rate_limits": dict(args.rate_limit)})
    sessions = Sessions(state)
    emulator = Emulator(state, identities, sessions)
    emulator.s3.seed(args.bucket)
    runner = web.AppRunner(emulator.app(), access_log=None, handle_signals=False)
    await runner.setup()
    ssl_context, ca_bundle = (None, None)
    tls_dir = None
    if args.tls:
        tls_dir = tempfile.mkdtemp(prefix="ssm-emulator-tls-")
        ssl_context, ca_bundle = make_tls(tls_dir, region)
    site = web.TCPSite(runner, "127.0.0.1", args.port, ssl_context=ssl_context)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    scheme = "https" if args.tls else "http"
    host = "localhost" if args.tls else "127.0.0.1"
    endpoint = "%s://%s:%d" % (scheme, host, port)
    sessions.base_url = "%s://%s:%d" % ("wss" if args.tls else "ws", host, port)
    # Every node's simulated agent connects to the gateway before anyone is told the emulator is ready.
    fleet = SimulatedFleet(state, emulator.auth, emulator.kms, endpoint, ca_bundle)
    await fleet.start()
    ready = {"endpoint": endpoint, "region": region, "control": endpoint + "/_emulator", "pid": os.getpid(),
             "regions": sorted(state.regions), "accounts": identity_accounts(identities), "roles": sorted(identities.get("roles", {})),
             "identities": {name: {"access_key_id": d["access_key_id"], "secret_access_key": d["secret_access_key"], "arn": d["arn"],
                                   "account": d.get("account", emulator.auth.account)}
                            for name, d in identities["identities"].items()}}
    if ca_bundle:
        ready["ca_bundle"] = ca_bundle
    temporary = args.ready_file + ".tmp"
    with open(temporary, "w") as f:
        json.dump(ready, f, indent=1)
    os.replace(temporary, args.ready_file)
    print("ssm emulator listening on %s (region %s)" % (endpoint, region), file=sys.stderr, flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for command in state.commands.values():
        command.cancel()
    await fleet.stop()
    # The service ends every session now (channel_closed to each client), rather than after the
    # grace in which an agent may reopen a data channel: no agent will, the fleet is stopped.
    ending = [session.finish("The service is shutting down.") for session in sessions.all()]
    if ending:
        await asyncio.wait([asyncio.ensure_future(end) for end in ending], timeout=3)
    await runner.cleanup()
    shutil.rmtree(state.root, ignore_errors=True)
    if tls_dir:
        shutil.rmtree(tls_dir, ignore_errors=True)


def identity_accounts(identities):
    """Every account of the identities file: the default one and each identity's."""
    default = identities.get("account", "123456789012")
    return sorted({default, *(d.get("account", default) for d in identities["identities"].values())})


def cheap_fleet(args, identities, fleet, region):
    """--cheap-nodes: generated nodes over every account of the identities and every region served."""
    regions = sorted({region, *fleet["regions"]})
    low, _, high = args.cheap_delay.partition(":")
    return FleetGenerator(args.cheap_nodes, identity_accounts(identities), regions, float(low), float(high or low)).nodes()


def rate_limit(text):
    try:
        return parse_limit(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e))


def parse(argv):
    p = argparse.ArgumentParser(prog="scripts/emulator/start", description="A local SSM, STS and EC2 emulator for ssm-shell.")
    p.add_argument("--fleet", default=os.path.join(HERE, "fleets", "demo.json"), help="the fleet file (default: the demo fleet)")
    p.add_argument("--identities", default=os.path.join(HERE, "identities.json"), help="the identities file (default: the fixture identities)")
    p.add_argument("--port", type=int, default=0, help="the port on 127.0.0.1 (0 picks a free one)")
    p.add_argument("--ready-file", required=True, help="written as JSON once the emulator is listening")
    p.add_argument("--extra-nodes", metavar="FILE", help="a JSON list of fleet nodes added to the fleet (real-agent nodes)")
    p.add_argument("--region", help="the default region: nodes that name none are in it (default: the fleet's)")
    p.add_argument("--regions", type=lambda text: [r for r in text.split(",") if r], default=[], metavar="R1,R2",
                   help="more regions it serves (the fleet's nodes' regions are served anyway)")
    p.add_argument("--cheap-nodes", type=int, default=0, metavar="N",
                   help="add N generated nodes served by the cheap agent (no process per node), over every account and region")
    p.add_argument("--cheap-delay", default="0.05", metavar="MIN[:MAX]",
                   help="seconds a generated node takes before its command is InProgress, spread from MIN to MAX (default 0.05)")
    p.add_argument("--rate-limit", type=rate_limit, action="append", default=[], metavar="OPERATION=RATE[:BURST]",
                   help="throttle OPERATION (* for every one) per account and region at RATE calls a second, BURST at once (repeatable)")
    p.add_argument("--bucket", action="append", default=[], metavar="NAME",
                   help="an S3 bucket that exists from the start, in the emulator's region (repeatable)")
    p.add_argument("--tls", action="store_true", help="serve HTTPS/WSS with a generated CA (its path is in the ready file)")
    p.add_argument("--pacing", action="store_true", help="pace agent output like the real agent (1 KiB, 1 ms)")
    p.add_argument("--unpaced", action="store_true",
                   help="port sessions send as fast as the client reads (for client benchmarks), not at the real agent's pace (~0.6 MiB/s)")
    p.add_argument("--unsigned-upgrades", action="store_true",
                   help="let data-channel upgrades without a signature in, as the public session-manager-plugin sends them (for the bench)")
    p.add_argument("--host-users", action="store_true",
                   help="run-as users are this host's: ssm-user is created with useradd when missing, sessions run as the user (needs root)")
    p.add_argument("--agent-delay", type=float, default=0.0, metavar="SECONDS",
                   help="seconds every agent waits before taking a command (default: the real agent's 1 ms; 0.2 was the old timing)")
    return p.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse(sys.argv[1:])))
