public import AWSCore
import Crypto

extension SSMClient {
    /// KMS GenerateDataKey for an encrypted session (data-channel spec 6.5): `bytes` of plaintext
    /// (64: the agent's key and ours) and the ciphertext blob the agent decrypts, under the
    /// encryption context of `SessionKeyContext`.
    public func generateDataKey(keyId: String, bytes: Int, context: [String: String]) async throws -> ([UInt8], [UInt8]) {
        let output = try await client.callJSON(
            .kms, "GenerateDataKey",
            [
                "KeyId": .string(keyId), "NumberOfBytes": .number(Double(bytes)),
                "EncryptionContext": .object(context.mapValues { JSONValue.string($0) }),
            ])
        guard let plaintext = output["Plaintext"]?.string.flatMap(Base64.decode),
            let blob = output["CiphertextBlob"]?.string.flatMap(Base64.decode)
        else {
            throw AWSServiceError(
                code: "InvalidResponse", message: "GenerateDataKey answered without Plaintext and CiphertextBlob.", status: 200,
                service: "kms", operation: "GenerateDataKey")
        }
        return (plaintext, blob)
    }

    /// The headers of the WebSocket upgrade to a stream URL, SigV4-signed for ssmmessages. Every
    /// data-channel dial comes here first, so a stream URL that must not be dialled (plain ws://
    /// to a remote host, `StreamURLPolicy`) is refused before anything is sent.
    public func streamUpgradeHeaders(for url: EndpointURL) async throws -> [(String, String)] {
        if let refusal = StreamURLPolicy.refusal(stream: url, apiEndpoint: try client.endpoint(for: .ssm).url) { throw UnusableStreamURL(description: refusal) }
        guard let provider = client.credentialProvider, let region = client.settings.region else { return [] }
        var request = HTTPRequest(method: "GET", url: url)
        request.headers.add("Host", url.hostHeader)
        SigV4Signer(region: region, service: "ssmmessages")
            .sign(&request, credentials: try await provider.credentials(), date: AmzDate(secondsSince1970: client.clock.now()))
        return request.headers.fields.filter { $0.name != "Host" }.map { ($0.name, $0.value) }
    }
}
