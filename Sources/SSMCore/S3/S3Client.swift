public import AWSCore

/// S3 (REST-XML, `AWSClient.callS3`): the reads `output` needs to get a command's whole output.
public struct S3Client: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) { self.client = client }

    /// GetObject: the object's bytes. Sent once more to the bucket's own region when S3 answers
    /// that the request's region is wrong (as botocore's S3RegionRedirectorv2 does).
    public func getObject(bucket: String, key: String, region: String?) async throws -> [UInt8] {
        do {
            return try await client.callS3("GetObject", bucket: bucket, key: key, region: region).body
        } catch let error as AWSServiceError {
            guard let bucketRegion = S3Protocol.bucketRegion(error), bucketRegion != (region ?? client.settings.region) else { throw error }
            return try await client.callS3("GetObject", bucket: bucket, key: key, region: bucketRegion).body
        }
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
