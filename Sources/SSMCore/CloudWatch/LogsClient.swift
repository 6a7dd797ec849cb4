public import AWSCore

/// One page of GetLogEvents: the events' messages in order and the forward token.
public struct LogEventsPage: Sendable, Equatable {
    public var messages: [String]
    public var nextForwardToken: String?

    public init(messages: [String], nextForwardToken: String?) {
        self.messages = messages
        self.nextForwardToken = nextForwardToken
    }
}

/// CloudWatch Logs in JSON 1.1 (`Logs_20140328.<Operation>`): what reading a command's
/// output needs.
public struct LogsClient: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) { self.client = client }

    /// GetLogEvents, oldest first. With a token from an earlier answer startFromHead must still
    /// be true (GetLogEvents reference, startFromHead).
    public func getLogEvents(group: String, stream: String, nextToken: String?) async throws -> LogEventsPage {
        var input: [String: JSONValue] = ["logGroupName": .string(group), "logStreamName": .string(stream), "startFromHead": true]
        input.set("nextToken", nextToken)
        let output = try await client.callJSON(.logs, "GetLogEvents", .object(input))
        return LogEventsPage(messages: output.list("events").compactMap { $0.text("message") }, nextForwardToken: output.text("nextForwardToken"))
    }
}
