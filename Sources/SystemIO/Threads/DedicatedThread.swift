import Glibc

/// The one way this program starts a thread of its own (pthread_create), for blocking C calls
/// that must never hold a Swift concurrency pool thread: `onDedicatedThread` and the
/// `DedicatedThreadPool` are built on it. Each thread is either joined or detached, never left.
struct DedicatedThread: Sendable {
    private let thread: pthread_t

    /// Starts `body` on a new thread; nil when the system has no thread to give (EAGAIN).
    static func start(_ body: @escaping @Sendable () -> Void) -> DedicatedThread? {
        let box = Unmanaged.passRetained(Body(body))
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { raw in
                Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
                return nil
            }, box.toOpaque())
        guard result == 0 else {
            box.release()
            return nil
        }
        return DedicatedThread(thread: thread)
    }

    /// Waits for the thread to end. A thread cannot join itself: called from it, it is detached
    /// instead and ends by itself once its body returns.
    func join() {
        if isCurrent { pthread_detach(thread) } else { pthread_join(thread, nil) }
    }

    /// Lets the thread end by itself; nothing waits for it.
    func detach() { pthread_detach(thread) }

    var isCurrent: Bool { pthread_equal(thread, pthread_self()) != 0 }

    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
}
