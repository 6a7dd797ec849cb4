/// The session of one `forward` as a state machine: local TCP connections carried to a port on
/// (or through) the node. Many connections share the session through smux on agents above
/// 3.0.196.0 ("mux"), or one at a time in "basic" mode (data-channel spec 7.2, 7.3). The machine
/// outlives a connection, so a reconnect (ResumeSession) keeps every local connection and byte.
///
/// Rules: local connections are accepted and read once HandshakeComplete opened the `InputGate`, and read only while
/// the send window is open; what the node sends a client waits in that client's queue, and a
/// queue at `pendingLimit` stops the WebSocket being read (the agent's writes then block instead
/// of our memory growing); a client over the limit that takes nothing for `stallDeadline` is
/// reset so the others go on; a stream closes once both sides ended and everything was written.
public struct PortSession: SessionMachine {
    public enum Mode: String, Sendable, Equatable {
        case pending, mux, basic
    }

    public struct Configuration: Sendable {
        /// The destination, for messages: "localhost:80".
        public var remote: String
        /// How the forward is named in messages: "forward 1: a local client of 127.0.0.1:8080".
        public var name: String
        public var localAddress: String
        public var channel: DataChannel.Configuration

        public init(
            remote: String, name: String, localAddress: String,
            channel: DataChannel.Configuration = .init(clientVersion: SessionClient.version)
        ) {
            self.remote = remote
            self.name = name
            self.localAddress = localAddress
            self.channel = channel
        }
    }

    /// What `forwards` shows.
    public struct Statistics: Sendable, Equatable {
        public var connections = 0
        public var openConnections = 0
        /// From the node to local clients.
        public var bytesIn = 0
        /// From local clients to the node.
        public var bytesOut = 0
        public init() {}
    }

    /// smux data per message: 8-byte header + 1016 = the 1 KiB message; also the loop's read size.
    public static let payload = 1016
    /// Bytes waiting for one local client at which the channel is no longer read.
    public static let pendingLimit = 1 << 20
    /// How long a client over the limit may take no bytes at all before its connection is closed,
    /// so that the other connections (and the 60 s liveness check) go on. Below 60 s on purpose.
    public static let stallDeadline = 20.0
    /// How long after a connection the agent may take to begin the handshake. A port session
    /// cannot start without it: the agent's port plugin always asks for one (amazon-ssm-agent
    /// plugins/port RequireHandshake), and session-manager-plugin learns the session type only
    /// from it or from first output, so it waits forever too (sessionhandler.go ProcessFirstMessage).
    /// The agent sends its HandshakeRequest as soon as its data channel is open, and gives the
    /// client 15 s to answer (datachannel.go handshakeTimeout); 20 s covers a slow start.
    public static let handshakeRequestDeadline = 20.0

    public let configuration: Configuration
    public private(set) var channel: DataChannel
    public private(set) var mode = Mode.pending
    public private(set) var gate = InputGate()
    public private(set) var ended = false
    /// Why the forward ended, when known: the first cause wins over later ones (a ChannelClosed
    /// text replaces it).
    public private(set) var endReason: String?
    public private(set) var statistics = Statistics()
    private var smux = SmuxSession()
    private var liveness = Liveness(now: 0)
    /// When the current connection opened, while no HandshakeRequest has come.
    private var awaitingHandshakeSince: Double?
    private var handshakeBegan = false
    /// Local connection ↔ smux stream id (mux), and the one connection of basic mode.
    private var streams: [LocalConnection: UInt32] = [:]
    private var connectionByStream: [UInt32: LocalConnection] = [:]
    private var basicClient: LocalConnection?
    /// What waits to be written to each connection, and when each last took bytes (or was first
    /// given some).
    private var pending: [LocalConnection: [UInt8]] = [:]
    private var lastProgress: [LocalConnection: Double] = [:]
    private var finishedReading: Set<LocalConnection> = []
    private var closedByNode: Set<LocalConnection> = []

    public init(configuration: Configuration) {
        self.configuration = configuration
        channel = DataChannel(configuration: configuration.channel)
    }

    /// The local connections this forward holds.
    public var connections: Set<LocalConnection> { Set(streams.keys).union(basicClient.map { [$0] } ?? []) }

