import Glibc
import Synchronization

/// The process's stdin, stdout and stderr, written straight to the descriptors (no buffering
/// surprises when the process exits) through the one write loop, `FileDescriptorWriter.writeAll`.
public enum StandardStreams {
    /// Nobody reads standard output any more (EPIPE): a script stops at its next command.
    private static let outputClosed = Atomic<Bool>(false)
    public static var isOutputClosed: Bool { outputClosed.load(ordering: .relaxed) }

    public static func writeOutput(_ text: String) {
        if case .failed(errno: EPIPE) = FileDescriptorWriter.writeAll(1, text.utf8) {
            outputClosed.store(true, ordering: .relaxed)
        }
    }

    public static func writeError(_ text: String) { FileDescriptorWriter.writeAll(2, text.utf8) }

    /// All of standard input, to its end. Blocking: run it on a dedicated thread.
    public static func readAllInput() -> [UInt8] {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        return data
    }
}
