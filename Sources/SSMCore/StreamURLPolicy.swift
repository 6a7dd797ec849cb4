public import AWSCore

/// Whether a session's stream URL may be dialled. The upgrade carries SigV4 headers and the
/// first message carries the session token, so the data channel must be TLS (wss). Plain ws is
/// accepted only for a local stand-in: the API endpoint itself plain http on loopback, and the
/// stream on loopback too (the emulator) — nothing then leaves this machine.
public enum StreamURLPolicy {
    /// nil when `stream` may be dialled; else the sentence that says why not and what to do.
    public static func refusal(stream: EndpointURL, apiEndpoint: EndpointURL) -> String? {
        guard stream.scheme == "ws" else { return nil }
        if apiEndpoint.scheme == "http" && isLoopback(apiEndpoint.host) && isLoopback(stream.host) { return nil }
        return "The service returned an unencrypted ws:// stream URL (\(stream.redactedDescription)); ssm-shell will not send the session "
            + "token and signed headers in clear. Sessions need a wss:// URL; check the endpoint URL (\(apiEndpoint.redactedDescription)) "
            + "and any proxy in between. Plain ws:// is accepted only from an http endpoint on this machine (127.0.0.1, ::1, localhost)."
    }

    /// 127.0.0.0/8, ::1 and localhost, written exactly (RFC 6761 section 6.3; RFC 1122 3.2.1.3).
    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "[::1]" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { part in (1...3).contains(part.count) && part.allSatisfy { $0.isASCII && $0.isNumber } && UInt8(part) != nil }
    }
}
