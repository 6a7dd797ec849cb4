import Crypto

/// AWS Signature Version 4 (AWS General Reference, "Signature Version 4 signing process"),
/// for header signing and for presigned URLs. Pure: the time and credentials are passed in.
public struct SigV4Signer: Sendable {
    public struct Options: Sendable, Equatable {
        /// Remove `.`/`..` segments and repeated slashes from the path (every service but S3).
        public var normalizePath = true
        /// Add a signed `x-amz-content-sha256` header (S3 style; SSM and STS do not).
        public var signBody = false
        /// Sign without the session token and attach it afterwards (aws-c-auth `omit_session_token`).
        public var omitSessionToken = false
        /// With `signBody`: send and sign `UNSIGNED-PAYLOAD` instead of the body's hash (S3 only;
        /// botocore `S3SigV4Auth.payload` when payload signing is off).
        public var unsignedPayload = false
        public init(normalizePath: Bool = true, signBody: Bool = false, omitSessionToken: Bool = false, unsignedPayload: Bool = false) {
            self.normalizePath = normalizePath
            self.signBody = signBody
            self.omitSessionToken = omitSessionToken
            self.unsignedPayload = unsignedPayload
        }

        /// S3's rules (botocore `S3SigV4Auth`): the path is signed exactly as sent (no dot-segment
        /// removal, `//` kept, encoded once, never twice) and `x-amz-content-sha256` is signed.
        public static func s3(unsignedPayload: Bool = false) -> Options {
            Options(normalizePath: false, signBody: true, unsignedPayload: unsignedPayload)
        }
    }

    /// The payload hash S3 accepts in place of the body's SHA-256.
    public static let unsignedPayloadValue = "UNSIGNED-PAYLOAD"

    /// The intermediate artifacts, so tests can check each step separately.
    public struct Result: Sendable, Equatable {
        public var canonicalRequest: String
        public var stringToSign: String
        public var signature: String
        public var signedHeaders: String
    }

    /// Headers never signed: they are hop-by-hop or rewritten by proxies and libraries (botocore's list).
    public static let unsignedHeaders: Set<String> = [
        "user-agent", "expect", "transfer-encoding", "connection", "keep-alive", "proxy-authenticate",
        "proxy-authorization", "te", "trailer", "upgrade", "x-amzn-trace-id", "authorization",
    ]

    public var region: String
    public var service: String
    public var options: Options

    public init(region: String, service: String, options: Options = Options()) {
        self.region = region
        self.service = service
        self.options = options
    }

