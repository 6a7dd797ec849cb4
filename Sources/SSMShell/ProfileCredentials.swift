import AWSCore
import Synchronization

/// The credentials of each profile, shared by every region the shell works in with it
/// (language page, "Many accounts and regions"): a role is assumed, and an SSO token asked for,
/// once per profile rather than once per region; an MFA code once per source keys and device,
/// whichever profiles assume roles from them (`MFASessions`). MFA questions go through one
/// `QuestionGate`, one at a time.
final class ProfileCredentials: Sendable {
    private let caches = Mutex<[String: CredentialCache]>([:])
    let mfaSessions = MFASessions()
    let questions: QuestionGate

    init(questions: QuestionGate) {
        self.questions = questions
    }

    /// The profile's cache, made by `make` the first time.
    func cache(for profile: String, make: () -> CredentialCache) -> CredentialCache {
        caches.withLock { caches in
            if let cache = caches[profile] { return cache }
            let cache = make()
            caches[profile] = cache
            return cache
        }
    }
}
