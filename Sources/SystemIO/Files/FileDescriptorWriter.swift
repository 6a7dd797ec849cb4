import Glibc

/// The one write loop: `write(2)` may write less than asked and may be interrupted by a signal
/// (POSIX write, EINTR), so every caller that means "all of it" goes through here.
public enum FileDescriptorWriter {
    public enum Result: Sendable, Equatable {
        case written
        /// The reader is gone (EPIPE) or the descriptor failed; `errno` is the cause.
        case failed(errno: Int32)
    }

    /// Writes all of `bytes` to `fd`. On a non-blocking descriptor that is full (EAGAIN) it waits
    /// for room with `poll`, at most `stallLimit` seconds without progress, then fails with EAGAIN.
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: some Collection<UInt8>, stallLimit: Double = 30) -> Result {
        let bytes = Array(bytes)
        var offset = 0
        var waited = 0.0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n > 0 {
                offset += n
                waited = 0
                continue
            }
            let error = n < 0 ? errno : EIO
            if error == EINTR { continue }
            if error == EAGAIN && waited < stallLimit {
                var ready = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&ready, 1, 100)
                waited += 0.1
                continue
            }
            return .failed(errno: error)
        }
        return .written
    }

    /// Writes what a non-blocking descriptor takes now, without waiting: the count (0 when it is
    /// full), or nil when the write failed (the peer is gone). A forward's local connections are
    /// written this way, so one slow client never holds the session's loop.
    public static func writeAvailable(_ fd: Int32, _ bytes: [UInt8]) -> Int? {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n > 0 { offset += n; continue }
            if n < 0 && (errno == EAGAIN || errno == EINTR) { break }
            return offset > 0 ? offset : nil
        }
        return offset
    }
}
