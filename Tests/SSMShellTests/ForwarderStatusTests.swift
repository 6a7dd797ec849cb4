import Glibc
import SSMCore
@testable import SSMShell
import Synchronization
import SystemIO
import Testing

/// `forwards` (the prompt) reads a forward's mode and end while the forward's own thread and its
/// reconnect task write them: each read and write must be atomic (issue 16's data race). The
/// ThreadSanitizer pass of scripts/test runs this suite, and reports the race without the lock.
@Suite struct ForwarderStatusTests {
    @Test func theListingReadsWhatTheForwardThreadWritesWithoutARace() async throws {
        let forwarder = Forwarder(id: 1, listener: try TCPListener(port: 0), remote: "localhost:80",
                                  node: Node(id: "i-0123456789abcdef0", name: "web-1", platform: "Linux", pingStatus: "Online"),
                                  sessionId: "s-0")
        let readerStarted = Atomic<Bool>(false)
        async let written: Void = onDedicatedThread {
            while !readerStarted.load(ordering: .relaxed) {}   // overlap the two threads for sure
            for round in 0..<20_000 {
                forwarder.mode = round % 2 == 0 ? "mux" : "basic"
                forwarder.endReason = "the node could not connect to localhost:80 (round \(round))"
                forwarder.ended = round % 3 == 0
            }
            forwarder.endReason = "done"
            forwarder.ended = true
        }
        let seen = await onDedicatedThread { () -> Set<String> in
            var seen = Set<String>()
            readerStarted.store(true, ordering: .relaxed)
            while !forwarder.ended || forwarder.endReason != "done" {
                seen.insert(forwarder.mode)
                _ = forwarder.endReason?.count
            }
            return seen
        }
        await written
        #expect(forwarder.endReason == "done")
        #expect(seen.isSubset(of: ["pending", "mux", "basic"]))
    }
}
