/// Where to send a service's requests and how to sign them: the endpoint rule sets of SSM and
/// STS (botocore `endpoint-rule-set-1.json`) written out as code, proven by their test vectors.
/// Other services the shell calls (ssmmessages, ec2, kms, iam) follow the same standard pattern.
public struct ResolvedEndpoint: Sendable, Equatable {
    public var url: EndpointURL
    public var signingRegion: String
    public var signingName: String
}

public struct EndpointError: Error, Equatable, CustomStringConvertible {
    public let description: String
}

public enum EndpointResolver {
    /// The STS regions that keep the legacy global endpoint when `UseGlobalEndpoint` is set.
    static let stsLegacyGlobalRegions: Set<String> = [
        "ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "aws-global", "ca-central-1",
        "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1", "us-east-1",
        "us-east-2", "us-west-1", "us-west-2",
    ]

    /// - Parameters:
    ///   - service: the endpoint prefix and signing name (`ssm`, `sts`, `ssmmessages`, `ec2`, ...).
    ///   - endpoint: a configured endpoint URL (`--endpoint-url` and the rest), used verbatim.
    public static func resolve(
        service: String, region: String?, useFIPS: Bool = false, useDualStack: Bool = false,
        endpoint: String? = nil, useGlobalEndpoint: Bool = false
    ) throws(EndpointError) -> ResolvedEndpoint {
        if let endpoint {
            if useFIPS { throw EndpointError(description: "Invalid Configuration: FIPS and custom endpoint are not supported") }
            if useDualStack { throw EndpointError(description: "Invalid Configuration: Dualstack and custom endpoint are not supported") }
            let url: EndpointURL
            do { url = try EndpointURL(parsing: endpoint) } catch { throw EndpointError(description: error.description) }
            return ResolvedEndpoint(url: url, signingRegion: region ?? "us-east-1", signingName: service)
        }
        guard let region, !region.isEmpty else {
            throw EndpointError(description: "Invalid Configuration: Missing Region")
        }
        guard isValidHostLabel(region) else {
            throw EndpointError(description: "\"\(region)\" is not a valid region name; use a name such as us-east-1")
        }
        let partition = Partition.of(region: region)
        if service == "sts", !useFIPS, !useDualStack,
            region == "aws-global" || (useGlobalEndpoint && stsLegacyGlobalRegions.contains(region))
        {
            return ResolvedEndpoint(url: EndpointURL(scheme: "https", host: "sts.amazonaws.com"), signingRegion: "us-east-1", signingName: "sts")
        }
        // IAM is global: one endpoint per partition, signed for the partition's home region
        // (AWS General Reference, "AWS Identity and Access Management endpoints").
        if service == "iam", !useDualStack, partition.id == "aws" {
            return ResolvedEndpoint(
                url: EndpointURL(scheme: "https", host: useFIPS ? "iam-fips.amazonaws.com" : "iam.amazonaws.com"),
                signingRegion: "us-east-1", signingName: "iam")
        }
        if service == "iam", !useFIPS, !useDualStack, partition.id == "aws-cn" {
            return ResolvedEndpoint(url: EndpointURL(scheme: "https", host: "iam.cn-north-1.amazonaws.com.cn"), signingRegion: "cn-north-1", signingName: "iam")
        }
        let host: String
        switch (useFIPS, useDualStack) {
        case (true, true): host = "\(service)-fips.\(region).\(partition.dualStackDnsSuffix)"
        case (true, false):
            // In GovCloud the regular SSM and STS endpoints are already FIPS endpoints.
            host =
                partition.id == "aws-us-gov" && ["ssm", "sts"].contains(service)
                ? "\(service).\(region).\(partition.dnsSuffix)" : "\(service)-fips.\(region).\(partition.dnsSuffix)"
        case (false, true): host = "\(service).\(region).\(partition.dualStackDnsSuffix)"
        case (false, false): host = "\(service).\(region).\(partition.dnsSuffix)"
        }
        return ResolvedEndpoint(url: EndpointURL(scheme: "https", host: host), signingRegion: region, signingName: service)
    }

    /// RFC 1123 label rules with dots allowed between labels, as `isValidHostLabel` in the rules.
    static func isValidHostLabel(_ text: String) -> Bool {
        text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-"
                && label.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }
        }
    }
}

extension EndpointResolver {
    /// Whether a name can be a region (it becomes part of a host name).
    public static func isValidRegion(_ name: String) -> Bool { !name.isEmpty && isValidHostLabel(name) }
}
