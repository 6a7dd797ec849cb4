/// Runs a blocking call (waitpid, a libedit read, sleep-free waits) on a thread of its own and
/// resumes the caller when it returns, so it never holds a Swift concurrency pool thread.
public func onDedicatedThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let run: @Sendable () -> Void = { continuation.resume(returning: body()) }
        if let thread = DedicatedThread.start(run) {
            thread.detach()
        } else {
            // No thread to be had: run it here rather than never.
            run()
        }
    }
}
