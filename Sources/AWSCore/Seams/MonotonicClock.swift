/// Time for intervals (timeouts, liveness, retransmission, backoff), passed in so it can be faked.
/// Unlike `WallClock` it never jumps when the system time is set (POSIX `CLOCK_MONOTONIC`); its
/// zero is arbitrary, so its values are only ever subtracted from each other.
public protocol MonotonicClock: Sendable {
    /// Seconds since an arbitrary fixed point.
    func seconds() -> Double
}
