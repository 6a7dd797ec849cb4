import AWSCore
import Foundation
import SSMCore
@testable import SSMShell
import Testing

/// A failed step stops the script (issue 14): a failing `wait` or `run --wait` ends a script with
/// status 3 at its line, after the failed nodes' last lines, unless in `try` or with keep-going.
@Suite struct FailureStopTests {
    func shell(_ fleet: FakeFleet) -> (Shell, CapturingConsole) { InterpreterTests().shell(fleet) }

    static func failingFleet() -> FakeFleet {
        let fleet = InterpreterTests.fleet()
        let lines = (1...14).map { "line \($0)" }.joined(separator: "\n")
        fleet.outcome = { id in id.hasSuffix("2") ? ("Failed", 5, "out\n", lines + "\nfailed to run commands: exit status 5") : ("Success", 0, "ok\n", "") }
        return fleet
    }

    @Test func aFailingWaitStopsTheScriptAtItsLineAfterTheFailedNodesLastLines() async {
        let fleet = Self.failingFleet()
        let (shell, console) = shell(fleet)
        let status = await shell.run(source: "use web-1 web-2 web-3\nrun step1\nwait\nrun step2\nwait", file: "deploy.ssm")
        #expect(status == 3)
        #expect(fleet.sent.count == 1, "step 2 is never sent")
        let out = console.stdout
        #expect(out.contains("== web-2 · Failed, exit 5\n-- stderr (last 10 of 14 lines)\n" + (5...14).map { "line \($0)\n" }.joined()), "\(out)")
        #expect(!out.contains("failed to run commands"))
        #expect(!out.contains("== web-1"), "only the failed nodes are shown")
        let error = "deploy.ssm:3: 1 of 3 invocations did not succeed (web-2); the script stops here."
        #expect(
            console.stderr.contains(error + " Write 'try wait' to go on past a failure, or 'set keep-going on' to go on past every one\n"), "\(console.stderr)")
        let fetched = fleet.calls.filter { $0.hasPrefix("GetCommandInvocation") }
        #expect(fetched == ["GetCommandInvocation i-00000000000000002"], "only the failed node's output is fetched")
    }

    @Test func nodesThatFailedAlikeAreOneGroupAndStdoutStandsInForAnEmptyStderr() async {
        let fleet = InterpreterTests.fleet()
        fleet.outcome = { id in id.hasSuffix("win") ? ("Success", 0, "", "") : ("Failed", 1, "not ready\n", "failed to run commands: exit status 1") }
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1 web-2 web-3\nrun check\nwait", file: "t") == 3)
        #expect(console.stdout.contains("== web-1, web-2, web-3 · Failed, exit 1\n-- stdout\nnot ready\n"), "\(console.stdout)")
        #expect(console.stderr.contains("t:3: 3 of 3 invocations did not succeed (web-1, web-2, web-3)"))
    }

    @Test func anIdentityThatMayNotReadOutputStillStopsAndSaysWhyThereAreNoLines() async {
        let fleet = Self.failingFleet()
        fleet.getAllowed = false
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-2\nrun step1\nwait\nrun step2", file: "t") == 3)
        #expect(fleet.sent.count == 1)
        #expect(console.stderr.contains("(the failed nodes' output could not be read: "), "\(console.stderr)")
        #expect(console.stderr.contains("t:3: 1 of 1 invocation did not succeed (web-2); the script stops here."), "\(console.stderr)")
    }

    @Test func tryGoesOnWithStatus3AndNoLastLines() async {
        let fleet = Self.failingFleet()
        let (shell, console) = shell(fleet)
        let status = await shell.run(source: "use web-1 web-2 web-3\nrun step1\ntry wait\nset seen $status\nrun step2", file: "t")
        #expect(status == 0)
        #expect(shell.variables["seen"] == "3")
        #expect(fleet.sent.count == 2)
        #expect(!console.stdout.contains("-- stderr"), "try looks at the status: output says why")
        #expect(console.stderr.isEmpty, "\(console.stderr)")
    }

    @Test func keepGoingGoesOnAndTheScriptStillEndsWith3() async {
        let fleet = Self.failingFleet()
        let (shell, console) = shell(fleet)
        let status = await shell.run(source: "set keep-going on\nuse web-1 web-2 web-3\nrun step1\nwait\nrun step2\necho done", file: "t")
        #expect(status == 3)
        #expect(fleet.sent.count == 2)
        // Nothing looks at the failure and the script goes on: its last lines say why all the same.
        #expect(console.stdout.contains("== web-2 · Failed, exit 5\n-- stderr (last 10 of 14 lines)\n"), "\(console.stdout)")
        #expect(!console.stderr.contains("stops here"), "\(console.stderr)")
    }

    /// A sourced file is a script of its own: under `try` or `if`, its failing `wait` still shows
    /// the failed nodes' last lines and the FILE:LINE where it stopped (it stopped silently).
    @Test func aFailingWaitInASourcedFileSaysWhyUnderTryAndIf() async throws {
        let fleet = Self.failingFleet()
        let (shell, console) = shell(fleet)
        let path = NSTemporaryDirectory() + "step-\(UUID().uuidString).ssm"
        try "use web-1 web-2\nrun step1\nwait\nrun step2\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let status = await shell.run(source: "try source \(path)\necho after $status\nif source \(path); echo ok; else; echo failed; end", file: "t")
        #expect(status == 0)
        #expect(fleet.sent.count == 2, "step 2 is never sent")
        #expect(console.stdout.components(separatedBy: "== web-2 · Failed, exit 5\n-- stderr (last 10 of 14 lines)\n").count == 3, "\(console.stdout)")
        #expect(console.stdout.contains("after 3\n") && console.stdout.hasSuffix("failed\n"), "\(console.stdout)")
        #expect(console.stderr.contains("\(path):3: 1 of 2 invocations did not succeed (web-2); the script stops here."), "\(console.stderr)")
    }

    /// A procedure as a condition or under `try`: its failing `wait` says why too.
    @Test func aFailingWaitInAProcedureSaysWhyUnderTryAndIf() async {
        let fleet = Self.failingFleet()
        let (shell, console) = shell(fleet)
        let source = "def deploy; use $1; run step1; wait; run step2; end\nif deploy web-2; echo ok; else; echo failed $status; end\ntry deploy web-2\necho end"
        #expect(await shell.run(source: source, file: "p.ssm") == 0, "\(console.stdout)\n\(console.stderr)")
        #expect(fleet.sent.count == 2)
        #expect(console.stdout.components(separatedBy: "== web-2 · Failed, exit 5\n-- stderr (last 10 of 14 lines)\n").count == 3, "\(console.stdout)")
        #expect(console.stdout.contains("failed 3\n"))
        #expect(console.stderr.contains("p.ssm:1: 1 of 1 invocation did not succeed (web-2); the script stops here."), "\(console.stderr)")
    }

    @Test func runWaitStopsAfterTheWholeOutput() async {
        let fleet = Self.failingFleet()
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1 web-2\nrun --wait step1\nrun step2", file: "t") == 3)
        #expect(fleet.sent.count == 1)
        #expect(console.stdout.contains("== web-1 · Success, exit 0\nok\n"), "\(console.stdout)")
        #expect(console.stdout.contains("line 1\n"), "run --wait shows the whole output, not the last lines")
        #expect(console.stderr.contains("t:2: 1 of 2 invocations did not succeed (web-2); the script stops here. Write 'try run --wait'"), "\(console.stderr)")
    }

    @Test func atThePromptAFailingWaitIsStatus3AndNothingMore() async {
        let fleet = Self.failingFleet()
        let (shell, console) = shell(fleet)
        shell.interactive = true
        #expect(await shell.run(source: "use web-1 web-2\nrun step1\nwait", file: "t") == 3)
        #expect(!console.stdout.contains("-- stderr") && !console.stderr.contains("stops here"), "\(console.stderr)")
    }

    @Test func theLastLinesComeAsJSONInJSONOutput() async throws {
        let fleet = Self.failingFleet()
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "set output json\nuse web-2\nrun step1\nwait", file: "t") == 3)
        let last = try #require(console.stdout.split(separator: "\n").last)
        let json = try JSONValue(parsing: String(last))
        #expect(json[0]?["instanceId"]?.string == "i-00000000000000002")
        #expect(json[0]?["stream"]?.string == "stderr")
        #expect(json[0]?["tail"]?[9]?.string == "line 14")
    }
}
