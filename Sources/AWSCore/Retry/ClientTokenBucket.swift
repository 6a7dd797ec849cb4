/// The adaptive mode's client-side token bucket (botocore retries/bucket.py, TokenBucket):
/// filled at the current send rate (never below half a request a second) up to one second's
/// worth (at least 1), one token a request. Pure: `now` (seconds) comes in, and instead of
/// blocking as botocore's does, `acquire` answers how long to wait: a token not there yet is
/// owed (the level goes below zero), so callers queue behind each other at the fill rate.
public struct ClientTokenBucket: Sendable, Equatable {
    public static let minimumRate = 0.5

    /// Tokens a second (botocore's max_rate, as its getter answers it).
    public private(set) var fillRate: Double
    public private(set) var maxCapacity: Double
    /// Tokens now; below zero when tokens are owed to callers already told to wait.
    public private(set) var level = 0.0
    private var lastRefill: Double

    public init(maxRate: Double = 1, now: Double) {
        fillRate = max(maxRate, Self.minimumRate)
        maxCapacity = max(maxRate, 1)
        lastRefill = now
    }

    /// A new rate from `now` on: what the old rate filled until now is kept, the level is
    /// capped at the new capacity.
    public mutating func setMaxRate(_ rate: Double, now: Double) {
        refill(now)
        fillRate = max(rate.isFinite ? rate : Self.minimumRate, Self.minimumRate)
        maxCapacity = rate >= 1 && rate.isFinite ? rate : 1
        level = min(level, maxCapacity)
    }

    /// Takes one token: 0 when one was there, else the seconds until it will have been filled.
    public mutating func acquire(now: Double) -> Double {
        refill(now)
        level -= 1
        return level >= 0 ? 0 : -level / fillRate
    }

    /// Gives back the token of a caller cancelled while it waited for it: it never sent, so the
    /// callers behind it wait no longer for it. botocore's bucket takes a token only once its
    /// wait is over (retries/bucket.py, TokenBucket.acquire), so a cancelled wait costs nothing
    /// there either.
    public mutating func refund(now: Double) {
        refill(now)
        level = min(maxCapacity, level + 1)
    }

    private mutating func refill(_ now: Double) {
        // A clock read on another thread may come in a hair earlier than the last one.
        let elapsed = max(0, now - lastRefill)
        level = min(maxCapacity, level + elapsed * fillRate)
        lastRefill = max(lastRefill, now)
    }
}
