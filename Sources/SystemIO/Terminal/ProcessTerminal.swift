import Glibc

/// The process's own terminal: isatty(3) on the standard streams, /dev/tty for questions.
public struct ProcessTerminal: Terminal {
    public init() {}

    public func isTerminal(_ stream: StandardStream) -> Bool { isatty(stream.rawValue) == 1 }

    public func readLineFromControllingTerminal(prompt: String) -> String? {
        switch askOnControllingTerminal(prompt: prompt) {
        case .line(let line): return line
        case .interrupted: return ""
        case .noTerminal: return nil
        }
    }

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

    /// Bytes up to a newline or end of input, a byte at a time so nothing after the line is taken.
    /// Ctrl-C abandons the question. SIGINT goes to any one of the process's threads, rarely the
    /// one reading, so the read cannot count on EINTR: it waits for input a tenth of a second at a
    /// time and looks at the Ctrl-C flag in between (the flag is left for the shell to take).
    static func readLine(_ fd: Int32, interrupted: () -> Bool) -> TerminalAnswer {
        var line: [UInt8] = []
        while !interrupted() {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let count = poll(&ready, 1, 100)
            if count == 0 || (count < 0 && errno == EINTR) { continue }
            var byte: UInt8 = 0
            let got = count > 0 ? read(fd, &byte, 1) : -1
            if got < 0 && errno == EINTR { continue }
            if got != 1 || byte == 10 { return .line(String(decoding: line, as: UTF8.self)) }
            line.append(byte)
        }
        return .interrupted
    }
}