    /// A local client that does not keep up stops us reading the channel (not acking).
    public var backlogged: Bool { pending.values.contains { $0.count >= Self.pendingLimit } }

    public var interest: PollInterest {
        var interest = PollInterest()
        interest.webSocket = !backlogged
        interest.accept = gate.isOpen && !ended
        // Local clients are not read while the window is full. A connection with nothing to read
        // or write is left out: a peer that reset would report POLLHUP on every poll and spin.
        // Built by loops, not set algebra: this runs every loop round (docs/benchmarks.md).
        if gate.isOpen && channel.sendWindowOpen {
            for connection in streams.keys where !finishedReading.contains(connection) { interest.localReads.insert(connection) }
            if let basicClient, !finishedReading.contains(basicClient) { interest.localReads.insert(basicClient) }
        }
        for connection in pending.keys where streams[connection] != nil || connection == basicClient { interest.localWrites.insert(connection) }
        return interest
    }

    /// The forward is over: every local connection is closed.
    public mutating func finish() -> [SessionAction] {
        ended = true
        return connections.sorted().flatMap { release($0) }
    }

    public mutating func noteEndReason(_ reason: String) { endReason = endReason ?? reason }

    public mutating func handle(_ event: SessionEvent, at time: SessionTime, messageId: () -> [UInt8]) -> [SessionAction] {
        switch event {
        case .connectionLost(let reason):
            awaitingHandshakeSince = nil  // counted again from the resumed connection
            return [.end(ended ? .ended : .disconnected(reason))]
        case .connectionClosed:
            awaitingHandshakeSince = nil
            return [.end(ended ? .ended : .disconnected("the connection was closed"))]
        default:
            // After the end nothing new starts: every event answers that it is over.
            guard !ended else { return [.end(.ended)] }
        }
        var actions: [SessionAction] = []
        var failure: String?
        func channelActions(_ event: DataChannel.Event) {
            for action in channel.handle(event, now: time.now, wall: time.wall, messageId: messageId) {
                if case .dataKeyNeeded = action {
                    channelActions(.dataKeyFailed("port sessions are never encrypted"))
                    continue
                }
                do { actions += try perform(action, now: time.now) } catch { failure = failure ?? error.description }
            }
        }
        func send(_ type: ClientMessage.PayloadType, _ payload: [UInt8]) { channelActions(.send(payloadType: type, payload: payload)) }

        switch event {
        case .connected:
            // The gate is not told of connections: port sessions always handshake (spec 7.2),
            // so only HandshakeComplete opens it, never the silent-agent delay or early output. A
            // connection accepted before it would be taken for basic mode, and the old forwarder
            // read the listener only after HandshakeComplete.
            liveness = Liveness(now: time.now)
            if !gate.isOpen && !handshakeBegan { awaitingHandshakeSince = time.now }
            channelActions(.reconnected)
        case .received(let message):
            liveness.heard(now: time.now)
            switch message {
            case .binary(let frame): channelActions(.frame(frame))
            case .ping(let data): actions.append(.send(.pong, data))
            case .close(let code, let reason):
                return actions + [.end(.serviceClosed(code: code, reason: reason))]
            case .text, .pong: break
            }
        case .stop:
            // Flag TerminateSession (spec 4.2): the agent ends the session at once.
            send(.flag, SessionFlag.terminateSession.payload)
            ended = true
            return actions + [.end(.ended)]
        case .accepted(let connection):
            statistics.connections += 1
            statistics.openConnections += 1
            if mode == .mux {
                let (stream, syn) = smux.open()
                streams[connection] = stream
                connectionByStream[stream] = connection
                send(.output, syn)
            } else if basicClient == nil {
                basicClient = connection
            } else {
                // Basic mode carries one connection at a time (agents up to 3.0.196.0).
                statistics.openConnections -= 1
                actions.append(.closeLocal(connection, reset: false))
            }
        case .localInput(let connection, let data):
            guard connections.contains(connection), !data.isEmpty else { break }
            statistics.bytesOut += data.count
            if mode == .mux, let stream = streams[connection] {
                send(.output, smux.send(data, on: stream))
            } else {
                send(.output, data)
            }
        case .localInputEnded(let connection):
            guard connections.contains(connection) else { break }
            finishedReading.insert(connection)
            if mode == .mux, let stream = streams[connection] {
                send(.output, smux.close(stream))
                if closedByNode.contains(connection) && pending[connection] == nil { actions += release(connection) }
            } else if connection == basicClient {
                // Basic mode: DisconnectToPort (spec 4.2), then the next local connection may come.
                send(.flag, SessionFlag.disconnectToPort.payload)
                actions += release(connection)
            }
        case .localWritable(let connection):
            if let data = pending[connection] { actions.append(.writeLocal(connection, data)) }
        case .localWrote(let connection, let count):
            guard let waiting = pending[connection]?.count else { break }
            if count > 0 { lastProgress[connection] = time.now }
            if count >= waiting {
                // All of it: dropped, not copied to remove its front.
                pending[connection] = nil
                actions += written(connection)
            } else if count > 0 {
                pending[connection]!.removeFirst(count)
            }
        case .localWriteFailed(let connection):
            guard pending[connection] != nil else { break }
            pending[connection] = nil
            actions += written(connection)
        case .tick:
            if let since = awaitingHandshakeSince, time.now - since > Self.handshakeRequestDeadline {
                endReason =
                    "the agent did not begin the port session's handshake within \(Int(Self.handshakeRequestDeadline)) s, and a port session cannot start without it; check that SSM Agent on the node is running and up to date, then forward again"
                send(.flag, SessionFlag.terminateSession.payload)
                ended = true
                return actions + [.end(.ended)]
            }
            for (connection, waiting) in stalledClients(now: time.now) {
                let message =
                    "\(configuration.name): a local client of \(configuration.localAddress) stopped reading (nothing taken for \(Int(Self.stallDeadline)) s, \(waiting / 1024) KiB waiting); its connection was closed so the forward goes on.\n"
                actions.append(.stderr(Array(message.utf8)))
                if let (type, payload) = endStream(of: connection) { send(type, payload) }
                actions += release(connection, reset: true)
            }
            if backlogged { liveness.heard(now: time.now) }  // we are not listening: the silence is ours
            switch liveness.check(now: time.now) {
            case .alive: break
            case .ping: actions.append(.send(.ping, Array("keepalive".utf8)))
            case .dead: return actions + [.end(.disconnected("nothing heard from the service for 60 s"))]
            }
            channelActions(.tick)
        case .dataKey, .dataKeyFailed, .input, .inputEnded, .outputClosed, .resized, .connectionClosed, .connectionLost:
            break
        }
        if let failure { return actions + [.end(ended ? .ended : .disconnected(failure))] }
        if ended { actions.append(.end(.ended)) }
        return actions
    }

