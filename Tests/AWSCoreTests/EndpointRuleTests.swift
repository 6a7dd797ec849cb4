import AWSCore
import Testing
import TestSupport

/// botocore's endpoint test vectors for SSM (49) and STS, run through EndpointResolver.
@Suite struct EndpointRuleTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let service: String
        let index: Int
        let summary: String
        var testDescription: String { "\(service) #\(index) \(summary)" }
    }

    static func cases(_ service: String) -> [Case] {
        guard let json = try? JSONValue(parsing: Fixtures.bytes("endpoints/botocore/\(service)/endpoint-tests-1.json")),
            let tests = json["testCases"]?.array
        else { return [] }
        return tests.enumerated().map { Case(service: service, index: $0.offset, summary: $0.element["params"]?.serialized ?? "{}") }
    }

    static let all = cases("ssm") + cases("sts")

    @Test(arguments: all)
    func vector(_ c: Case) throws {
        let json = try JSONValue(parsing: Fixtures.bytes("endpoints/botocore/\(c.service)/endpoint-tests-1.json"))
        let test = json["testCases"]![c.index]!
        let params = test["params"] ?? .object([:])
        let result: Result<ResolvedEndpoint, EndpointError>
        do {
            result = .success(
                try EndpointResolver.resolve(
                    service: c.service, region: params["Region"]?.string, useFIPS: params["UseFIPS"]?.bool ?? false,
                    useDualStack: params["UseDualStack"]?.bool ?? false, endpoint: params["Endpoint"]?.string,
                    useGlobalEndpoint: params["UseGlobalEndpoint"]?.bool ?? false))
        } catch {
            result = .failure(error)
        }
        let expect = test["expect"]!
        if let error = expect["error"]?.string {
            guard case .failure(let failure) = result else { Issue.record("expected error \(error), got \(result)"); return }
            #expect(failure.description == error)
        } else {
            let endpoint = try result.get()
            #expect(endpoint.url.description.trimmingSuffix("/") == expect["endpoint"]!["url"]!.string!)
            if let scheme = expect["endpoint"]?["properties"]?["authSchemes"]?[0] {
                #expect(endpoint.signingRegion == scheme["signingRegion"]!.string!)
                #expect(endpoint.signingName == scheme["signingName"]!.string!)
            } else if let region = params["Region"]?.string, params["Endpoint"] == nil {
                #expect(endpoint.signingRegion == region)
            }
        }
    }

    @Test func caseCounts() {
        #expect(Self.cases("ssm").count == 49)
        #expect(Self.cases("sts").count > 49)
    }

    /// Partition table against botocore's partitions.json.
    @Test func partitionsMatchBotocore() throws {
        let json = try JSONValue(parsing: Fixtures.bytes("endpoints/botocore/partitions.json"))
        for p in json["partitions"]!.array! {
            let ours = try #require(Partition.all.first { $0.id == p["id"]!.string! })
            #expect(ours.dnsSuffix == p["outputs"]!["dnsSuffix"]!.string!)
            #expect(ours.dualStackDnsSuffix == p["outputs"]!["dualStackDnsSuffix"]!.string!)
            #expect(ours.regions == Set(p["regions"]!.object!.keys))
            for region in p["regions"]!.object!.keys { #expect(Partition.of(region: region).id == ours.id) }
        }
        #expect(Partition.of(region: "us-gov-central-7").id == "aws-us-gov")
        #expect(Partition.of(region: "us-isob-north-9").id == "aws-iso-b")
        #expect(Partition.of(region: "nowhere").id == "aws")
    }

    /// IAM has one global endpoint per partition, signed for its home region, from any region.
    @Test func iamIsGlobal() throws {
        let east = try EndpointResolver.resolve(service: "iam", region: "eu-west-1")
        #expect(east.url.host == "iam.amazonaws.com")
        #expect(east.signingRegion == "us-east-1")
        let china = try EndpointResolver.resolve(service: "iam", region: "cn-northwest-1")
        #expect(china.url.host == "iam.cn-north-1.amazonaws.com.cn")
        #expect(china.signingRegion == "cn-north-1")
        #expect(try EndpointResolver.resolve(service: "iam", region: "us-gov-west-1").url.host == "iam.us-gov-west-1.amazonaws.com")
    }

    @Test func regionInjectionIsRejected() {
        #expect(throws: EndpointError.self) { try EndpointResolver.resolve(service: "ssm", region: "us-east-1.evil.com/x") }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
