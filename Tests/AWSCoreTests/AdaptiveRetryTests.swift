import AWSCore
import Testing

/// AWS's adaptive retry mode as values, fed `now`. The expected figures are botocore 1.43's
/// (retries/adaptive.py, bucket.py, throttling.py) for the same answers at the same times.
@Suite struct AdaptiveRetryTests {
    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(1, abs(b)) }

    @Test func cubicGrowsBackToTheRateOfTheLastThrottle() {
        var cubic = CubicRateCalculator(startingMaxRate: 10, start: 0)
        #expect(close(cubic.zeroPoint, 1.9574338205844317))
        #expect(close(cubic.rateAfterSuccess(at: 1), 9.64893600966))
        #expect(cubic.rateAfterThrottle(sendingAt: 10, at: 2) == 7)
        #expect(close(cubic.rateAfterSuccess(at: 3), 9.64893600966))
        #expect(close(cubic.rateAfterSuccess(at: 5), 10.453284520772092), "past K the rate goes beyond the last one")
        #expect(CubicRateCalculator.cubeRoot(27) == 3 && CubicRateCalculator.cubeRoot(0) == 0)
    }

    @Test func theMeterBlendsEachHalfSecondIntoTheEstimate() {
        var meter = SendRateMeter(start: 10)
        #expect(meter.record(at: 10.1) == 0 && meter.record(at: 10.3) == 0, "the first bucket has not ended")
        #expect(close(meter.record(at: 10.6), 4.8), "3 answers in 0.5 s is 6 a second, blended 80/20 with 0")
        #expect(close(meter.record(at: 11.2), 2.56), "one answer in the next bucket: 2 a second")
    }

    @Test func theLimiterFollowsBotocoreAnswerByAnswer() {
        var limiter = ClientRateLimiter(now: 10)
        // (time, throttled, measured rate, bucket rate, enabled) as botocore has them.
        let steps: [(Double, Bool, Double, Double, Bool)] = [
            (10.1, false, 0, 0.5, false), (10.3, false, 0, 0.5, false), (10.6, false, 4.800000000000001, 0.5, false),
            (10.9, true, 4.800000000000001, 3.3600000000000003, true), (11.2, false, 4.16, 4.050888573095465, true),
            (11.6, false, 2.432, 4.569113398654289, true), (12.1, true, 2.0864, 1.4604799999999998, true),
            (12.4, false, 2.0864, 1.831119027679052, true), (13.0, false, 2.01728, 2.0792909222625475, true),
            (14.0, false, 1.203456, 2.247855455384352, true), (15.5, false, 0.7740245333333333, 1.5480490666666666, true),
        ]
        for (now, throttled, measured, rate, enabled) in steps {
            limiter.answered(throttled: throttled, now: now)
            #expect(close(limiter.meter.measuredRate, measured), "at \(now)")
            #expect(close(limiter.bucket.fillRate, rate), "at \(now)")
            #expect(limiter.enabled == enabled, "at \(now)")
        }
    }

    @Test func beforeTheFirstThrottleNothingWaits() {
        var limiter = ClientRateLimiter(now: 0)
        for i in 0..<100 {
            #expect(limiter.beforeSending(now: Double(i) * 0.001) == 0)
            limiter.answered(throttled: false, now: Double(i) * 0.001)
        }
        #expect(!limiter.enabled)
    }

    @Test func afterAThrottleRequestsQueueAtTheBucketsRate() {
        var limiter = ClientRateLimiter(now: 0)
        // 20 answers in the first second, then a throttle: the rate drops to 70% of what was measured.
        for i in 0..<20 { limiter.answered(throttled: false, now: 0.5 + Double(i) * 0.025) }
        limiter.answered(throttled: true, now: 1.0)
        let rate = limiter.bucket.fillRate
        #expect(limiter.enabled && close(rate, CubicRateCalculator.beta * limiter.meter.measuredRate))
        // Ten requests at once: each waits one more token's time than the one before.
        let waits = (0..<10).map { _ in limiter.beforeSending(now: 1.0) }
        #expect(waits == waits.sorted() && waits.last! > 0)
        for i in 1..<waits.count where waits[i - 1] > 0 { #expect(close(waits[i] - waits[i - 1], 1 / rate)) }
    }

    @Test func theBucketFillsAtItsRateUpToOneSecondsWorth() {
        var bucket = ClientTokenBucket(maxRate: 4, now: 0)
        #expect(bucket.acquire(now: 0) == 0.25, "empty at first: a token in a quarter second")
        #expect(bucket.acquire(now: 0) == 0.5, "the next queues behind it")
        #expect(bucket.acquire(now: 10) == 0, "ten seconds fill it to its capacity, 4")
        #expect(bucket.level == 3)
        bucket.setMaxRate(0.1, now: 10)
        #expect(bucket.fillRate == ClientTokenBucket.minimumRate && bucket.maxCapacity == 1 && bucket.level == 1)
        #expect(bucket.acquire(now: 10) == 0 && bucket.acquire(now: 10) == 2, "at half a token a second")
        bucket.setMaxRate(.nan, now: 10)
        #expect(bucket.fillRate == ClientTokenBucket.minimumRate, "a rate that is not a number is the minimum")
    }

    /// A caller cancelled while it waits gives its token back: a caller that asks after it waits
    /// as if it had never asked (botocore takes the token only after the wait). Callers already
    /// waiting keep the wait they were given.
    @Test func aCancelledWaitGivesItsTokenBack() {
        var bucket = ClientTokenBucket(maxRate: 2, now: 0)
        #expect(bucket.acquire(now: 0) == 0.5)
        #expect(bucket.acquire(now: 0) == 1, "the second queues behind the first")
        bucket.refund(now: 0.2)
        #expect(close(bucket.level, -0.6), "one token owed, less what 0.2 s filled")
        #expect(close(bucket.acquire(now: 0.2), 0.8), "the next waits for one token only")
        var full = ClientTokenBucket(maxRate: 2, now: 0)
        _ = full.acquire(now: 10)
        full.refund(now: 10)
        #expect(full.level == full.maxCapacity, "never above the capacity")
        var limiter = ClientRateLimiter(now: 0)
        limiter.cancelledWhileWaiting(now: 0)
        #expect(limiter.bucket.level == 0, "before a throttle no token was taken, none comes back")
    }

    @Test func aClockReadEarlierThanTheLastAddsNothing() {
        var bucket = ClientTokenBucket(maxRate: 2, now: 5)
        #expect(bucket.acquire(now: 4) == 0.5)
        #expect(bucket.level == -1)
    }
}
