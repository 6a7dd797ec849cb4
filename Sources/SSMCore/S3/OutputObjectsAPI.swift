/// What reading Run Command output from S3 calls, as a seam: the real one wraps `S3Client`,
/// tests pass a fake fleet.
public protocol OutputObjectsAPI: Sendable {
    /// GetObject of one stream the agent uploaded.
    func getObject(bucket: String, key: String, region: String?) async throws -> [UInt8]
}
