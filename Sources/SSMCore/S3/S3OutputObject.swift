import AWSCore

/// Where a command's complete stdout or stderr lies in S3, read from GetCommandInvocation's
/// StandardOutputUrl / StandardErrorUrl. The service shows a path-style regional URL
/// (`https://s3.<region>.amazonaws.com/<bucket>/<key>`, SSM API reference, GetCommandInvocation);
/// the key is the one the agent wrote: `<OutputS3KeyPrefix>/<CommandId>/<InstanceId>/<plugin>/<step>/stdout`,
/// path-joined with ':' removed from the plugin and step names (amazon-ssm-agent
/// agent/runcommand/utils.go, framework/processor/executer/iohandler/iohandler.go Init,
/// iomodule/fileS3.go, fileutil.BuildS3Path). Pure.
public struct S3OutputObject: Sendable, Equatable {
    public var bucket: String
    public var key: String
    /// From the host when it names one (`s3.<region>.…`, `<bucket>.s3.<region>.…`); nil for the
    /// global `s3.amazonaws.com` (us-east-1) or a host that does not say.
    public var region: String?

    public init(bucket: String, key: String, region: String?) {
        self.bucket = bucket
        self.key = key
        self.region = region
    }

    /// Reads a path-style or virtual-hosted S3 URL; nil for anything else (empty, not a URL,
    /// not S3, no key), so a URL the service did not make is never fetched.
    public init?(url text: String) {
        guard let schemeEnd = text.firstRange(of: "://") else { return nil }
        let rest = text[schemeEnd.upperBound...]
        let hostEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let host = rest[..<hostEnd].lowercased()
        let rawPath = rest[hostEnd...].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let path = PercentEncoding.decode(rawPath)
        let labels = host.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        // The service's label is the rightmost `s3` or `s3-…` one: a virtual-hosted bucket may
        // itself be called `s3-logs` or `my.s3.bucket`.
        guard let s3Index = labels.lastIndex(where: { $0 == "s3" || $0.hasPrefix("s3-") }), path.count > 1 else { return nil }
        var region: String?
        let label = labels[s3Index]
        if label.hasPrefix("s3-"), !["s3-fips", "s3-external-1"].contains(label) {
            region = String(label.dropFirst(3))  // the legacy s3-<region> host
        } else if let next = labels[(s3Index + 1)...].first(where: { $0 != "dualstack" }), next != "amazonaws" {
            region = next
        }
        if s3Index > 0 {
            // Virtual-hosted: the bucket is the host's first labels.
            self.init(bucket: labels[..<s3Index].joined(separator: "."), key: String(path.dropFirst()), region: region)
        } else {
            let parts = path.dropFirst().split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            self.init(bucket: String(parts[0]), key: String(parts[1]), region: region)
        }
    }
}