    /// Adds `X-Amz-Date`, the token and `Authorization` to the request and returns the artifacts.
    @discardableResult
    public func sign(_ request: inout HTTPRequest, credentials: Credentials, date: AmzDate) -> Result {
        request.headers.remove("Authorization")
        if !request.headers.contains("Host") { request.headers.add("Host", request.url.hostHeader) }
        request.headers.set("X-Amz-Date", date.timestamp)
        let payloadHash =
            options.signBody && options.unsignedPayload ? Self.unsignedPayloadValue : Hex.encode(Digest.sha256(request.body))
        if options.signBody { request.headers.set("x-amz-content-sha256", payloadHash) }
        if let token = credentials.sessionToken, !options.omitSessionToken {
            request.headers.set("X-Amz-Security-Token", token)
        }
        let canonicalHeaders = Self.canonicalHeaders(request.headers)
        let signedHeaders = canonicalHeaders.map(\.name).joined(separator: ";")
        let canonicalRequest = [
            request.method.uppercased(),
            canonicalURI(request.url.path),
            Self.canonicalQuery(request.url.query),
            canonicalHeaders.map { "\($0.name):\($0.value)\n" }.joined(),
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        let result = finish(canonicalRequest: canonicalRequest, signedHeaders: signedHeaders, credentials: credentials, date: date)
        request.headers.add(
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope(date)), SignedHeaders=\(signedHeaders), Signature=\(result.signature)")
        if let token = credentials.sessionToken, options.omitSessionToken {
            request.headers.set("X-Amz-Security-Token", token)
        }
        return result
    }

    /// Presigns the URL: the signature goes in the query, with `host` (and any other headers
    /// present) signed. The token is signed in the query unless `omitSessionToken`.
    @discardableResult
    public func presign(_ request: inout HTTPRequest, credentials: Credentials, date: AmzDate, expires: Int) -> Result {
        if !request.headers.contains("Host") { request.headers.add("Host", request.url.hostHeader) }
        let payloadHash = Hex.encode(Digest.sha256(request.body))
        let canonicalHeaders = Self.canonicalHeaders(request.headers)
        let signedHeaders = canonicalHeaders.map(\.name).joined(separator: ";")
        var query = request.url.query
        query.append((name: "X-Amz-Algorithm", value: "AWS4-HMAC-SHA256"))
        query.append((name: "X-Amz-Credential", value: "\(credentials.accessKeyId)/\(scope(date))"))
        query.append((name: "X-Amz-Date", value: date.timestamp))
        query.append((name: "X-Amz-SignedHeaders", value: signedHeaders))
        query.append((name: "X-Amz-Expires", value: String(expires)))
        if let token = credentials.sessionToken, !options.omitSessionToken {
            query.append((name: "X-Amz-Security-Token", value: token))
        }
        let canonicalRequest = [
            request.method.uppercased(),
            canonicalURI(request.url.path),
            Self.canonicalQuery(query),
            canonicalHeaders.map { "\($0.name):\($0.value)\n" }.joined(),
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        let result = finish(canonicalRequest: canonicalRequest, signedHeaders: signedHeaders, credentials: credentials, date: date)
        if let token = credentials.sessionToken, options.omitSessionToken {
            query.append((name: "X-Amz-Security-Token", value: token))
        }
        query.append((name: "X-Amz-Signature", value: result.signature))
        request.url.query = query
        return result
    }

    public func scope(_ date: AmzDate) -> String { "\(date.day)/\(region)/\(service)/aws4_request" }

    /// The signing key: HMAC chained over date, region, service and "aws4_request".
    public func signingKey(secret: String, date: AmzDate) -> [UInt8] {
        var key = HMAC.sha256(key: Array(("AWS4" + secret).utf8), message: date.day)
        key = HMAC.sha256(key: key, message: region)
        key = HMAC.sha256(key: key, message: service)
        return HMAC.sha256(key: key, message: "aws4_request")
    }

    private func finish(canonicalRequest: String, signedHeaders: String, credentials: Credentials, date: AmzDate) -> Result {
        let stringToSign = [
            "AWS4-HMAC-SHA256", date.timestamp, scope(date), Hex.encode(Digest.sha256(canonicalRequest)),
        ].joined(separator: "\n")
        let signature = Hex.encode(HMAC.sha256(key: signingKey(secret: credentials.secretAccessKey, date: date), message: stringToSign))
        return Result(canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature, signedHeaders: signedHeaders)
    }

    /// The canonical URI: normalized (unless S3-style) and URI-encoded per segment.
    func canonicalURI(_ path: String) -> String {
        let normalized = options.normalizePath ? Self.removeDotSegments(path) : path
        return PercentEncoding.encode(normalized.isEmpty ? "/" : normalized, keepSlash: true)
    }

    /// RFC 3986 section 5.2.4 dot-segment removal, plus collapsing empty segments as SigV4 does.
    static func removeDotSegments(_ path: String) -> String {
        var output: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !output.isEmpty { output.removeLast() }
            default: output.append(segment)
            }
        }
        var result = "/" + output.joined(separator: "/")
        let lastSegment = path.split(separator: "/", omittingEmptySubsequences: false).last
        let endsInDirectory = path.hasSuffix("/") || lastSegment == "." || lastSegment == ".."
        if endsInDirectory && !output.isEmpty { result += "/" }
        return result
    }

    /// Sorted by encoded name, then encoded value; repeated names are all kept.
    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        query.map { (PercentEncoding.encode($0.name), PercentEncoding.encode($0.value)) }
            .sorted { $0.0 == $1.0 ? $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) : $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// Lower-cased names sorted bytewise; repeated values joined with "," in order; values
    /// trimmed with inner whitespace runs collapsed.
    static func canonicalHeaders(_ headers: HTTPHeaders) -> [(name: String, value: String)] {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for field in headers {
            let name = field.name.lowercased()
            if unsignedHeaders.contains(name) { continue }
            if values[name] == nil { order.append(name) }
            values[name, default: []].append(collapseWhitespace(field.value))
        }
        return order.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            .map { (name: $0, value: values[$0]!.joined(separator: ",")) }
    }

    static func collapseWhitespace(_ value: String) -> String {
        var out = ""
        var pendingSpace = false
        for char in value {
            if char == " " || char == "\t" || char == "\n" || char == "\r" {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" "); pendingSpace = false }
                out.append(char)
            }
        }
        return out
    }
}

/// A SigV4 timestamp: `YYYYMMDD'T'HHMMSS'Z'` and its date part, from seconds since 1970 UTC.
public struct AmzDate: Sendable, Equatable {
    public let timestamp: String
    public var day: String { String(timestamp.prefix(8)) }

    public init(secondsSince1970 seconds: Double) {
        timestamp = CivilTime(clamping: seconds).format(compact: true)
    }

    /// Parses `20150830T123600Z` or ISO-8601 `2015-08-30T12:36:00Z`.
    public init?(_ text: String) {
        guard let seconds = CivilTime.parseISO8601(text) else { return nil }
        self.init(secondsSince1970: seconds)
    }
}
