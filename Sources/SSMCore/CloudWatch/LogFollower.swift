/// Follows the CloudWatch Logs streams of running Run Command invocations until they end
/// (`run --follow`, `output --follow`). Sans-I/O: the caller asks `next(now:)` what to do, does
/// it, and hands back what the service answered; lines come out of `received`.
///
/// The token rules (CloudWatch Logs API reference, GetLogEvents): the first read of a stream is
/// from its head (startFromHead, no token); each later read sends the last nextForwardToken;
/// a new token back means there may be more (read again at once), the token sent back means
/// nothing new yet (read again after `readInterval`). A stream that does not exist yet
/// (ResourceNotFoundException) has had nothing written. Once an invocation has ended, each of
/// its streams gets one more read that started after the end was seen and came back with
/// nothing new: the agent has put every event before the invocation ends
/// (agent/framework/processor/executer/iohandler/iomodule/fileS3.go, Read), so no line is lost.
/// A read's answer is taken only for the token it was sent with, so no line is printed twice.
/// Reads go out at most `maxReadsPerSecond` in all (a token bucket), and caught-up streams are
/// read again no more often than that allows: GetLogEvents is limited to 25 requests a second per
/// account and region (CloudWatch Logs quotas), shared with everything else there. A failed read
/// (throttled, the service unavailable) is tried again later, waiting twice as long each time.
/// Events become lines as the agent split them (LogLineJoiner).
public struct LogFollower: Sendable {
    /// One invocation: a command on a node.
    public struct Invocation: Hashable, Sendable {
        public var commandId: String
        public var instanceId: String

        public init(commandId: String, instanceId: String) {
            self.commandId = commandId
            self.instanceId = instanceId
        }
    }

    /// One stream of one invocation's plugin.
    public struct Stream: Hashable, Sendable {
        public var invocation: Invocation
        public var group: String
        public var name: String
        public var stderr: Bool
    }

    /// A GetLogEvents to make: from the head when `token` is nil.
    public struct Read: Hashable, Sendable {
        public var stream: Stream
        public var token: String?
    }

    public struct Line: Equatable, Sendable {
        public var invocation: Invocation
        public var stderr: Bool
        public var text: String
    }

    /// What ListCommandInvocations (with details) says of one invocation.
    public struct Listing: Sendable, Equatable {
        public var invocation: Invocation
        public var ended: Bool
        /// The group its output goes to; nil when CloudWatch output is off for it.
        public var group: String?
        /// Its plugins' names (CommandPlugins[].Name).
        public var plugins: [String]

        public init(invocation: Invocation, ended: Bool, group: String?, plugins: [String]) {
            self.invocation = invocation
            self.ended = ended
            self.group = group
            self.plugins = plugins
        }
    }

    public enum Action: Equatable, Sendable {
        /// List the invocations (every page, with details) and hand them to `listed`.
        case listInvocations
        /// Make these reads (in any order, at once) and hand each answer to `received` or `missing`.
        case read([Read])
        /// Nothing to do for this long.
        case sleep(Double)
        /// Every invocation has ended and every line of it has been read.
        case finished
    }

    struct StreamState {
        var token: String?
        var nextReadAt: Double
        var inFlight = false
        /// The read in flight was sent after its invocation was seen to end.
        var inFlightAfterEnd = false
        var done = false
        var joiner = LogLineJoiner()
        var failures = 0
    }

    struct InvocationState {
        var ended = false
        var plugins: Set<String> = []
        var cloudWatch = true
    }

    public let readInterval: Double
    public let listInterval: Double
    public let maxReadsPerSecond: Double
    private var invocations: [Invocation: InvocationState] = [:]
    private var streams: [Stream: StreamState] = [:]
    /// Streams in the order they were found, so reads go out in a stable order.
    private var order: [Stream] = []
    private var nextListAt: Double
    private var listedOnce = false
    private var listing = false
    /// Reads that may go out now (the token bucket), and when it was last filled.
    private var budget: Double
    private var budgetAt: Double

    /// `expecting`: the invocations known to be coming (the nodes a command was sent to); an
    /// invocation not listed yet is pending.
    public init(expecting: [Invocation], now: Double, readInterval: Double = 1, listInterval: Double = 2, maxReadsPerSecond: Double = 10) {
        self.readInterval = readInterval
        self.listInterval = listInterval
        self.maxReadsPerSecond = maxReadsPerSecond
        budget = maxReadsPerSecond
        budgetAt = now
        nextListAt = now
        for invocation in expecting { invocations[invocation] = InvocationState() }
    }

    /// How long a caught-up stream waits: `readInterval`, longer when many streams are open.
    var pace: Double {
        max(readInterval, Double(streams.values.filter { !$0.done }.count) / maxReadsPerSecond)
    }

