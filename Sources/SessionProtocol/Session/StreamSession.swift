/// The session of `connect` and `proxy` as a state machine: standard input to the agent,
/// Output/StdErr/ExitCode back to standard output and error, across every connection of the
/// session (a ResumeSession keeps the machine, so no byte is lost or sent twice).
///
/// Rules, each a function of events and `now`: input waits behind the `InputGate` and a full send
/// window; an interactive terminal's keys pass the `EscapeScanner`; the size goes out once known,
/// again after HandshakeComplete (the agent discards what came during the handshake) and after
/// each resize; piped input that ends sends Ctrl-D; `proxy`'s input that ends drains the last
/// acks (at most `drainLimit`) and ends the session quietly; `Liveness` pings and gives up.
public struct StreamSession: SessionMachine {
    public struct Configuration: Sendable {
        /// Keys from a terminal in raw mode: escapes, the window size.
        public var interactive: Bool
        /// A byte pipe for ssh: the end of standard input ends the session once drained.
        public var proxy: Bool
        /// `connect --command` on a terminal: the exit status comes back as a marker in the output.
        public var exitMarker: Bool
        /// The terminal's size at the start (interactive sessions).
        public var terminalSize: TerminalSize?
        public var channel: DataChannel.Configuration

        public init(
            interactive: Bool, proxy: Bool = false, exitMarker: Bool = false, terminalSize: TerminalSize? = nil,
            channel: DataChannel.Configuration = .init(clientVersion: SessionClient.version)
        ) {
            self.interactive = interactive
            self.proxy = proxy
            self.exitMarker = exitMarker
            self.terminalSize = terminalSize
            self.channel = channel
        }
    }

    /// After the end of `proxy`'s input, how long to wait for the agent to acknowledge the rest.
    public static let drainLimit = 5.0
    /// After ChannelClosed, how long messages held behind a gap may take to arrive.
    public static let closeDrainLimit = 3.0

    public let configuration: Configuration
    public private(set) var channel: DataChannel
    public private(set) var gate = InputGate()
    private var escapes = EscapeScanner()
    private var marker: ExitMarker?
    private var liveness = Liveness(now: 0)
    private var inputOpen = true
    private var drainingSince: Double?
    /// ChannelClosed came while messages were held behind a gap: since when (they are waited for
    /// up to `closeDrainLimit`; ChannelClosed is unsequenced and may overtake them).
    private var closingSince: Double?
    /// The last batch wrote to standard output or error: the loop's write may block as long as the
    /// reader takes, and reads nothing meanwhile, so the next event counts as hearing the service.
    private var writingOutput = false
    /// The terminal's size as last reported, and as last sent (nil: to be sent again).
    private var size: TerminalSize?
    private var sentSize: TerminalSize?

    /// The session is over (no reconnect): the channel closed, the user left, output closed, drained.
    public private(set) var ended = false
    /// The remote exit status: from ExitCode, or from the exit marker.
    public private(set) var exitCode: Int32?
    /// The agent's ChannelClosed text.
    public private(set) var closedMessage: String?
    /// Standard output was closed under the session.
    public private(set) var outputClosed = false

    public init(configuration: Configuration) {
        self.configuration = configuration
        channel = DataChannel(configuration: configuration.channel)
        marker = configuration.exitMarker ? ExitMarker() : nil
        size = configuration.terminalSize
    }

    public var interest: PollInterest {
        var interest = PollInterest()
        // Input pauses while the send window is full: unacked data is never dropped.
        interest.input = inputOpen && gate.isOpen && channel.sendWindowOpen && !ended && closingSince == nil
        return interest
    }

