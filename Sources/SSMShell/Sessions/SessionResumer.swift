import AWSCore
import SSMCore
import SystemIO

/// After a disconnect: ResumeSession, paced by a `ReconnectPolicy`, until the service answers
/// with a new stream URL and token, or the session cannot go on.
enum SessionResumer {
    enum Outcome: Sendable {
        case resumed(SessionStream)
        /// Why the session ends, and the service's refusal when there was one (for the advice
        /// on a missing permission).
        case ended(String, refusal: AWSServiceError?)
        /// `stopped` said so during a wait.
        case stopped
    }

    static func resume(_ sessionId: String, fleet: any FleetAPI, policy: inout ReconnectPolicy, problem lastProblem: String,
                       stopped: () -> Bool = { false }) async -> Outcome {
        var problem = lastProblem
        while true {
            guard case .retry(let delay) = policy.next(now: SystemClock().now(), jitter: Double.random(in: 0...1)) else {
                return .ended("reconnecting failed for \(Int(policy.budget)) s: \(problem)", refusal: nil)
            }
            // The wait in short steps, so that `stop` does not wait for the backoff.
            let until = SystemClock().now() + delay
            while case let left = until - SystemClock().now(), left > 0 {
                if stopped() { return .stopped }
                try? await Task.sleep(nanoseconds: UInt64(min(0.1, left) * 1e9))
            }
            if stopped() { return .stopped }
            do {
                guard let stream = try await fleet.resumeSession(sessionId) else {
                    return .ended("the session \(sessionId) can no longer be resumed (\(problem))", refusal: nil)
                }
                return .resumed(stream)
            } catch let error as AWSServiceError where ReconnectPolicy.isTerminal(error) {
                return .ended("reconnecting failed: \(error)", refusal: error)
            } catch {
                problem = "reconnecting failed: \(error)"   // throttling, 5xx, the network: the policy decides
            }
        }
    }
}
