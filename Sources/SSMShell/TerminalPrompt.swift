import SystemIO

/// A question on the controlling terminal (an MFA code) when the process has none
/// (QuestionGate asks it with Terminal.askOnControllingTerminal).
enum TerminalPrompt {
    struct Unavailable: Error, CustomStringConvertible {
        var description: String { "There is no terminal to ask for an MFA code; run interactively or use credentials without mfa_serial." }
    }
}
