import Glibc

/// The process's own terminal: isatty(3) on the standard streams, /dev/tty for questions.
public struct ProcessTerminal: Terminal {
    public init() {}

    public func isTerminal(_ stream: StandardStream) -> Bool { isatty(stream.rawValue) == 1 }

    public func askOnControllingTerminal(prompt: String) -> TerminalAnswer {
        // /dev/tty is the controlling terminal whatever stdin and stdout are (POSIX XBD 10.1).
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return .noTerminal }
        defer { close(fd) }
        FileDescriptorWriter.writeAll(fd, prompt.utf8)
        let answer = Self.readLine(fd) { Interrupts.pending }
        // The terminal echoed ^C; the next output starts on a line of its own.
        if answer == .interrupted { FileDescriptorWriter.writeAll(fd, "\n".utf8) }
        return answer
    }

    /// The longest answer taken: an MFA code is 6 digits (IAM's TokenCode), the "which pair?"
    /// answer a number. A longer line is something pasted by mistake, never sent.
    public static let maximumAnswerBytes = 128

    /// Bytes up to a newline, a byte at a time so nothing after the line is taken. Ctrl-C
    /// abandons the question, and so does end of input: Ctrl-D at the start of a line, or after
    /// a Ctrl-D that handed over a partial line (POSIX XBD 11.1.9, EOF), so a half-typed code is
    /// never sent. SIGINT goes to any one of the process's threads, rarely the one reading, so
    /// the read cannot count on EINTR: it waits for input a tenth of a second at a time and looks
    /// at the Ctrl-C flag in between (the flag is left for the shell to take).
    static func readLine(_ fd: Int32, limit: Int = maximumAnswerBytes, interrupted: () -> Bool) -> TerminalAnswer {
        var line: [UInt8] = []
        var tooLong = false
        while !interrupted() {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let count = poll(&ready, 1, 100)
            if count == 0 || (count < 0 && errno == EINTR) { continue }
            var byte: UInt8 = 0
            let got = count > 0 ? read(fd, &byte, 1) : -1
            if got < 0 && errno == EINTR { continue }
            if got != 1 { return .endOfInput }
            if byte == 10 { return tooLong ? .tooLong(limit: limit) : .line(String(decoding: line, as: UTF8.self)) }
            // Past the limit the rest of the line is read and dropped, never kept.
            if line.count < limit && !tooLong { line.append(byte) } else { tooLong = true }
        }
        return .interrupted
    }
}
