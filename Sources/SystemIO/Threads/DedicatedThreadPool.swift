import Dispatch
import Synchronization

/// A few threads of our own for blocking C calls (curl_easy_perform, poll), so they never run on
/// the Swift concurrency pool (architecture section 3). Each thread owns a worker state created
/// on it (a curl handle, for instance) and takes jobs one at a time; the most recently idle thread
/// takes the next job, so back-to-back requests reuse the same keep-alive connection.
///
/// The owner calls `shutdown()` when done (CurlHTTPTransport does in its deinit): the threads
/// finish what is queued, drop their state and are joined. The threads hold the pool, so it is
/// never released while they run.
final class DedicatedThreadPool<State>: Sendable {
    /// Does the work and returns what to run once the thread is back in the idle list (resuming
    /// the caller), so a caller's next request finds this thread idle and reuses its connection.
    typealias Job = @Sendable (inout State) -> @Sendable () -> Void

    /// What the threads share. `assigned` has its final size before any thread starts.
    private struct Shared {
        var jobs: [Job] = []
        var idle: [Int] = []
        var assigned: [Job?]
        var stopping = false
        /// Touched only by the owner (init and shutdown), kept here so the pool stays Sendable.
        var threads: [DedicatedThread] = []
    }

    private let shared: Mutex<Shared>
    /// Touched at both ends of every critical section (see `locked`).
    private let handoffs = Atomic<Int>(0)
    /// One per thread: signalled once for each job assigned to it while idle, and at shutdown.
    private let wakeUps: [DispatchSemaphore]
    /// Makes a thread's State on that thread; the State never leaves it.
    private let makeState: @Sendable () -> State

    /// - Parameter makeState: runs once on each new thread, which owns the result.
    init(threads count: Int, makeState: @escaping @Sendable () -> State) {
        let count = max(1, count)
        self.makeState = makeState
        shared = Mutex(Shared(assigned: Array(repeating: nil, count: count)))
        wakeUps = (0..<count).map { _ in DispatchSemaphore(value: 0) }
        // Every shared field is complete before the first worker starts (a worker used to read
        // `assigned` while this loop was still appending to it: "Index out of range").
        let started = (0..<count).map { index in
            DedicatedThread.start { self.loop(index: index) }
        }
        let threads = started.compactMap { $0 }
        precondition(threads.count == count, "a thread could not be started: the system is out of threads")
        locked { $0.threads = threads }
    }

    /// `shared.withLock`, with an acquire-release step on `handoffs` at both ends. The lock alone
    /// is correct; the step is for ThreadSanitizer, which cannot see a contended Mutex hand over:
    /// on Linux its slow path is a PI futex in the uninstrumented libswiftSynchronization, and the
    /// kernel gives the lock to the waiter, so every contended handover was reported as a race.
    private func locked<R>(_ body: (inout Shared) -> sending R) -> sending R {
        shared.withLock { shared in
            handoffs.add(1, ordering: .acquiringAndReleasing)
            defer { handoffs.add(1, ordering: .acquiringAndReleasing) }
            return body(&shared)
        }
    }

    /// Runs `job` on a pool thread. The job must not throw or block forever.
    func run(_ job: @escaping Job) {
        let worker = locked { shared -> Int? in
            precondition(!shared.stopping, "a job was given to a pool that is shutting down")
            guard let worker = shared.idle.popLast() else {
                shared.jobs.append(job)
                return nil
            }
            shared.assigned[worker] = job
            return worker
        }
        if let worker { wakeUps[worker].signal() }
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
        let threads = locked { shared -> [DedicatedThread] in
            guard !shared.stopping else { return [] }
            shared.stopping = true
            defer { shared.threads = [] }
            return shared.threads
        }
        guard !threads.isEmpty else { return }
        for wakeUp in wakeUps { wakeUp.signal() }
        // Released from one of its own threads: that one is detached and ends by itself.
        for thread in threads { thread.join() }
    }

    private enum Next {
        case work(Job)
        case stop
        case wait
    }

    private func loop(index: Int) {
        var state: State? = makeState()
        var finish: (@Sendable () -> Void)?
        var fresh = true
        while true {
            let next = locked { shared -> Next in
                if !shared.jobs.isEmpty { return .work(shared.jobs.removeFirst()) }
                if shared.stopping { return .stop }
                // A thread that has not worked yet has no connection to offer: it goes under the
                // threads that have, even when it starts late.
                if fresh { shared.idle.insert(index, at: 0) } else { shared.idle.append(index) }
                return .wait
            }
            finish?()
            finish = nil
            var job: Job?
            switch next {
            case .work(let queued): job = queued
            case .stop: break
            case .wait:
                wakeUps[index].wait()
                job = locked { shared -> Job? in
                    let job = shared.assigned[index]
                    shared.assigned[index] = nil
                    if job == nil, let position = shared.idle.firstIndex(of: index) { shared.idle.remove(at: position) }
                    return job
                }
            }
            if case .stop = next { break }
            if let job {
                fresh = false
                finish = job(&state!)
            }
        }
        // The state (a curl handle) is released on the thread that made it.
        state = nil
    }
}
