import AWSCore
import SSMCore
@testable import SSMShell
import Testing
import TestSupport

/// `wait`'s deadline and poll schedule are intervals: the monotonic clock's, so setting the
/// time of day (an NTP step, a suspended laptop's wall clock) neither ends a wait early nor
/// stretches it without end.
@Suite struct WaitClockTests {
    /// A wall clock set back an hour at every sleep, whose sleeps move the monotonic clock.
    final class SetBackClock: WallClock {
        let monotonic: ManualClock
        let wall: ManualClock

        init(monotonic: ManualClock) {
            self.monotonic = monotonic
            wall = ManualClock(now: 1_700_000_000)
        }

        func now() -> Double { wall.now() }
        func sleep(seconds: Double) async throws {
            try await monotonic.sleep(seconds: seconds)
            wall.advance(by: -3600)
        }
    }

    @Test(.timeLimit(.minutes(1))) func theDeadlineIsOnTheMonotonicClock() async throws {
        let fleet = InterpreterTests.fleet()
        fleet.outcome = { _ in ("InProgress", -1, "", "") }
        let monotonic = ManualClock(now: 50)
        let console = CapturingConsole()
        var services = SystemServices.system()
        services.wallClock = SetBackClock(monotonic: monotonic)
        services.monotonicClock = monotonic
        let shell = Shell(
            console: console, options: GlobalOptions(), environment: Environment(["HOME": "/nonexistent", "AWS_REGION": "us-east-1"]),
            services: services
        ) { _ in fleet }
        #expect(await shell.run(source: "use web-1\nrun sleep 600\nwait --timeout 5s", file: "t") == 1)
        #expect(console.stderr.contains("wait timed out after 5s: 0 of 1 invocations ended"), "\(console.stderr)")
        #expect(monotonic.now() >= 55 && monotonic.now() < 55.1, "\(monotonic.now())")
        // 0.25 s, growing by half to 1 s: about a dozen rounds in 5 s, not one per 50 ms slice.
        #expect((8...14).contains(fleet.listCalls), "\(fleet.listCalls)")
    }
}
