import Glibc

/// The file a session recording goes to (`connect --record FILE`): created or truncated, readable
/// by its owner only (a transcript can hold anything the session showed), written whole.
public final class RecordingFile: Sendable {
    private let fd: Int32

    /// Opens `path` for the recording; nil when it cannot be written.
    public init?(path: String) {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
    }

    deinit { close(fd) }

    public func write(_ bytes: [UInt8]) {
        FileDescriptorWriter.writeAll(fd, bytes)
    }
}
