import AWSCore
import SSMCore
import Testing

/// A `ws://` stream URL would carry the session token and the signed upgrade headers in clear:
/// it is dialled only when the API endpoint itself is plain http on loopback (the emulator).
@Suite struct StreamURLPolicyTests {
    func refusal(_ stream: String, api: String) throws -> String? {
        StreamURLPolicy.refusal(stream: try EndpointURL(parsing: stream), apiEndpoint: try EndpointURL(parsing: api))
    }

    @Test(arguments: [
        ("wss://ssmmessages.eu-west-1.amazonaws.com/v1/data-channel/s-1?role=publish_subscribe", "https://ssm.eu-west-1.amazonaws.com"),
        ("wss://127.0.0.1:8443/v1/data-channel/s-1", "https://127.0.0.1:8443"),
        ("ws://127.0.0.1:4566/v1/data-channel/s-1", "http://127.0.0.1:4566"),
        ("ws://127.3.4.5:4566/v1/data-channel/s-1", "http://127.0.0.2:4566"),
        ("ws://localhost:4566/v1/data-channel/s-1", "http://localhost:4566"),
        ("ws://[::1]:4566/v1/data-channel/s-1", "http://[::1]:4566"),
    ])
    func allowed(stream: String, api: String) throws {
        #expect(try refusal(stream, api: api) == nil)
    }

    @Test(arguments: [
        // Plain ws from the real service, or from any endpoint not on this machine.
        ("ws://ssmmessages.eu-west-1.amazonaws.com/v1/data-channel/s-1", "https://ssm.eu-west-1.amazonaws.com"),
        ("ws://ssmmessages.eu-west-1.amazonaws.com/v1/data-channel/s-1", "http://ssm.eu-west-1.amazonaws.com"),
        ("ws://10.0.0.5:4566/v1/data-channel/s-1", "http://10.0.0.5:4566"),
        // A loopback API endpoint over TLS means the user wants TLS: no ws downgrade.
        ("ws://127.0.0.1:4566/v1/data-channel/s-1", "https://127.0.0.1:4566"),
        // A plain-http loopback endpoint does not make a remote ws host safe.
        ("ws://ssmmessages.example.com/v1/data-channel/s-1", "http://127.0.0.1:4566"),
        // Names that only look like loopback.
        ("ws://127.0.0.1.attacker.example/v1/data-channel/s-1", "http://127.0.0.1.attacker.example"),
        ("ws://localhost.attacker.example/v1/data-channel/s-1", "http://localhost.attacker.example"),
        ("ws://128.0.0.1/v1/data-channel/s-1", "http://128.0.0.1"),
        ("ws://[::2]/v1/data-channel/s-1", "http://[::2]"),
    ])
    func refused(stream: String, api: String) throws {
        let sentence = try #require(try refusal(stream, api: api))
        #expect(sentence.contains("unencrypted ws://"))
        #expect(sentence.contains("wss://"))
        #expect(!sentence.contains("s-1?"), "no query string (it may hold a token) in the sentence")
    }
}
