public import AWSCore

/// S3 (REST-XML, `AWSClient.callS3`): the reads `output` needs to get a command's whole output.
public struct S3Client: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) { self.client = client }

    /// GetObject: the object's bytes.
    public func getObject(bucket: String, key: String, region: String?) async throws -> [UInt8] {
        try await client.callS3("GetObject", bucket: bucket, key: key, region: region).body
    }

    /// ListObjectsV2, every page: the objects under a prefix, in key order.
    public func listObjects(bucket: String, prefix: String, region: String?) async throws -> [S3Protocol.Object] {
        try await Pagination.collect { token in
            let response = try await client.callS3(
                "ListObjectsV2", bucket: bucket, key: nil, query: S3Protocol.listObjectsV2Query(prefix: prefix, continuationToken: token), region: region)
            let page = try S3Protocol.parseListObjectsV2(response)
            return (page.objects, page.nextContinuationToken)
        }
    }
}
