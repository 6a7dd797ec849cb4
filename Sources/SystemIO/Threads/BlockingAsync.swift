import Dispatch

/// Runs async work from a dedicated (non-pool) thread and blocks that thread until it is done:
/// the session loop uses it for the one KMS call of an encrypted handshake. Never call it from
/// the Swift concurrency pool.
public enum BlockingAsync {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let box = Box<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            box.value = await body()
            done.signal()
        }
        done.wait()
        return box.value!
    }

    private final class Box<T>: @unchecked Sendable { var value: T? }
}
