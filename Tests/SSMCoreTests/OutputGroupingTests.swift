import AWSCore
import SSMCore
import Testing

/// Which nodes `output` shows together, and what of the agent's it leaves out (issue 19).
@Suite struct OutputGroupingTests {
    static func entry(_ node: String, _ status: String, _ code: Int, _ stdout: String, _ stderr: String = "", outcome: String? = nil) -> OutputGrouping.Entry {
        let result = InvocationResult(
            .object([
                "CommandId": "c", "InstanceId": .string(node), "Status": .string(status), "ResponseCode": .number(Double(code)),
                "StandardOutputContent": .string(stdout), "StandardErrorContent": .string(stderr),
            ]))
        return OutputGrouping.Entry(commandId: "c", instanceId: node, result: result, outcome: outcome)
    }

    @Test func nodesThatPrintedTheSameAreOneGroupWhateverTheirExitCodes() {
        let groups = OutputGrouping.groups(
            [
                Self.entry("a", "Failed", 3, "", "same\nfailed to run commands: exit status 3"),
                Self.entry("b", "Success", 0, "ok\n"),
                Self.entry("c", "Failed", 4, "", "same\nfailed to run commands: exit status 4"),
                Self.entry("d", "Success", 0, "ok\n"),
            ], group: true)
        #expect(groups.map(\.nodes) == [["a", "c"], ["b", "d"]])
        #expect(groups[0].stderr == "same\n")
        #expect(groups[0].summary == "Failed")
        #expect(OutputGrouping.exitCodes(groups[0].exits).map(\.code) == [3, 4])
        #expect(OutputGrouping.exitCodes(groups[1].exits).map(\.nodes) == [["b", "d"]])
    }

    @Test func howTheyEndedSplitsGroupsAndHidesTheAgentsCode() {
        let groups = OutputGrouping.groups(
            [
                Self.entry("a", "TimedOut", 137, "partial\n", outcome: "timed out after 5s"),
                Self.entry("b", "Success", 0, "partial\n"),
                Self.entry("c", "TimedOut", -1, "", outcome: "not delivered within 1h (the delivery timeout)"),
            ], group: true)
        #expect(groups.map(\.summary) == ["timed out after 5s", "Success", "not delivered within 1h (the delivery timeout)"])
        #expect(groups[0].exits.isEmpty && groups[2].exits.isEmpty)
    }

    @Test func noGroupIsOneGroupPerNode() {
        let groups = OutputGrouping.groups([Self.entry("a", "Success", 0, "x"), Self.entry("b", "Success", 0, "x")], group: false)
        #expect(groups.map(\.nodes) == [["a"], ["b"]])
    }

    /// The agent's line is only its own when the status is Failed and the code matches.
    @Test func theAgentsFailureLineIsLeftOutOnlyWhereTheAgentWroteIt() {
        #expect(OutputGrouping.withoutAgentFailureLine("x\nfailed to run commands: exit status 2", status: "Failed", code: 2) == "x\n")
        #expect(
            OutputGrouping.withoutAgentFailureLine("failed to run commands: exit status 2", status: "Failed", code: 3)
                == "failed to run commands: exit status 2")
        #expect(
            OutputGrouping.withoutAgentFailureLine("failed to run commands: exit status 0", status: "Success", code: 0)
                == "failed to run commands: exit status 0")
    }

    /// A shell ended by a signal has no exit status: the agent reports -1 and names the signal
    /// as Go's os/exec does (executers ExecuteCommand), e.g. `signal: killed`.
    @Test func theAgentsSignalLineIsLeftOutToo() {
        #expect(OutputGrouping.withoutAgentFailureLine("bye\nfailed to run commands: signal: killed", status: "Failed", code: -1) == "bye\n")
        #expect(OutputGrouping.withoutAgentFailureLine("failed to run commands: signal: terminated", status: "Failed", code: -1) == "")
        // Only at the very end, and only for -1.
        #expect(
            OutputGrouping.withoutAgentFailureLine("failed to run commands: signal: killed\nmore", status: "Failed", code: -1)
                == "failed to run commands: signal: killed\nmore")
        #expect(
            OutputGrouping.withoutAgentFailureLine("failed to run commands: signal: killed", status: "Failed", code: 9)
                == "failed to run commands: signal: killed")
    }

    @Test func theTruncationMarkerIsTheAgentsOnlyAtTheEnd() {
        #expect(OutputGrouping.withoutTruncationMarker("abc--output truncated--") == ("abc", true))
        #expect(OutputGrouping.withoutTruncationMarker("--output truncated--\nmore") == ("--output truncated--\nmore", false))
    }
}
