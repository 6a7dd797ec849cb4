/// What happens to a session, as its poll loop sees it: the events a session machine
/// (`StreamSession` for connect and proxy, `PortSession` for forward) is fed. A machine ignores the
/// events that are not its kind (a stream session has no local connections).
public enum SessionEvent: Sendable, Equatable {
    /// A WebSocket is open and OpenDataChannel was sent: the first one, or one after ResumeSession.
    case connected
    /// A whole message from the WebSocket.
    case received(WebSocketMessage)
    /// The WebSocket reached its end (the service closed the TCP connection).
    case connectionClosed
    /// Sending or reading on the WebSocket failed: why.
    case connectionLost(String)
    /// Bytes from standard input.
    case input([UInt8])
    /// Standard input ended (or failed).
    case inputEnded
    /// Standard output was closed under the session (EPIPE).
    case outputClosed
    /// The terminal's size, at the start and after each SIGWINCH.
    case resized(columns: Int, rows: Int)
    /// A local connection was accepted on the forward's listener.
    case accepted(LocalConnection)
    /// Bytes read from a local connection.
    case localInput(LocalConnection, [UInt8])
    /// A local connection's reading side ended (end of stream, or a read error).
    case localInputEnded(LocalConnection)
    /// A local connection can take more bytes (poll said so).
    case localWritable(LocalConnection)
    /// So many of the bytes of the last `.writeLocal` were taken; the rest waits.
    case localWrote(LocalConnection, count: Int)
    /// Writing to a local connection failed: what waits for it is dropped.
    case localWriteFailed(LocalConnection)
    /// The answer to `.requestDataKey`: KMS GenerateDataKey's 64-byte plaintext and blob.
    case dataKey(plaintext: [UInt8], ciphertextBlob: [UInt8])
    /// GenerateDataKey failed: the sentence to put in the handshake response.
    case dataKeyFailed(String)
    /// The user stopped the session (`stop`).
    case stop
    /// Time passed (the loop's 50 ms timer, or after any other event).
    case tick
}

/// What a session machine asks its poll loop to do, in order.
public enum SessionAction: Sendable, Equatable {
    /// Send a WebSocket message (binary frames, pings, pongs).
    case send(WebSocketFrame.Opcode, [UInt8])
    /// Write to standard output; `.outputClosed` when nobody reads it any more.
    case stdout([UInt8])
    /// Write to standard error.
    case stderr([UInt8])
    /// Session output for the recording (`connect --record`): what the session printed.
    case record([UInt8])
    /// The terminal size for the recording.
    case recordResize(columns: Int, rows: Int)
    /// Write these bytes (all that wait for the connection) without blocking; answer with
    /// `.localWrote` or `.localWriteFailed`.
    case writeLocal(LocalConnection, [UInt8])
    /// Half-close a local connection: the node closed its side, and everything was written.
    case shutdownLocal(LocalConnection)
    /// Close a local connection; `reset` sends an RST instead of a FIN, for a client that
    /// stopped reading (a FIN would wait behind the bytes it never takes).
    case closeLocal(LocalConnection, reset: Bool)
    /// Call KMS GenerateDataKey (64 bytes) for this key id, with the context
    /// {aws:ssm:SessionId, aws:ssm:TargetId} and aws:ssm:RandomChallenge when there is a challenge
    /// (spec 6.5), and answer with `.dataKey` or `.dataKeyFailed`.
    case requestDataKey(keyId: String, challenge: String?)
    /// This connection is over: the loop returns the outcome.
    case end(SessionOutcome)
}

/// How one connection of a session ended.
public enum SessionOutcome: Sendable, Equatable {
    /// The session is over (the agent closed the channel, the user left, the input drained).
    case ended
    /// The connection was lost: ResumeSession may carry the session on.
    case disconnected(String)

    /// The service sent a WebSocket Close (RFC 6455 section 5.5.1): the connection is lost, and
    /// ResumeSession may carry the session on.
    static func serviceClosed(code: UInt16?, reason: String) -> SessionOutcome {
        .disconnected("the service closed the connection (\(code.map(String.init) ?? "no code") \(reason))")
    }

    /// The payload of the WebSocket Close to send before hanging up: 1000, normal closure (RFC 6455
    /// sections 5.5.1 and 7.4.1), once the session is over, so that the service sees a clean end and
    /// not 1006 (issue 18); none for a lost connection, which ResumeSession may carry on.
    public var closePayload: [UInt8]? {
        guard case .ended = self else { return nil }
        return [0x03, 0xE8]
    }
}

/// A local connection of a forward, as the machine knows it: a number the loop gives out and
/// never reuses (file descriptors are reused at once, and a stale poll entry must not reach the
/// next connection that gets the same descriptor).
public struct LocalConnection: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let number: Int
    public init(_ number: Int) { self.number = number }
    public static func < (a: Self, b: Self) -> Bool { a.number < b.number }
    public var description: String { "#\(number)" }
}

/// What the loop should poll for: derived from the machine's state before each poll, so that
/// reading a source pauses (a full send window, a local client that does not keep up) and
/// resumes without separate bookkeeping.
public struct PollInterest: Sendable, Equatable {
    /// Read the WebSocket (false while a local client is backlogged: backpressure to the agent).
    public var webSocket = true
    /// Read standard input.
    public var input = false
    /// Accept connections on the listener.
    public var accept = false
    /// Local connections to read from, and to write to.
    public var localReads: Set<LocalConnection> = []
    public var localWrites: Set<LocalConnection> = []
    public init() {}
}

/// The instant an event happens: monotonic seconds for every interval (timeouts, liveness,
/// retransmission), and wall-clock seconds since 1970 only for the data channel's CreatedDate.
public struct SessionTime: Sendable, Equatable {
    public var now: Double
    public var wall: Double
    public init(now: Double, wall: Double) {
        self.now = now
        self.wall = wall
    }
}

/// A session state machine the poll loop drives: events in, actions out, and what to poll for.
public protocol SessionMachine: Sendable {
    mutating func handle(_ event: SessionEvent, at time: SessionTime, messageId: () -> [UInt8]) -> [SessionAction]
    /// What to poll for now.
    var interest: PollInterest { get }
}

/// A terminal's window size (TIOCGWINSZ), sent to the agent as Size (spec 4.2).
public struct TerminalSize: Sendable, Equatable {
    public var columns: Int
    public var rows: Int
    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }
}
