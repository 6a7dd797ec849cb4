/// AWS partitions: which DNS suffixes a region's endpoints use. The data is botocore's
/// `partitions.json` (Tests/Fixtures/endpoints/botocore); a test checks this table against it.
public struct Partition: Sendable, Equatable {
    public let id: String
    public let regionPrefix: [String]
    public let dnsSuffix: String
    public let dualStackDnsSuffix: String
    public let implicitGlobalRegion: String
    public let regions: Set<String>

    public static let all: [Partition] = [
        Partition(
            id: "aws", regionPrefix: ["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"],
            dnsSuffix: "amazonaws.com", dualStackDnsSuffix: "api.aws", implicitGlobalRegion: "us-east-1",
            regions: [
                "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
                "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
                "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "aws-global",
                "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1",
                "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1",
                "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
            ]),
        Partition(
            id: "aws-cn", regionPrefix: ["cn"], dnsSuffix: "amazonaws.com.cn",
            dualStackDnsSuffix: "api.amazonwebservices.com.cn", implicitGlobalRegion: "cn-northwest-1",
            regions: ["aws-cn-global", "cn-north-1", "cn-northwest-1"]),
        Partition(
            id: "aws-eusc", regionPrefix: ["eusc-de"], dnsSuffix: "amazonaws.eu",
            dualStackDnsSuffix: "api.amazonwebservices.eu", implicitGlobalRegion: "eusc-de-east-1",
            regions: ["eusc-de-east-1"]),
        Partition(
            id: "aws-iso", regionPrefix: ["us-iso"], dnsSuffix: "c2s.ic.gov", dualStackDnsSuffix: "api.aws.ic.gov",
            implicitGlobalRegion: "us-iso-east-1", regions: ["aws-iso-global", "us-iso-east-1", "us-iso-west-1"]),
        Partition(
            id: "aws-iso-b", regionPrefix: ["us-isob"], dnsSuffix: "sc2s.sgov.gov", dualStackDnsSuffix: "api.aws.scloud",
            implicitGlobalRegion: "us-isob-east-1", regions: ["aws-iso-b-global", "us-isob-east-1", "us-isob-west-1"]),
        Partition(
            id: "aws-iso-e", regionPrefix: ["eu-isoe"], dnsSuffix: "cloud.adc-e.uk", dualStackDnsSuffix: "api.cloud-aws.adc-e.uk",
            implicitGlobalRegion: "eu-isoe-west-1", regions: ["aws-iso-e-global", "eu-isoe-west-1"]),
        Partition(
            id: "aws-iso-f", regionPrefix: ["us-isof"], dnsSuffix: "csp.hci.ic.gov", dualStackDnsSuffix: "api.aws.hci.ic.gov",
            implicitGlobalRegion: "us-isof-south-1", regions: ["aws-iso-f-global", "us-isof-east-1", "us-isof-south-1"]),
        Partition(
            id: "aws-us-gov", regionPrefix: ["us-gov"], dnsSuffix: "amazonaws.com", dualStackDnsSuffix: "api.aws",
            implicitGlobalRegion: "us-gov-west-1", regions: ["aws-us-gov-global", "us-gov-east-1", "us-gov-west-1"]),
    ]

    /// The partition of a region: an exact region match first, then the region pattern
    /// (`^prefix-\w+-\d+$`), else `aws`, as the endpoint rules' `aws.partition` function does.
    public static func of(region: String) -> Partition {
        if let exact = all.first(where: { $0.regions.contains(region) }) { return exact }
        // Longest prefix first, so "us-gov-..." is not taken for "us-...".
        let byPrefixLength = all.flatMap { p in p.regionPrefix.map { (p, $0) } }.sorted { $0.1.count > $1.1.count }
        for (partition, prefix) in byPrefixLength where matches(region, prefix: prefix) { return partition }
        return all[0]
    }

    /// `^prefix-\w+-\d+$`
    private static func matches(_ region: String, prefix: String) -> Bool {
        guard region.hasPrefix(prefix + "-") else { return false }
        let rest = region.dropFirst(prefix.count + 1)
        guard let dash = rest.lastIndex(of: "-") else { return false }
        let word = rest[..<dash]
        let number = rest[rest.index(after: dash)...]
        let isWord: (Character) -> Bool = { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        return !word.isEmpty && word.allSatisfy(isWord) && !number.isEmpty && number.allSatisfy(\.isNumber)
    }
}
