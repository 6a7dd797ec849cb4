public import AWSCore
public import SessionProtocol

/// Runs a started session to its end, for connect, proxy and forward alike: opens a connection
/// to the stream URL, runs it (on a dedicated thread: `run` is the caller's), and after a
/// disconnect resumes it with ResumeSession (`SessionResumer`), for minutes and not the plugin's
/// 3-6 s (data-channel spec 5.1, 5.6); only a refusal, a null token or an unusable stream URL
/// ends the session early.
public struct SessionRunner<Connection: Sendable>: Sendable {
    public enum Result: Sendable {
        /// The session ended (the agent closed it, the user left).
        case ended
        /// `stopped` said so.
        case stopped
        /// The session could not go on: why, and the service's refusal when there was one.
        case failed(String, refusal: AWSServiceError?)
    }

    public var sessionId: String
    /// Dials a stream and sends OpenDataChannel; `UnusableStreamURL` ends the session at once.
    public var open: @Sendable (SessionStream) async throws -> Connection
    /// One connection of the session, to its end.
    public var run: @Sendable (Connection) async -> SessionOutcome
    /// Whether the session is over, whatever the last connection said (a disconnect after the end
    /// is no failure).
    public var sessionEnded: @Sendable () -> Bool
    public var resumer: SessionResumer
    public var stopped: @Sendable () -> Bool = { false }

    public init(
        sessionId: String, resumer: SessionResumer, open: @escaping @Sendable (SessionStream) async throws -> Connection,
        run: @escaping @Sendable (Connection) async -> SessionOutcome, sessionEnded: @escaping @Sendable () -> Bool
    ) {
        self.sessionId = sessionId
        self.resumer = resumer
        self.open = open
        self.run = run
        self.sessionEnded = sessionEnded
    }

    public func run(from first: SessionStream) async -> Result {
        var current = first
        var policy = ReconnectPolicy()
        var problem = "disconnected"
        while !stopped() {
            do {
                let connection = try await open(current)
                policy.connected(now: resumer.clock.seconds())
                let outcome = await run(connection)
                guard case .disconnected(let reason) = outcome, !sessionEnded() else { return .ended }
                problem = reason
            } catch let unusable as UnusableStreamURL {
                return .failed(unusable.description, refusal: nil)
            } catch {
                problem = "\(error)"
            }
            // The same policy for every session: throttling and 5xx are retried, a refusal ends it.
            policy.disconnected(now: resumer.clock.seconds())
            switch await resumer.resume(sessionId, policy: &policy, problem: problem, stopped: stopped) {
            case .resumed(let resumed): current = resumed
            case .ended(let reason, let refusal): return .failed(reason, refusal: refusal)
            case .stopped: return .stopped
            }
        }
        return .stopped
    }
}
