public import AWSCore

/// After a disconnect: ResumeSession, paced by a `ReconnectPolicy`, until the service answers
/// with a new stream URL and token, or the session cannot go on. Time (monotonic), the jitter and
/// the call are passed in.
public struct SessionResumer: Sendable {
    public enum Outcome: Sendable {
        case resumed(SessionStream)
        /// Why the session ends, and the service's refusal when there was one (for the advice
        /// on a missing permission).
        case ended(String, refusal: AWSServiceError?)
        /// `stopped` said so during a wait.
        case stopped
    }

    /// ResumeSession: a new stream, or nil when the service has no token for it any more.
    public var resume: @Sendable (String) async throws -> SessionStream?
    public var clock: any MonotonicClock
    /// A number in [0, 1] for each delay's jitter.
    public var jitter: @Sendable () -> Double = { Double.random(in: 0...1) }
    /// Waits this many seconds (a test's clock just moves on).
    public var sleep: @Sendable (Double) async -> Void = { try? await Task.sleep(nanoseconds: UInt64(max(0, $0) * 1e9)) }

    public init(clock: any MonotonicClock, resume: @escaping @Sendable (String) async throws -> SessionStream?) {
        self.clock = clock
        self.resume = resume
    }

    public func resume(
        _ sessionId: String, policy: inout ReconnectPolicy, problem lastProblem: String,
        stopped: () -> Bool = { false }
    ) async -> Outcome {
        var problem = lastProblem
        while true {
            guard case .retry(let delay) = policy.next(now: clock.seconds(), jitter: jitter()) else {
                return .ended("reconnecting failed for \(Int(policy.budget)) s: \(problem)", refusal: nil)
            }
            // The wait in short steps, so that `stop` does not wait for the backoff.
            let until = clock.seconds() + delay
            while case let left = until - clock.seconds(), left > 0 {
                if stopped() { return .stopped }
                await sleep(min(0.1, left))
            }
            if stopped() { return .stopped }
            do {
                guard let stream = try await resume(sessionId) else {
                    return .ended("the session \(sessionId) can no longer be resumed (\(problem))", refusal: nil)
                }
                return .resumed(stream)
            } catch let error as AWSServiceError where ReconnectPolicy.isTerminal(error) {
                return .ended("reconnecting failed: \(error)", refusal: error)
            } catch {
                problem = "reconnecting failed: \(error)"  // throttling, 5xx, the network: the policy decides
            }
        }
    }
}
