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
    /// newline); nil when the process has no controlling terminal.
    func readLineFromControllingTerminal(prompt: String) -> String?
}
