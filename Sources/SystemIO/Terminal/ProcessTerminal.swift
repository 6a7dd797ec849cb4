import Glibc

/// The process's own terminal: isatty(3) on the standard streams, /dev/tty for questions.
public struct ProcessTerminal: Terminal {
    public init() {}

    public func isTerminal(_ stream: StandardStream) -> Bool { isatty(stream.rawValue) == 1 }

    public func readLineFromControllingTerminal(prompt: String) -> String? {
        // /dev/tty is the controlling terminal whatever stdin and stdout are (POSIX XBD 10.1).
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        FileDescriptorWriter.writeAll(fd, prompt.utf8)
        return Self.readLine(fd)
    }

    /// Bytes up to a newline or end of input, a byte at a time so nothing after the line is taken.
    /// Ctrl-C (EINTR) ends the line too: the question is abandoned, not asked again.
    static func readLine(_ fd: Int32) -> String {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1, byte != 10 { line.append(byte) }
        return String(decoding: line, as: UTF8.self)
    }
}
