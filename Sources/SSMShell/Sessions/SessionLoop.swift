import AWSCore
import Crypto
import Glibc
import SessionProtocol
import SystemIO

/// One session's state across connections: the data-channel machine and what the user sees.
final class SessionState: @unchecked Sendable {
    var channel: DataChannel
    var exitCode: Int32?
    var closedMessage: String?
    var ended = false
    var stdinOpen = true
    /// Local input waits for the agent's HandshakeComplete: the agent discards stream data that
    /// arrives during the handshake (spec 5), so ssh's banner or early keys would be lost.
    /// Agents that skip the handshake start with output; that opens input too.
    var inputReady = false
    /// The agent's HandshakeRequest arrived: input then waits for HandshakeComplete however long
    /// it takes (the agent ends a handshake that lasts over 15 s itself, spec 6.1).
    var handshakeStarted = false
    /// `proxy` after the end of stdin: when it began waiting for the last acks (at most 5 s).
    var drainingSince: Double?
    var firstConnectedAt: Double?
    var atLineStart = true
    var pendingTilde = false
    var lastSize: (Int, Int)?
    let interactive: Bool
    let sessionId: String
    /// `proxy`: a byte pipe for ssh; the end of stdin ends the session quietly.
    var proxy = false
    /// `connect --command` on a terminal: the exit status comes back in the output.
    var exitMarker: ExitMarker?
    /// `connect --record FILE`: an asciicast v2 transcript of what the session printed.
    var recorder: AsciicastRecorder?
    var lastReceived = 0.0
    var lastPing = 0.0
    /// KMS GenerateDataKey for encrypted sessions, blocking this loop's thread until it answers:
    /// (key id, challenge if any) → (64-byte plaintext, ciphertext blob) or a message.
    var dataKey: (@Sendable (String, String?) -> Result<([UInt8], [UInt8]), ShellError>)?
    var customerMessage: String?
    /// Standard output was closed under the session (EPIPE): it ends.
    var outputClosed = false

    init(sessionId: String, interactive: Bool) {
        self.sessionId = sessionId
        self.interactive = interactive
        channel = DataChannel(configuration: .init(clientVersion: SessionLoop.clientVersion))
    }
}

/// The event loop of one connection, on a dedicated thread: it owns the socket, stdin and a
/// 50 ms timer, feeds every event to the state machine and performs its actions.
enum SessionLoop {
    /// Reported to the agent: at least 1.2.332.0, so smux keepalive is off and mux is chosen.
    static let clientVersion = "1.2.707.0"

    enum Outcome: Sendable {
        case ended
        case disconnected(String)
    }

    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    static func messageId() -> [UInt8] { SecureRandom.bytes(16) }

