import AWSCore
import SessionProtocol
@testable import SSMCore
import Synchronization
import Testing
import TestSupport

/// The one session runner of connect, proxy and forward: what it does after a disconnect, a
/// refusal, a null token, an unusable stream URL and a stop. Connections and ResumeSession are
/// scripted; the clock moves only when the runner waits.
@Suite struct SessionRunnerTests {
    /// A scripted session: what each connection's run returns, and what ResumeSession answers.
    final class Script: Sendable {
        let outcomes: Mutex<[SessionOutcome]>
        let resumes: Mutex<[Result<SessionStream?, AWSServiceError>]>
        let opened = Mutex<[String]>([])
        let ended = Atomic<Bool>(false)
        let stop = Atomic<Bool>(false)
        init(outcomes: [SessionOutcome], resumes: [Result<SessionStream?, AWSServiceError>] = []) {
            self.outcomes = Mutex(outcomes)
            self.resumes = Mutex(resumes)
        }
    }

    static func stream(_ token: String) -> SessionStream { SessionStream(sessionId: "s-1", streamURL: "wss://x/\(token)", tokenValue: token) }

    static func runner(_ script: Script, clock: ManualClock = ManualClock(now: 0), unusable: Bool = false) -> SessionRunner<String> {
        var resumer = SessionResumer(clock: clock) { _ in
            try script.resumes.withLock { $0.isEmpty ? .success(nil) : $0.removeFirst() }.get()
        }
        resumer.jitter = { 0.5 }
        resumer.sleep = { seconds in
            clock.advance(by: seconds)
            if clock.seconds() > 3 { script.stop.store(true, ordering: .relaxed) }  // for the stop test only
        }
        var runner = SessionRunner<String>(
            sessionId: "s-1", resumer: resumer,
            open: { stream in
                script.opened.withLock { $0.append(stream.tokenValue) }
                if unusable { throw UnusableStreamURL(description: "the service returned an unusable stream URL") }
                return stream.tokenValue
            },
            run: { _ in
                script.outcomes.withLock { $0.isEmpty ? .ended : $0.removeFirst() }
            }, sessionEnded: { script.ended.load(ordering: .relaxed) })
        runner.stopped = { script.stop.load(ordering: .relaxed) }
        return runner
    }

    @Test func aDisconnectIsResumedOnTheNewStream() async {
        let script = Script(outcomes: [.disconnected("reset"), .ended], resumes: [.success(Self.stream("t2"))])
        guard case .ended = await Self.runner(script).run(from: Self.stream("t1")) else { Issue.record("not ended"); return }
        #expect(script.opened.withLock { $0 } == ["t1", "t2"])
    }

    @Test func throttlingIsRetriedAndARefusalEndsWithTheRefusal() async {
        let throttled = AWSServiceError(code: "ThrottlingException", message: "slow down", status: 400)
        let denied = AWSServiceError(code: "AccessDeniedException", message: "no ssm:ResumeSession", status: 400)
        let script = Script(outcomes: [.disconnected("reset")], resumes: [.failure(throttled), .failure(denied)])
        guard case .failed(let reason, let refusal) = await Self.runner(script).run(from: Self.stream("t1")) else {
            Issue.record("not failed"); return
        }
        #expect(reason.hasPrefix("reconnecting failed: "))
        #expect(refusal?.code == "AccessDeniedException")
        #expect(script.resumes.withLock { $0.isEmpty }, "both answers were asked for")
    }

    @Test func aNullTokenEndsTheSession() async {
        let script = Script(outcomes: [.disconnected("reset")], resumes: [.success(nil)])
        guard case .failed(let reason, nil) = await Self.runner(script).run(from: Self.stream("t1")) else { Issue.record("not failed"); return }
        #expect(reason == "the session s-1 can no longer be resumed (reset)")
    }

    @Test func anUnusableStreamURLEndsAtOnceWithoutResuming() async {
        let script = Script(outcomes: [], resumes: [.success(Self.stream("t2"))])
        guard case .failed(let reason, nil) = await Self.runner(script, unusable: true).run(from: Self.stream("t1")) else {
            Issue.record("not failed"); return
        }
        #expect(reason == "the service returned an unusable stream URL")
        #expect(script.resumes.withLock { $0.count } == 1, "ResumeSession was not called")
    }

    @Test func aDisconnectAfterTheSessionEndedIsNoFailure() async {
        let script = Script(outcomes: [.disconnected("reset")])
        script.ended.store(true, ordering: .relaxed)
        guard case .ended = await Self.runner(script).run(from: Self.stream("t1")) else { Issue.record("not ended"); return }
        #expect(script.opened.withLock { $0 } == ["t1"])
    }

    @Test func aStopDuringTheBackoffStopsWithoutAnotherCall() async {
        let unavailable = AWSServiceError(code: "ServiceUnavailable", message: "", status: 503)
        let script = Script(outcomes: [.disconnected("reset")], resumes: Array(repeating: .failure(unavailable), count: 100))
        guard case .stopped = await Self.runner(script).run(from: Self.stream("t1")) else { Issue.record("not stopped"); return }
        #expect(script.resumes.withLock { $0.count } > 90, "stopped within seconds, not after the budget")
    }
}