    /// One data-channel action as session actions.
    private mutating func perform(_ action: DataChannel.Action, now: Double) throws(SmuxSession.ProtocolError) -> [SessionAction] {
        switch action {
        case .write(let frame):
            return [.send(.binary, frame)]
        case .handshake(_, let properties, let agentVersion):
            gate.handshakeBegan()
            handshakeBegan = true
            awaitingHandshakeSince = nil
            // The plugin's rule (spec 7.2): mux for LocalPortForwarding on agents above 3.0.196.0.
            mode = properties["type"] == "LocalPortForwarding" && Self.version(agentVersion, isAbove: "3.0.196.0") ? .mux : .basic
            return []
        case .handshakeComplete:
            gate.open()
            return []
        case .deliver(let type, let payload):
            if type == .output { return try deliver(payload, now: now) }
            if type == .flag, SessionFlag(payload: payload) == .connectToPortError {
                endReason = "the node could not connect to \(configuration.remote) (ConnectToPortError)"
            }
            return []
        case .channelClosed(let output, _):
            ended = true
            let sentence = ChannelClosedReason.sentence(output)
            endReason = sentence.isEmpty ? endReason : sentence
            return []
        case .dataKeyNeeded:
            return []  // answered by `handle`
        case .dropped:
            return []
        }
    }

