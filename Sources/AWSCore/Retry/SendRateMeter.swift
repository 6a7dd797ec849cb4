/// How fast a client is actually getting answers, smoothed: answers are counted in half-second
/// buckets and each finished bucket's rate is blended into the estimate 80/20 (botocore
/// retries/adaptive.py, RateClocker). Pure: `now` (seconds) comes in.
public struct SendRateMeter: Sendable, Equatable {
    public static let smoothing = 0.8
    public static let bucketSeconds = 0.5

    /// Requests a second, smoothed.
    public private(set) var measuredRate = 0.0
    private var lastBucket: Double
    private var count = 0

    public init(start: Double) { lastBucket = start.rounded(.down) }

    /// Counts one answer at `now` and returns the estimate.
    public mutating func record(at now: Double) -> Double {
        let bucket = (now / Self.bucketSeconds).rounded(.down) * Self.bucketSeconds
        count += 1
        if bucket > lastBucket {
            let current = Double(count) / (bucket - lastBucket)
            measuredRate = current * Self.smoothing + measuredRate * (1 - Self.smoothing)
            count = 0
            lastBucket = bucket
        }
        return measuredRate
    }
}
