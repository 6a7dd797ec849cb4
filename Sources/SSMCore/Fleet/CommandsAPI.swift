/// The Run Command calls, as a seam: the real one wraps `SSMClient`, tests pass a fake fleet.
public protocol CommandsAPI: Sendable {
    func sendCommand(_ input: SendCommandInput) async throws -> CommandSummary
    /// One page of ListCommandInvocations (50 a page); `nextToken` nil for the first.
    func listInvocations(commandId: String, nextToken: String?) async throws -> (invocations: [CommandInvocation], nextToken: String?)
    func getInvocation(commandId: String, instanceId: String) async throws -> InvocationResult
    func cancel(commandId: String, instanceIds: [String]?) async throws
    func listCommands(limit: Int) async throws -> [CommandSummary]
    /// ListCommands for one command: its status and counts (nil when the service lists none).
    func command(_ commandId: String) async throws -> CommandSummary?
}
