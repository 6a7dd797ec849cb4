import AWSCore
import Foundation
import SSMCore
@testable import SSMShell
import Testing

/// What `wait`, `output` and `output --save` say about invocations the agent or the service
/// ended, as amazon-ssm-agent 3.3 reports them (issue 19).
@Suite struct RunOutcomeTests {
    func shell(_ fleet: FakeFleet) -> (Shell, CapturingConsole) { InterpreterTests().shell(fleet) }

    /// A node that never took the command ends TimedOut with StatusDetails DeliveryTimedOut
    /// after SendCommand's TimeoutSeconds (3600 s unless given): not a bare "TimedOut".
    @Test func anUndeliveredCommandSaysItWasNotDeliveredInTime() async throws {
        let fleet = InterpreterTests.fleet()
        fleet.undelivered = ["i-00000000000000001"]
        fleet.outcome = { id in id.hasSuffix("1") ? ("TimedOut", -1, "", "") : ("Success", 0, "ok\n", "") }
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1 web-2\nrun uptime\ntry wait\noutput\nrun --delivery-timeout 10m uptime\nwait", file: "t") == 3)
        let out = console.stdout
        #expect(out.contains("web-1 (i-00000000000000001)\tTimedOut\tnot delivered within 1h (the delivery timeout)\n"), "\(out)")
        #expect(out.contains("== web-1 · not delivered within 1h (the delivery timeout)\n"), "\(out)")
        #expect(!out.contains("· TimedOut"), "\(out)")
        #expect(out.contains("\tnot delivered within 10m (the delivery timeout)\n"), "\(out)")
    }

    /// A document run without --timeout gets the agent's default executionTimeout, 3600 s.
    @Test func aDocumentRunWithoutATimeoutTimesOutAfterTheAgentsDefault() async throws {
        let fleet = InterpreterTests.fleet()
        fleet.outcome = { _ in ("TimedOut", 137, "", "") }
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1\nrun --document AWS-RunShellScript --param commands=sleep\\ 7200\ntry wait\noutput", file: "t") == 3)
        let out = console.stdout
        #expect(out.contains("web-1 (i-00000000000000001)\tTimedOut\ttimed out after 1h\n"), "\(out)")
        #expect(out.contains("== web-1 · timed out after 1h\n"), "\(out)")
    }

    /// The agent's `--output truncated--` is not the node's output: the saved file leaves it
    /// out, and the shell says the file holds only what the agent kept.
    @Test func outputSaveLeavesOutTheTruncationMarkerAndSaysItWasCut() async throws {
        let fleet = InterpreterTests.fleet()
        let cut = String(repeating: "x", count: 23_980)
        fleet.outcome = { id in id.hasSuffix("1") ? ("Success", 0, cut + "--output truncated--", "") : ("Success", 0, "whole\n", "") }
        let (shell, console) = shell(fleet)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ssm-shell-save-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(await shell.run(source: "use web-1 web-2\nrun seq 100000\noutput --save \(directory)", file: "t") == 0)
        let saved = try String(contentsOfFile: "\(directory)/i-00000000000000001.stdout", encoding: .utf8)
        #expect(saved.count == 23_980 && !saved.contains("truncated"), "\(saved.suffix(40))")
        #expect(try String(contentsOfFile: "\(directory)/i-00000000000000002.stdout", encoding: .utf8) == "whole\n")
        #expect(
            console.stderr.contains(
                "web-1: stdout cut by the agent at 24,000 characters; \(directory)/i-00000000000000001.stdout holds the first 23,980 characters\n"),
            "\(console.stderr)")
        #expect(!console.stderr.contains("web-2:"), "\(console.stderr)")
    }
}
