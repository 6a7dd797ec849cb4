import Glibc

/// Runs a blocking call (waitpid, a libedit read, sleep-free waits) on a thread of its own and
/// resumes the caller when it returns, so it never holds a Swift concurrency pool thread.
public func onDedicatedThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let box = Unmanaged.passRetained(ThreadBody { continuation.resume(returning: body()) })
        var thread = pthread_t()
        if pthread_create(&thread, nil, { raw in
            Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, box.toOpaque()) == 0 {
            pthread_detach(thread)
        } else {
            // No thread to be had: run it here rather than never.
            box.takeRetainedValue().run()
        }
    }
}

private final class ThreadBody {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}
