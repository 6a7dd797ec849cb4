import AWSCore
import SSMCore

/// `output` for commands that sent their output to CloudWatch Logs: where GetCommandInvocation
/// cut it (24,000 characters of stdout, 8,000 of stderr), the whole streams are read instead.
extension Shell {
    func completedFromCloudWatch(_ pairs: [(String, String)], _ results: [Int: InvocationResult]) async throws -> [Int: InvocationResult] {
        let cut = pairs.indices.filter { i in results[i].map(Self.wasCut) ?? false }
        guard !cut.isEmpty else { return results }
        let fleet = try fleet()
        var details: [String: [String: CommandInvocation]] = [:]
        for id in Set(cut.map { pairs[$0].0 }) {
            let all = try await fleet.allInvocationDetails(commandId: id)
            details[id] = Dictionary(all.map { ($0.instanceId, $0) }, uniquingKeysWith: { _, last in last })
        }
        var completed = results
        for i in cut {
            let (commandId, instanceId) = pairs[i]
            guard let invocation = details[commandId]?[instanceId], let group = invocation.cloudWatchGroup, var result = results[i] else { continue }
            func whole(stderr: Bool) async throws -> String {
                var lines: [String] = []
                for plugin in invocation.pluginNames {
                    let stream = CommandLogNames.stream(commandId: commandId, instanceId: instanceId, plugin: plugin, stderr: stderr)
                    lines += try await Self.wholeStream(group, stream, fleet)
                }
                return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
            }
            // Taken only when CloudWatch has more than what was cut: a node whose role may not
            // write there has nothing in it, and the cut output stays (S3 may have it).
            let (kept, stdoutCut) = OutputGrouping.withoutTruncationMarker(result.standardOutput)
            let stderrCut = result.standardError.count >= OutputGrouping.stderrLimit
            let stdout = stdoutCut ? try await whole(stderr: false) : result.standardOutput
            let stderr = stderrCut ? try await whole(stderr: true) : result.standardError
            guard !stdoutCut || stdout.count > kept.count, !stderrCut || stderr.count >= result.standardError.count else { continue }
            result.standardOutput = stdout
            result.standardError = stderr
            result.completeFrom = "CloudWatch Logs"
            completed[i] = result
        }
        return completed
    }

    /// Whether GetCommandInvocation's output is only the start of it.
    static func wasCut(_ result: InvocationResult) -> Bool {
        OutputGrouping.withoutTruncationMarker(result.standardOutput).cut || result.standardError.count >= OutputGrouping.stderrLimit
    }

    /// Every line of a stream, from its head until the token comes back unchanged (GetLogEvents
    /// reference); none when it does not exist.
    static func wholeStream(_ group: String, _ stream: String, _ logs: any CommandLogsAPI) async throws -> [String] {
        var lines: [String] = []
        var token: String?
        while let page = try await readOrMissing(group, stream, token, logs) {
            lines += page.messages.flatMap(CommandLogNames.lines)
            guard let next = page.nextForwardToken, next != token else { break }
            token = next
        }
        return lines
    }
}
