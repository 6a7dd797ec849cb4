import Glibc
import Testing

@testable import SystemIO

/// The line read at a question on the terminal (an MFA code): end of input cancels it rather than
/// handing over what was typed, and a line longer than any answer is refused, read to its end.
@Suite struct ProcessTerminalTests {
    /// Reads one answer from a pipe holding `input` (closed after it when `close` is set). The
    /// read gives up after 10 s, as Ctrl-C would end it, so a test that goes wrong cannot hang.
    static func answer(to input: String, closing: Bool, limit: Int = ProcessTerminal.maximumAnswerBytes) -> (TerminalAnswer, String) {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        _ = FileDescriptorWriter.writeAll(fds[1], input.utf8)
        if closing { close(fds[1]) }
        let deadline = time(nil) + 10
        let answer = ProcessTerminal.readLine(fds[0], limit: limit) { time(nil) > deadline }
        // What the read left in the pipe: the question must take nothing after its line.
        if !closing { close(fds[1]) }
        var rest: [UInt8] = []
        var byte: UInt8 = 0
        while read(fds[0], &byte, 1) == 1 { rest.append(byte) }
        return (answer, String(decoding: rest, as: UTF8.self))
    }

    @Test func aLineIsTheAnswerAndNothingAfterItIsTaken() {
        let (answer, rest) = Self.answer(to: "123456\nls\n", closing: false)
        #expect(answer == .line("123456"))
        #expect(rest == "ls\n")
    }

    @Test func endOfInputBeforeANewlineCancelsRatherThanSendingAPartialCode() {
        #expect(Self.answer(to: "123", closing: true).0 == .endOfInput)
        #expect(Self.answer(to: "", closing: true).0 == .endOfInput, "Ctrl-D at the start of the line")
    }

    @Test func aLineLongerThanAnyAnswerIsRefusedAndReadToItsEnd() {
        let pasted = String(repeating: "x", count: ProcessTerminal.maximumAnswerBytes + 1)
        let (answer, rest) = Self.answer(to: pasted + "\nnext\n", closing: false)
        #expect(answer == .tooLong(limit: ProcessTerminal.maximumAnswerBytes))
        #expect(rest == "next\n", "the rest of the long line is dropped, the next line is left")
        let exactly = String(repeating: "7", count: ProcessTerminal.maximumAnswerBytes)
        #expect(Self.answer(to: exactly + "\n", closing: false).0 == .line(exactly), "a line of the limit itself is taken")
        #expect(Self.answer(to: pasted, closing: true).0 == .endOfInput, "a long line cut by end of input is still cancelled")
    }
}
