import SessionProtocol
@testable import SSMShell
import SSMCore
import Synchronization
import SystemIO
import Testing

/// `forwards` (the prompt) reads a forward's status while the forward's own thread and its
/// reconnect task write it: each read and write must be atomic (issue 16's data race). The
/// ThreadSanitizer pass of scripts/test runs this suite, and reports the race without the lock.
@Suite struct ForwarderStatusTests {
    @Test func theListingReadsWhatTheForwardThreadWritesWithoutARace() async throws {
        let forwarder = Forwarder(
            id: 1, listener: try TCPListener(port: 0), remote: "localhost:80",
            node: Node(id: "i-0123456789abcdef0", name: "web-1", platform: "Linux", pingStatus: "Online"),
            sessionId: "s-0", clocks: SessionClocks(monotonic: SystemMonotonicClock(), wall: SystemClock()))
        let readerStarted = Atomic<Bool>(false)
        async let written: Void = onDedicatedThread {
            while !readerStarted.load(ordering: .relaxed) {}  // overlap the two threads for sure
            for round in 0..<20_000 {
                forwarder.noteEndReason("the node could not connect to localhost:80 (round \(round))")
            }
            forwarder.finish()
        }
        let seen = await onDedicatedThread { () -> Set<String> in
            var seen = Set<String>()
            readerStarted.store(true, ordering: .relaxed)
            while !forwarder.ended {
                let status = forwarder.status
                seen.insert(status.mode.rawValue)
                _ = status.endReason?.count
            }
            return seen
        }
        await written
        #expect(forwarder.status.endReason == "the node could not connect to localhost:80 (round 0)", "the first cause wins")
        #expect(forwarder.ended)
        #expect(seen.isSubset(of: ["pending", "mux", "basic"]))
    }
}
