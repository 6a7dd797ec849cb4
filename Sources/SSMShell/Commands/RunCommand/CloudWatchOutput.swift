import AWSCore
import SSMCore

/// `output` for commands that sent their output to CloudWatch Logs: where GetCommandInvocation
/// cut it (24,000 characters of stdout, 8,000 of stderr), the whole streams are read instead.
extension Shell {
    func completedFromCloudWatch(_ pairs: [(String, String)], _ results: [Int: InvocationResult]) async throws -> [Int: InvocationResult] {
        // Only invocations GetCommandInvocation says sent their output to CloudWatch: the others
        // call nothing more (and need no more permissions).
        let cut = pairs.indices.filter { i in results[i].map { $0.cloudWatchGroup != nil && Self.wasCut($0) } ?? false }
        guard !cut.isEmpty else { return results }
        // The plugins name the streams: GetCommandInvocation's PluginName, else the listing's.
        var listed: [String: [String: CommandInvocation]] = [:]
        var completed = results
        for i in cut {
            let (ref, instanceId) = (try located(pairs[i].0), pairs[i].1)
            let (commandId, fleet) = (ref.id, try fleet(for: ref.pair))
            guard var result = results[i], let group = result.cloudWatchGroup else { continue }
            var plugins = result.pluginName.map { [$0] } ?? []
            if plugins.isEmpty {
                if listed[pairs[i].0] == nil {
                    let all = try await fleet.allInvocationDetails(commandId: commandId)
                    listed[pairs[i].0] = Dictionary(all.map { ($0.instanceId, $0) }, uniquingKeysWith: { _, last in last })
                }
                plugins = listed[pairs[i].0]?[instanceId]?.pluginNames ?? []
            }
            func whole(stderr: Bool) async throws -> String {
                var text = ""
                for plugin in plugins {
                    let stream = CommandLogNames.stream(commandId: commandId, instanceId: instanceId, plugin: plugin, stderr: stderr)
                    text += try await Self.wholeStream(group, stream, fleet)
                }
                return text
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

    /// A stream's text from its head until the token comes back unchanged (GetLogEvents
    /// reference), its events joined as the agent split them (LogLineJoiner); "" when it does
    /// not exist.
    static func wholeStream(_ group: String, _ stream: String, _ logs: any CommandLogsAPI) async throws -> String {
        var joiner = LogLineJoiner()
        var lines: [String] = []
        var token: String?
        while let page = try await readOrMissing(group, stream, token, logs) {
            for message in page.messages { lines += joiner.add(message) }
            guard let next = page.nextForwardToken, next != token else { break }
            token = next
        }
        lines += joiner.finish()
        return lines.map { $0 + "\n" }.joined()
    }
}
