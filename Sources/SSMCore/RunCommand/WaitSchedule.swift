/// When `wait` polls and when it gives up: short at first (most commands end in seconds), then
/// every second, then every 5 s after the first minute; never past the deadline. A pure value:
/// `now` in, the next step out.
public struct WaitSchedule: Sendable {
    public let start: Double
    /// Seconds from `start`; nil waits as long as it takes.
    public let timeout: Double?
    /// The next nap between rounds.
    public private(set) var interval = 0.25

    public init(start: Double, timeout: Double?) {
        self.start = start
        self.timeout = timeout
    }

    public enum Step: Sendable, Equatable {
        /// Poll again after napping this many seconds.
        case sleep(Double)
        /// The deadline has passed.
        case timedOut
    }

    /// After a round that found invocations still running.
    public func next(now: Double) -> Step {
        let elapsed = now - start
        guard let timeout else { return .sleep(interval) }
        if elapsed >= timeout { return .timedOut }
        // The last nap ends at the deadline (at least 50 ms, so the clock moves past it).
        return .sleep(min(interval, max(0.05, timeout - elapsed)))
    }

    /// After a nap: the interval grows by half, up to 1 s in the first minute and 5 s after.
    public mutating func napped(now: Double) {
        interval = min(interval * 1.5, now - start < 60 ? 1 : 5)
    }

    /// Naps are taken in slices this long, so an interrupt (Ctrl-C) is seen promptly.
    public static let slice = 0.05
}

/// Where the invocations of the commands being waited for stand after a round.
public struct WaitProgress: Sendable, Equatable {
    /// Invocations expected: the nodes each command was sent to, or as many as are listed.
    public var expected: Int
    /// Invocations listed.
    public var listed: Int
    /// Listed invocations that have ended (Success, Failed, TimedOut, Cancelled).
    public var ended: Int
    /// Ended ones that did not succeed.
    public var unsuccessful: Int

    /// The statuses after which an invocation changes no more.
    public static let terminal: Set<String> = ["Success", "Failed", "TimedOut", "Cancelled"]

    /// `sentTo`: how many nodes each command went to (unknown commands: none); `latest`: each
    /// command's invocations by instance id.
    public init(_ ids: [String], sentTo: [String: Int], latest: [String: [String: CommandInvocation]]) {
        expected = ids.reduce(0) { $0 + max(sentTo[$1] ?? 0, latest[$1]?.count ?? 0) }
        // Only these commands' invocations: a per-command check must not count another
        // command's ended invocations as this one's (final review of 56fda9b).
        let all = ids.flatMap { latest[$0]?.values.map { $0 } ?? [] }
        listed = all.count
        let done = all.filter { Self.terminal.contains($0.status) }
        ended = done.count
        unsuccessful = done.filter { $0.status != "Success" }.count
    }

    /// Every expected invocation is listed and has ended (an invocation not listed yet is pending).
    public var finished: Bool { listed >= expected && ended == listed && expected > 0 }
}
