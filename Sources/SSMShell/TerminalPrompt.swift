import SystemIO

/// Asks the user for one line on the controlling terminal (an MFA code), even when stdin is a pipe.
enum TerminalPrompt {
    struct Unavailable: Error, CustomStringConvertible {
        var description: String { "There is no terminal to ask for an MFA code; run interactively or use credentials without mfa_serial." }
    }

    static func readLine(prompt: String, terminal: any Terminal) throws -> String {
        guard let line = terminal.readLineFromControllingTerminal(prompt: prompt) else { throw Unavailable() }
        return line
    }
}
