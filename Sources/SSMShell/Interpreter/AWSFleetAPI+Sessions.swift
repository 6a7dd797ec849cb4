public import AWSCore
public import SSMCore

/// The sessions seam of the real fleet: SSM's session calls, KMS for the data channel's keys,
/// and the signed WebSocket upgrade.
extension AWSFleetAPI {
    public func startSession(target: String, document: String?, reason: String?, parameters: [String: [String]]?) async throws -> SessionStream {
        try await ssm.startSession(target: target, documentName: document, reason: reason, parameters: parameters)
    }

    /// nil when the service says the session cannot be resumed (a null token).
    public func resumeSession(_ sessionId: String) async throws -> SessionStream? {
        do { return try await ssm.resumeSession(sessionId: sessionId) } catch let error as AWSServiceError where error.code == "InvalidResponse" { return nil }
    }

    public func terminateSession(_ sessionId: String) async throws { try await ssm.terminateSession(sessionId: sessionId) }
    public func describeSessions(history: Bool) async throws -> [SessionSummary] {
        try await ssm.describeSessions(state: history ? "History" : "Active")
    }
    public func connectionStatus(_ target: String) async throws -> String { try await ssm.connectionStatus(target: target) }

    public func generateDataKey(keyId: String, bytes: Int, context: [String: String]) async throws -> ([UInt8], [UInt8]) {
        try await ssm.generateDataKey(keyId: keyId, bytes: bytes, context: context)
    }

    public func streamHeaders(for url: EndpointURL) async throws -> [(String, String)] { try await ssm.streamUpgradeHeaders(for: url) }

    public var streamTransport: (caBundle: String?, environment: Environment, connectTimeout: Double) {
        (ssm.client.settings.caBundle, ssm.client.settings.environment, ssm.client.options.timeouts.connect)
    }
}
