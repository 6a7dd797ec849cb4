/// An AWS access key, secret key and optional session token. The secret parts never appear
/// in `description`, so printing credentials, logging them or putting them in an error is safe.
public struct Credentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// Seconds since 1970; nil for long-term keys.
    public var expiration: Double?
    public var accountId: String?
    /// Where they came from, for `doctor` and error messages ("environment", "profile dev", ...).
    public var source: String

    public init(
        accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil,
        expiration: Double? = nil, accountId: String? = nil, source: String = ""
    ) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.accountId = accountId
        self.source = source
    }

    public var description: String {
        "credentials \(accessKeyId) from \(source.isEmpty ? "an unnamed source" : source)"
            + (sessionToken == nil ? "" : " (temporary)")
    }

    public var debugDescription: String { description }
}
