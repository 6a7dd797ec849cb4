import AWSCore
import SSMCore
@testable import SSMShell
import ShellLanguage
import Testing

/// `run --cloudwatch`, `set cloudwatch`, `run --follow`, `output --follow` and `output` reading
/// whole streams, against the fake fleet's CloudWatch Logs.
@Suite struct CloudWatchOutputTests {
    let first = "00000000-0000-0000-0000-000000000001"
    let web1 = "i-00000000000000001"
    let web2 = "i-00000000000000002"

    func shell(_ fleet: FakeFleet) -> (Shell, CapturingConsole) { InterpreterTests().shell(fleet) }

    func stream(_ instance: String, _ name: String, command: String? = nil) -> String {
        "/aws/ssm/AWS-RunShellScript \(command ?? first)/\(instance)/aws-runShellScript/\(name)"
    }

    @Test func runCloudWatchSendsTheConfigAndSetCloudWatchIsTheDefault() async throws {
        let fleet = InterpreterTests.fleet()
        let (shell, _) = shell(fleet)
        #expect(await shell.run(source: "use web-1\nrun --cloudwatch uptime\nrun --cloudwatch=/team/out uptime\nrun uptime", file: "t") == 0)
        #expect(fleet.sent.map(\.cloudWatchLogGroup) == ["", "/team/out", nil])
        #expect(await shell.run(source: "set cloudwatch on\nrun uptime\nset cloudwatch grp\nrun uptime\nrun --cloudwatch=other uptime", file: "t") == 0)
        #expect(fleet.sent.suffix(3).map(\.cloudWatchLogGroup) == ["", "grp", "other"])
        #expect(await shell.run(source: "run --cloudwatch='a b' uptime", file: "t") == 2)
        #expect(fleet.sent.count == 6, "a bad group name sends nothing")
    }