    public mutating func handle(_ event: SessionEvent, at time: SessionTime, messageId: () -> [UInt8]) -> [SessionAction] {
        switch event {
        case .connectionLost(let reason):
            // The agent closed the channel already: there is nothing to resume.
            return [.end(ended || closingSince != nil ? .ended : .disconnected(reason))]
        case .connectionClosed:
            return [.end(ended || closingSince != nil ? .ended : .disconnected("the connection was closed"))]
        case .outputClosed where ended:
            // The driver writes a round's output after the round (SessionDriver.writeHeldOutput), so
            // the end's own output may fail after the end: still not a success.
            outputClosed = true
            return [.end(.ended)]
        default:
            // After the end nothing new starts: every event answers that it is over.
            guard !ended else { return [.end(.ended)] }
        }
        // The silence while our output write blocked is ours, not the service's (as a backlogged
        // forward's): liveness counts from when we could read again.
        if writingOutput { liveness.heard(now: time.now) }
        var actions: [SessionAction] = []
        defer {
            writingOutput = actions.contains {
                if case .stdout = $0 { return true }; if case .stderr = $0 { return true }; return false
            }
        }
        func channelActions(_ event: DataChannel.Event) {
            for action in channel.handle(event, now: time.now, wall: time.wall, messageId: messageId) {
                actions += perform(action, now: time.now)
            }
        }
        func send(_ type: ClientMessage.PayloadType, _ payload: [UInt8]) { channelActions(.send(payloadType: type, payload: payload)) }
        func sendSize() {
            guard configuration.interactive, let size, sentSize != size else { return }
            sentSize = size
            send(.size, Array("{\"cols\":\(size.columns),\"rows\":\(size.rows)}".utf8))
        }

        switch event {
        case .connected:
            liveness = Liveness(now: time.now)
            channelActions(.reconnected)
            if sentSize == nil { sendSize() }
            gate.connected(now: time.now)
        case .received(let message):
            liveness.heard(now: time.now)
            switch message {
            case .binary(let frame): channelActions(.frame(frame))
            case .ping(let data): actions.append(.send(.pong, data))
            case .close(let code, let reason):
                // After channel_closed the service hangs up: the end, even with messages still held
                // behind a gap, as for a closed or lost connection (nothing to resume).
                if closingSince != nil {
                    ended = true
                    return actions + [.end(.ended)]
                }
                return actions + [.end(.serviceClosed(code: code, reason: reason))]
            case .text, .pong: break
            }
        case .connectionClosed, .connectionLost:
            break  // answered above
        case .input(let bytes):
            guard configuration.interactive else {
                send(.output, bytes)
                break
            }
            for piece in escapes.scan(bytes) {
                switch piece {
                case .keys(let keys): send(.output, keys)
                case .help: actions.append(.stderr(EscapeScanner.help))
                case .leave:
                    ended = true
                    return actions + [.stderr(EscapeScanner.leaving), .end(.ended)]
                }
            }
        case .inputEnded:
            inputOpen = false
            if configuration.proxy {
                // ssh closed its side: the session is over once the agent has what was sent.
                drainingSince = time.now
            } else if !configuration.interactive {
                // Piped input ended: for a shell or command, tell the remote side (EOF, Ctrl-D).
                send(.output, [0x04])
            }
        case .outputClosed:
            // Nobody reads the output any more: the end of the session, not of the process.
            outputClosed = true
            ended = true
        case .resized(let columns, let rows):
            size = TerminalSize(columns: columns, rows: rows)
            sendSize()
            if let sentSize { actions.append(.recordResize(columns: sentSize.columns, rows: sentSize.rows)) }
        case .dataKey(let plaintext, let blob):
            channelActions(.dataKey(plaintext: plaintext, ciphertextBlob: blob))
        case .dataKeyFailed(let message):
            channelActions(.dataKeyFailed(message))
        case .stop:
            ended = true
        case .tick:
            switch liveness.check(now: time.now) {
            case .alive: break
            case .ping: actions.append(.send(.ping, Array("keepalive".utf8)))
            case .dead: return actions + [.end(.disconnected("nothing heard from the service for 60 s"))]
            }
            if let since = closingSince, time.now - since > Self.closeDrainLimit {
                ended = true
                return actions + [.end(.ended)]
            }
            if let since = drainingSince, channel.outgoing.isEmpty || time.now - since > Self.drainLimit {
                ended = true
                return actions + [.end(.ended)]
            }
            _ = gate.tick(now: time.now)
            if gate.isOpen && sentSize == nil { sendSize() }
            channelActions(.tick)
        case .accepted(let connection):
            actions.append(.closeLocal(connection, reset: false))  // a stream session has no listener
        case .localInput, .localInputEnded, .localWritable, .localWrote, .localWriteFailed:
            break
        }
        // The gap after ChannelClosed is filled: everything the agent sent was delivered.
        if closingSince != nil && !channel.holding { ended = true }
        if ended { actions.append(.end(.ended)) }
        return actions
    }

    /// One data-channel action as session actions.
    private mutating func perform(_ action: DataChannel.Action, now: Double) -> [SessionAction] {
        switch action {
        case .write(let frame):
            return [.send(.binary, frame)]
        case .deliver(let type, let payload):
            gate.open()
            switch type {
            case .output:
                var shown = payload
                if marker != nil {
                    shown = marker!.filter(payload)
                    if let code = marker!.exitCode { exitCode = code }
                }
                // A payload that held only the exit marker leaves nothing to show.
                guard !shown.isEmpty else { return [] }
                return [.stdout(shown), .record(shown)]
            case .stdErr:
                guard !payload.isEmpty else { return [] }
                return [.stderr(payload), .record(payload)]
            case .exitCode:
                // "EXIT_CODE: 3" (spec 7.1): the number after the last colon.
                let text = String(decoding: payload, as: UTF8.self)
                exitCode = text.split(separator: ":").last.flatMap { Int32($0.trimmingCharacters(in: " \t\r\n")) } ?? exitCode
                return []
            default:
                return []
            }
        case .channelClosed(let output, _):
            closedMessage = output
            if channel.holding { closingSince = closingSince ?? now } else { ended = true }
            return []
        case .dataKeyNeeded(let keyId, let challenge):
            return [.requestDataKey(keyId: keyId, challenge: challenge)]
        case .handshakeComplete(let message):
            gate.open()
            sentSize = nil  // the size sent during the handshake was discarded: send it again
            guard !message.isEmpty else { return [] }
            return [.stderr(Array((message + (configuration.interactive ? "\r\n" : "\n")).utf8))]
        case .handshake:
            gate.handshakeBegan()
            return []
        case .dropped:
            return []
        }
    }
}

extension Substring {
    /// The text without the given characters at either end.
    func trimmingCharacters(in set: String) -> Substring {
        var text = self
        while let first = text.first, set.contains(first) { text = text.dropFirst() }
        while let last = text.last, set.contains(last) { text = text.dropLast() }
        return text
    }
}
