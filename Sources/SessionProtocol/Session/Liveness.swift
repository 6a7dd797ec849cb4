/// Whether the connection is alive: a ping every 20 s, and nothing heard for 60 s means it is
/// dead (the service closes idle WebSockets, data-channel spec 9; a dead TCP connection says
/// nothing at all). Pure: `now` (monotonic seconds) comes in.
public struct Liveness: Sendable, Equatable {
    public static let pingInterval = 20.0
    public static let silenceLimit = 60.0

    public enum Verdict: Sendable, Equatable {
        case alive
        /// Send a ping now.
        case ping
        /// Nothing heard for `silenceLimit`.
        case dead
    }

    private var lastReceived: Double
    /// The first check pings at once.
    private var lastPing = -Double.infinity

    /// A connection opened at `now`.
    public init(now: Double) { lastReceived = now }

    /// Something arrived on the connection.
    public mutating func heard(now: Double) { lastReceived = now }

    public mutating func check(now: Double) -> Verdict {
        if now - lastPing > Self.pingInterval {
            lastPing = now
            if now - lastReceived > Self.silenceLimit { return .dead }
            return .ping
        }
        return now - lastReceived > Self.silenceLimit ? .dead : .alive
    }
}
