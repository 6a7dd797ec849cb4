import Glibc
import Synchronization
import Testing
@testable import SystemIO

/// `writeAll` on a non-blocking pipe smaller than the data (partial writes and EAGAIN), and on a
/// pipe whose reader has gone (EPIPE, not SIGPIPE).
@Suite(.serialized) struct FileDescriptorWriterTests {
    @Test func writesEverythingThroughAFullNonBlockingPipe() async throws {
        let fds = try Self.closeOnExecPipe()
        defer { close(fds[0]) }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        let data = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let reader = fds[0]
        // Reader and writer block in read(2) and poll(2): each on a thread of its own, started
        // right here. A reader in a task could wait for a concurrency pool thread (all of them
        // busy with other suites) past the writer's 30 s limit.
        let received = Received()
        let readerThread = DedicatedThread.start {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
                if n <= 0 { return }
                received.bytes.withLock { $0 += buffer[0..<n] }
            }
        }
        #expect(readerThread != nil)
        let writer = fds[1]
        let written = await onDedicatedThread {
            defer { close(writer) }
            return FileDescriptorWriter.writeAll(writer, data)
        }
        #expect(written == .written)
        // The writer closed its end: the reader is at end of file or about to be.
        await onDedicatedThread { readerThread?.join() }
        #expect(received.bytes.withLock { $0 } == data)
    }

    /// A pipe no child of a parallel test can inherit: a child holding the read end would keep
    /// the EPIPE from coming.
    static func closeOnExecPipe() throws -> [Int32] {
        let ends = try #require(CloseOnExec.pipe())
        return [ends.read, ends.write]
    }

    final class Received: Sendable {
        let bytes = Mutex<[UInt8]>([])
    }

    @Test func aGoneReaderIsEPIPE() throws {
        BrokenPipe.ignoreSignal()
        let fds = try Self.closeOnExecPipe()
        close(fds[0])
        defer { close(fds[1]) }
        #expect(FileDescriptorWriter.writeAll(fds[1], Array("x".utf8)) == .failed(errno: EPIPE))
    }
}
