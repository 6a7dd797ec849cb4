import SSMCore

/// The real fleet's S3 reads, for `output` of commands whose output was uploaded to S3.
extension AWSFleetAPI {
    public func getObject(bucket: String, key: String, region: String?) async throws -> [UInt8] {
        try await S3Client(client: ssm.client).getObject(bucket: bucket, key: key, region: region)
    }
}
