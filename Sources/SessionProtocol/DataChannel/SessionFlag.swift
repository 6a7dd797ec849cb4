/// The values of a Flag payload (payload type 10, data-channel spec 4.2): a big-endian UInt32
/// that port sessions use to end one connection or the whole session.
public enum SessionFlag: UInt32, Sendable, Equatable {
    /// Basic port mode: the local connection closed; the agent closes its side and waits for the next.
    case disconnectToPort = 1
    /// The client ends the session: the agent stops at once.
    case terminateSession = 2
    /// From the agent: it could not connect to the destination port.
    case connectToPortError = 3

    /// The payload that carries this flag.
    public var payload: [UInt8] {
        [
            UInt8(truncatingIfNeeded: rawValue >> 24), UInt8(truncatingIfNeeded: rawValue >> 16),
            UInt8(truncatingIfNeeded: rawValue >> 8), UInt8(truncatingIfNeeded: rawValue),
        ]
    }

    /// The flag a payload carries; nil for any other payload (wrong length, unknown value).
    public init?(payload: [UInt8]) {
        guard payload.count == 4 else { return nil }
        self.init(rawValue: payload.reduce(0) { $0 << 8 | UInt32($1) })
    }
}
