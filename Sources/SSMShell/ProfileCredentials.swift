import AWSCore
import Synchronization

/// The credentials of each profile, shared by every region the shell works in with it
/// (language page, "Many accounts and regions"): a role is assumed, and an MFA code or an SSO
/// token asked for, once per profile rather than once per region. MFA questions are asked one
/// at a time, so that pairs starting at once never talk over each other on the terminal.
final class ProfileCredentials: Sendable {
    private let caches = Mutex<[String: CredentialCache]>([:])
    private let questions = QuestionGate()

    /// The profile's cache, made by `make` the first time.
    func cache(for profile: String, make: () -> CredentialCache) -> CredentialCache {
        caches.withLock { caches in
            if let cache = caches[profile] { return cache }
            let cache = make()
            caches[profile] = cache
            return cache
        }
    }

    /// Asks through `ask`, after any question already being asked has been answered.
    func oneAtATime(_ ask: @escaping @Sendable () throws -> String) async throws -> String {
        try await questions.ask(ask)
    }
}

/// One question on the terminal at a time (an actor's methods run one after another).
private actor QuestionGate {
    func ask(_ ask: @Sendable () throws -> String) throws -> String { try ask() }
}
