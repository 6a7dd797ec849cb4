public import AWSCore

/// What SendCommand takes. `instanceIds` (at most 50) or `targets`, not both.
public struct SendCommandInput: Sendable, Equatable {
    public var documentName: String
    public var instanceIds: [String]?
    public var targets: [(key: String, values: [String])]?
    public var parameters: [String: [String]]?
    public var comment: String?
    public var timeoutSeconds: Int?
    public var maxConcurrency: String?
    public var maxErrors: String?
    public var documentVersion: String?
    public var outputS3BucketName: String?
    public var outputS3KeyPrefix: String?
    /// CloudWatchOutputConfig: "" turns it on for the document's default group.
    public var cloudWatchLogGroup: String?

    public init(documentName: String, instanceIds: [String]? = nil, parameters: [String: [String]]? = nil) {
        self.documentName = documentName
        self.instanceIds = instanceIds
        self.parameters = parameters
    }

    public static func == (a: SendCommandInput, b: SendCommandInput) -> Bool {
        a.json == b.json
    }

    var json: JSONValue {
        var input: [String: JSONValue] = ["DocumentName": .string(documentName)]
        input.set("InstanceIds", instanceIds)
        if let targets { input["Targets"] = .array(targets.map { ["Key": .string($0.key), "Values": .array($0.values.map(JSONValue.string))] }) }
        input.set("Parameters", parameters)
        input.set("Comment", comment)
        input.set("TimeoutSeconds", timeoutSeconds)
        input.set("MaxConcurrency", maxConcurrency)
        input.set("MaxErrors", maxErrors)
        input.set("DocumentVersion", documentVersion)
        input.set("OutputS3BucketName", outputS3BucketName)
        input.set("OutputS3KeyPrefix", outputS3KeyPrefix)
        if let group = cloudWatchLogGroup {
            input["CloudWatchOutputConfig"] =
                group.isEmpty ? ["CloudWatchOutputEnabled": true] : ["CloudWatchLogGroupName": .string(group), "CloudWatchOutputEnabled": true]
        }
        return .object(input)
    }
}

public struct CommandSummary: Sendable, Equatable {
    public var commandId: String
    public var documentName: String
    public var status: String
    public var statusDetails: String?
    public var comment: String?
    public var requestedAt: Double?
    public var instanceIds: [String]
    public var targetCount: Int?
    public var completedCount: Int?
    public var errorCount: Int?
    public var parameters: [String: [String]]

    /// From the reply's JSON (also how fakes build replies).
    public init(_ json: JSONValue) {
        commandId = json.text("CommandId") ?? ""
        documentName = json.text("DocumentName") ?? ""
        status = json.text("Status") ?? ""
        statusDetails = json.text("StatusDetails")
        comment = json.text("Comment")
        requestedAt = json.time("RequestedDateTime")
        instanceIds = json.list("InstanceIds").compactMap(\.string)
        targetCount = json.integer("TargetCount")
        completedCount = json.integer("CompletedCount")
        errorCount = json.integer("ErrorCount")
        parameters = json.stringMap("Parameters")
    }
}

public struct CommandInvocation: Sendable, Equatable {
    public var commandId: String
    public var instanceId: String
    public var instanceName: String?
    public var status: String
    public var statusDetails: String?
    public var requestedAt: Double?
    /// From the first plugin, when `details` was asked for.
    public var responseCode: Int?
    public var output: String?
    public var documentName: String?
    /// Every plugin's name, when `details` was asked for (CloudWatch streams are named after them).
    public var pluginNames: [String]
    /// The CloudWatch Logs group its output goes to; nil when CloudWatch output is off.
    public var cloudWatchGroup: String?
    /// How many plugins were listed (`details`; nil when the reply had no CommandPlugins).
    public var pluginCount: Int?
    /// The S3 objects of the output, when it was uploaded (empty strings are nil).
    public var standardOutputURL: String?
    public var standardErrorURL: String?

    /// From the reply's JSON (also how fakes build replies).
    public init(_ json: JSONValue) {
        commandId = json.text("CommandId") ?? ""
        instanceId = json.text("InstanceId") ?? ""
        pluginCount = json["CommandPlugins"]?.array?.count
        standardOutputURL = json.text("StandardOutputUrl").flatMap { $0.isEmpty ? nil : $0 }
        standardErrorURL = json.text("StandardErrorUrl").flatMap { $0.isEmpty ? nil : $0 }
        instanceName = json.text("InstanceName")
        status = json.text("Status") ?? ""
        statusDetails = json.text("StatusDetails")
        requestedAt = json.time("RequestedDateTime")
        let plugin = json.list("CommandPlugins").first
        responseCode = plugin?.integer("ResponseCode")
        output = plugin?.text("Output")
        documentName = json.text("DocumentName")
        pluginNames = json.list("CommandPlugins").compactMap { $0.text("Name") }
        let cloudWatch = json["CloudWatchOutputConfig"]
        cloudWatchGroup =
            cloudWatch?["CloudWatchOutputEnabled"]?.bool == true
            ? CommandLogNames.group(configured: cloudWatch?.text("CloudWatchLogGroupName"), documentName: documentName ?? "") : nil
    }
}

