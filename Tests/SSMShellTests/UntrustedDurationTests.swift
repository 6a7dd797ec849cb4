import AWSCore
import SSMCore
@testable import SSMShell
import Synchronization
import Testing
import TestSupport

/// Durations from the command line, and times from replies and the clock, never trap: out of
/// range is a usage error (status 2, nothing sent) with a sentence (issue 11 item 4).
@Suite struct UntrustedDurationTests {
    /// `clock` is both clocks: the wall clock and the monotonic one move together.
    func shell(_ fleet: FakeFleet, clock: any WallClock & MonotonicClock = ManualClock(now: 1_700_000_000)) -> (Shell, CapturingConsole) {
        let console = CapturingConsole()
        var services = SystemServices.system()
        services.wallClock = clock
        services.monotonicClock = clock
        let shell = Shell(
            console: console, options: GlobalOptions(), environment: Environment(["HOME": "/nonexistent", "AWS_REGION": "us-east-1"]),
            services: services
        ) { _ in fleet }
        return (shell, console)
    }

    @Test(arguments: ["inf", "infinity", "1e300", "nan", "-1", "8761h", "1e30ms"])
    func durationsBeyondAYearOrNotFiniteAreRefused(_ text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test func durationsUpToAYearAreKept() {
        #expect(DurationText.parse("8760h") == 31_536_000)
        #expect(DurationText.parse("500ms") == 0.5)
    }

    static let formats: [(Double, String)] = [
        (.infinity, "a very long time"), (1e300, "a very long time"), (.nan, "0ms"), (-5, "0ms"),
        (3.2e11, "88888888h53m"), (90, "1m30s"), (0.25, "250ms"),
    ]

    @Test(arguments: formats)
    func formatIsTotal(_ seconds: Double, _ expected: String) {
        #expect(DurationText.format(seconds) == expected)
    }

    @Test(arguments: [-1e300, 1e300, Double.nan, -Double.infinity])
    func agoIsTotal(_ time: Double) {
        #expect(DurationText.ago(time, now: 1_700_000_000).hasSuffix(" ago"))
    }

    @Test(arguments: [
        ("run --timeout inf uptime", "run --timeout takes a duration (90, 90s, 5m, 2h) of at most a year (8760h), not 'inf'"),
        ("run --timeout 1e300 uptime", "run --timeout takes a duration (90, 90s, 5m, 2h) of at most a year (8760h), not '1e300'"),
        ("run --timeout 48h1 uptime", "run --timeout takes a duration (90, 90s, 5m, 2h) of at most a year (8760h), not '48h1'"),
        (
            "run --timeout 172801 uptime",
            "run --timeout is the document's executionTimeout: from 5s to 48h (172800 s), not 172801s (the agent runs a value outside that range for 1h without a word)"
        ),
        (
            "run --timeout 0 uptime",
            "run --timeout is the document's executionTimeout: from 5s to 48h (172800 s), not 0s (the agent runs a value outside that range for 1h without a word)"
        ),
        (
            "run --timeout 4 uptime",
            "run --timeout is the document's executionTimeout: from 5s to 48h (172800 s), not 4s (the agent runs a value outside that range for 1h without a word)"
        ),
        ("run --delivery-timeout 721h uptime", "run --delivery-timeout is SendCommand's TimeoutSeconds: at most 720h (2592000 s), not 2595600s"),
        ("wait --timeout inf", "wait --timeout takes a duration (90, 90s, 5m, 2h) of at most a year (8760h), not 'inf'"),
        ("sleep inf", "sleep takes one duration of at most a year (8760h): 90, 90s, 5m or 2h"),
        ("sleep 1e300", "sleep takes one duration of at most a year (8760h): 90, 90s, 5m or 2h"),
        ("exit 256", "exit takes a status from 0 to 255, not 256"),
        ("exit 99999999999", "exit takes a status from 0 to 255, not 99999999999"),
    ])
    func outOfRangeIsAUsageErrorAndSendsNothing(_ line: String, _ message: String) async throws {
        let fleet = InterpreterTests.fleet()
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1\n" + line, file: "t") == 2)
        #expect(console.stderr.contains("t:2: \(message)"), "\(console.stderr)")
        #expect(fleet.sent.isEmpty)
    }

    /// A node's exit status is outside input (a Windows node reports NTSTATUS codes such as
    /// -1073741819, a command on a pty can print the exit marker itself): `exit` with no
    /// argument indexed its missing argument when `$status` was outside 0..255.
    @Test(arguments: [Int32(300), 256, -1, -1_073_741_819, .max])
    func aStatusOutsideAByteNeverTrapsNorReadsAsSuccess(_ reported: Int32) async {
        let (shell, console) = shell(InterpreterTests.fleet())
        shell.exit.lastStatus = reported
        #expect(await shell.run(source: "exit", file: "t") == 255)
        #expect(console.stderr.isEmpty)
        #expect(ExitStatus.byte(reported) == 255)
    }

    @Test func timeoutsAtTheLimitsAreSent() async throws {
        let fleet = InterpreterTests.fleet()
        let (shell, _) = shell(fleet)
        #expect(
            await shell.run(source: "use web-1; run --timeout 48h --delivery-timeout 720h uptime; run --timeout 4.5 --delivery-timeout 1 uptime", file: "t")
                == 0)
        #expect(fleet.sent.map { $0.parameters?["executionTimeout"] } == [["172800"], ["5"]])
        #expect(fleet.sent.map(\.timeoutSeconds) == [2_592_000, 30])
    }

    /// A clock that moves on by a quarter second each time it is read: the deadline of `sleep`
    /// passes between the check and the use.
    final class SteppingClock: WallClock, MonotonicClock {
        let state = Mutex<(now: Double, slept: Double)>((1_700_000_000, 0))
        func now() -> Double {
            state.withLock {
                $0.now += 0.25; return $0.now
            }
        }
        func seconds() -> Double { now() }
        func sleep(seconds: Double) async throws {
            state.withLock {
                $0.slept += seconds; $0.now += seconds
            }
        }
    }

    @Test func sleepWhoseDeadlinePassesBetweenCheckAndUseEnds() async throws {
        let clock = SteppingClock()
        let (shell, console) = shell(InterpreterTests.fleet(), clock: clock)
        #expect(await shell.run(source: "sleep 0.3", file: "t") == 0, "\(console.stderr)")
        #expect(clock.state.withLock { $0.slept } < 0.3)
    }

    @Test func sleepSleepsOnTheShellsClock() async throws {
        let clock = ManualClock(now: 1_700_000_000)
        let (shell, _) = shell(InterpreterTests.fleet(), clock: clock)
        #expect(await shell.run(source: "sleep 2h", file: "t") == 0)
        #expect(abs(clock.now() - (1_700_000_000 + 7200)) < 0.01)
    }
}
