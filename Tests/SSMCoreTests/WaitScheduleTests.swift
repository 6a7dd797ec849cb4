import AWSCore
import SSMCore
import Testing

/// When `wait` polls and gives up, and when it counts a command as done.
@Suite struct WaitScheduleTests {
    /// Naps of 0.25 s growing by half to 1 s; after the first minute up to 5 s.
    @Test func napsGrowToOneSecondThenFiveAfterAMinute() {
        var schedule = WaitSchedule(start: 100, timeout: nil)
        var naps: [Double] = []
        var now = 100.0
        for _ in 0..<6 {
            guard case .sleep(let nap) = schedule.next(now: now) else { Issue.record("no deadline, no time-out"); return }
            naps.append(nap)
            now += nap
            schedule.napped(now: now)
        }
        #expect(naps == [0.25, 0.375, 0.5625, 0.84375, 1, 1])
        schedule.napped(now: 160)
        #expect(schedule.interval == 1.5)
        for _ in 0..<5 { schedule.napped(now: 200) }
        #expect(schedule.interval == 5)
    }

    @Test func theLastNapEndsAtTheDeadlineThenItTimesOut() {
        var schedule = WaitSchedule(start: 0, timeout: 10)
        for _ in 0..<10 { schedule.napped(now: 1) }
        #expect(schedule.next(now: 9.5) == .sleep(0.5))
        #expect(schedule.next(now: 9.99) == .sleep(0.05), "at least 50 ms, so the clock gets past the deadline")
        #expect(schedule.next(now: 10) == .timedOut)
        #expect(WaitSchedule(start: 0, timeout: 0).next(now: 0) == .timedOut)
    }

    static func invocation(_ instance: String, _ status: String) -> CommandInvocation {
        CommandInvocation(.object(["CommandId": "c", "InstanceId": .string(instance), "Status": .string(status)]))
    }

    @Test func doneWhenEveryNodeSentToIsListedAndEnded() {
        let ended = ["i-1": Self.invocation("i-1", "Success"), "i-2": Self.invocation("i-2", "Failed")]
        // Listed late: a node the command went to but not listed yet is pending.
        let early = WaitProgress(["c"], sentTo: ["c": 3], latest: ["c": ended])
        #expect((early.expected, early.listed, early.ended, early.unsuccessful, early.finished) == (3, 2, 2, 1, false))
        var all = ended
        all["i-3"] = Self.invocation("i-3", "InProgress")
        #expect(!WaitProgress(["c"], sentTo: ["c": 3], latest: ["c": all]).finished)
        all["i-3"] = Self.invocation("i-3", "Cancelled")
        let done = WaitProgress(["c"], sentTo: ["c": 3], latest: ["c": all])
        #expect(done.finished && done.unsuccessful == 2)
    }

    /// A command from before this session: its listing says how many nodes it has.
    /// One command's progress counts only its own invocations: another pair's ended ones must
    /// not make a command that lists none yet look finished (final review of 56fda9b).
    @Test func oneCommandsProgressIgnoresTheOthersInvocations() {
        let latest = ["prod": ["i-1": Self.invocation("i-1", "Success"), "i-2": Self.invocation("i-2", "Success")], "staging": [:]]
        let staging = WaitProgress(["staging"], sentTo: ["prod": 2, "staging": 2], latest: latest)
        #expect(!staging.finished && staging.listed == 0 && staging.expected == 2)
        #expect(WaitProgress(["prod"], sentTo: ["prod": 2, "staging": 2], latest: latest).finished)
    }

    @Test func anUnknownCommandExpectsWhatIsListedButNotNothing() {
        #expect(WaitProgress(["c"], sentTo: [:], latest: ["c": ["i-1": Self.invocation("i-1", "TimedOut")]]).finished)
        #expect(!WaitProgress(["c"], sentTo: [:], latest: ["c": [:]]).finished)
    }
}
