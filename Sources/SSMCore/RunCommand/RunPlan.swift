/// What `run` sends, decided before anything is sent (the design's Run Command workflow): the
/// documents by platform, the batches of 50, and the parameters with the service's and the
/// agent's limits. Pure: nodes and options in, SendCommand inputs out.
public enum RunPlan {
    /// The service takes at most 50 instance ids per command (SendCommand reference).
    public static let maxInstanceIds = 50
    /// AWS-RunShellScript's and AWS-RunPowerShellScript's (and the agent's) executionTimeout when
    /// none is given: 3600 s.
    public static let defaultExecutionTimeout = 3600
    /// SendCommand's TimeoutSeconds when none is given: 3600 s (API reference).
    public static let defaultDeliveryTimeout = 3600

    /// The nodes of one document.
    public struct Group: Sendable, Equatable {
        public var document: String
        public var nodes: [Node]
        /// Whether the command text is PowerShell (quote variables for it).
        public var powerShell: Bool
    }

    /// One command per document: Windows nodes get PowerShell, the rest the shell script; a
    /// named document gets every node (its text is PowerShell when the document is
    /// AWS-RunPowerShellScript or every node is Windows).
    public static func groups(_ nodes: [Node], document: String?) -> [Group] {
        if let document {
            let powerShell = document == "AWS-RunPowerShellScript" || nodes.allSatisfy { $0.platform == "Windows" }
            return [Group(document: document, nodes: nodes, powerShell: powerShell)]
        }
        let windows = nodes.filter { $0.platform == "Windows" }
        let others = nodes.filter { $0.platform != "Windows" }
        var groups: [Group] = []
        if !others.isEmpty { groups.append(Group(document: "AWS-RunShellScript", nodes: others, powerShell: false)) }
        if !windows.isEmpty { groups.append(Group(document: "AWS-RunPowerShellScript", nodes: windows, powerShell: true)) }
        return groups
    }

    /// The options every SendCommand of a run shares.
    public struct Options: Sendable, Equatable {
        public var parameters: [String: [String]] = [:]
        public var comment: String?
        public var deliveryTimeout: Int?
        public var maxConcurrency: String?
        public var maxErrors: String?
        /// CloudWatchOutputConfig's group ("" for the document's default); nil: off.
        public var cloudWatchLogGroup: String?
        /// OutputS3BucketName and OutputS3KeyPrefix (`run --output-bucket`, `set output-bucket`).
        public var outputBucket: OutputBucket?

        public init() {}
    }

    /// One SendCommand and the nodes it goes to.
    public struct Request: Sendable, Equatable {
        public var input: SendCommandInput
        public var nodes: [Node]
    }

    /// A group's SendCommands, 50 nodes each; `lines` is its `commands` parameter (none for a
    /// document run without text). The comment defaults to the first line's first 100 characters.
    public static func requests(_ group: Group, lines: [String], options: Options) -> [Request] {
        group.nodes.batches(of: maxInstanceIds).map { batch in
            var input = self.input(group.document, lines: lines, options: options)
            input.instanceIds = batch.map(\.id)
            return Request(input: input, nodes: batch)
        }
    }

    /// A group's one SendCommand by `Targets` (TagTargets): the service selects the nodes by
    /// tag; `nodes` are those the same tags resolved to, which `wait` and `output` expect.
    public static func targetedRequest(_ group: Group, targets: [(key: String, values: [String])], lines: [String], options: Options) -> Request {
        var input = self.input(group.document, lines: lines, options: options)
        input.targets = targets
        // The service's default MaxConcurrency is 50 a command. Sent by ids, each batch of 50 is
        // its own command, so every node starts at once; one command by Targets must say so,
        // or 200 nodes would run in four waves (the bench's fan-out took 12.8 s, not 3.4 s).
        if options.maxConcurrency == nil { input.maxConcurrency = "100%" }
        return Request(input: input, nodes: group.nodes)
    }

    /// What every SendCommand of a run carries, without its ids or targets.
    static func input(_ document: String, lines: [String], options: Options) -> SendCommandInput {
        var parameters = options.parameters
        if !lines.isEmpty { parameters["commands"] = lines }
        var input = SendCommandInput(documentName: document, parameters: parameters)
        input.comment = options.comment ?? String(lines.first?.prefix(100) ?? "")
        input.timeoutSeconds = options.deliveryTimeout
        input.maxConcurrency = options.maxConcurrency
        input.maxErrors = options.maxErrors
        input.cloudWatchLogGroup = options.cloudWatchLogGroup
        input.outputS3BucketName = options.outputBucket?.bucket
        input.outputS3KeyPrefix = options.outputBucket?.prefix
        return input
    }

    /// A here-document's lines, the blank lines at its end dropped.
    public static func scriptLines(_ script: String) -> [String] {
        var lines = script.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last == "" { lines.removeLast() }
        return lines
    }

    /// `--timeout`: the documents' executionTimeout in whole seconds. amazon-ssm-agent runs a
    /// value outside 5...172800 s for its default 3600 s without a word (issue 19), so it is
    /// refused here instead.
    public static func executionTimeout(_ seconds: Double) throws(RunPlanError) -> Int {
        let whole = Int(seconds.rounded(.up))
        guard (5...172_800).contains(whole) else { throw .executionTimeoutOutOfRange(whole) }
        return whole
    }

    /// `--delivery-timeout`: SendCommand's TimeoutSeconds, 30 to 2592000 (API reference); below
    /// 30 is raised to 30.
    public static func deliveryTimeout(_ seconds: Double) throws(RunPlanError) -> Int {
        let whole = max(30, Int(seconds.rounded(.up)))
        guard whole <= 2_592_000 else { throw .deliveryTimeoutTooLong(whole) }
        return whole
    }

    /// `--param KEY=VALUE`.
    public static func parameter(_ pair: String) throws(RunPlanError) -> (key: String, value: String) {
        guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else { throw .malformedParameter(pair) }
        return (String(pair[..<eq]), String(pair[pair.index(after: eq)...]))
    }
}

/// An option of `run` outside what the service or the agent takes, as a sentence.
public enum RunPlanError: Error, Equatable, CustomStringConvertible {
    case executionTimeoutOutOfRange(Int)
    case deliveryTimeoutTooLong(Int)
    case malformedParameter(String)

    public var description: String {
        switch self {
        case .executionTimeoutOutOfRange(let seconds):
            "run --timeout is the document's executionTimeout: from 5s to 48h (172800 s), not \(seconds)s (the agent runs a value outside that range for 1h without a word)"
        case .deliveryTimeoutTooLong(let seconds):
            "run --delivery-timeout is SendCommand's TimeoutSeconds: at most 720h (2592000 s), not \(seconds)s"
        case .malformedParameter(let pair): "run --param takes KEY=VALUE, not '\(pair)'"
        }
    }
}