    @Test func followPrintsEachNodesLinesOnceWithItsNameAndEndsWithTheSummary() async throws {
        let fleet = InterpreterTests.fleet()
        fleet.outcome = { id in id.hasSuffix("2") ? ("Failed", 1, "", "") : ("Success", 0, "", "") }
        fleet.logEvents[stream(web1, "stdout")] = ["one\ntwo\n", "three\n", "four"]
        fleet.logEvents[stream(web1, "stderr")] = ["warn\n"]
        fleet.logEvents[stream(web2, "stdout")] = ["other\n"]
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1 web-2\nrun --follow 'seq 4'", file: "t") == 3)
        #expect(fleet.sent[0].cloudWatchLogGroup == "", "--follow turns CloudWatch output on")
        let out = console.stdout
        let lines = out.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("web-1  ") } == ["web-1  one", "web-1  two", "web-1  three", "web-1  four"], "\(out)")
        #expect(out.contains("web-2  other\n"), "\(out)")
        #expect(out.ranges(of: "three").count == 1, "no line twice")
        #expect(console.stderr.contains("web-1  warn\n"))
        #expect(out.hasSuffix("web-1 (\(web1))\tSuccess\t\nweb-2 (\(web2))\tFailed\t\n"), "the summary after the lines: \(out)")
        // Each stream read from its head, then on with the forward token until it comes back.
        let reads = fleet.calls.filter { $0.hasPrefix("GetLogEvents \(first)/\(web1)/aws-runShellScript/stdout") }
        #expect(reads.map { $0.split(separator: " ").last! } == ["head", "f/2", "f/3"], "\(reads)")
    }

    @Test func outputFollowOfACommandWithoutCloudWatchShowsItsOutputWhenItEnds() async throws {
        let fleet = InterpreterTests.fleet()
        fleet.outcome = { _ in ("Success", 0, "plain\n", "") }
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1\nrun uptime\noutput --follow", file: "t") == 0)
        #expect(console.stderr.contains("(no CloudWatch output for \(first): 'run --cloudwatch' streams it"), "\(console.stderr)")
        #expect(console.stdout.contains("== web-1 · Success, exit 0\nplain\n"), "\(console.stdout)")
        #expect(!fleet.calls.contains { $0.hasPrefix("GetLogEvents") })
    }

    @Test func outputReadsTheWholeStreamsFromCloudWatchWhereTheServiceCutThem() async throws {
        let fleet = InterpreterTests.fleet()
        let cut = String(repeating: "x", count: 23_980) + "--output truncated--"
        let longError = String(repeating: "e", count: 8_000)
        fleet.outcome = { id in id.hasSuffix("1") ? ("Success", 0, cut, longError) : ("Success", 0, "short\n", "") }
        let whole = (1...5).map { "line \($0) " + String(repeating: "x", count: 10_000) }
        fleet.logEvents[stream(web1, "stdout")] = whole.map { $0 + "\n" }
        fleet.logEvents[stream(web1, "stderr")] = [longError + "\n", "more"]
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1 web-2\nrun --cloudwatch 'seq 5'\noutput", file: "t") == 0)
        let out = console.stdout
        #expect(out.contains("== web-1 · Success, exit 0\n" + whole.joined(separator: "\n") + "\n-- stderr\n" + longError + "\nmore\n"))
        #expect(!out.contains("(stdout cut") && !out.contains("(stderr truncated"), "the whole output needs no note")
        #expect(out.contains("== web-2 · Success, exit 0\nshort\n"))
        #expect(!fleet.calls.contains { $0.contains("GetLogEvents \(first)/\(web2)") }, "output that was not cut is not read again")
    }

    @Test func outputKeepsWhatTheServiceGaveWhenCloudWatchHasLess() async throws {
        // A node whose role may not write to CloudWatch Logs: no streams there.
        let fleet = InterpreterTests.fleet()
        let cut = String(repeating: "x", count: 23_980) + "--output truncated--"
        fleet.outcome = { _ in ("Success", 0, cut, "") }
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1\nrun --cloudwatch 'seq 5'\noutput", file: "t") == 0)
        #expect(
            console.stdout.contains("== web-1 · Success, exit 0\n" + String(repeating: "x", count: 23_980) + "\n(stdout cut"), "\(console.stdout.suffix(300))")
        #expect(fleet.calls.contains { $0.hasPrefix("GetLogEvents \(first)/\(web1)/aws-runShellScript/stdout") })
    }

    @Test func outputOfACutCommandWithoutCloudWatchCallsNothingMore() async throws {
        // One node: GetCommandInvocation, no listing (one page would cost as much).
        let fleet = InterpreterTests.fleet()
        fleet.outcome = { _ in ("Success", 0, String(repeating: "x", count: 23_980) + "--output truncated--", "") }
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1\nrun 'seq 10000'\noutput", file: "t") == 0)
        #expect(console.stdout.contains("(stdout cut by the agent"))
        #expect(!fleet.calls.contains { $0.hasPrefix("ListCommandInvocations details") || $0.hasPrefix("GetLogEvents") }, "\(fleet.calls)")
    }

    @Test func followRidesOutThrottlingAndPrintsEveryLineOnce() async throws {
        let fleet = InterpreterTests.fleet()
        fleet.logEvents[stream(web1, "stdout")] = ["one\n", "two\n", "three\n"]
        fleet.logThrottles = 1
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1\nrun --follow 'seq 3'", file: "t") == 0)
        #expect(console.stdout.split(separator: "\n").filter { $0.hasPrefix("web-1  ") } == ["web-1  one", "web-1  two", "web-1  three"], "\(console.stdout)")
        #expect(fleet.logThrottles == 0)
    }

    /// Credentials without logs:GetLogEvents: said once, and each node's output is shown when it
    /// ends instead of failing the follow (closing note of session 7).
    @Test func followWithoutLogsPermissionSaysSoOnceAndShowsTheOutputAtTheEnd() async throws {
        let fleet = InterpreterTests.fleet()
        fleet.outcome = { id in ("Success", 0, "plain-\(id)\n", "") }
        fleet.logEvents[stream(web1, "stdout")] = ["one\n"]
        fleet.logsDenied = true
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1 web-2\nrun --follow uptime", file: "t") == 0, "\(console.stderr)")
        let said =
            "logs:GetLogEvents was refused, so the output of \(first) is not followed; it is shown when each node ends. Allow logs:GetLogEvents to follow it as it runs.\n"
        #expect(console.stderr.ranges(of: said).count == 1, "\(console.stderr)")
        let out = console.stdout
        #expect(out.contains("== web-1 · Success, exit 0\nplain-\(web1)\n") && out.contains("== web-2 · Success, exit 0\nplain-\(web2)\n"), "\(out)")
        #expect(fleet.calls.filter { $0.hasPrefix("GetLogEvents") }.count <= 4, "not read again once refused: \(fleet.calls)")
    }

    @Test func aGroupWrittenAfterABareCloudWatchIsRefusedNotRun() async throws {
        let fleet = InterpreterTests.fleet()
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1\nrun --cloudwatch /team/logs uptime", file: "t") == 2)
        #expect(console.stderr.contains("run --cloudwatch takes its group as --cloudwatch=GROUP"))
        #expect(fleet.sent.isEmpty)
        #expect(await shell.run(source: "run --cloudwatch -- /usr/bin/uptime", file: "t") == 0)
        #expect(fleet.sent.map(\.cloudWatchLogGroup) == [""])
    }

    @Test func ctrlCStopsFollowingAndSaysTheCommandGoesOn() async throws {
        let fleet = InterpreterTests.fleet()
        let (shell, console) = shell(fleet)
        shell.interrupted = { true }
        #expect(await shell.run(source: "use web-1\nrun --follow uptime", file: "t") == 130)
        #expect(console.stderr.contains("stopped following; the command goes on. 'cancel \(first)' stops it."), "\(console.stderr)")
    }

    @Test func policyKnowsTheLogsActions() throws {
        let follow = try Parser.parse("use web-1\nrun --follow uptime\n", file: "t")
        #expect(PolicyBuilder.actions(of: follow).contains("logs:GetLogEvents"))
        let later = try Parser.parse("use web-1\nset cloudwatch on\nrun uptime\noutput\n", file: "t")
        #expect(PolicyBuilder.actions(of: later).contains("logs:GetLogEvents"))
        let plain = try Parser.parse("use web-1\nrun uptime\noutput\n", file: "t")
        #expect(!PolicyBuilder.actions(of: plain).contains("logs:GetLogEvents"))
    }
}
