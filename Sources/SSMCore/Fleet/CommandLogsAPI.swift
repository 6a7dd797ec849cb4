/// What reading Run Command output from CloudWatch Logs calls, as a seam: the real one wraps
/// `SSMClient` and `LogsClient`, tests pass a fake fleet.
public protocol CommandLogsAPI: Sendable {
    /// One page of ListCommandInvocations with details: each invocation's plugins and
    /// CloudWatchOutputConfig, which name its streams.
    func listInvocationDetails(commandId: String, nextToken: String?) async throws -> (invocations: [CommandInvocation], nextToken: String?)
    /// One GetLogEvents, from the head of the stream (`nextToken` nil) or on from a forward token.
    func getLogEvents(group: String, stream: String, nextToken: String?) async throws -> LogEventsPage
}

extension CommandLogsAPI {
    /// ListCommandInvocations with details, every page.
    public func allInvocationDetails(commandId: String) async throws -> [CommandInvocation] {
        try await Pagination.collect { token in
            let page = try await listInvocationDetails(commandId: commandId, nextToken: token)
            return (page.invocations, page.nextToken)
        }
    }
}
