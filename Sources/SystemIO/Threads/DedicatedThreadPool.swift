import Glibc

/// A few threads of our own for blocking C calls (curl_easy_perform, poll), so they never run on
/// the Swift concurrency pool (architecture section 3). Each thread owns a worker state created
/// on it (a curl handle, for instance) and takes jobs one at a time; the most recently idle thread
/// takes the next job, so back-to-back requests reuse the same keep-alive connection.
///
/// The owner calls `shutdown()` when done (CurlHTTPTransport does in its deinit): the threads
/// finish what is queued, drop their state and are joined. The threads hold the pool, so it is
/// never released while they run.
final class DedicatedThreadPool<State>: @unchecked Sendable {
    /// Does the work and returns what to run once the thread is back in the idle list (resuming
    /// the caller), so a caller's next request finds this thread idle and reuses its connection.
    typealias Job = (inout State) -> () -> Void

    // pthread objects must not move: they live in allocated storage, never in a Swift property
    // (whose address inout access does not pin).
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let conditions: [UnsafeMutablePointer<pthread_cond_t>]
    // Guarded by `mutex`. `assigned` has its final size before any thread starts.
    private var jobs: [Job] = []
    private var idle: [Int] = []
    private var assigned: [Job?]
    private var stopping = false
    // Touched only by the owner (init and shutdown).
    private var threads: [pthread_t] = []
    private let makeState: @Sendable () -> State

    /// - Parameter makeState: runs once on each new thread, which owns the result.
    init(threads count: Int, makeState: @escaping @Sendable () -> State) {
        let count = max(1, count)
        self.makeState = makeState
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        conditions = (0..<count).map { _ in
            let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
            pthread_cond_init(condition, nil)
            return condition
        }
        assigned = Array(repeating: nil, count: count)
        // Every shared field is complete before the first worker starts (a worker used to read
        // `assigned` while this loop was still appending to it: "Index out of range").
        for index in 0..<count {
            let context = Unmanaged.passRetained(ThreadContext(pool: self, index: index))
            var thread = pthread_t()
            let result = pthread_create(&thread, nil, { raw in
                let context = Unmanaged<AnyObject>.fromOpaque(raw!).takeRetainedValue() as! any ThreadStarter
                context.start()
                return nil
            }, context.toOpaque())
            precondition(result == 0, "pthread_create failed with \(result): the system is out of threads")
            threads.append(thread)
        }
    }

    deinit {
        for condition in conditions {
            pthread_cond_destroy(condition)
            condition.deallocate()
        }
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `job` on a pool thread. The job must not throw or block forever.
    func run(_ job: @escaping Job) {
        pthread_mutex_lock(mutex)
        precondition(!stopping, "a job was given to a pool that is shutting down")
        if let worker = idle.popLast() {
            assigned[worker] = job
            pthread_cond_signal(conditions[worker])
        } else {
            jobs.append(job)
        }
        pthread_mutex_unlock(mutex)
    }

    /// Runs `body` on a pool thread and suspends the caller until it returns.
    func perform<T: Sendable>(_ body: @escaping @Sendable (inout State) -> T) async -> T {
        await withCheckedContinuation { continuation in
            run { state in
                let value = body(&state)
                return { continuation.resume(returning: value) }
            }
        }
    }

    /// Lets the threads finish the queued jobs, then joins them. Idempotent; never call it from a
    /// pool thread, nor while a caller still waits on `perform`.
    func shutdown() {
        pthread_mutex_lock(mutex)
        let first = !stopping
        stopping = true
        for condition in conditions { pthread_cond_signal(condition) }
        pthread_mutex_unlock(mutex)
        guard first else { return }
        for thread in threads {
            // Released from one of its own threads: that one ends by itself once this returns.
            if pthread_equal(thread, pthread_self()) != 0 { pthread_detach(thread) } else { pthread_join(thread, nil) }
        }
        threads = []
    }

    fileprivate func loop(index: Int) {
        var state: State? = makeState()
        var finish: (() -> Void)?
        var fresh = true
        while true {
            pthread_mutex_lock(mutex)
            var job: Job?
            if !jobs.isEmpty {
                job = jobs.removeFirst()
                pthread_mutex_unlock(mutex)
                finish?()
            } else if stopping {
                pthread_mutex_unlock(mutex)
                finish?()
                break
            } else {
                // A thread that has not worked yet has no connection to offer: it goes under the
                // threads that have, even when it starts late.
                if fresh { idle.insert(index, at: 0) } else { idle.append(index) }
                pthread_mutex_unlock(mutex)
                finish?()
                pthread_mutex_lock(mutex)
                while assigned[index] == nil && !stopping { pthread_cond_wait(conditions[index], mutex) }
                job = assigned[index]
                assigned[index] = nil
                if job == nil, let position = idle.firstIndex(of: index) { idle.remove(at: position) }
                pthread_mutex_unlock(mutex)
            }
            finish = nil
            if let job {
                fresh = false
                finish = job(&state!)
            }
        }
        // The state (a curl handle) is released on the thread that made it.
        state = nil
    }

    private final class ThreadContext: ThreadStarter {
        let pool: DedicatedThreadPool
        let index: Int
        init(pool: DedicatedThreadPool, index: Int) {
            self.pool = pool
            self.index = index
        }
        func start() { pool.loop(index: index) }
    }
}

private protocol ThreadStarter: AnyObject { func start() }
