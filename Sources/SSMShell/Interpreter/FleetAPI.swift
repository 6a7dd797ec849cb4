public import AWSCore
public import SSMCore

/// The AWS calls the interpreter makes, as one seam made of five: nodes, commands, command
/// logs and diagnostics (in SSMCore, beside the workflows that use them) and sessions. The real one
/// wraps the typed clients; tests pass a fake fleet. Code that needs only one part takes only
/// that part.
public protocol FleetAPI: NodesAPI, CommandsAPI, CommandLogsAPI, OutputObjectsAPI, SessionsAPI, DiagnosticsAPI {}

/// The real fleet, over one AWSClient.
public struct AWSFleetAPI: FleetAPI {
    let ssm: SSMClient
    let ec2: EC2Client
    let sts: STSClient
    let logs: LogsClient

    public init(client: AWSClient) {
        ssm = SSMClient(client: client)
        ec2 = EC2Client(client: client)
        sts = STSClient(client: client)
        logs = LogsClient(client: client)
    }

    public func describeNodes(filters: [(key: String, values: [String])]) async throws -> [ManagedNode] {
        try await ssm.describeInstanceInformation(filters: filters)
    }
    public func describeEC2(filters: [(name: String, values: [String])]) async throws -> [EC2Client.Instance] {
        try await ec2.describeInstances(filters: filters)
    }
    public func sendCommand(_ input: SendCommandInput) async throws -> CommandSummary { try await ssm.sendCommand(input) }
    public func listInvocations(commandId: String, nextToken: String?) async throws -> (invocations: [CommandInvocation], nextToken: String?) {
        try await ssm.listCommandInvocations(commandId: commandId, details: false, maxResults: 50, nextToken: nextToken)
    }
    public func getInvocation(commandId: String, instanceId: String) async throws -> InvocationResult {
        try await ssm.getCommandInvocation(commandId: commandId, instanceId: instanceId)
    }
    public func cancel(commandId: String, instanceIds: [String]?) async throws {
        try await ssm.cancelCommand(commandId: commandId, instanceIds: instanceIds)
    }
    public func listCommands(limit: Int) async throws -> [CommandSummary] { try await ssm.listCommands(limit: limit) }
    public func command(_ commandId: String) async throws -> CommandSummary? { try await ssm.listCommands(commandId: commandId, limit: 1).first }
    public func listInvocationDetails(commandId: String, nextToken: String?) async throws -> (invocations: [CommandInvocation], nextToken: String?) {
        try await ssm.listCommandInvocations(commandId: commandId, details: true, maxResults: 50, nextToken: nextToken)
    }
    public func getLogEvents(group: String, stream: String, nextToken: String?) async throws -> LogEventsPage {
        try await logs.getLogEvents(group: group, stream: stream, nextToken: nextToken)
    }
}
