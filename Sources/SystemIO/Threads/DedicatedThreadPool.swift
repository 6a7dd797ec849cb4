import Glibc
import Synchronization

/// A few threads of our own for blocking C calls (curl_easy_perform, poll), so they never run on
/// the Swift concurrency pool (architecture section 3). Each thread owns a worker state created
/// on it (a curl handle, for instance) and takes jobs one at a time; the most recently idle thread
/// takes the next job, so back-to-back requests reuse the same keep-alive connection.
final class DedicatedThreadPool<State>: @unchecked Sendable {
    /// Does the work and returns what to run once the thread is back in the idle list (resuming
    /// the caller), so a caller's next request finds this thread idle and reuses its connection.
    typealias Job = (inout State) -> () -> Void

    private var mutex = pthread_mutex_t()
    private var jobs: [Job] = []
    private var idle: [Int] = []
    private var conditions: [UnsafeMutablePointer<pthread_cond_t>] = []
    private var assigned: [Job?] = []
    private var threads: [pthread_t] = []
    private let makeState: @Sendable () -> State

    /// - Parameter makeState: runs once on each new thread.
    init(threads count: Int, name: String, makeState: @escaping @Sendable () -> State) {
        self.makeState = makeState
        pthread_mutex_init(&mutex, nil)
        for index in 0..<max(1, count) {
            let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
            pthread_cond_init(condition, nil)
            conditions.append(condition)
            assigned.append(nil)
            let context = Unmanaged.passRetained(ThreadContext(pool: self, index: index, name: name))
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

    /// Runs `job` on a pool thread. The job must not throw or block forever.
    func run(_ job: @escaping Job) {
        pthread_mutex_lock(&mutex)
        if let worker = idle.popLast() {
            assigned[worker] = job
            pthread_cond_signal(conditions[worker])
        } else {
            jobs.append(job)
        }
        pthread_mutex_unlock(&mutex)
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

    fileprivate func loop(index: Int) {
        var state = makeState()
        var finish: (() -> Void)?
        while true {
            pthread_mutex_lock(&mutex)
            var job: Job?
            if !jobs.isEmpty {
                job = jobs.removeFirst()
                pthread_mutex_unlock(&mutex)
                finish?()
            } else {
                idle.append(index)
                pthread_mutex_unlock(&mutex)
                finish?()
                pthread_mutex_lock(&mutex)
                while assigned[index] == nil { pthread_cond_wait(conditions[index], &mutex) }
                job = assigned[index]
                assigned[index] = nil
                pthread_mutex_unlock(&mutex)
            }
            finish = job?(&state)
        }
    }

    private final class ThreadContext: ThreadStarter {
        let pool: DedicatedThreadPool
        let index: Int
        let name: String
        init(pool: DedicatedThreadPool, index: Int, name: String) {
            self.pool = pool
            self.index = index
            self.name = name
        }
        func start() {
            pool.loop(index: index)
        }
    }
}

private protocol ThreadStarter: AnyObject { func start() }
