/// Where an S3 request for a bucket (and key) goes, and how it is signed: botocore's S3 endpoint
/// rules (`s3/endpoint-rule-set-1.json`) for the cases this client sends, proven against the URLs
/// botocore builds in Tests/Fixtures/sigv4/botocore-s3-generated.json.
///
/// - An endpoint override (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, `endpoint_url`) is path-style:
///   `<override path>/<bucket>/<key>`, so any bucket name works against a local service.
/// - On AWS a bucket that is a valid DNS label without dots is virtual-hosted:
///   `<bucket>.s3.<region>.<suffix>/<key>`; other names (dots, upper case, `_`) are path-style on
///   `s3.<region>.<suffix>`, since a dotted name breaks the TLS certificate's wildcard.
/// - us-east-1 uses the legacy global host `s3.amazonaws.com` (botocore's default
///   `us_east_1_regional_endpoint = legacy`, the rule set's `UseGlobalEndpoint`).
/// - `forcePathStyle` (botocore's `addressing_style = path`) keeps every bucket in the path.
/// - The key goes in the path as it is: a leading `/`, `//` and `..` are kept (S3 never normalises).
public enum S3Endpoint {
    public static func resolve(
        bucket: String, key: String?, region: String?, configured: String?, useFIPS: Bool = false, useDualStack: Bool = false,
        forcePathStyle: Bool = false, useGlobalEndpoint: Bool = true
    ) throws(EndpointError) -> ResolvedEndpoint {
        guard !bucket.isEmpty, !bucket.contains("/") else {
            throw EndpointError(description: "\"\(bucket)\" is not a bucket name; write the bucket without slashes, as in my-bucket.")
        }
        let keyPath = key.map { "/" + $0 } ?? ""
        if let configured {
            if useFIPS { throw EndpointError(description: "Invalid Configuration: FIPS and custom endpoint are not supported") }
            if useDualStack { throw EndpointError(description: "Invalid Configuration: Dualstack and custom endpoint are not supported") }
            var url: EndpointURL
            do { url = try EndpointURL(parsing: configured) } catch { throw EndpointError(description: error.description) }
            let base = url.path.hasSuffix("/") ? String(url.path.dropLast()) : url.path
            url.path = base + "/" + bucket + keyPath
            return ResolvedEndpoint(url: url, signingRegion: region ?? "us-east-1", signingName: "s3")
        }
        guard let region, !region.isEmpty else { throw EndpointError(description: "Invalid Configuration: Missing Region") }
        guard EndpointResolver.isValidRegion(region) else {
            throw EndpointError(description: "\"\(region)\" is not a valid region name; use a name such as us-east-1")
        }
        let partition = Partition.of(region: region)
        let serviceHost: String
        // S3's dual-stack hosts keep the partition's usual suffix (`s3.dualstack.<region>.amazonaws.com`),
        // unlike other services' `api.aws` (s3/endpoint-rule-set-1.json).
        switch (useFIPS, useDualStack) {
        case (true, true): serviceHost = "s3-fips.dualstack.\(region).\(partition.dnsSuffix)"
        case (true, false): serviceHost = "s3-fips.\(region).\(partition.dnsSuffix)"
        case (false, true): serviceHost = "s3.dualstack.\(region).\(partition.dnsSuffix)"
        case (false, false): serviceHost = region == "us-east-1" && useGlobalEndpoint ? "s3.amazonaws.com" : "s3.\(region).\(partition.dnsSuffix)"
        }
        if !forcePathStyle, isVirtualHostable(bucket) {
            let path = key == nil ? "/" : keyPath
            return ResolvedEndpoint(url: EndpointURL(scheme: "https", host: "\(bucket).\(serviceHost)", path: path), signingRegion: region, signingName: "s3")
        }
        return ResolvedEndpoint(url: EndpointURL(scheme: "https", host: serviceHost, path: "/" + bucket + keyPath), signingRegion: region, signingName: "s3")
    }

    /// `aws.isVirtualHostableS3Bucket(Bucket, false)` of the rule set: 3 to 63 characters of
    /// lower-case letters, digits and `-`, starting and ending with a letter or digit, not an
    /// IPv4 address. Dots are left out: over HTTPS they would not match the certificate.
    public static func isVirtualHostable(_ bucket: String) -> Bool {
        guard (3...63).contains(bucket.utf8.count) else { return false }
        let isLowerAlnum: (UInt8) -> Bool = { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        let bytes = Array(bucket.utf8)
        guard isLowerAlnum(bytes.first!), isLowerAlnum(bytes.last!) else { return false }
        return bytes.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "-") }
    }
}