    /// The invocations listed without CloudWatch output: their output is not followed.
    public var withoutCloudWatch: [Invocation] {
        invocations.filter { !$0.value.cloudWatch }.map(\.key).sorted { ($0.commandId, $0.instanceId) < ($1.commandId, $1.instanceId) }
    }

    public mutating func next(now: Double) -> Action {
        let allEnded = listedOnce && invocations.values.allSatisfy(\.ended)
        if !allEnded && !listing && now >= nextListAt {
            listing = true
            return .listInvocations
        }
        budget = min(maxReadsPerSecond, budget + max(0, now - budgetAt) * maxReadsPerSecond)
        budgetAt = now
        var reads: [Read] = []
        var waiting = false
        for stream in order {
            guard var state = streams[stream], !state.done, !state.inFlight, now >= state.nextReadAt else { continue }
            guard budget >= 1 else {
                waiting = true
                break
            }
            budget -= 1
            state.inFlight = true
            state.inFlightAfterEnd = invocations[stream.invocation]?.ended ?? false
            streams[stream] = state
            reads.append(Read(stream: stream, token: state.token))
        }
        if !reads.isEmpty { return .read(reads) }
        let open = streams.values.filter { !$0.done }
        if allEnded && open.isEmpty { return .finished }
        var wake = open.filter { !$0.inFlight }.map(\.nextReadAt)
        if waiting { wake.append(now + (1 - budget) / maxReadsPerSecond) }
        if !allEnded && !listing { wake.append(nextListAt) }
        return .sleep(max(0.05, (wake.min() ?? now + pace) - now))
    }

    /// What a listing said: new plugins become streams to read from their head; an ended
    /// invocation's streams then need their last read.
    public mutating func listed(_ entries: [Listing], now: Double) {
        listing = false
        listedOnce = true
        nextListAt = now + listInterval
        for entry in entries {
            var state = invocations[entry.invocation] ?? InvocationState()
            state.ended = state.ended || entry.ended
            state.cloudWatch = entry.group != nil
            if let group = entry.group {
                for plugin in entry.plugins where !state.plugins.contains(plugin) {
                    state.plugins.insert(plugin)
                    for stderr in [false, true] {
                        // A command of several pairs is known as PROFILE@REGION:ID (CommandRef);
                        // the agent names its streams by the id alone.
                        let name = CommandLogNames.stream(
                            commandId: CommandRef(entry.invocation.commandId).id, instanceId: entry.invocation.instanceId, plugin: plugin, stderr: stderr)
                        let stream = Stream(invocation: entry.invocation, group: group, name: name, stderr: stderr)
                        streams[stream] = StreamState(nextReadAt: now)
                        order.append(stream)
                    }
                }
            }
            invocations[entry.invocation] = state
        }
    }

    /// The listing failed; it is asked for again after `listInterval`.
    public mutating func listFailed(now: Double) {
        listing = false
        nextListAt = now + listInterval
    }

    /// A GetLogEvents answer: its events' messages in order and its nextForwardToken. Returns
    /// the lines to print.
    public mutating func received(_ read: Read, messages: [String], nextForwardToken: String?, now: Double) -> [Line] {
        guard var state = streams[read.stream], state.inFlight, state.token == read.token, !state.done else { return [] }
        state.inFlight = false
        let caughtUp = nextForwardToken == nil || nextForwardToken == read.token
        if caughtUp {
            state.nextReadAt = now + pace
            state.done = state.inFlightAfterEnd
        } else {
            state.token = nextForwardToken
            state.nextReadAt = now
        }
        state.failures = 0
        var texts = messages.flatMap { state.joiner.add($0) }
        if state.done { texts += state.joiner.finish() }
        streams[read.stream] = state
        return texts.map { Line(invocation: read.stream.invocation, stderr: read.stream.stderr, text: $0) }
    }

    /// The stream (or its group) does not exist: nothing has been written to it yet. After the
    /// end, nothing ever will be.
    @discardableResult
    public mutating func missing(_ read: Read, now: Double) -> [Line] {
        guard var state = streams[read.stream], state.inFlight, state.token == read.token else { return [] }
        state.inFlight = false
        state.failures = 0
        state.nextReadAt = now + pace
        state.done = state.inFlightAfterEnd
        let texts = state.done ? state.joiner.finish() : []
        streams[read.stream] = state
        return texts.map { Line(invocation: read.stream.invocation, stderr: read.stream.stderr, text: $0) }
    }

    /// The read failed in a way worth trying again (throttled, the service unavailable): the
    /// stream is read again with the same token after a wait that doubles each time, up to 30 s.
    public mutating func failed(_ read: Read, now: Double) {
        guard var state = streams[read.stream], state.inFlight, state.token == read.token else { return }
        state.inFlight = false
        state.failures += 1
        state.nextReadAt = now + min(30, pace * Double(1 << min(state.failures, 5)))
        streams[read.stream] = state
    }
}
