import Dispatch
import SystemIO

/// The MFA question on the terminal. Reading /dev/tty blocks, so each question is asked on a
/// thread of its own (`onDedicatedThread`), never on the Swift concurrency pool; one at a time, so
/// that pairs starting at once never talk over each other. Ctrl-C at a question ends the command
/// (status 130), and the questions waiting behind it are not asked: Ctrl-C's flag stays set until
/// the shell takes it, after the command.
final class QuestionGate: Sendable {
    /// Asks one question and blocks until it is answered (the terminal, or a fake in tests).
    typealias Source = @Sendable (_ prompt: String) -> TerminalAnswer

    private let source: Source
    private let interrupted: @Sendable () -> Bool
    /// The turn to ask: taken and given back on the dedicated threads only.
    private let turn = DispatchSemaphore(value: 1)

    init(source: @escaping Source, interrupted: @escaping @Sendable () -> Bool) {
        self.source = source
        self.interrupted = interrupted
    }

    /// The terminal's questions, stopped by Ctrl-C.
    convenience init(terminal: any Terminal) {
        self.init(source: { terminal.askOnControllingTerminal(prompt: $0) }, interrupted: { Interrupts.pending })
    }

    /// The line answered (without its newline), after any question already asked was answered.
    func ask(_ prompt: String) async throws -> String {
        let answer = await onDedicatedThread { [self] in
            turn.wait()
            defer { turn.signal() }
            return interrupted() ? .interrupted : source(prompt)
        }
        switch answer {
        case .line(let line): return line
        case .interrupted: throw ShellError("interrupted at the MFA question; nothing more was asked", status: ExitStatus.interrupted)
        case .endOfInput:
            throw ShellError(
                "the terminal gave no more input at the MFA question (Ctrl-D, or it closed): no code was sent; run the command again to be asked again")
        case .tooLong(let limit):
            throw ShellError(
                "the answer to the MFA question was longer than \(limit) bytes, longer than any MFA code: it was not sent; run the command again and type the 6-digit code"
            )
        case .noTerminal: throw TerminalPrompt.Unavailable()
        }
    }
}
