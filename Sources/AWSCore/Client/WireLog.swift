/// Where `--debug` writes. Everything passed here has already been redacted.
public protocol WireLog: Sendable {
    func log(_ line: String)
}

/// Masks secrets before anything reaches a log, an error or the screen: secret keys, session
/// tokens, stream tokens, bearer tokens, signatures (architecture section 8).
public enum Redactor {
    public static let mask = "****"

    /// Header names whose whole value is secret.
    static let secretHeaders: Set<String> = [
        "x-amz-security-token", "x-amz-sso_bearer_token", "x-aws-ec2-metadata-token", "proxy-authorization",
    ]
    /// JSON/XML member and query-field names whose value is secret (lower-cased, compared by suffix too).
    static let secretNames: [String] = [
        "secretaccesskey", "secret_access_key", "sessiontoken", "session_token", "tokenvalue", "token",
        "accesstoken", "refreshtoken", "clientsecret", "webidentitytoken", "x-amz-security-token", "x-amz-signature",
        "x-amz-credential", "tokencode", "password", "authorization", "plaintext", "ciphertextblob",
    ]

    /// Name endings that mark a secret whatever comes before them (`dbPassword`, `Credentials.SessionToken`).
    static let secretSuffixes: [String] = [
        "token", "secret", "secretkey", "secretaccesskey", "secret_key", "password", "passwd", "passphrase",
        "apikey", "api_key", "privatekey", "private_key",
    ]

    public static func isSecretName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return secretNames.contains(lower) || secretSuffixes.contains { lower.hasSuffix($0) } || lower.contains("secret")
    }

    /// The IMDSv2 token request (PUT /latest/api/token) is the one that carries this header; its
    /// answer is the token itself as plain text (EC2 user guide, "Use IMDSv2").
    public static func isTokenRequest(_ headers: HTTPHeaders) -> Bool {
        headers["x-aws-ec2-metadata-token-ttl-seconds"] != nil
    }

    /// One header line for the log.
    public static func header(_ name: String, _ value: String) -> String {
        let lower = name.lowercased()
        if secretHeaders.contains(lower) { return "\(name): \(mask)" }
        if lower == "authorization" { return "\(name): \(authorization(value))" }
        return "\(name): \(value)"
    }

    /// `AWS4-HMAC-SHA256 Credential=AKID/scope, SignedHeaders=..., Signature=****`; any other
    /// scheme (Bearer, container tokens) is masked whole.
    public static func authorization(_ value: String) -> String {
        guard value.hasPrefix("AWS4-HMAC-SHA256"), let range = value.firstRange(of: "Signature=") else { return mask }
        return String(value[..<range.upperBound]) + mask
    }

    /// A URL with secret query values masked.
    public static func url(_ url: EndpointURL) -> String {
        var copy = url
        copy.query = url.query.map { isSecretName($0.name) ? (name: $0.name, value: mask) : $0 }
        return copy.description.replacing(PercentEncoding.encode(mask), with: mask)
    }

    /// A request or response body: JSON members, XML elements and form fields with secret names masked.
    public static func body(_ bytes: [UInt8], contentType: String?) -> String {
        guard !bytes.isEmpty else { return "" }
        let text = String(decoding: bytes.prefix(64 * 1024), as: UTF8.self)
        let suffix = bytes.count > 64 * 1024 ? " …(\(bytes.count) bytes)" : ""
        let type = contentType?.lowercased() ?? ""
        if let json = try? JSONValue(parsing: bytes), json.object != nil || json.array != nil {
            return redact(json).serialized + suffix
        }
        if type.contains("x-www-form-urlencoded") || (text.contains("=") && !text.contains("<") && !text.contains(" ") && !text.contains("\n")) {
            return text.split(separator: "&").map { field -> String in
                let parts = field.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, isSecretName(PercentEncoding.decode(String(parts[0]))) else { return String(field) }
                return "\(parts[0])=\(mask)"
            }.joined(separator: "&") + suffix
        }
        if text.contains("<") { return xml(text) + suffix }
        return text + suffix
    }

    /// Masks every value under a secret name, whatever its shape (SendCommand's `Parameters` map
    /// names to arrays), the `Value` of a SecureString parameter, and the query of any URL (a
    /// StreamUrl or a presigned URL carries its credentials there).
    public static func redact(_ json: JSONValue) -> JSONValue {
        switch json {
        case .object(let members):
            let secureString = members["Type"]?.string == "SecureString"
            var out: [String: JSONValue] = [:]
            for (key, value) in members {
                if key.lowercased() == "authorization", case .string(let text) = value {
                    out[key] = .string(authorization(text))
                } else if case .null = value {
                    out[key] = value
                } else if isSecretName(key) || (secureString && key == "Value") {
                    out[key] = .string(mask)
                } else {
                    out[key] = redact(value)
                }
            }
            return .object(out)
        case .array(let items): return .array(items.map(redact))
        case .string(let text) where text.contains("://"): return .string(urlText(text))
        default: return json
        }
    }

    /// A URL in free text with every query value masked: `wss://h/p?role=****&X-Amz-Signature=****`.
    static func urlText(_ text: String) -> String {
        guard let question = text.firstIndex(of: "?") else { return text }
        let query = text[text.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false).map { field in
            field.split(separator: "=", maxSplits: 1).first.map { "\($0)=\(mask)" } ?? String(field)
        }
        return text[...question] + query.joined(separator: "&")
    }

    /// Masks the text of `<Name>secret</Name>` elements with secret names.
    static func xml(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: ">") else { out += rest[open...]; return out }
            let tag = rest[rest.index(after: open)..<close]
            out += rest[open...close]
            rest = rest[rest.index(after: close)...]
            let name = tag.split(separator: " ").first.map(String.init) ?? ""
            if !name.hasPrefix("/"), !tag.hasSuffix("/"), isSecretName(name), let end = rest.firstRange(of: "</\(name)>") {
                out += mask
                rest = rest[end.lowerBound...]
            }
        }
        return out + rest
    }

    /// Any free text (error messages) with known secret values removed.
    public static func scrub(_ text: String, secrets: [String]) -> String {
        var result = text
        for secret in secrets where secret.count >= 8 { result = result.replacing(secret, with: mask) }
        return result
    }
}
