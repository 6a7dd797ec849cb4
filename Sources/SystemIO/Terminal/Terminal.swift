/// This process's standard streams, as the terminal seam names them.
public enum StandardStream: Int32, Sendable {
    case input = 0
    case output = 1
    case error = 2
}

/// The terminal as the shell sees it: whether a standard stream is one (tables, colours, the
/// prompt, raw sessions only there), and a line asked on the controlling terminal even when stdin
/// is a pipe (an MFA code). A seam so the interpreter can be tested without a terminal.
public protocol Terminal: Sendable {
    func isTerminal(_ stream: StandardStream) -> Bool
    /// Writes `prompt` to the controlling terminal and reads one line from it (without its
    /// newline), telling an answer from Ctrl-C, Ctrl-D, a line too long and no terminal at all:
    /// no other way to ask exists, so a cancelled question is never sent as "". Blocks: call it
    /// on a thread of its own.
    func askOnControllingTerminal(prompt: String) -> TerminalAnswer
}

/// How a question on the controlling terminal ended.
public enum TerminalAnswer: Sendable, Equatable {
    case line(String)
    /// Ctrl-C while it was asked: the question is abandoned.
    case interrupted
    /// End of input (Ctrl-D), or a read error (the terminal went away), before a newline: the question is
    /// abandoned, and what was typed before it is never taken as an answer.
    case endOfInput
    /// A line longer than any answer (`limit` bytes): refused unread, up to its newline.
    case tooLong(limit: Int)
    /// The process has no controlling terminal.
    case noTerminal
}
