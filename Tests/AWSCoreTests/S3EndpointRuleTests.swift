import AWSCore
import Testing
import TestSupport

/// botocore's S3 endpoint rule test vectors (Tests/Fixtures/endpoints/botocore/s3/) for what
/// `S3Endpoint` resolves: a plain bucket with a region, FIPS, dual-stack, path-style forced, the
/// global us-east-1 endpoint, and path-style to a custom endpoint. Left out: ARNs (access points,
/// Outposts, Object Lambda), S3 Express, Accelerate, `aws-global`, error cases, and a custom
/// endpoint with a DNS-compatible bucket and no ForcePathStyle: ssm-shell always goes path-style
/// to an override (a local emulator is an IP or `localhost`), where the rules go virtual-hosted.
@Suite struct S3EndpointRuleTests {
    static let fixture = "endpoints/botocore/s3/endpoint-tests-1.json"
    static let supported: Set<String> = ["Bucket", "Region", "UseFIPS", "UseDualStack", "ForcePathStyle", "Endpoint", "Accelerate", "UseGlobalEndpoint"]

    static let document: JSONValue? = try? JSONValue(parsing: Fixtures.bytes(fixture))

    /// The indexes of the vectors in scope (see the suite's comment).
    static let cases: [Int] = {
        let all = document?["testCases"]?.array ?? []
        return all.indices.filter { i in
            let c = all[i]
            guard let params = c["params"]?.object, Set(params.keys).isSubset(of: supported), c["expect"]?["endpoint"] != nil,
                let bucket = params["Bucket"]?.string, let region = params["Region"]?.string
            else { return false }
            if params["Accelerate"]?.bool == true || bucket.hasPrefix("arn:") || bucket.hasSuffix("--x-s3") || bucket.hasSuffix("--op-s3") { return false }
            if region == "aws-global" || bucket.contains("/") { return false }
            if let endpoint = params["Endpoint"]?.string {
                let host = (try? EndpointURL(parsing: endpoint))?.host ?? ""
                let isIP = host.hasPrefix("[") || host.split(separator: ".").count == 4 && host.split(separator: ".").allSatisfy { Int($0) != nil }
                return params["ForcePathStyle"]?.bool == true || isIP
            }
            return true
        }
    }()

    @Test(arguments: cases)
    func vector(_ index: Int) throws {
        let c = try #require(Self.document?["testCases"]?.array?[index])
        let params = c["params"]!
        let resolved = try S3Endpoint.resolve(
            bucket: params["Bucket"]!.string!, key: nil, region: params["Region"]!.string!, configured: params["Endpoint"]?.string,
            useFIPS: params["UseFIPS"]?.bool ?? false, useDualStack: params["UseDualStack"]?.bool ?? false,
            forcePathStyle: params["ForcePathStyle"]?.bool ?? false, useGlobalEndpoint: params["UseGlobalEndpoint"]?.bool ?? false)
        let expected = try EndpointURL(parsing: c["expect"]!["endpoint"]!["url"]!.string!)
        let documentation = c["documentation"]?.string ?? ""
        #expect(resolved.url.scheme == expected.scheme, "\(documentation)")
        #expect(resolved.url.hostHeader == expected.hostHeader, "\(documentation)")
        #expect(resolved.url.path == expected.path, "\(documentation)")
        if let scheme = c["expect"]!["endpoint"]!["properties"]?["authSchemes"]?.array?.first, let region = scheme["signingRegion"]?.string {
            #expect(resolved.signingRegion == region, "\(documentation)")
        }
    }

    @Test func enoughVectorsAreInScope() {
        #expect(Self.cases.count >= 50)
    }
}
