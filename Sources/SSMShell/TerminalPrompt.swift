import Glibc

/// Asks the user for one line on the controlling terminal (an MFA code), even when stdin is a pipe.
enum TerminalPrompt {
    struct Unavailable: Error, CustomStringConvertible {
        var description: String { "There is no terminal to ask for an MFA code; run interactively or use credentials without mfa_serial." }
    }

    static func readLine(prompt: String) throws -> String {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw Unavailable() }
        defer { close(fd) }
        var bytes = Array(prompt.utf8)
        _ = write(fd, &bytes, bytes.count)
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1, byte != 10 { line.append(byte) }
        return String(decoding: line, as: UTF8.self)
    }
}
