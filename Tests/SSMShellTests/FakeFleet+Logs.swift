import AWSCore
import SSMCore

/// The fake fleet's CloudWatch Logs: ListCommandInvocations' details as the service gives them
/// for what was sent, and GetLogEvents two events a page with tokens `f/N`; the same token back
/// at the end of a stream.
extension FakeFleet {
    func listInvocationDetails(commandId: String, nextToken: String?) async throws -> (invocations: [CommandInvocation], nextToken: String?) {
        log("ListCommandInvocations details \(commandId)")
        try throttleList()
        let input = Int(commandId.suffix(2)).flatMap { sent.indices.contains($0 - 1) ? sent[$0 - 1] : nil }
        let cloudWatch: JSONValue =
            input?.cloudWatchLogGroup.map { ["CloudWatchOutputEnabled": true, "CloudWatchLogGroupName": .string($0)] } ?? ["CloudWatchOutputEnabled": false]
        return (
            try invocations[commandId, default: []].map {
                var plugin: [String: JSONValue] = ["Name": "aws:runShellScript"]
                if pluginOutputs {
                    plugin["Output"] = .string(Self.pluginOutput(stdout: $0.3, stderr: $0.4))
                    plugin["ResponseCode"] = .number(Double($0.2))
                }
                return try JSONDecoderless.invocation([
                    "CommandId": .string(commandId), "InstanceId": .string($0.0), "Status": .string($0.1),
                    "DocumentName": .string(input?.documentName ?? ""), "CloudWatchOutputConfig": cloudWatch,
                    "CommandPlugins": [.object(plugin)],
                ])
            }, nil
        )
    }

    /// The plugin Output as amazon-ssm-agent reports it (iohandler TruncateOutput), simplified:
    /// whole under 2,500 characters, else stdout cut with its marker.
    static func pluginOutput(stdout: String, stderr: String) -> String {
        let whole = stdout + (stderr.isEmpty ? "" : PluginOutput.errorTitle + stderr)
        return whole.count < PluginOutput.capacity ? whole : String(whole.prefix(2000)) + PluginOutput.outputCut
    }

    /// What GetCommandInvocation adds for a command sent with CloudWatch output.
    func cloudWatchFields(_ commandId: String) -> [String: JSONValue] {
        let input = Int(commandId.suffix(2)).flatMap { sent.indices.contains($0 - 1) ? sent[$0 - 1] : nil }
        guard let input, let group = input.cloudWatchLogGroup else { return [:] }
        return [
            "DocumentName": .string(input.documentName), "PluginName": "aws:runShellScript",
            "CloudWatchOutputConfig": ["CloudWatchOutputEnabled": true, "CloudWatchLogGroupName": .string(group)],
        ]
    }

    func getLogEvents(group: String, stream: String, nextToken: String?) async throws -> LogEventsPage {
        log("GetLogEvents \(stream) \(nextToken ?? "head")")
        if logsDenied {
            throw AWSServiceError(
                code: "AccessDeniedException",
                message:
                    "User: arn:aws:sts::123456789012:assumed-role/ops/me is not authorized to perform: logs:GetLogEvents on resource: arn:aws:logs:us-east-1:123456789012:log-group:\(group):log-stream:\(stream)",
                status: 400, operation: "GetLogEvents")
        }
        if logThrottles > 0 {
            logThrottles -= 1
            throw AWSServiceError(code: "ThrottlingException", message: "Rate exceeded", status: 400, operation: "GetLogEvents")
        }
        guard let events = logEvents["\(group) \(stream)"] else {
            throw AWSServiceError(
                code: "ResourceNotFoundException", message: "The specified log stream does not exist.", status: 400, operation: "GetLogEvents")
        }
        let start = nextToken.flatMap { Int($0.dropFirst(2)) } ?? 0
        let end = min(events.count, start + 2)
        return LogEventsPage(messages: Array(events[start..<end]), nextForwardToken: "f/\(end)")
    }
}
