import AWSCore
import SSMCore
import Synchronization

/// One copy's `TransferStall`, asked by its session's loop (every 50 ms) whether to stop; the
/// count of bytes moved comes from the transfer.
final class StallWatch: Sendable {
    private let stall: Mutex<TransferStall>
    private let clock: any MonotonicClock
    private let moved: @Sendable () -> Int
    /// The copy was stopped for want of progress.
    let tripped = Atomic<Bool>(false)

    init(clock: any MonotonicClock, limit: Double = TransferStall.defaultLimit, moved: @escaping @Sendable () -> Int) {
        self.clock = clock
        self.moved = moved
        stall = Mutex(TransferStall(limit: limit, now: clock.seconds()))
    }

    func stalled() -> Bool {
        let now = clock.seconds()
        let count = moved()
        guard stall.withLock({ $0.stalled(count: count, now: now) }) else { return false }
        tripped.store(true, ordering: .relaxed)
        return true
    }

    var problem: String { stall.withLock { $0.problem } }
}
