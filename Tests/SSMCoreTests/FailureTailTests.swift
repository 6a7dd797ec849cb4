import SSMCore
import Testing

/// What a failing `wait` shows of each failed group before the script stops (issue 14).
@Suite struct FailureTailTests {
    static func group(_ status: String, _ code: Int, stdout: String, stderr: String) -> OutputGrouping.Group {
        OutputGrouping.groups([OutputGroupingTests.entry("a", status, code, stdout, stderr)], group: true)[0]
    }

    @Test func theLastLinesOfStderrWithoutTheAgentsFailureLine() {
        let stderr = (1...42).map { "err \($0)" }.joined(separator: "\n") + "\nfailed to run commands: exit status 5"
        let tail = FailureTail(Self.group("Failed", 5, stdout: "out\n", stderr: stderr))
        #expect(tail.stream == .stderr)
        #expect(tail.lines == (33...42).map { "err \($0)" })
        #expect(tail.total == 42)
        #expect(tail.heading == "-- stderr (last 10 of 42 lines)")
    }

    @Test func stdoutWhenStderrIsEmptyOrOnlyTheAgentsLine() {
        let tail = FailureTail(Self.group("Failed", 1, stdout: "one\ntwo\n\n", stderr: "failed to run commands: exit status 1"))
        #expect(tail.stream == .stdout)
        #expect(tail.lines == ["one", "two"])
        #expect(tail.heading == "-- stdout")
    }

    @Test func stdoutLosesTheAgentsTruncationMarker() {
        let tail = FailureTail(Self.group("Failed", 1, stdout: "a\nb--output truncated--", stderr: ""), count: 1)
        #expect(tail.lines == ["b"])
        #expect(tail.heading == "-- stdout (last 1 of 2 lines)")
    }

    @Test func nothingPrintedIsNoLines() {
        let tail = FailureTail(Self.group("TimedOut", -1, stdout: "", stderr: ""))
        #expect(tail.lines.isEmpty && tail.total == 0)
        #expect(tail.heading == "-- stdout")
    }

    @Test func aLastLineWithoutNewlineCounts() {
        let tail = FailureTail(Self.group("Failed", 2, stdout: "", stderr: "x\ny"))
        #expect(tail.lines == ["x", "y"] && tail.total == 2)
    }
}
