import Glibc
import SessionProtocol
import SystemIO
import Testing

/// The session loop's file-descriptor glue: local connections by numbers that are never reused,
/// and the recording file.
@Suite struct LocalConnectionTableTests {
    static func socketPair() -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        return (fds[0], fds[1])
    }

    @Test func aClosedConnectionsNumberIsNeverGivenToTheNextOneWithTheSameDescriptor() {
        let table = LocalConnectionTable()
        let (mine, peer) = Self.socketPair()
        defer { close(peer) }
        let first = table.add(mine)
        table.close(first, reset: false)
        #expect(table.descriptor(first) == nil)
        let (again, otherPeer) = Self.socketPair()  // the kernel hands out the lowest free number: often `mine`
        defer { close(otherPeer) }
        let second = table.add(again)
        #expect(second != first)
        #expect(table.descriptor(first) == nil, "a stale entry for the first finds nothing")
        #expect(table.descriptor(second) == again)
        table.closeAll()
        #expect(table.descriptor(second) == nil)
    }

    @Test func shutdownLetsThePeerReadTheEndAfterWhatWasWritten() {
        let table = LocalConnectionTable()
        let (mine, peer) = Self.socketPair()
        defer { close(peer) }
        let connection = table.add(mine)
        #expect(write(mine, "ok", 2) == 2)
        table.shutdown(connection)
        var buffer = [UInt8](repeating: 0, count: 8)
        #expect(read(peer, &buffer, 8) == 2)
        #expect(read(peer, &buffer, 8) == 0, "end of stream")
        table.close(connection, reset: false)
    }
}

@Suite struct RecordingFileTests {
    @Test func writesTheRecordingReadableByItsOwnerOnly() throws {
        let path = "/tmp/ssm-shell-recording-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(path) }
        do {
            let file = try #require(RecordingFile(path: path))
            file.write(Array("line\n".utf8))
        }
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(info.st_size == 5)
        #expect(RecordingFile(path: "/nonexistent-dir/x.cast") == nil)
    }
}

/// `writeAvailable`: what a full non-blocking descriptor takes now, never a wait.
@Suite struct WriteAvailableTests {
    @Test func takesWhatFitsThenZeroThenNilOnceTheReaderIsGone() throws {
        // Close-on-exec from the start (pipe2): a child forked by a test running in parallel
        // (`system("rm -rf ...")`) between pipe() and a later fcntl kept the read end open, and the
        // last write got no EPIPE (CI, stop 23).
        let ends = try #require(CloseOnExec.pipe())
        let fds = [ends.read, ends.write]
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        defer { close(fds[1]) }
        let big = [UInt8](repeating: 1, count: 1 << 20)  // more than a pipe holds
        let first = FileDescriptorWriter.writeAvailable(fds[1], big)
        #expect(first.map { $0 > 0 && $0 < big.count } == true, "a partial write: \(String(describing: first))")
        #expect(FileDescriptorWriter.writeAvailable(fds[1], [2]) == 0, "full: nothing taken, no wait")
        close(fds[0])
        BrokenPipe.ignoreSignal()  // as the shell does at start: EPIPE, not SIGPIPE
        // A child forked by a parallel test holds every descriptor, close-on-exec ones too, from
        // fork() until its exec: the reader is gone only then (CI, stop 24's TSan run). Asked
        // again until EPIPE comes, with a deadline.
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        var answer = FileDescriptorWriter.writeAvailable(fds[1], [3])
        while answer == 0 && ContinuousClock.now < deadline {
            usleep(10_000)
            answer = FileDescriptorWriter.writeAvailable(fds[1], [3])
        }
        #expect(answer == nil, "EPIPE")
    }
}
