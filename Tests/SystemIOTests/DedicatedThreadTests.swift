import Synchronization
@testable import SystemIO
import Testing

/// The one way threads start: a joined thread has finished its body; a detached one runs it too;
/// `onDedicatedThread` hands back the body's value.
@Suite struct DedicatedThreadTests {
    final class Flag: Sendable {
        let value = Atomic<Int>(0)
    }

    @Test func joinWaitsForTheBody() {
        let flag = Flag()
        let thread = DedicatedThread.start {
            // Long enough that a join that does not wait would see 0.
            for _ in 0..<1_000 { _ = flag.value.add(1, ordering: .relaxed) }
        }
        #expect(thread != nil)
        thread?.join()
        #expect(flag.value.load(ordering: .relaxed) == 1_000)
    }

    @Test func aDetachedThreadRunsItsBody() async {
        // onDedicatedThread detaches its thread and resumes with the body's value.
        let value = await onDedicatedThread { 6 * 7 }
        #expect(value == 42)
    }

}