    /// Writes all of `bytes`; false when the reader is gone (EPIPE) or the write failed.
    @discardableResult
    static func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == EAGAIN {
                var ready = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&ready, 1, 100)
                continue
            }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    static func run(_ ws: WebSocketConnection, _ state: SessionState) -> Outcome {
        func perform(_ actions: [DataChannel.Action]) throws {
            // A write that fails must not skip the deliveries after it in the same batch: the
            // machine has consumed (and acked) those messages, so they would be lost.
            var lost: (any Error)?
            for action in actions {
                switch action {
                case .write(let frame):
                    if lost == nil { do { try ws.send(.binary, frame) } catch { lost = error } }
                case .deliver(let type, let payload):
                    state.inputReady = true
                    switch type {
                    case .output:
                        var shown = payload
                        if state.exitMarker != nil {
                            shown = state.exitMarker!.filter(payload)
                            if let code = state.exitMarker!.exitCode { state.exitCode = code }
                        }
                        // A payload that held only the exit marker leaves nothing to show.
                        guard !shown.isEmpty else { break }
                        if !write(1, shown) {
                            // Nobody reads the output any more: the end of the session, not of the process.
                            state.outputClosed = true
                            state.ended = true
                        }
                        state.recorder?.output(shown, at: now())
                    case .stdErr:
                        guard !payload.isEmpty else { break }
                        write(2, payload)
                        state.recorder?.output(payload, at: now())
                    case .exitCode:
                        let text = String(decoding: payload, as: UTF8.self)
                        state.exitCode = Int32(text.split(separator: ":").last.map { $0.trimmingWhitespace() } ?? "") ?? state.exitCode
                    default: break
                    }
                case .channelClosed(let output, _):
                    state.closedMessage = output
                    state.ended = true
                case .dataKeyNeeded(let keyId, let challenge):
                    switch state.dataKey?(keyId, challenge) ?? .failure(ShellError("no KMS client")) {
                    case .success(let (plaintext, blob)):
                        try perform(state.channel.handle(.dataKey(plaintext: plaintext, ciphertextBlob: blob), now: now(), messageId: messageId))
                    case .failure(let error):
                        try perform(state.channel.handle(.dataKeyFailed(error.message), now: now(), messageId: messageId))
                    }
                case .handshakeComplete(let message):
                    state.inputReady = true
                    state.lastSize = nil    // the size sent during the handshake was discarded: send it again
                    if !message.isEmpty {
                        state.customerMessage = message
                        write(2, Array((message + (state.interactive ? "\r\n" : "\n")).utf8))
                    }
                case .handshake:
                    state.handshakeStarted = true
                case .dropped: break
                }
            }
            if let lost { throw lost }
        }
        func sendInput(_ type: ClientMessage.PayloadType, _ bytes: [UInt8]) throws {
            try perform(state.channel.handle(.send(payloadType: type, payload: bytes), now: now(), messageId: messageId))
        }
        func sendSize() throws {
            guard state.interactive, let size = RawTerminal.size() else { return }
            if let last = state.lastSize, last == size { return }
            state.lastSize = size
            try sendInput(.size, Array("{\"cols\":\(size.columns),\"rows\":\(size.rows)}".utf8))
        }
        do {
            try perform(state.channel.handle(.reconnected, now: now(), messageId: messageId))
            if state.lastSize == nil { try sendSize() }
            if state.firstConnectedAt == nil { state.firstConnectedAt = now() }
            var buffer = [UInt8](repeating: 0, count: 1024)
            state.lastReceived = now()
            while !state.ended {
                // Liveness: a ping every 20 s; nothing heard for 60 s means the connection is dead.
                let t = now()
                if t - state.lastPing > 20 { state.lastPing = t; try ws.send(.ping, Array("keepalive".utf8)) }
                if t - state.lastReceived > 60 { return .disconnected("nothing heard from the service for 60 s") }
                var fds = [pollfd(fd: ws.socket, events: Int16(POLLIN), revents: 0)]
                if let since = state.drainingSince, state.channel.outgoing.isEmpty || t - since > 5 { return .ended }
                // An agent that neither handshakes nor speaks within 5 s still gets the input; one
                // whose handshake has begun discards it until HandshakeComplete (spec 6.1, step 4).
                if !state.inputReady, !state.handshakeStarted, let first = state.firstConnectedAt, t - first > 5 { state.inputReady = true }
                if state.inputReady && state.lastSize == nil { try sendSize() }
                // Input pauses while the send window is full: unacked data is never dropped.
                if state.stdinOpen && state.inputReady && state.channel.sendWindowOpen { fds.append(pollfd(fd: 0, events: Int16(POLLIN), revents: 0)) }
                let ready = ws.hasPending ? 1 : poll(&fds, nfds_t(fds.count), 50)
                if ready < 0 && errno != EINTR { return .disconnected("poll failed: \(String(cString: strerror(errno)))") }
                if ws.hasPending || fds[0].revents != 0 {
                    state.lastReceived = now()
                    for message in try ws.readMessages() {
                        switch message {
                        case .binary(let frame): try perform(state.channel.handle(.frame(frame), now: now(), messageId: messageId))
                        case .ping(let data): try ws.send(.pong, data)
                        case .close(let code, let reason):
                            return .disconnected("the service closed the connection (\(code.map(String.init) ?? "no code") \(reason))")
                        case .text, .pong: break
                        }
                    }
                    if ws.closed && !state.ended { return .disconnected("the connection was closed") }
                }
                if fds.count > 1 && fds[1].revents != 0 {
                    let n = read(0, &buffer, buffer.count)
                    if n > 0 {
                        if try handleKeys(Array(buffer[0..<n]), state, send: sendInput) { return .ended }
                    } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                        state.stdinOpen = false
                        // ssh closed its side: the session is over once the agent has what was sent.
                        if state.proxy {
                            state.drainingSince = now()
                        } else if !state.interactive {
                            // Piped input ended: for a shell or command, tell the remote side (EOF, Ctrl-D).
                            try sendInput(.output, [0x04])
                        }
                    }
                }
                if RawTerminal.takeResize() {
                    try sendSize()
                    if let size = state.lastSize { state.recorder?.resize(columns: size.0, rows: size.1, at: now()) }
                }
                try perform(state.channel.handle(.tick, now: now(), messageId: messageId))
            }
            return .ended
        } catch {
            return state.ended ? .ended : .disconnected("\(error)")
        }
    }

    /// Keys from the local terminal, with ssh's escapes at the start of a line: `~.` ends the
    /// session, `~?` lists the escapes, `~~` sends one `~`. Returns true to leave.
    static func handleKeys(_ keys: [UInt8], _ state: SessionState, send: (ClientMessage.PayloadType, [UInt8]) throws -> Void) throws -> Bool {
        guard state.interactive else {
            try send(.output, keys)
            return false
        }
        var out: [UInt8] = []
        for key in keys {
            if state.pendingTilde {
                state.pendingTilde = false
                switch key {
                case UInt8(ascii: "."):
                    if !out.isEmpty { try send(.output, out) }
                    write(2, Array("\r\n[ssm-shell: leaving the session]\r\n".utf8))
                    return true
                case UInt8(ascii: "?"):
                    write(2, Array("\r\nSupported escape sequences:\r\n ~.  - leave the session\r\n ~?  - this message\r\n ~~  - send the escape character\r\n(Escapes are only recognized immediately after a newline.)\r\n".utf8))
                    continue
                case UInt8(ascii: "~"):
                    out.append(key)
                default:
                    out += [UInt8(ascii: "~"), key]
                }
                state.atLineStart = false
                continue
            }
            if key == UInt8(ascii: "~") && state.atLineStart {
                state.pendingTilde = true
                continue
            }
            out.append(key)
            state.atLineStart = key == 13 || key == 10
        }
        if !out.isEmpty { try send(.output, out) }
        return false
    }
}
