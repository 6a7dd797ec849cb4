/// What a failing `wait` shows of each group of failed nodes before the script stops (issue 14,
/// "A failed step stops the script"): the last lines of stderr, else of stdout, so that no
/// `output` is needed to see why. Pure: a group in, the lines out.
public struct FailureTail: Sendable, Equatable {
    /// How many lines a failing `wait` shows of each group.
    public static let lineCount = 10

    /// Which stream the lines are from.
    public enum Stream: String, Sendable {
        case stderr, stdout
    }

    public var stream: Stream
    /// The last lines (without their newlines); empty when the node printed nothing.
    public var lines: [String]
    /// How many lines the stream had in all.
    public var total: Int

    /// The last `count` lines of the group's stderr (without the agent's failure line), else of
    /// its stdout (without the agent's truncation marker).
    public init(_ group: OutputGrouping.Group, count: Int = FailureTail.lineCount) {
        let stderr = Self.lines(of: group.stderr)
        if !stderr.isEmpty {
            self.init(stream: .stderr, all: stderr, count: count)
        } else {
            self.init(stream: .stdout, all: Self.lines(of: OutputGrouping.withoutTruncationMarker(group.result.standardOutput).text), count: count)
        }
    }

    init(stream: Stream, all: [String], count: Int) {
        self.stream = stream
        self.lines = Array(all.suffix(max(0, count)))
        self.total = all.count
    }

    /// The heading above the lines: `-- stderr`, or `-- stderr (last 10 of 42 lines)`.
    public var heading: String {
        lines.count < total ? "-- \(stream.rawValue) (last \(lines.count) of \(total) lines)" : "-- \(stream.rawValue)"
    }

    /// Lines of a text, a last line without its newline counting as one; blank trailing lines
    /// (a script's final `echo`) are dropped so that the lines shown say something.
    static func lines(of text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        return lines
    }
}
