import AWSCore
import Testing
import TestSupport

/// S3 requests replayed from Tests/Fixtures/sigv4/botocore-s3-generated.json (written by
/// scripts/testing/generate_s3_sigv4_fixtures.py with the pinned botocore): each is signed with
/// S3's rules and must give botocore's canonical request, string to sign and signature, and
/// each URL must be the one `S3Endpoint` builds for the same bucket, key, region and endpoint.
@Suite struct S3SigningTests {
    static let fixture = "sigv4/botocore-s3-generated.json"

    /// Parsed once: the file is large and a debug build parses it slowly.
    static let document: JSONValue? = try? JSONValue(parsing: Fixtures.bytes(fixture))

    static let cases: [String] = document?["cases"]?.array?.compactMap { $0["name"]?.string } ?? []

    static func load(_ name: String) throws -> (all: JSONValue, one: JSONValue) {
        let all = try #require(document, "\(fixture) is missing or not JSON")
        return (all, try #require(all["cases"]?.array?.first { $0["name"]?.string == name }))
    }

    @Test(arguments: cases)
    func signsAsBotocore(_ name: String) throws {
        let (all, c) = try Self.load(name)
        let url = try EndpointURL(parsing: c["url"]!.string!)
        var request = HTTPRequest(method: c["method"]!.string!, url: url, body: Array(c["body"]!.string!.utf8))
        for (key, value) in c["headers"]!.object!.sorted(by: { $0.key < $1.key }) { request.headers.add(key, value.string!) }
        let credentials = Credentials(
            accessKeyId: all["access_key_id"]!.string!, secretAccessKey: all["secret_access_key"]!.string!,
            sessionToken: c["session_token"]?.string)
        let options = SigV4Signer.Options.s3(unsignedPayload: c["payload"]!.string! == "unsigned")
        let result = SigV4Signer(region: c["signing_region"]!.string!, service: c["signing_name"]!.string!, options: options)
            .sign(&request, credentials: credentials, date: AmzDate(all["timestamp"]!.string!)!)
        #expect(result.canonicalRequest == c["canonical_request"]!.string!)
        #expect(result.stringToSign == c["string_to_sign"]!.string!)
        #expect(result.signature == c["signature"]!.string!)
        #expect(request.headers["Authorization"] == c["authorization"]!.string!)
        // The request the transport sends (parsed from botocore's URL) is botocore's, byte for byte.
        let wire = c["url"]!.string!
        let target = wire[wire.firstRange(of: "://")!.upperBound...].drop { $0 != "/" }
        #expect(request.url.requestTarget == (target.isEmpty ? "/" : String(target)))
    }

    @Test(arguments: cases)
    func endpointIsBotocores(_ name: String) throws {
        let (_, c) = try Self.load(name)
        let input = c["input"]!
        let operation = c["operation"]!.string!
        let key = operation == "list_objects_v2" ? nil : input["Key"]?.string
        let resolved = try S3Endpoint.resolve(
            bucket: input["Bucket"]!.string!, key: key, region: c["region"]!.string!, configured: c["endpoint_url"]?.string,
            forcePathStyle: c["addressing_style"]!.string! == "path")
        let expected = try EndpointURL(parsing: c["url"]!.string!)
        #expect(resolved.url.scheme == expected.scheme)
        #expect(resolved.url.hostHeader == expected.hostHeader)
        #expect(resolved.url.path == expected.path)
        #expect(resolved.signingRegion == c["signing_region"]!.string!)
        // What the client puts on the wire, byte for byte: the encoded path, and for a listing the
        // query `S3Protocol` builds (its order aside).
        let wire = c["url"]!.string!
        let afterHost = wire[wire.firstRange(of: "://")!.upperBound...].drop { $0 != "/" }
        let parts = afterHost.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let wirePath = parts.first.map { $0.isEmpty ? "/" : String($0) } ?? "/"
        #expect(resolved.url.requestTarget == wirePath)
        if operation == "list_objects_v2", input["Delimiter"] == nil {
            var url = resolved.url
            url.query = S3Protocol.listObjectsV2Query(
                prefix: input["Prefix"]!.string!, continuationToken: input["ContinuationToken"]?.string, maxKeys: input["MaxKeys"]?.int
            ).map { (name: $0.0, value: $0.1) }
            let ours = url.encodedQuery.split(separator: "&").map(String.init).sorted()
            let botocores = (parts.count > 1 ? parts[1] : "").split(separator: "&").map(String.init).sorted()
            #expect(ours == botocores)
        }
    }

    @Test func coversWhatTheIssueAsks() throws {
        let cases = try #require(Self.document?["cases"]?.array)
        #expect(cases.count >= 150)
        let keys = cases.compactMap { $0["input"]?["Key"]?.string }
        #expect(keys.contains { $0.contains(" ") })
        #expect(keys.contains { $0.contains("+") })
        #expect(keys.contains { $0.contains("~") })
        #expect(keys.contains { $0.contains("//") })
        #expect(keys.contains { $0.unicodeScalars.contains { !$0.isASCII } })
        #expect(cases.contains { $0["url"]!.string!.contains("?") })
        #expect(cases.contains { $0["payload"]!.string! == "unsigned" })
        #expect(cases.contains { $0["payload"]!.string! == "signed" && !$0["body"]!.string!.isEmpty })
    }

    @Test func unsignedPayloadIsSentAndSigned() {
        var request = HTTPRequest(method: "PUT", url: EndpointURL(scheme: "http", host: "127.0.0.1", port: 4566, path: "/b/k"), body: Array("x".utf8))
        let result = SigV4Signer(region: "us-east-1", service: "s3", options: .s3(unsignedPayload: true))
            .sign(&request, credentials: Credentials(accessKeyId: "AKID", secretAccessKey: "secret"), date: AmzDate(secondsSince1970: 0))
        #expect(request.headers["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD")
        #expect(result.canonicalRequest.hasSuffix("\nUNSIGNED-PAYLOAD"))
        #expect(result.signedHeaders == "host;x-amz-content-sha256;x-amz-date")
    }
}
