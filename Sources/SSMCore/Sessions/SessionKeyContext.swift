/// The KMS encryption context of a session's data key (data-channel spec 6.5): GenerateDataKey
/// and the agent's Decrypt must name the same session and target, and the agent's challenge when
/// it sent one. Only when challenged: an agent without the challenge decrypts without it.
public enum SessionKeyContext {
    /// 64 bytes: the agent encrypts with the first 32, the client with the last 32.
    public static let keyLength = 64

    public static func fields(sessionId: String, target: String, challenge: String?) -> [String: String] {
        var fields = ["aws:ssm:SessionId": sessionId, "aws:ssm:TargetId": target]
        if let challenge { fields["aws:ssm:RandomChallenge"] = challenge }
        return fields
    }
}
