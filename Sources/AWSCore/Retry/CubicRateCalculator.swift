/// The send rate after each answer in AWS's adaptive retry mode: CUBIC congestion control on
/// requests a second (botocore retries/throttling.py, CubicCalculator; the SDKs' "adaptive"
/// retry spec). A throttle remembers the rate it came at and drops to 70% of it; successes then
/// grow the rate along a cubic back to that rate and beyond. Pure: `now` (seconds) comes in.
public struct CubicRateCalculator: Sendable, Equatable {
    /// C and beta of the spec (botocore's _SCALE_CONSTANT and _BETA).
    public static let scale = 0.4
    public static let beta = 0.7

    /// The rate the last throttle came at (W_max).
    public private(set) var lastMaxRate: Double
    /// When the last throttle came.
    public private(set) var lastThrottle: Double
    /// Seconds after a throttle at which the cubic is back at `lastMaxRate` (K).
    public private(set) var zeroPoint: Double

    public init(startingMaxRate: Double = 0, start: Double) {
        lastMaxRate = startingMaxRate
        lastThrottle = start
        zeroPoint = Self.zeroPoint(startingMaxRate)
    }

    static func zeroPoint(_ maxRate: Double) -> Double { cubeRoot(maxRate * (1 - beta) / scale) }

    /// x^(1/3) for x >= 0 by Newton's method (the standard library has no cbrt without Foundation).
    public static func cubeRoot(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return x.isFinite ? 0 : x }
        var y = max(1, x / 3)
        for _ in 0..<200 {
            let next = y - (y * y * y - x) / (3 * y * y)
            if abs(next - y) <= 1e-15 * next { return next }
            y = next
        }
        return y
    }

    /// The rate after a success at `now`: C * (t - K)^3 + W_max.
    public func rateAfterSuccess(at now: Double) -> Double {
        let t = now - lastThrottle - zeroPoint
        return Self.scale * t * t * t + lastMaxRate
    }

    /// The rate after a throttle at `now` that came while sending at `rate`: beta * rate.
    public mutating func rateAfterThrottle(sendingAt rate: Double, at now: Double) -> Double {
        lastMaxRate = rate
        zeroPoint = Self.zeroPoint(rate)
        lastThrottle = now
        return rate * Self.beta
    }
}
