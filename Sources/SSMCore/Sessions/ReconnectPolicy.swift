import AWSCore

/// When to call ResumeSession again after a disconnect, and when to give up. Pure: `now` and a
/// jitter in [0, 1] come in, a delay or a refusal goes out.
///
/// Every disconnect gets the whole budget (the service closes WebSockets about hourly, data-channel
/// spec 9 item 6, so a long session must never run out). A connection that drops again within
/// `stableAfter` does not end the outage, so a service that accepts and closes at once cannot keep
/// the client retrying forever. Delays double from `firstDelay` up to `maxDelay`, with "equal
/// jitter" (half fixed, half random) so many clients cut at once do not retry in step, and the
/// last one is cut to the deadline.
public struct ReconnectPolicy: Sendable {
    public var firstDelay = 0.1
    public var maxDelay = 5.0
    /// How long one disconnect may last before the session is given up.
    public var budget = 300.0
    public var stableAfter = 10.0
    private var outageStart: Double?
    private var connectedAt: Double?
    private var attempts = 0

    public enum Decision: Equatable, Sendable {
        case retry(after: Double)
        case giveUp
    }

    public init() {}

    public mutating func connected(now: Double) { connectedAt = now }

    /// The connection was lost, or a new one could not be opened.
    public mutating func disconnected(now: Double) {
        let lasted = connectedAt.map { now - $0 } ?? 0
        connectedAt = nil
        if outageStart == nil || lasted >= stableAfter {
            outageStart = now
            attempts = 0
        }
    }

    /// Before each ResumeSession of the outage: how long to wait first, or give up.
    public mutating func next(now: Double, jitter: Double) -> Decision {
        let start = outageStart ?? now
        outageStart = start
        let left = start + budget - now
        guard left > 0 else { return .giveUp }
        let ceiling = min(maxDelay, firstDelay * Double(1 << min(attempts, 30)))
        attempts += 1
        return .retry(after: min(left, ceiling * (0.5 + 0.5 * min(max(jitter, 0), 1))))
    }

    /// Refusals no retry can help (AccessDenied, DoesNotExist, validation); throttling, 5xx and
    /// lost connections are worth another try.
    public static func isTerminal(_ error: any Error) -> Bool {
        guard let error = error as? AWSServiceError else { return false }
        return error.status < 500 && !error.isThrottling
    }
}
