public import AWSCore
import Crypto
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
        let output = try await ssm.client.callJSON(.kms, "GenerateDataKey", [
            "KeyId": .string(keyId), "NumberOfBytes": .number(Double(bytes)),
            "EncryptionContext": .object(context.mapValues { JSONValue.string($0) }),
        ])
        guard let plaintext = output["Plaintext"]?.string.flatMap(Base64.decode),
              let blob = output["CiphertextBlob"]?.string.flatMap(Base64.decode) else {
            throw AWSServiceError(code: "InvalidResponse", message: "GenerateDataKey answered without Plaintext and CiphertextBlob.", status: 200,
                                  service: "kms", operation: "GenerateDataKey")
        }
        return (plaintext, blob)
    }

    public func streamHeaders(for url: EndpointURL) async throws -> [(String, String)] {
        let client = ssm.client
        // Every data-channel dial signs here first: a ws:// URL is refused before anything is sent.
        if let refusal = StreamURLPolicy.refusal(stream: url, apiEndpoint: try client.endpoint(for: .ssm).url) { throw UnusableStreamURL(description: refusal) }
        guard let provider = client.credentialProvider, let region = client.settings.region else { return [] }
        var request = HTTPRequest(method: "GET", url: url)
        request.headers.add("Host", url.hostHeader)
        SigV4Signer(region: region, service: "ssmmessages")
            .sign(&request, credentials: try await provider.credentials(), date: AmzDate(secondsSince1970: client.clock.now()))
        return request.headers.fields.filter { $0.name != "Host" }.map { ($0.name, $0.value) }
    }

    public var streamTransport: (caBundle: String?, environment: Environment) { (ssm.client.settings.caBundle, ssm.client.settings.environment) }
}
