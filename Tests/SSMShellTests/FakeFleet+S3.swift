import AWSCore
import SSMCore

/// The fake fleet's S3: StandardOutputUrl and StandardErrorUrl as the service shows them for a
/// command sent with OutputS3BucketName (path-style, regional, the agent's key layout), and
/// GetObject from `objects`, NoSuchKey for a key that is not there, AccessDenied for a bucket
/// whose name starts with "denied".
extension FakeFleet {
    static func outputKey(_ input: SendCommandInput, _ commandId: String, _ instanceId: String, _ stream: String) -> String {
        [input.outputS3KeyPrefix, commandId, instanceId, "awsrunShellScript", "0.awsrunShellScript", stream].compactMap { $0 }.joined(separator: "/")
    }

    func outputURLs(_ commandId: String, _ instanceId: String) -> [String: JSONValue] {
        let input = Int(commandId.suffix(2)).flatMap { sent.indices.contains($0 - 1) ? sent[$0 - 1] : nil }
        guard let input, let bucket = input.outputS3BucketName else { return [:] }
        func url(_ stream: String) -> JSONValue {
            .string(
                "https://s3.eu-west-1.amazonaws.com/\(bucket)/" + PercentEncoding.encode(Self.outputKey(input, commandId, instanceId, stream), keepSlash: true))
        }
        return ["StandardOutputUrl": url("stdout"), "StandardErrorUrl": url("stderr")]
    }

    func getObject(bucket: String, key: String, region: String?) async throws -> [UInt8] {
        log("GetObject \(bucket) \(key) \(region ?? "-")")
        if bucket.hasPrefix("denied") {
            throw AWSServiceError(code: "AccessDenied", message: "Access Denied", status: 403, operation: "GetObject")
        }
        guard let bytes = objects["\(bucket)/\(key)"] else {
            throw AWSServiceError(code: "NoSuchKey", message: "The specified key does not exist.", status: 404, operation: "GetObject")
        }
        return bytes
    }
}
