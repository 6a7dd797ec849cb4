/// Standard-mode retries (aws-client spec section 7): which failures retry, a client-wide token
/// bucket, and full-jitter exponential backoff. Pure: the jitter source is passed in.
public enum RetryFailure: Sendable, Equatable {
    /// 500/502/503/504, RequestTimeout codes, connection failures.
    case transient
    /// A connect or read timeout (costs more in classic mode).
    case timeout
    /// Throttling codes (and HTTP 429).
    case throttling
}

public enum RetryClassifier {
    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException",
    ]
    static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete", "IDPCommunicationError",
        "InternalFailure", "InternalServerError", "ServiceUnavailable",
    ]

    /// The failure kind of an HTTP error response, or nil when it must not be retried.
    public static func classify(status: Int, code: String?) -> RetryFailure? {
        if let code, throttlingCodes.contains(code) { return .throttling }
        if status == 429 { return .throttling }
        if let code, transientCodes.contains(code) { return .transient }
        if [500, 502, 503, 504].contains(status) { return .transient }
        return nil
    }

    /// A request that got no response: retryable, a timeout costs more.
    public static func classify(_ error: TransportError) -> RetryFailure {
        error.isTimeout ? .timeout : .transient
    }
}

/// The two standard-mode generations: what the CLI ships, and the 2026 update (opt-in with
/// AWS_NEW_RETRIES_2026=true).
public enum RetryMode: Sendable, Equatable {
    case classic, standard2026

    var maxBackoff: Double { 20 }

    func cost(_ failure: RetryFailure) -> Int {
        switch (self, failure) {
        case (.classic, .timeout): return 10
        case (.classic, _): return 5
        case (.standard2026, .throttling): return 5
        case (.standard2026, _): return 14
        }
    }

    func backoffBase(_ failure: RetryFailure) -> Double {
        switch (self, failure) {
        case (.classic, _): return 1
        case (.standard2026, .throttling): return 1
        case (.standard2026, _): return 0.05
        }
    }
}

/// The client-wide retry quota. Shared by every call of one client.
public struct RetryQuota: Sendable, Equatable {
    public private(set) var available: Int
    public let capacity: Int

    public init(capacity: Int = 500, available: Int? = nil) {
        self.capacity = capacity
        self.available = available ?? capacity
    }

    mutating func take(_ amount: Int) -> Bool {
        guard available >= amount else { return false }
        available -= amount
        return true
    }

    mutating func refund(_ amount: Int) { available = min(capacity, available + amount) }
}

/// One call's retry decisions: feed each failed attempt, get retry-after-delay or stop.
public struct RetryState: Sendable {
    public enum Decision: Sendable, Equatable {
        case retry(after: Double)
        case maxAttemptsExceeded
        case quotaExceeded
        case notRetryable
    }

    public let mode: RetryMode
    public let maxAttempts: Int
    public let maxBackoff: Double
    public private(set) var attempt = 1
    private var lastCost = 0

    public init(mode: RetryMode = .classic, maxAttempts: Int = 3, maxBackoff: Double? = nil) {
        self.mode = mode
        self.maxAttempts = max(1, maxAttempts)
        self.maxBackoff = maxBackoff ?? mode.maxBackoff
    }

    /// After a failed attempt. `jitter` is uniform in [0, 1); `retryAfter` is the
    /// `x-amz-retry-after` hint in seconds (2026 mode only).
    public mutating func failed(_ failure: RetryFailure?, quota: inout RetryQuota, jitter: Double, retryAfter: Double? = nil) -> Decision {
        guard let failure else { return .notRetryable }
        guard attempt < maxAttempts else { return .maxAttemptsExceeded }
        let cost = mode.cost(failure)
        guard quota.take(cost) else { return .quotaExceeded }
        lastCost = cost
        let exponential = mode.backoffBase(failure) * Double(1 << min(attempt - 1, 30))
        var delay = jitter * min(exponential, maxBackoff)
        if mode == .standard2026, let retryAfter, retryAfter >= 0 {
            delay = min(max(retryAfter, delay), delay + 5)
        }
        attempt += 1
        return .retry(after: delay)
    }

    /// After a successful attempt: refund 1 when no retry was needed, else the last retry's cost.
    public func succeeded(quota: inout RetryQuota) {
        quota.refund(attempt == 1 ? 1 : lastCost)
    }
}
