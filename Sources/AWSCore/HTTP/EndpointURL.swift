/// An absolute http(s) URL split into the parts SigV4 and the transport need.
/// `path` is the decoded path as the caller means it; `query` holds decoded name/value pairs.
public struct EndpointURL: Sendable, Equatable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int?
    public var path: String
    public var query: [(name: String, value: String)]

    public init(scheme: String, host: String, port: Int? = nil, path: String = "/", query: [(String, String)] = []) {
        self.scheme = scheme.lowercased()
        self.host = host
        self.port = port
        self.path = path.isEmpty ? "/" : path
        self.query = query.map { (name: $0.0, value: $0.1) }
    }

    public static func == (lhs: EndpointURL, rhs: EndpointURL) -> Bool {
        lhs.scheme == rhs.scheme && lhs.host == rhs.host && lhs.port == rhs.port && lhs.path == rhs.path
            && lhs.query.elementsEqual(rhs.query) { $0.name == $1.name && $0.value == $1.value }
    }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let text: String
        public let reason: String
        public var description: String { "\"\(text)\" is not a usable URL: \(reason). Write it as https://host[:port][/path]." }
    }

    /// Parses `scheme://host[:port][/path][?query]`. IPv6 hosts are written in brackets.
    public init(parsing text: String) throws(ParseError) {
        let trimmed = text.trimmingWhitespace()
        guard let colon = trimmed.firstIndex(of: ":"), trimmed[colon...].hasPrefix("://") else {
            throw ParseError(text: text, reason: "it has no scheme")
        }
        let scheme = trimmed[..<colon].lowercased()
        guard scheme == "http" || scheme == "https" || scheme == "ws" || scheme == "wss" else {
            throw ParseError(text: text, reason: "the scheme must be http or https")
        }
        var rest = trimmed[trimmed.index(colon, offsetBy: 3)...]
        if let fragment = rest.firstIndex(of: "#") { rest = rest[..<fragment] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw ParseError(text: text, reason: "an IPv6 host is not closed with ]") }
            host = authority[...close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw ParseError(text: text, reason: "unexpected text after the host")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw ParseError(text: text, reason: "it has no host") }
        var port: Int?
        if let portText, !portText.isEmpty {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw ParseError(text: text, reason: "the port is not a number from 1 to 65535")
            }
            port = value
        }
        let pathAndQuery = rest[authorityEnd...]
        let queryStart = pathAndQuery.firstIndex(of: "?")
        let rawPath = queryStart.map { pathAndQuery[..<$0] } ?? pathAndQuery
        let rawQuery = queryStart.map { pathAndQuery[pathAndQuery.index(after: $0)...] } ?? ""
        self.init(
            scheme: scheme, host: host.lowercased(), port: port,
            path: PercentEncoding.decode(String(rawPath)),
            query: QueryString.parse(String(rawQuery)))
    }

    public var defaultPort: Int { (scheme == "https" || scheme == "wss") ? 443 : 80 }
    public var effectivePort: Int { port ?? defaultPort }

    /// The Host header value: the host, plus `:port` only when it is not the scheme's default
    /// (aws-client spec section 1, "The Host value").
    public var hostHeader: String {
        if let port, port != defaultPort { return "\(host):\(port)" }
        return host
    }

    /// The encoded query string, in the order held.
    public var encodedQuery: String {
        query.map { PercentEncoding.encode($0.name) + "=" + PercentEncoding.encode($0.value) }.joined(separator: "&")
    }

    /// The request target: encoded path plus query.
    public var requestTarget: String {
        let path = PercentEncoding.encode(self.path, keepSlash: true)
        return query.isEmpty ? path : path + "?" + encodedQuery
    }

    /// The absolute URL as sent on the wire.
    public var description: String { "\(scheme)://\(hostHeader)\(requestTarget)" }

    /// The URL without its query: safe for logs and errors, since presigned queries carry secrets.
    public var redactedDescription: String { "\(scheme)://\(hostHeader)\(PercentEncoding.encode(path, keepSlash: true))" }
}

public enum QueryString {
    /// Splits `a=1&b=2` into decoded pairs, keeping order and repeats; `a` alone gives ("a", "").
    public static func parse(_ text: String) -> [(String, String)] {
        guard !text.isEmpty else { return [] }
        return text.split(separator: "&", omittingEmptySubsequences: true).map { part in
            if let eq = part.firstIndex(of: "=") {
                return (PercentEncoding.decode(String(part[..<eq])), PercentEncoding.decode(String(part[part.index(after: eq)...])))
            }
            return (PercentEncoding.decode(String(part)), "")
        }
    }
}