/// GetCommandInvocation's answer. Its three time fields are strings, not epoch numbers.
public struct InvocationResult: Sendable, Equatable {
    public var commandId: String
    public var instanceId: String
    public var status: String
    public var statusDetails: String?
    public var responseCode: Int
    public var standardOutput: String
    public var standardError: String
    public var standardOutputURL: String?
    public var standardErrorURL: String?
    public var executionStart: String?
    public var executionEnd: String?
    public var executionElapsed: String?
    /// Where the whole output was read from when GetCommandInvocation's is cut (`CloudWatch
    /// Logs`, `S3`); nil when it is GetCommandInvocation's own.
    public var completeFrom: String?
    /// The plugin the output is of (GetCommandInvocation answers for the document's one plugin
    /// when none is named); CloudWatch streams are named after it.
    public var pluginName: String?
    /// The CloudWatch Logs group the output went to; nil when CloudWatch output was off.
    public var cloudWatchGroup: String?
    /// stderr was read whole (from S3) though another stream could not be: no "truncated" note.
    public var standardErrorIsWhole = false

    /// From the reply's JSON (also how fakes build replies).
    public init(_ json: JSONValue) {
        commandId = json.text("CommandId") ?? ""
        instanceId = json.text("InstanceId") ?? ""
        status = json.text("Status") ?? ""
        statusDetails = json.text("StatusDetails")
        responseCode = json.integer("ResponseCode") ?? -1
        standardOutput = json.text("StandardOutputContent") ?? ""
        standardError = json.text("StandardErrorContent") ?? ""
        standardOutputURL = json.text("StandardOutputUrl").flatMap { $0.isEmpty ? nil : $0 }
        standardErrorURL = json.text("StandardErrorUrl").flatMap { $0.isEmpty ? nil : $0 }
        executionStart = json.text("ExecutionStartDateTime")
        executionEnd = json.text("ExecutionEndDateTime")
        executionElapsed = json.text("ExecutionElapsedTime")
        pluginName = json.text("PluginName").flatMap { $0.isEmpty ? nil : $0 }
        let cloudWatch = json["CloudWatchOutputConfig"]
        cloudWatchGroup =
            cloudWatch?["CloudWatchOutputEnabled"]?.bool == true
            ? CommandLogNames.group(configured: cloudWatch?.text("CloudWatchLogGroupName"), documentName: json.text("DocumentName") ?? "") : nil
    }
}

extension SSMClient {
    /// SendCommand. Not idempotent: never resent unless the service provably did not take it.
    public func sendCommand(_ input: SendCommandInput) async throws -> CommandSummary {
        if let ids = input.instanceIds, ids.count > 50 {
            throw AWSServiceError(
                code: "ValidationException", message: "SendCommand takes at most 50 instance ids; send in batches of 50.",
                status: 400, service: "ssm", operation: "SendCommand")
        }
        let output = try await call("SendCommand", input.json)
        guard let command = output["Command"], command.text("CommandId") != nil else {
            throw AWSServiceError(
                code: "InvalidResponse", message: "The reply has no Command.CommandId.", status: 200, service: "ssm", operation: "SendCommand")
        }
        return CommandSummary(command)
    }

    /// One page of ListCommandInvocations (the caller polls page by page).
    public func listCommandInvocations(
        commandId: String? = nil, instanceId: String? = nil, details: Bool = false,
        maxResults: Int = 50, nextToken: String? = nil
    ) async throws -> (invocations: [CommandInvocation], nextToken: String?) {
        var input: [String: JSONValue] = ["MaxResults": .number(Double(min(50, max(1, maxResults))))]
        input.set("CommandId", commandId)
        input.set("InstanceId", instanceId)
        if details { input["Details"] = true }
        input.set("NextToken", nextToken)
        let page = try await call("ListCommandInvocations", .object(input))
        return (page.list("CommandInvocations").map(CommandInvocation.init), page.text("NextToken"))
    }

    /// ListCommands, every page up to `limit`.
    public func listCommands(commandId: String? = nil, instanceId: String? = nil, limit: Int = 50) async throws -> [CommandSummary] {
        let commands = try await Pagination.collect(limit: limit) { token in
            var input: [String: JSONValue] = ["MaxResults": .number(Double(min(50, max(1, limit))))]
            input.set("CommandId", commandId)
            input.set("InstanceId", instanceId)
            input.set("NextToken", token)
            let page = try await call("ListCommands", .object(input))
            return (page.list("Commands").map(CommandSummary.init), page.text("NextToken"))
        }
        return Array(commands.prefix(limit))
    }

    public func getCommandInvocation(commandId: String, instanceId: String, pluginName: String? = nil) async throws -> InvocationResult {
        var input: [String: JSONValue] = ["CommandId": .string(commandId), "InstanceId": .string(instanceId)]
        input.set("PluginName", pluginName)
        return InvocationResult(try await call("GetCommandInvocation", .object(input)))
    }

    /// CancelCommand; no instance ids cancels it everywhere.
    public func cancelCommand(commandId: String, instanceIds: [String]? = nil) async throws {
        var input: [String: JSONValue] = ["CommandId": .string(commandId)]
        input.set("InstanceIds", instanceIds)
        _ = try await call("CancelCommand", .object(input))
    }
}
