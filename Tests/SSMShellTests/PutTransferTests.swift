import Dispatch
import Foundation
import Glibc
import SSMCore
@testable import SSMShell
import Synchronization
import SystemIO
import Testing

/// `put`'s side of the stream against a receiver that says DONE too early (a hostile or broken
/// node): the session's thread never blocks on the pipe it is the one to empty.
@Suite struct PutTransferTests {
    static func reply(_ words: String) -> [UInt8] { Array((PutReceiverScript.marker + " " + words + "\n").utf8) }

    /// Runs `body` on a thread of its own; whether it returned within `seconds`. The waiting is
    /// on a thread of its own too: a test that blocked the concurrency pool could starve the
    /// producer's task when the whole suite runs at once.
    static func returns(within seconds: Int, _ body: @escaping @Sendable () -> Void) async -> Bool {
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await onDedicatedThread {
                body()
                done.signal()
            }
        }
        return await onDedicatedThread { done.wait(timeout: .now() + .seconds(seconds)) == .success }
    }

    /// The bytes waiting in the pipe.
    static func waiting(_ fd: Int32) -> Int32 {
        var count: Int32 = 0
        _ = ioctl(fd, UInt(FIONREAD), &count)
        return count
    }

    @Test func anEarlyDoneWhileThePipeIsFullNeitherBlocksTheSessionNorPassesForSuccess() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("put-early-done-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x61, count: 256 * 1024))
        let transfer = try PutTransfer(items: LocalTree.items(path, name: "big").items, windows: false)
        #expect(transfer.output(Self.reply("READY")))
        // Synchronise on the producer having filled the pipe (nothing reads it yet): its writing
        // end takes no more bytes. A byte count was no measure: how many fit depends on how the
        // kernel packs the writes into pages.
        let pipe = transfer.pipe
        let filled = await onDedicatedThread {
            let deadline = DispatchTime.now() + .seconds(60)
            while pipe.takesBytes && DispatchTime.now() < deadline { usleep(1000) }
            return !pipe.takesBytes && Self.waiting(pipe.readEnd) > 0
        }
        #expect(filled)
        // The session's thread hands the node's DONE over.
        #expect(await Self.returns(within: 60) { _ = transfer.output(Self.reply("DONE")) })
        // The session goes on emptying the pipe: the whole stream comes, then the newline and the end.
        let drained = Mutex<[UInt8]>([])
        #expect(
            await Self.returns(within: 60) {
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let got = read(transfer.pipe.readEnd, &buffer, buffer.count)
                    guard got > 0 else { return }
                    drained.withLock { $0 += buffer[..<got] }
                }
            })
        let stream = drained.withLock { $0 }
        #expect(stream.count > 256 * 1024 && stream.last == 0x0A)
        #expect(transfer.problems(sessionProblem: nil) == ["big: the node said it was done without storing it"])
    }
}
