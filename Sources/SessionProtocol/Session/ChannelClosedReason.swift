/// What a ChannelClosed's Output says, as a sentence for a message. When the agent's plugin
/// failed, the service passes on the plugin's output: its stdout, iohandler's separator line, then
/// its errors ("\n----------ERROR-------\nUnable to start command: invalid uid and gid\n" from
/// amazon-ssm-agent 3.3; iohandler.go MarkAsFailed, sessioncompletereplytype.go). The separator
/// is layout, not part of what the agent said.
public enum ChannelClosedReason {
    public static let errorSeparator = "----------ERROR-------"

    /// The Output's lines without the separator and without blank lines at either end.
    public static func sentence(_ output: String) -> String {
        let lines = output.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .filter { $0 != errorSeparator }
        let first = lines.firstIndex { !$0.allSatisfy(\.isWhitespace) } ?? lines.endIndex
        let last = lines.lastIndex { !$0.allSatisfy(\.isWhitespace) } ?? first
        return first < lines.endIndex ? lines[first...last].joined(separator: "\n") : ""
    }
}
