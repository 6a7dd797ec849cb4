/// What the shell sent through Run Command this session: `$cmd`, and for each command the
/// nodes it went to and its timeouts, which `wait`, `output` and `cancel` read back.
public struct CommandLedger: Sendable {
    /// `$cmd`: the ids of the last `run` (several when it was split by platform or in batches of 50).
    public private(set) var last: [String] = []
    /// What each command was sent to, for `wait` and `output`.
    public private(set) var targets: [String: [Node]] = [:]
    /// The executionTimeout each command runs with, for "timed out after N".
    public private(set) var executionTimeouts: [String: Int] = [:]
    /// The delivery timeout (TimeoutSeconds) each command was sent with, for "not delivered within N".
    public private(set) var deliveryTimeouts: [String: Int] = [:]
    /// Commands sent by `Targets` (TagTargets): how many invocations the service said it made
    /// (TargetCount), when it said so, and the nodes of the pair sent the other document by id,
    /// whose invocations under this command, should the service list any, are not this command's.
    public private(set) var targetCounts: [String: Int] = [:]
    public private(set) var leftOut: [String: Set<String>] = [:]
    /// The commands sent by `Targets`. The service picks their nodes itself, when it resolves
    /// the tag (AWS answers SendCommand with TargetCount 0 and fills it in later), so the nodes
    /// `use` resolved earlier are only a guess: a node may have left or joined the tag since.
    public private(set) var byTargets: Set<String> = []

    public init() {}

    /// A command sent by `Targets`: its TargetCount (0 or nil: not known yet) and the nodes left out.
    public mutating func recordTargets(_ commandId: String, targetCount: Int?, leftOut nodes: Set<String>) {
        byTargets.insert(commandId)
        if let targetCount, targetCount > 0 { targetCounts[commandId] = targetCount }
        if !nodes.isEmpty { leftOut[commandId] = nodes }
    }

    /// How many invocations each command should come to: its TargetCount when sent by Targets
    /// and known, else the nodes it was sent to.
    public var expectedCounts: [String: Int] {
        targets.mapValues(\.count).merging(targetCounts) { _, count in count }
    }

    /// A command sent by `Targets` that the service says has ended (ListCommands) with these
    /// invocations listed: that is all of them, whatever `use` resolved.
    public mutating func settle(_ commandId: String, invocations count: Int) {
        targetCounts[commandId] = count
        settled.insert(commandId)
    }

    /// The commands `settle` was told have ended (with no invocation left to wait for).
    public private(set) var settled: Set<String> = []

    /// A command's listed invocations without those of nodes it was not meant for (`leftOut`).
    public func own(_ commandId: String, _ invocations: [CommandInvocation]) -> [CommandInvocation] {
        guard let out = leftOut[commandId] else { return invocations }
        return invocations.filter { !out.contains($0.instanceId) }
    }

    /// The nodes of a command in the order to show them: those it was sent to, then any other
    /// the service listed (a node tagged after the targets were resolved), by id. For a command
    /// sent by `Targets`, a node the service did not list has no invocation (it left the tag).
    public func order(_ commandId: String, listed: some Sequence<String>) -> [String] {
        let listed = Array(listed)
        var sent = targets[commandId]?.map(\.id) ?? []
        if byTargets.contains(commandId) {
            let present = Set(listed)
            sent = sent.filter(present.contains)
        }
        let known = Set(sent)
        return sent + listed.filter { !known.contains($0) }.sorted()
    }

    /// One SendCommand's id, nodes and timeouts (nil: the defaults, 3600 s each).
    public mutating func record(_ commandId: String, nodes: [Node], executionTimeout: Int?, deliveryTimeout: Int?) {
        targets[commandId] = nodes
        executionTimeouts[commandId] = executionTimeout ?? RunPlan.defaultExecutionTimeout
        deliveryTimeouts[commandId] = deliveryTimeout ?? RunPlan.defaultDeliveryTimeout
    }

    /// The ids of one `run`, which become `$cmd`.
    public mutating func finishRun(_ ids: [String]) { last = ids }

    /// `$cmd`, or the ids given (comma or space separated).
    public func commandIds(_ word: String?) throws(LedgerError) -> [String] {
        if let word {
            let ids = word.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            guard !ids.isEmpty else { throw .noIdGiven }
            return ids
        }
        guard !last.isEmpty else { throw .noCommandYet }
        return last
    }

    /// Whether a word is command ids (comma-joined, none empty) rather than a target; each may be
    /// pair-qualified (`PROFILE@REGION:ID`, CommandRef). A CommandId is a UUID, 36 characters
    /// (botocore's ssm service-2.json: CommandId min and max 36), hex digits in groups 8-4-4-4-12.
    public static func looksLikeCommandId(_ word: String) -> Bool {
        let ids = word.split(separator: ",", omittingEmptySubsequences: false)
        return !word.isEmpty && ids.allSatisfy { isUUID(CommandRef($0).id) }
    }

    static func isUUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    /// What happened, where the ResponseCode is the agent's and not the script's: amazon-ssm-agent
    /// reports 137 for a script it killed at executionTimeout and 1 for one it cancelled (issue
    /// 19), which would read as the script's own exit status; a command never delivered has none.
    public func outcome(_ commandId: String, status: String, details: String?) -> InvocationOutcome? {
        switch (status, details) {
        case ("TimedOut", "ExecutionTimedOut"): .timedOut(after: executionTimeouts[commandId])
        case ("TimedOut", "DeliveryTimedOut"): .notDelivered(within: deliveryTimeouts[commandId])
        case ("Cancelled", _): .cancelled
        default: nil
        }
    }
}

/// How an invocation ended when its exit code is not the script's.
public enum InvocationOutcome: Sendable, Equatable {
    /// Killed at executionTimeout (seconds, when known).
    case timedOut(after: Int?)
    /// The node did not take the command within the delivery timeout (seconds, when known).
    case notDelivered(within: Int?)
    case cancelled
}

/// A `wait`, `output` or `cancel` without a command to act on.
public enum LedgerError: Error, Equatable, CustomStringConvertible {
    case noIdGiven
    case noCommandYet

    public var description: String {
        switch self {
        case .noIdGiven: "no command id given"
        case .noCommandYet: "no command yet: run one first, or give its id"
        }
    }
}