    private mutating func deliver(_ payload: [UInt8], now: Double) throws(SmuxSession.ProtocolError) -> [SessionAction] {
        guard mode == .mux else {
            guard let connection = basicClient else { return [] }
            statistics.bytesIn += payload.count
            return queue(payload, for: connection, now: now)
        }
        var actions: [SessionAction] = []
        for event in try smux.feed(payload) {
            switch event {
            case .data(let stream, let data):
                guard let connection = connectionByStream[stream] else { continue }
                statistics.bytesIn += data.count
                actions += queue(data, for: connection, now: now)
            case .closed(let stream):
                guard let connection = connectionByStream[stream] else { continue }
                closedByNode.insert(connection)
                if pending[connection] == nil {
                    actions.append(.shutdownLocal(connection))
                    if finishedReading.contains(connection) { actions += release(connection) }
                }
            }
        }
        return actions
    }

    private mutating func queue(_ data: [UInt8], for connection: LocalConnection, now: Double) -> [SessionAction] {
        guard !data.isEmpty else { return [] }
        let idle = pending[connection] == nil
        if idle {
            lastProgress[connection] = now
            pending[connection] = data  // shared with the write action, not copied
        } else {
            pending[connection]! += data
        }
        // One write per connection at a time: the loop answers a `.writeLocal` before the next
        // action, so a second one carrying everything waiting would send the first chunk twice
        // (two PSH frames in one message, held messages released at once). Later chunks wait
        // with the rest, written once poll says the client can take more.
        return idle ? [.writeLocal(connection, data)] : []
    }

    /// Everything queued for `connection` was written (or dropped): a stream the node closed is
    /// half-closed now, and released once the client finished too.
    private mutating func written(_ connection: LocalConnection) -> [SessionAction] {
        guard closedByNode.contains(connection) else { return [] }
        var actions: [SessionAction] = [.shutdownLocal(connection)]
        if finishedReading.contains(connection) { actions += release(connection) }
        return actions
    }

    /// The local connections that have held the channel up for `stallDeadline`: over the pending
    /// limit and taking nothing; with how many bytes wait for each.
    private func stalledClients(now: Double) -> [(LocalConnection, Int)] {
        // Checked every tick: nothing is allocated unless a client is over the limit.
        var stalled: [(LocalConnection, Int)] = []
        for (connection, waiting) in pending where waiting.count >= Self.pendingLimit && now - (lastProgress[connection] ?? now) > Self.stallDeadline {
            stalled.append((connection, waiting.count))
        }
        return stalled.count > 1 ? stalled.sorted { $0.0 < $1.0 } : stalled
    }

    /// What ends a stalled connection's stream, so that the others go on: smux FIN (unless the
    /// client's FIN went already), or DisconnectToPort in basic mode (spec 4.2); what the node
    /// still sends for it is dropped. The connection is then reset, not closed: a FIN would wait
    /// behind the bytes the client never reads.
    private mutating func endStream(of connection: LocalConnection) -> (ClientMessage.PayloadType, [UInt8])? {
        if mode == .mux, let stream = streams[connection] {
            return finishedReading.contains(connection) ? nil : (.output, smux.close(stream))
        }
        return connection == basicClient ? (.flag, SessionFlag.disconnectToPort.payload) : nil
    }

    private mutating func release(_ connection: LocalConnection, reset: Bool = false) -> [SessionAction] {
        if let stream = streams.removeValue(forKey: connection) { connectionByStream[stream] = nil }
        if basicClient == connection { basicClient = nil }
        pending[connection] = nil
        lastProgress[connection] = nil
        finishedReading.remove(connection)
        closedByNode.remove(connection)
        statistics.openConnections -= 1
        return [.closeLocal(connection, reset: reset)]
    }

    /// Whether a dotted version is above a threshold; false for anything that is not all numbers.
    public static func version(_ version: String, isAbove threshold: String) -> Bool {
        let v = version.split(separator: ".").compactMap { Int($0) }
        let t = threshold.split(separator: ".").compactMap { Int($0) }
        guard v.count == t.count, v.count == version.split(separator: ".").count else { return false }
        return v.lexicographicallyPrecedes(t) == false && v != t
    }
}
