/// Caches credentials and refreshes them ahead of expiry, as botocore does: an optional refresh
/// 15 minutes before (failures keep the old ones), a blocking one 10 minutes before.
public actor CredentialCache: CredentialProvider {
    public static let advisoryRefresh: Double = 15 * 60
    public static let mandatoryRefresh: Double = 10 * 60

    private let source: any CredentialProvider
    private let clock: any WallClock
    private var cached: Credentials?
    private var inFlight: Task<Credentials, any Error>?

    public init(source: any CredentialProvider, clock: any WallClock) {
        self.source = source
        self.clock = clock
    }

    public func credentials() async throws -> Credentials {
        let now = clock.now()
        if let cached {
            guard let expiration = cached.expiration else { return cached }
            let remaining = expiration - now
            if remaining > Self.advisoryRefresh { return cached }
            if remaining > Self.mandatoryRefresh {
                // Advisory window: try, but keep what we have if the refresh fails.
                if let fresh = try? await refresh() { return fresh }
                return cached
            }
        }
        return try await refresh()
    }

    /// Forgets the cached credentials (after the service rejected them as expired).
    public func invalidate() { cached = nil }

    private func refresh() async throws -> Credentials {
        // Concurrent callers share one refresh.
        if let inFlight { return try await inFlight.value }
        let task = Task { [source] in try await source.credentials() }
        inFlight = task
        defer { inFlight = nil }
        let fresh = try await task.value
        cached = fresh
        return fresh
    }
}
