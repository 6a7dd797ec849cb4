/// Turns one stream's events back into the lines the command printed. amazon-ssm-agent sends
/// chunks of whole lines that keep their `\n`, but a line longer than its 200,000-byte reader
/// buffer goes out in 200,000-byte pieces without one, and once the output is complete every
/// event loses its last `\n` (agent/agentlogstocloudwatch/cloudwatchlogspublisher/
/// cloudwatchlogsservice.go, getNextMessage and buildEventInfo). So an event ends its last line
/// unless it is such a piece; a piece is held until what follows it comes.
public struct LogLineJoiner: Sendable {
    /// MessageLengthThresholdInBytes, the agent's reader buffer and the size of a piece.
    public static let pieceBytes = 200_000
    private var held = ""

    public init() {}

    /// The lines one event completes.
    public mutating func add(_ message: String) -> [String] {
        let text = held + message
        held = ""
        if !message.hasSuffix("\n") && message.utf8.count >= Self.pieceBytes {
            // A piece of a long line: its end is not the line's end.
            var lines = CommandLogNames.lines(of: text)
            held = lines.removeLast()
            return lines
        }
        return CommandLogNames.lines(of: text)
    }

    /// At the stream's end: what is still held.
    public mutating func finish() -> [String] {
        defer { held = "" }
        return held.isEmpty ? [] : [held]
    }
}
