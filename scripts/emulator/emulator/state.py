"""Everything the emulator knows: the fleet, commands, sessions, faults and the counters tests read."""
import collections
import dataclasses
import os
import tempfile
import threading

from .ratelimit import checked_limits


@dataclasses.dataclass
class Faults:
    """Switches for fault injection (control API: POST /_emulator/faults)."""
    drop: float = 0.0             # share of data messages (both directions) dropped
    duplicate: float = 0.0        # share sent twice
    reorder: float = 0.0          # share held back and sent after the next one
    delay_ms: float = 0.0         # added to every data message
    withhold_acks: bool = False   # the agent stops acknowledging client messages
    corrupt_digest: float = 0.0   # share of agent messages with a wrong payload digest
    bye_every: float = 0.0        # close every websocket with 1000 "Bye" after this many seconds
    reset_every: float = 0.0      # drop the TCP connection without a close frame after this many seconds
    resume: str = "ok"            # "ok", "refuse" (DoesNotExistException), "null-token"
    throttle: float = 0.0         # share of API calls answered ThrottlingException
    server_errors: float = 0.0    # share answered 500 InternalServerError / 503
    fault_operations: str = ""    # comma-separated operations that throttle and server_errors apply to (empty: every call)
    latency_ms: float = 0.0       # added to every API call
    expire_credentials: bool = False  # temporary credentials are reported expired
    clock_skew: float = 0.0       # seconds added to the emulator's clock when checking signatures
    pacing: bool = False          # agent pacing like the real one: 1 KiB messages, 1 ms pause
    unpaced: bool = False         # port sessions send as fast as the client reads, not at the real agent's ~0.6 MiB/s (--unpaced)
    unsigned_upgrades: bool = False  # a data-channel upgrade with no Authorization is let in (--unsigned-upgrades: the public session-manager-plugin signs none)
    invocation_lag: float = 0.3   # seconds GetCommandInvocation answers InvocationDoesNotExist after SendCommand
    agent_delay: float = 0.0      # when set, seconds every node's agent waits before taking a command (0.2: the emulator's old timing)
    kms_key_id: str = ""          # when set, shell and command sessions are KMS-encrypted with this key (preferences)
    run_as_enabled: bool = False  # the preference runAsEnabled: sessions run as run_as_default_user, not ssm-user
    run_as_default_user: str = ""  # the preference runAsDefaultUser (uid 0 is refused, as the agent refuses it)
    drop_input: float = 0.0       # share of client stream messages the agent never receives (one direction)
    oversize: int = 0             # when set, the agent reads and sends output in payloads of this many bytes, not 1 KiB
    empty_publication: bool = False  # a 0-length pause_publication and start_publication before each agent message
    empty_output: bool = False    # a sequenced Output message with an empty payload before each Output message
    stall_reads: float = 0.0      # the gateway stops reading each session's first websocket this many seconds after it opens
    agent_start_delay: float = 0.0  # seconds the agent takes to start a session's shell, command or port handler (a slow node)
    agent_ping_interval: float = 54.0  # the agent pings its data channel this often (communicator: WebSocketPingInterval)
    agent_pong_wait: float = 60.0  # and reopens it when no pong came this long (WebSocketPongWaitTimeout; the read deadline)
    no_handshake: bool = False    # the agent never sends its HandshakeRequest (as agents before the handshake did); it starts the session's handler at once
    handshake_delay: float = 0.0  # seconds the agent takes to answer the HandshakeResponse (HandshakeComplete later; input meanwhile is discarded)
    kms_challenge: bool = True    # False: agents as before the KMS challenge, which send no Challenge and decrypt without aws:ssm:RandomChallenge
    drop_answer: str = ""         # operations (comma-separated) carried out, then the connection dropped unanswered
    plain_stream_url: bool = False  # StreamUrl says ws:// even when the API is https (a gateway that lost its TLS)
    # Token buckets per account, region and operation (ratelimit.py): {"OPERATION" or "*": {"rate": R, "burst": B}}
    rate_limits: dict = dataclasses.field(default_factory=dict)

    def update(self, values):
        for key, value in values.items():
            if not hasattr(self, key):
                raise KeyError(key)
            current = getattr(self, key)
            if key == "rate_limits":
                value = checked_limits(value)   # a bad limit is refused here, not at every later call
            setattr(self, key, type(current)(value) if not isinstance(current, bool) else bool(value))


class State:
    """Resources are kept per account and region (issue 14): every node, unmanaged instance,
    command and session belongs to one (account, region), and a request sees only those of its
    caller's account in the region its credential scope names (`scope_nodes`, `in_scope`)."""

    def __init__(self, fleet_doc, region):
        self.region = region             # the default region: nodes that name none are in it
        self.default_account = fleet_doc.get("account", "123456789012")  # nodes that name no account; auth.py sets it from the identities
        self.faults = Faults()
        self.fault_defaults = Faults()   # what the control API's reset restores: the start options' values
        self.host_users = False          # --host-users: run-as users are this host's (see sessions/run_as.py)
        self.lock = threading.Lock()
        self.root = tempfile.mkdtemp(prefix="ssm-emulator-")
        self.nodes = {}
        for n in fleet_doc["nodes"]:
            node = dict(n)
            node.setdefault("region", region)
            node["workdir"] = os.path.join(self.root, node["id"])
            if node.get("agent") != "cheap":   # cheap nodes run nothing (cheapagent.py)
                os.makedirs(node["workdir"], exist_ok=True)
            self.nodes[node["id"]] = node
        self.unmanaged = {i["id"]: dict(i, region=i.get("region", region)) for i in fleet_doc.get("unmanaged_instances", [])}
        # The regions a request may be signed for: the default one, the fleet's "regions" and every node's.
        self.regions = {region, *fleet_doc.get("regions", []), *(n["region"] for n in self.nodes.values()),
                        *(u["region"] for u in self.unmanaged.values())}
        self.vpcs = fleet_doc.get("vpcs", {})
        self.instance_profiles = fleet_doc.get("instance_profiles", {})
        self.commands = collections.OrderedDict()   # command id -> Command
        self.sessions = {}                           # session id -> Session
        self.client_queues = {}                      # session id -> the gateway's gateway.client_queue.ClientQueue
        self.api_calls = collections.Counter()       # (operation, identity name) -> count
        self.throttled = collections.Counter()       # (operation, account, region) -> calls answered ThrottlingException
        self.agent_bytes = collections.defaultdict(bytearray)  # session id -> bytes the agent received (stream data)
        self.agent_sessions = {}                     # session id -> the simulated agent's Session (facts for the control API)
        self.control = None                          # gateway.control.ControlChannels: every node's control channel

    def in_scope(self, resource, account, region):
        """Whether a node or unmanaged instance (a fleet entry) is ACCOUNT's in REGION."""
        return resource.get("account", self.default_account) == account and resource["region"] == region

    def scope_nodes(self, who):
        """The managed nodes the caller WHO (auth.Caller: account and region) can see."""
        account, region, default = who.account, who.region, self.default_account
        return [n for n in self.nodes.values() if n["region"] == region and n.get("account", default) == account]

    def scope_node(self, who, instance_id):
        """The caller's node with this id, or None (another account's or region's node is unknown to it)."""
        node = self.nodes.get(instance_id)
        return node if node is not None and self.in_scope(node, who.account, who.region) else None

    def scope_commands(self, who):
        return [c for c in self.commands.values() if c.account == who.account and c.region == who.region]

    def count_call(self, operation, identity):
        with self.lock:
            self.api_calls[(operation, identity)] += 1
