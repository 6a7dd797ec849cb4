import Dispatch
import Synchronization

/// Runs async work from a dedicated (non-pool) thread and blocks that thread until it is done:
/// the session loop uses it for the one KMS call of an encrypted handshake. Never call it from
/// the Swift concurrency pool.
public enum BlockingAsync {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let box = Box<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = await body()
            box.value.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return box.value.withLock { $0! }
    }

    private final class Box<T: Sendable>: Sendable {
        let value = Mutex<T?>(nil)
    }
}
