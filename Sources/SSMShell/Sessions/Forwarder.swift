import AWSCore
import Crypto
import Glibc
import SessionProtocol
import SSMCore
import Synchronization
import SystemIO

/// One `forward`: a local listener on 127.0.0.1 and a port session. Many local connections share
/// the session through smux (agents above 3.0.196.0), or one at a time in basic mode. The state
/// outlives a connection, so a reconnect (ResumeSession) keeps every local connection and byte.
final class Forwarder: @unchecked Sendable {
    let id: Int
    let listener: TCPListener
    let remote: String
    let node: Node
    let sessionId: String
    var channel = DataChannel(configuration: .init(clientVersion: SessionLoop.clientVersion))
    var smux = SmuxSession()
    /// What `forwards` shows: written by the forward's thread and its reconnect task, read by the
    /// prompt at any time, so every access goes through the lock.
    private struct Status {
        var mode = "pending"   // "mux" or "basic" once the handshake says
        var ended = false
        var endReason: String?
    }
    private let status = Mutex(Status())
    var mode: String {
        get { status.withLock { $0.mode } }
        set { status.withLock { $0.mode = newValue } }
    }
    var ended: Bool {
        get { status.withLock { $0.ended } }
        set { status.withLock { $0.ended = newValue } }
    }
    var endReason: String? {
        get { status.withLock { $0.endReason } }
        set { status.withLock { $0.endReason = newValue } }
    }
    /// Sets the reason the forward ended unless one is already known (the first cause wins).
    func noteEndReason(_ reason: String) { status.withLock { $0.endReason = $0.endReason ?? reason } }
    var ready = false
    /// Local connection fd → smux stream id (mux), and what waits to be written to it.
    var streams: [Int32: UInt32] = [:]
    var fdByStream: [UInt32: Int32] = [:]
    var pendingWrites: [Int32: [UInt8]] = [:]
    /// When each local connection last took bytes (or was first given some).
    var lastProgress: [Int32: Double] = [:]
    var finishedReading: Set<Int32> = []
    var basicClient: Int32?
    let stopRequested = Atomic<Bool>(false)
    let connections = Atomic<Int>(0)
    let openConnections = Atomic<Int>(0)
    let bytesIn = Atomic<Int>(0)    // from the node to local clients
    let bytesOut = Atomic<Int>(0)   // from local clients to the node
    /// The reference plugin's pacing (1 ms after each 1 KiB message), for side-by-side benchmarks
    /// only: set by SSM_SHELL_REFERENCE_PACING=1 (scripts/bench).
    var referencePacing = false

    init(id: Int, listener: TCPListener, remote: String, node: Node, sessionId: String) {
        self.id = id
        self.listener = listener
        self.remote = remote
        self.node = node
        self.sessionId = sessionId
    }

    static let payload = 1016   // smux data per message: 8-byte header + 1016 = the 1 KiB message
    /// Bytes waiting for one local client at which the channel is no longer read: the agent's
    /// writes then block (backpressure) instead of our memory growing.
    static let pendingLimit = 1 << 20
    /// How long a client over the limit may take no bytes at all before its connection is closed,
    /// so that the other connections (and the 60 s liveness check) go on. Below 60 s on purpose.
    static let stallDeadline = 20.0

