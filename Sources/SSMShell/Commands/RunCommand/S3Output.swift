import AWSCore
import SSMCore

/// `output` for commands that had their output uploaded to S3 (`run --output-bucket`): where
/// GetCommandInvocation cut it (24,000 characters of stdout, 8,000 of stderr), the objects the
/// agent uploaded are read instead, found through the invocation's StandardOutputUrl and
/// StandardErrorUrl (SSMCore's S3OutputObject).
extension Shell {
    func completedFromS3(_ pairs: [(String, String)], _ results: [Int: InvocationResult]) async throws -> [Int: InvocationResult] {
        let cut = pairs.indices.filter { i in
            results[i].map { $0.completeFrom == nil && Self.wasCut($0) && $0.standardOutputURL.flatMap(S3OutputObject.init(url:)) != nil } ?? false
        }
        guard !cut.isEmpty else { return results }
        let fleet = try fleet()
        var completed = results
        for i in cut {
            guard var result = results[i] else { continue }
            // Only a stream that was cut is read: the rest is whole already, and an empty stream
            // has no object (the agent uploads a stream only when something was written to it,
            // iomodule/fileS3.go), which S3 answers with AccessDenied to a reader without
            // s3:ListBucket.
            if OutputGrouping.withoutTruncationMarker(result.standardOutput).cut, let stdout = result.standardOutputURL.flatMap(S3OutputObject.init(url:)) {
                result.standardOutput = try await Self.objectOrEmpty(stdout, fleet)
            }
            if result.standardError.count >= OutputGrouping.stderrLimit, let stderr = result.standardErrorURL.flatMap(S3OutputObject.init(url:)) {
                result.standardError = try await Self.objectOrEmpty(stderr, fleet)
            }
            result.completeFrom = "S3"
            completed[i] = result
        }
        return completed
    }

    /// The object's text, or "" when it does not exist (S3 answers NoSuchKey).
    static func objectOrEmpty(_ object: S3OutputObject, _ fleet: any OutputObjectsAPI) async throws -> String {
        do {
            return String(decoding: try await fleet.getObject(bucket: object.bucket, key: object.key, region: object.region), as: UTF8.self)
        } catch let error as AWSServiceError where error.code == "NoSuchKey" {
            return ""
        }
    }
}
