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
    /// A check found the silence over the limit; the next one, with nothing heard since, ends it.
    /// The loop judges before it reads (SessionDriver: a tick, then the poll), so after a client
    /// was suspended for 60 s or more the first check came before the messages waiting on the
    /// socket were read, and a healthy connection was resumed (closing8, "Open"): read, then judge.
    private var overdue = false

    /// A connection opened at `now`.
    public init(now: Double) { lastReceived = now }

    /// Something arrived on the connection.
    public mutating func heard(now: Double) {
        lastReceived = now
        overdue = false
    }

    public mutating func check(now: Double) -> Verdict {
        if now - lastReceived > Self.silenceLimit {
            if overdue { return .dead }
            overdue = true
            lastPing = now
            return .ping
        }
        if now - lastPing > Self.pingInterval {
            lastPing = now
            return .ping
        }
        return .alive
    }
}