    /// The event loop of one connection (a dedicated thread).
    func run(_ ws: WebSocketConnection) -> SessionLoop.Outcome {
        func perform(_ actions: [DataChannel.Action]) throws {
            // A write that fails must not skip the deliveries after it in the same batch: the
            // machine has consumed (and acked) those messages, so they would be lost.
            var lost: (any Error)?
            for action in actions {
                switch action {
                case .write(let frame):
                    if lost == nil { do { try ws.send(.binary, frame) } catch { lost = error } }
                case .handshake(_, let properties, let agentVersion):
                    // The plugin's rule (spec 7.2): mux for LocalPortForwarding on agents above 3.0.196.0.
                    mode = properties["type"] == "LocalPortForwarding" && Self.versionAbove(agentVersion, "3.0.196.0") ? "mux" : "basic"
                case .handshakeComplete: ready = true
                case .deliver(let type, let payload):
                    if type == .output { try deliver(payload) }
                    else if type == .flag, SessionFlag(payload: payload) == .connectToPortError { endReason = "the node could not connect to \(remote) (ConnectToPortError)" }
                case .channelClosed(let output, _):
                    ended = true
                    endReason = output.isEmpty ? endReason : output
                case .dataKeyNeeded: try perform(channel.handle(.dataKeyFailed("port sessions are never encrypted"), now: SessionLoop.now(), messageId: SessionLoop.messageId))
                case .dropped: break
                }
            }
            if let lost { throw lost }
        }
        func send(_ type: ClientMessage.PayloadType, _ bytes: [UInt8]) throws {
            try perform(channel.handle(.send(payloadType: type, payload: bytes), now: SessionLoop.now(), messageId: SessionLoop.messageId))
        }
        do {
            try perform(channel.handle(.reconnected, now: SessionLoop.now(), messageId: SessionLoop.messageId))
            var lastReceived = SessionLoop.now(), lastPing = 0.0
            var buffer = [UInt8](repeating: 0, count: Self.payload)
            while !ended {
                if stopRequested.load(ordering: .relaxed) {
                    // Flag TerminateSession (spec 4.2): the agent ends the session at once.
                    try? send(.flag, SessionFlag.terminateSession.payload)
                    return .ended
                }
                let t = SessionLoop.now()
                try abandonStalledClients(now: t, send: send)
                // A local client that does not keep up stops us reading the channel (not acking).
                let backlogged = pendingWrites.values.contains { $0.count >= Self.pendingLimit }
                if backlogged { lastReceived = t }   // we are not listening: the silence is ours
                if t - lastPing > 20 { lastPing = t; try ws.send(.ping, Array("keepalive".utf8)) }
                if t - lastReceived > 60 { return .disconnected("nothing heard from the service for 60 s") }
                var fds = [pollfd(fd: ws.socket, events: backlogged ? 0 : Int16(POLLIN), revents: 0)]
                if ready { fds.append(pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0)) }
                let reading = ready && channel.sendWindowOpen   // local clients are not read while the window is full
                let locals = Array(Set(streams.keys).union(basicClient.map { [$0] } ?? []))
                for fd in locals {
                    var events: Int16 = 0
                    if reading && !finishedReading.contains(fd) { events |= Int16(POLLIN) }
                    if pendingWrites[fd] != nil { events |= Int16(POLLOUT) }
                    // Nothing to read or write: left out, or a peer that reset would report POLLHUP
                    // on every poll (poll(2) always does) and spin this loop until the node's FIN.
                    if events != 0 { fds.append(pollfd(fd: fd, events: events, revents: 0)) }
                }
                let ready = ws.hasPending && !backlogged ? 1 : poll(&fds, nfds_t(fds.count), 50)
                if ready < 0 && errno != EINTR { return .disconnected("poll failed") }
                if (ws.hasPending && !backlogged) || fds[0].revents != 0 {
                    lastReceived = SessionLoop.now()
                    for message in try ws.readMessages() {
                        switch message {
                        case .binary(let frame): try perform(channel.handle(.frame(frame), now: SessionLoop.now(), messageId: SessionLoop.messageId))
                        case .ping(let data): try ws.send(.pong, data)
                        case .close(let code, let reason): return .disconnected("closed by the service (\(code.map(String.init) ?? "-") \(reason))")
                        case .text, .pong: break
                        }
                    }
                    if ws.closed && !ended { return .disconnected("the connection was closed") }
                }
                var acceptPending = false
                for entry in fds.dropFirst() where entry.revents != 0 {
                    if entry.fd == listener.fd {
                        acceptPending = true
                        continue
                    }
                    // Released earlier in this round (its stream ended on both sides): the number is
                    // closed now, and reading it would mark it finished for the next connection that
                    // gets the same number, which would then never be read.
                    guard isLocal(entry.fd) else { continue }
                    if entry.revents & Int16(POLLOUT) != 0 { flush(entry.fd) }
                    guard isLocal(entry.fd) else { continue }
                    if entry.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 && !finishedReading.contains(entry.fd) {
                        let n = read(entry.fd, &buffer, buffer.count)
                        if n > 0 {
                            bytesOut.add(n, ordering: .relaxed)
                            let data = Array(buffer[0..<n])
                            if mode == "mux", let stream = streams[entry.fd] {
                                try send(.output, smux.send(data, on: stream))
                            } else {
                                try send(.output, data)
                            }
                            if referencePacing { usleep(1000) }
                        } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
                            try localClosed(entry.fd, send: send)
                        }
                    }
                }
                // After the local entries, so that no number released this round is given to a new
                // connection while a stale entry for it is still to be handled.
                if acceptPending { try acceptConnections(send: send) }
                try perform(channel.handle(.tick, now: SessionLoop.now(), messageId: SessionLoop.messageId))
            }
            return .ended
        } catch {
            return ended ? .ended : .disconnected("\(error)")
        }
    }

    /// Whether `fd` is a local connection this forward still holds.
    func isLocal(_ fd: Int32) -> Bool { streams[fd] != nil || fd == basicClient }

    func acceptConnections(send: (ClientMessage.PayloadType, [UInt8]) throws -> Void) throws {
        while let fd = listener.accept() {
            connections.add(1, ordering: .relaxed)
            openConnections.add(1, ordering: .relaxed)
            if mode == "mux" {
                let (stream, syn) = smux.open()
                streams[fd] = stream
                fdByStream[stream] = fd
                try send(.output, syn)
            } else if basicClient == nil {
                basicClient = fd
            } else {
                // Basic mode carries one connection at a time (agents up to 3.0.196.0).
                close(fd)
                openConnections.subtract(1, ordering: .relaxed)
            }
        }
    }

    func deliver(_ payload: [UInt8]) throws {
        if mode == "mux" {
            for event in try smux.feed(payload) {
                switch event {
                case .data(let stream, let data):
                    guard let fd = fdByStream[stream] else { continue }
                    bytesIn.add(data.count, ordering: .relaxed)
                    queue(data, for: fd)
                case .closed(let stream):
                    guard let fd = fdByStream[stream] else { continue }
                    if pendingWrites[fd] == nil { shutdown(fd, Int32(SHUT_WR)) }
                    closedByNode.insert(fd)
                    if finishedReading.contains(fd) && pendingWrites[fd] == nil { release(fd) }
                }
            }
        } else if let fd = basicClient {
            bytesIn.add(payload.count, ordering: .relaxed)
            queue(payload, for: fd)
        }
    }

    var closedByNode: Set<Int32> = []

    func queue(_ data: [UInt8], for fd: Int32) {
        guard !data.isEmpty else { return }
        if pendingWrites[fd] == nil { lastProgress[fd] = SessionLoop.now() }
        pendingWrites[fd, default: []] += data
        flush(fd)
    }

    /// Closes each local connection that has held the channel up for `stallDeadline`: over the
    /// pending limit and taking nothing. Its stream ends (smux FIN, or DisconnectToPort in basic
    /// mode, spec 4.2); what the node still sends for it is dropped.
    func abandonStalledClients(now: Double, send: (ClientMessage.PayloadType, [UInt8]) throws -> Void) throws {
        for (fd, data) in pendingWrites where data.count >= Self.pendingLimit && now - (lastProgress[fd] ?? now) > Self.stallDeadline {
            let message = "forward \(id): a local client of 127.0.0.1:\(listener.port) stopped reading (nothing taken for \(Int(Self.stallDeadline)) s, \(data.count / 1024) KiB waiting); its connection was closed so the forward goes on.\n"
            SessionLoop.write(2, Array(message.utf8))
            // A reset, not a FIN: a FIN would wait behind the bytes the client never reads.
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            if mode == "mux", let stream = streams[fd] {
                if !finishedReading.contains(fd) { try send(.output, smux.close(stream)) }
                release(fd)
            } else if fd == basicClient {
                try send(.flag, SessionFlag.disconnectToPort.payload)
                release(fd)
                basicClient = nil
            }
        }
    }

    /// Writes what is pending to a local connection without blocking.
    func flush(_ fd: Int32) {
        guard var data = pendingWrites[fd] else { return }
        while !data.isEmpty {
            let n = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n > 0 { data.removeFirst(n); lastProgress[fd] = SessionLoop.now() } else if errno == EAGAIN || errno == EINTR { break } else { data = []; break }
        }
        pendingWrites[fd] = data.isEmpty ? nil : data
        if data.isEmpty && closedByNode.contains(fd) {
            shutdown(fd, Int32(SHUT_WR))
            if finishedReading.contains(fd) { release(fd) }
        }
    }

    func localClosed(_ fd: Int32, send: (ClientMessage.PayloadType, [UInt8]) throws -> Void) throws {
        finishedReading.insert(fd)
        if mode == "mux", let stream = streams[fd] {
            try send(.output, smux.close(stream))
            if closedByNode.contains(fd) && pendingWrites[fd] == nil { release(fd) }
        } else if fd == basicClient {
            // Basic mode: DisconnectToPort (spec 4.2), then the next local connection may come.
            try send(.flag, SessionFlag.disconnectToPort.payload)
            release(fd)
            basicClient = nil
        }
    }

    func release(_ fd: Int32) {
        if let stream = streams.removeValue(forKey: fd) { fdByStream[stream] = nil }
        pendingWrites[fd] = nil
        lastProgress[fd] = nil
        finishedReading.remove(fd)
        closedByNode.remove(fd)
        close(fd)
        openConnections.subtract(1, ordering: .relaxed)
    }

    func closeAll() {
        for fd in Set(streams.keys).union(basicClient.map { [$0] } ?? []) { release(fd) }
        basicClient = nil
    }

    static func versionAbove(_ version: String, _ threshold: String) -> Bool {
        let v = version.split(separator: ".").compactMap { Int($0) }, t = threshold.split(separator: ".").compactMap { Int($0) }
        guard v.count == t.count, v.count == version.split(separator: ".").count else { return false }
        return v.lexicographicallyPrecedes(t) == false && v != t
    }
}
