/// How long one call may spend trying to reach its endpoint, its attempts and their backoff
/// included: the connect timeout (`--cli-connect-timeout`). The AWS CLI gives each attempt the
/// whole connect timeout (60 s, three attempts: minutes for an endpoint that never answers);
/// issue 17 wants a dead endpoint reported within 3 s, so attempts that never connected share
/// one budget. Once an attempt has connected, the endpoint is alive and the budget stops
/// applying: later attempts (after a 503, a throttle) get the full connect timeout again.
/// Pure: the caller passes monotonic seconds in.
public struct ConnectBudget: Sendable, Equatable {
    /// Seconds; 0 or less means no limit of ours (libcurl's own default then applies).
    public let limit: Double
    public let start: Double
    public private(set) var reachedEndpoint = false

    public init(limit: Double, start: Double) {
        self.limit = limit
        self.start = start
    }

    private var bounded: Bool { limit > 0 && limit.isFinite && !reachedEndpoint }

    /// The connect timeout for the attempt that starts at `now`: what is left of the budget
    /// (never below 10 ms, so an attempt still gets a moment).
    public func connectTimeout(now: Double) -> Double {
        guard bounded else { return limit }
        return max(0.01, limit - (now - start))
    }

    /// Records a failed attempt: whether it had connected (the request may have left).
    public mutating func attemptFailed(connected: Bool) {
        if connected { reachedEndpoint = true }
    }

    /// Records an answer from the endpoint (any HTTP status).
    public mutating func answered() { reachedEndpoint = true }

    /// Whether a retry that would start after `delay` seconds still fits in the budget.
    public func allowsRetry(after delay: Double, now: Double) -> Bool {
        guard bounded else { return true }
        return now + delay - start < limit
    }
}
