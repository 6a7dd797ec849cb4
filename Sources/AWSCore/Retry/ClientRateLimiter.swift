/// AWS's "adaptive" retry mode (retry_mode = adaptive, AWS_RETRY_MODE; botocore
/// retries/adaptive.py, ClientRateLimiter): standard retries plus a client-side rate limit that
/// switches on at the first throttling answer. From then on every request takes a token from
/// `ClientTokenBucket` (waiting when there is none), and after every answer the bucket's rate is
/// set from `CubicRateCalculator` (a throttle cuts it, successes grow it back), never above
/// twice the rate answers actually come at (`SendRateMeter`). One per client: its state is the
/// client's, as botocore's is. Pure: `now` (monotonic seconds) comes in, delays go out.
public struct ClientRateLimiter: Sendable, Equatable {
    /// botocore's _MAX_RATE_ADJUST_SCALE.
    public static let maxRateAdjustScale = 2.0

    /// Whether a throttle has come yet: until then requests go out without a token.
    public private(set) var enabled = false
    public private(set) var cubic: CubicRateCalculator
    public private(set) var meter: SendRateMeter
    public private(set) var bucket: ClientTokenBucket

    public init(now: Double) {
        cubic = CubicRateCalculator(startingMaxRate: 0, start: now)
        meter = SendRateMeter(start: now)
        bucket = ClientTokenBucket(maxRate: 1, now: now)
    }

    /// Before each attempt: the seconds to wait before sending it (0 until the first throttle).
    public mutating func beforeSending(now: Double) -> Double {
        enabled ? bucket.acquire(now: now) : 0
    }

    /// A caller cancelled while it waited (`beforeSending` told it to wait): it sends nothing, so
    /// its token goes back to the bucket.
    public mutating func cancelledWhileWaiting(now: Double) {
        if enabled { bucket.refund(now: now) }
    }

    /// After each attempt's answer (or failure to get one): `throttled` when it was a throttling
    /// error (RetryClassifier). Sets the bucket's rate.
    public mutating func answered(throttled: Bool, now: Double) {
        let measured = meter.record(at: now)
        let rate: Double
        if throttled {
            rate = cubic.rateAfterThrottle(sendingAt: enabled ? min(measured, bucket.fillRate) : measured, at: now)
            enabled = true
        } else {
            rate = cubic.rateAfterSuccess(at: now)
        }
        bucket.setMaxRate(min(rate, Self.maxRateAdjustScale * measured), now: now)
    }
}
