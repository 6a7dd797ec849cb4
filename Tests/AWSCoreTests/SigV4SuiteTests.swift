@testable import AWSCore
import Testing
import TestSupport

/// The SigV4 suites of Tests/Fixtures/sigv4: the classic aws4_testsuite (34 cases), the aws-c-auth
/// v4 suite (38 cases, header and query signing) and six botocore-generated SSM/STS requests.
/// Canonical request, string to sign and signature are checked separately.
///
/// Skipped cases: none. (botocore skips the three repeated-query-key cases and get-space; this
/// signer keeps repeated keys and parses the path up to the final " HTTP/", so all pass.)
@Suite struct SigV4SuiteTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let date = AmzDate("2015-08-30T12:36:00Z")!

    /// Case folders that hold a request (`*.req` or `request.txt`), found recursively.
    static func caseFolders(_ base: String, marker: (String) -> String) -> [String] {
        var found: [String] = []
        func walk(_ folder: String) {
            for entry in Fixtures.list(folder) where Fixtures.isDirectory(folder + "/" + entry) {
                let sub = folder + "/" + entry
                if Fixtures.exists(sub + "/" + marker(entry)) { found.append(sub) } else { walk(sub) }
            }
        }
        walk(base)
        return found
    }

    static let classicCases = caseFolders("sigv4/aws4_testsuite") { "\($0).req" }
    static let crtCases = caseFolders("sigv4/aws-c-auth-v4") { _ in "request.txt" }

    /// Parses the suites' raw HTTP/1.1 request text into an HTTPRequest.
    static func parseRequest(_ text: String) throws -> HTTPRequest {
        let (head, body): (Substring, Substring) = {
            if let r = text.firstRange(of: "\n\n") { return (text[..<r.lowerBound], text[r.upperBound...]) }
            return (Substring(text), "")
        }()
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        let afterMethod = requestLine.dropFirst(method.count + 1)
        let target = String(afterMethod[..<afterMethod.ranges(of: " HTTP/").last!.lowerBound])
        var headers = HTTPHeaders()
        var pending: (String, String)?
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t" {
                pending!.1 += " " + line.trimmingWhitespace()
                continue
            }
            if let p = pending { headers.add(p.0, p.1) }
            guard let colon = line.firstIndex(of: ":") else { continue }
            pending = (String(line[..<colon]), String(line[line.index(after: colon)...]))
        }
        if let p = pending { headers.add(p.0, p.1) }
        let host = headers["Host"]!
        let path = target.prefix { $0 != "?" }
        let query = target.contains("?") ? String(target[target.index(after: target.firstIndex(of: "?")!)...]) : ""
        let url = EndpointURL(scheme: "https", host: host, path: PercentEncoding.decode(String(path)), query: QueryString.parse(query))
        return HTTPRequest(method: method, url: url, headers: headers, body: Array(body.utf8))
    }

    @Test(arguments: classicCases)
    func classicSuite(_ folder: String) throws {
        let name = String(folder.split(separator: "/").last!)
        let request = try Self.parseRequest(Fixtures.text("\(folder)/\(name).req"))
        let expectedCanonical = try Fixtures.text("\(folder)/\(name).creq")
        // The token is not in .req: take it from .creq (before) or .sreq (after), as botocore's harness does.
        var token: String?
        var options = SigV4Signer.Options()
        for line in expectedCanonical.split(separator: "\n") where line.hasPrefix("x-amz-security-token:") {
            token = String(line.dropFirst("x-amz-security-token:".count))
        }
        if token == nil, name == "post-sts-header-after" {
            let signed = try Fixtures.text("\(folder)/\(name).sreq")
            token = signed.split(separator: "\n").first { $0.lowercased().hasPrefix("x-amz-security-token:") }
                .map { String($0.split(separator: ":", maxSplits: 1)[1]) }
            options.omitSessionToken = true
        }
        let credentials = Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: Self.secret, sessionToken: token)
        var signed = request
        let result = SigV4Signer(region: "us-east-1", service: "service", options: options)
            .sign(&signed, credentials: credentials, date: Self.date)
        #expect(result.canonicalRequest == expectedCanonical)
        #expect(result.stringToSign == (try Fixtures.text("\(folder)/\(name).sts")))
        #expect(signed.headers["Authorization"] == (try Fixtures.text("\(folder)/\(name).authz")))
    }

    struct Context: Sendable {
        var accessKey: String, secretKey: String, token: String?, region: String, service: String
        var normalize: Bool, signBody: Bool, omitToken: Bool, expires: Int, date: AmzDate
    }

    static func context(_ folder: String) throws -> Context {
        let json = try JSONValue(parsing: Fixtures.bytes("\(folder)/context.json"))
        let credentials = json["credentials"]!
        return Context(
            accessKey: credentials["access_key_id"]!.string!, secretKey: credentials["secret_access_key"]!.string!,
            token: credentials["token"]?.string, region: json["region"]!.string!, service: json["service"]!.string!,
            normalize: json["normalize"]!.bool!, signBody: json["sign_body"]!.bool!,
            omitToken: json["omit_session_token"]?.bool ?? false,
            expires: json["expiration_in_seconds"]!.int!, date: AmzDate(json["timestamp"]!.string!)!)
    }

    @Test(arguments: crtCases)
    func awsCAuthHeaderSigning(_ folder: String) throws {
        let c = try Self.context(folder)
        var request = try Self.parseRequest(Fixtures.text("\(folder)/request.txt"))
        let signer = SigV4Signer(
            region: c.region, service: c.service,
            options: .init(normalizePath: c.normalize, signBody: c.signBody, omitSessionToken: c.omitToken))
        let result = signer.sign(
            &request, credentials: Credentials(accessKeyId: c.accessKey, secretAccessKey: c.secretKey, sessionToken: c.token), date: c.date)
        let expectedCanonical = try Fixtures.text("\(folder)/header-canonical-request.txt")
        #expect(result.canonicalRequest == expectedCanonical, "\(result.canonicalRequest.debugDescription) vs \(expectedCanonical.debugDescription)")
        #expect(result.stringToSign == (try Fixtures.text("\(folder)/header-string-to-sign.txt")))
        #expect(result.signature == (try Fixtures.text("\(folder)/header-signature.txt")).trimmingWhitespace())
    }

    @Test(arguments: crtCases)
    func awsCAuthQuerySigning(_ folder: String) throws {
        let c = try Self.context(folder)
        var request = try Self.parseRequest(Fixtures.text("\(folder)/request.txt"))
        let signer = SigV4Signer(
            region: c.region, service: c.service,
            options: .init(normalizePath: c.normalize, omitSessionToken: c.omitToken))
        let result = signer.presign(
            &request, credentials: Credentials(accessKeyId: c.accessKey, secretAccessKey: c.secretKey, sessionToken: c.token),
            date: c.date, expires: c.expires)
        #expect(result.canonicalRequest == (try Fixtures.text("\(folder)/query-canonical-request.txt")))
        #expect(result.stringToSign == (try Fixtures.text("\(folder)/query-string-to-sign.txt")))
        #expect(result.signature == (try Fixtures.text("\(folder)/query-signature.txt")).trimmingWhitespace())
        #expect(request.url.query.last?.name == "X-Amz-Signature")
    }

    static let botocoreCases: [String] = {
        let json = try? JSONValue(parsing: Fixtures.bytes("sigv4/botocore-generated-examples.json"))
        return json?["cases"]?.array?.compactMap { $0["name"]?.string } ?? []
    }()

    /// The exact requests botocore 1.43.11 builds for SSM (JSON 1.1) and STS (Query), signed byte for byte.
    @Test(arguments: botocoreCases)
    func botocoreGeneratedExamples(_ name: String) throws {
        let all = try JSONValue(parsing: Fixtures.bytes("sigv4/botocore-generated-examples.json"))
        let c = try #require(all["cases"]?.array?.first { $0["name"]?.string == name })
        var request = HTTPRequest(
            method: c["method"]!.string!, url: try EndpointURL(parsing: c["url"]!.string!),
            body: Array(c["body"]!.string!.utf8))
        // Only the headers present at signing time: the fixture's final list minus what botocore adds later.
        for (key, value) in c["headers"]!.object!.sorted(by: { $0.key < $1.key })
        where !["authorization", "amz-sdk-request", "content-length", "x-amz-date", "x-amz-security-token"].contains(key.lowercased()) {
            request.headers.add(key, value.string!)
        }
        let creds = c["credentials"]!
        let credentials = Credentials(
            accessKeyId: creds["access_key_id"]!.string!, secretAccessKey: creds["secret_access_key"]!.string!,
            sessionToken: creds["session_token"]?.string)
        let result = SigV4Signer(region: c["region"]!.string!, service: c["signing_name"]!.string!)
            .sign(&request, credentials: credentials, date: AmzDate(c["timestamp"]!.string!)!)
        #expect(result.canonicalRequest == c["canonical_request"]!.string!)
        #expect(result.stringToSign == c["string_to_sign"]!.string!)
        #expect(result.signature == c["signature"]!.string!)
        #expect(request.headers["Authorization"] == c["authorization"]!.string!)
    }

    @Test func suiteSizes() {
        #expect(Self.classicCases.count == 34)
        #expect(Self.crtCases.count == 38)
        #expect(Self.botocoreCases.count == 6)
    }
}
