import AWSCore

/// `BUCKET[/PREFIX]` as `run --output-bucket` and `set output-bucket` take it: SendCommand's
/// OutputS3BucketName and OutputS3KeyPrefix. The bucket is checked against S3's naming rules
/// (Amazon S3 User Guide, "General purpose bucket naming rules") so a typo fails before the send.
public struct OutputBucket: Sendable, Equatable, CustomStringConvertible {
    public var bucket: String
    public var prefix: String?

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    public init(bucket: String, prefix: String?) {
        self.bucket = bucket
        self.prefix = prefix
    }

    public init(_ text: String) throws(Invalid) {
        let trimmed = text.trimmingWhitespace()
        let parts = trimmed.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let bucket = String(parts.first ?? "")
        guard Self.isBucketName(bucket) else {
            throw Invalid(
                description:
                    "'\(text)' does not start with a bucket name: write BUCKET or BUCKET/PREFIX, the bucket 3 to 63 lower-case letters, digits, dots and hyphens"
            )
        }
        let prefix = parts.count > 1 ? String(parts[1]) : ""
        // OutputS3KeyPrefix is at most 500 characters (SSM API reference, SendCommand).
        guard prefix.count <= 500 else { throw Invalid(description: "the key prefix of '\(text)' is longer than the 500 characters SendCommand takes") }
        self.init(bucket: bucket, prefix: prefix.isEmpty ? nil : prefix)
    }

    public var description: String { prefix.map { "\(bucket)/\($0)" } ?? bucket }

    static func isBucketName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count) else { return false }
        let isAlnum: (UInt8) -> Bool = { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        guard isAlnum(bytes.first!), isAlnum(bytes.last!), !name.contains("..") else { return false }
        return bytes.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }
}
