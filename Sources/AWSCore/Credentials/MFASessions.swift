/// MFA-authenticated sessions, one per pair of long-term keys and MFA device, shared by every
/// profile that assumes a role from those keys: `use profile prod,staging`, both
/// `source_profile = base` with one `mfa_serial`, asks for one code (issue 14, "MFA asked once
/// per source profile"). A session is sts:GetSessionToken's answer to the device's code; a role
/// assumed with it needs no code of its own, because STS carries the MFA context of such a
/// session into AssumeRole (IAM User Guide, "Configuring MFA-protected API access"). A code cannot
/// simply be sent twice: AWS takes each one-time code once.
///
/// Kept in memory for the process only, as the role credentials are.
public actor MFASessions {
    public struct Key: Hashable, Sendable {
        public var accessKeyId: String
        public var serialNumber: String

        public init(accessKeyId: String, serialNumber: String) {
            self.accessKeyId = accessKeyId
            self.serialNumber = serialNumber
        }
    }

    private var sessions: [Key: Credentials] = [:]
    private var inFlight: [Key: Task<Credentials, any Error>] = [:]

    public init() {}

    /// The key's session while more than `CredentialCache.advisoryRefresh` of it is left, else a
    /// new one from `start`. Callers that come while `start` runs share its answer, a failure
    /// included (one question, one answer); a failure is not kept.
    public func session(
        for key: Key, now: Double, start: @escaping @Sendable () async throws -> Credentials
    ) async throws -> Credentials {
        if let session = sessions[key], (session.expiration ?? .infinity) - now > CredentialCache.advisoryRefresh {
            return session
        }
        if let running = inFlight[key] { return try await running.value }
        let task = Task { try await start() }
        inFlight[key] = task
        defer { inFlight[key] = nil }
        let session = try await task.value
        sessions[key] = session
        return session
    }
}
