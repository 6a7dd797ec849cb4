import AWSCore
import SSMCore
import Testing

/// The reconnect policy as a pure value (issue 11, item 9): the budget counts from each
/// disconnect, delays grow with jitter up to a cap and stop at the deadline, and only refusals
/// end a session.
@Suite struct ReconnectPolicyTests {
    /// Follows the policy from a disconnect at `start`, each ResumeSession failing: the times of
    /// the calls, and when it gave up.
    static func retries(_ policy: inout ReconnectPolicy, from start: Double, jitter: Double = 0.5) -> (calls: [Double], gaveUpAt: Double) {
        var now = start
        var calls: [Double] = []
        while calls.count < 10_000 {
            guard case .retry(let delay) = policy.next(now: now, jitter: jitter) else { return (calls, now) }
            now += delay
            calls.append(now)
        }
        Issue.record("the policy never gives up")
        return (calls, now)
    }

    @Test func aDisconnectAnHourIntoTheSessionGetsTheWholeBudget() {
        var policy = ReconnectPolicy()
        policy.connected(now: 0)
        policy.disconnected(now: 3600)
        let (calls, gaveUpAt) = Self.retries(&policy, from: 3600)
        #expect(calls.count > 20, "minutes of retries, not one try")
        #expect(gaveUpAt >= 3600 + policy.budget - policy.maxDelay)
        #expect(gaveUpAt <= 3600 + policy.budget + 0.001, "never past the deadline")
    }

    @Test func everyDisconnectStartsAfresh() {
        var policy = ReconnectPolicy()
        policy.connected(now: 0)
        policy.disconnected(now: 100)
        _ = Self.retries(&policy, from: 100)  // a long outage, then the connection came back
        policy.connected(now: 500)
        policy.disconnected(now: 2000)
        guard case .retry(let first) = policy.next(now: 2000, jitter: 1) else {
            Issue.record("a new disconnect was refused")
            return
        }
        #expect(first <= policy.firstDelay, "the backoff starts again from the first delay")
    }

    @Test func delaysAreJitteredGrowAndAreCapped() {
        func delays(_ jitter: Double) -> [Double] {
            var policy = ReconnectPolicy()
            policy.connected(now: 0)
            policy.disconnected(now: 1000)
            var now = 1000.0
            var out: [Double] = []
            for _ in 0..<12 {
                guard case .retry(let delay) = policy.next(now: now, jitter: jitter) else { break }
                out.append(delay)
                now += delay
            }
            return out
        }
        let low = delays(0)
        let high = delays(1)
        #expect(low.count == 12 && high.count == 12)
        #expect(zip(low, high).allSatisfy { $0 < $1 }, "the jitter spreads the retries of many clients")
        #expect(high == high.sorted() && high.last == ReconnectPolicy().maxDelay, "exponential up to the cap")
        #expect(low.allSatisfy { $0 >= ReconnectPolicy().firstDelay / 2 })
    }

    @Test func aConnectionThatDropsAtOnceDoesNotRestartTheBudget() {
        var policy = ReconnectPolicy()
        policy.connected(now: 0)
        policy.disconnected(now: 1000)
        var now = 1000.0
        var reconnections = 0
        // The WebSocket opens each time and is closed within a second (a token the service refuses).
        while case .retry(let delay) = policy.next(now: now, jitter: 0.5), reconnections < 10_000 {
            now += delay
            policy.connected(now: now)
            now += 0.5
            policy.disconnected(now: now)
            reconnections += 1
        }
        #expect(reconnections < 10_000)
        #expect(now <= 1000 + policy.budget + 1, "the outage goes on across connections that do not last")
    }

    @Test func onlyRefusalsEndTheSession() {
        func service(_ code: String, _ status: Int) -> AWSServiceError {
            AWSServiceError(code: code, message: "", status: status, service: "ssm", operation: "ResumeSession")
        }
        #expect(ReconnectPolicy.isTerminal(service("AccessDeniedException", 400)))
        #expect(ReconnectPolicy.isTerminal(service("DoesNotExistException", 400)))
        #expect(!ReconnectPolicy.isTerminal(service("ThrottlingException", 400)))
        #expect(!ReconnectPolicy.isTerminal(service("TooManyRequestsException", 429)))
        #expect(!ReconnectPolicy.isTerminal(service("InternalServerError", 500)))
        #expect(!ReconnectPolicy.isTerminal(service("ServiceUnavailable", 503)))
        #expect(!ReconnectPolicy.isTerminal(TransportError(kind: .couldNotConnect, connected: false, detail: "refused", url: "https://ssm")))
    }
}
