import AWSCore
import SSMCore

/// `output` for commands that had their output uploaded to S3 (`run --output-bucket`): where
/// GetCommandInvocation cut a stream (24,000 characters of stdout, 8,000 of stderr), the object
/// the agent uploaded is read instead, found through the invocation's StandardOutputUrl or
/// StandardErrorUrl (SSMCore's S3OutputObject).
extension Shell {
    func completedFromS3(_ pairs: [(String, String)], _ results: [Int: InvocationResult]) async throws -> [Int: InvocationResult] {
        var completed = results
        for i in pairs.indices {
            guard var result = results[i], result.completeFrom == nil else { continue }
            // Only a stream that was cut is read: the rest is whole already, and an empty stream
            // has no object (the agent uploads a stream only when something was written to it,
            // iomodule/fileS3.go).
            let stdoutCut = OutputGrouping.withoutTruncationMarker(result.standardOutput).cut
            let stderrCut = result.standardError.count >= OutputGrouping.stderrLimit
            let stdoutObject = stdoutCut ? result.standardOutputURL.flatMap(S3OutputObject.init(url:)) : nil
            let stderrObject = stderrCut ? result.standardErrorURL.flatMap(S3OutputObject.init(url:)) : nil
            guard stdoutObject != nil || stderrObject != nil else { continue }
            let node = nodeDirectory.shortLabel(pairs[i].1)
            let pair = try located(pairs[i].0).pair
            var whole = true
            if stdoutCut {
                if let object = stdoutObject, let text = try await wholeStream(object, of: node, in: pair) {
                    result.standardOutput = text
                } else {
                    whole = false
                }
            }
            if stderrCut {
                if let object = stderrObject, let text = try await wholeStream(object, of: node, in: pair) {
                    result.standardError = text
                    result.standardErrorIsWhole = true
                } else {
                    whole = false
                }
            }
            if whole { result.completeFrom = "S3" }
            completed[i] = result
        }
        return completed
    }

    /// The object's text; nil, with a line on stderr saying why, when it cannot be read: the
    /// node's output is then shown as GetCommandInvocation kept it, never lost.
    func wholeStream(_ object: S3OutputObject, of node: String, in pair: ContextPair?) async throws -> String? {
        let place = "s3://\(object.bucket)/\(object.key)"
        do {
            return String(decoding: try await fleet(for: pair).getObject(bucket: object.bucket, key: object.key, region: object.region), as: UTF8.self)
        } catch let error as AWSServiceError where error.code == "NoSuchKey" {
            console.err("\(node): \(place) is not there (the agent did not upload it); showing the part GetCommandInvocation kept\n")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            console.err("\(node): could not read \(place), so the part GetCommandInvocation kept is shown: \(describe(error).0)\n")
        }
        return nil
    }
}
