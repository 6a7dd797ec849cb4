public import AWSCore
public import SSMCore

/// The Session Manager calls, as a seam: start, resume and end a session, and what its data
/// channel needs (KMS keys, the signed upgrade, the connection settings).
public protocol SessionsAPI: Sendable {
    func startSession(target: String, document: String?, reason: String?, parameters: [String: [String]]?) async throws -> SessionStream
    func resumeSession(_ sessionId: String) async throws -> SessionStream?
    func terminateSession(_ sessionId: String) async throws
    func describeSessions(history: Bool) async throws -> [SessionSummary]
    func connectionStatus(_ target: String) async throws -> String
    /// KMS GenerateDataKey: (plaintext, ciphertext blob).
    func generateDataKey(keyId: String, bytes: Int, context: [String: String]) async throws -> ([UInt8], [UInt8])
    /// Headers for the data-channel upgrade: SigV4 for `ssmmessages`, as current clients send.
    func streamHeaders(for url: EndpointURL) async throws -> [(String, String)]
    /// CA bundle and proxies for the data channel's connection.
    var streamTransport: (caBundle: String?, environment: Environment, connectTimeout: Double) { get }
}
