import AWSCore
import SSMCore
import SystemIO

/// One node's copy, ready to run: what it copies, its progress, and the work.
struct TransferJob: Sendable {
    let node: Node
    let name: String
    /// Bytes copied so far, and in all (the progress bar).
    let progress: @Sendable () -> (done: Int, total: Int)
    let run: @Sendable () async -> TransferOutcome
}

/// How one node's copy ended.
struct TransferOutcome: Sendable {
    var files = 0
    var bytes = 0
    var problems: [String] = []
    var notes: [String] = []
}

extension Shell {
    /// Runs every node's copy at once; on a terminal, a progress bar per copy on stderr (bytes,
    /// rate, time left), redrawn in place. Then a line per node on stdout, and status 3 naming
    /// the nodes that failed.
    func runTransfers(_ verb: String, _ jobs: [TransferJob]) async throws -> Int32 {
        let monotonic = services.monotonicClock
        let start = monotonic.seconds()
        let board =
            console.stderrIsTerminal && !options.quiet
            ? TransferBoard.start(jobs, start: start, console: console, clock: services.wallClock, monotonic: monotonic) : nil
        var outcomes: [Int: (TransferOutcome, Double)] = [:]
        await withTaskGroup(of: (Int, TransferOutcome, Double).self) { group in
            for (index, job) in jobs.enumerated() {
                group.addTask {
                    let outcome = await job.run()
                    return (index, outcome, monotonic.seconds())
                }
            }
            for await (index, outcome, end) in group { outcomes[index] = (outcome, end - start) }
        }
        board?.cancel()
        if let board {
            console.err(TransferBoard.text(jobs, start: start, now: monotonic.seconds(), redraw: await board.value, width: TransferBoard.width()))
        }
        if interrupted() { throw ShellError("\(verb) was interrupted: files not yet in place were not kept", status: 130) }
        var failed: [String] = []
        for (index, job) in jobs.enumerated() {
            guard let (outcome, seconds) = outcomes[index] else { continue }
            for note in outcome.notes { console.err("\(job.node.shortLabel): \(note)\n") }
            if outcome.problems.isEmpty {
                let rate = seconds > 0 ? Double(outcome.bytes) / seconds : 0
                console.out(
                    "\(job.node.label): \(outcome.files) file\(outcome.files == 1 ? "" : "s"), \(outcome.bytes) bytes in "
                        + "\(TransferProgress.oneDecimal(seconds)) s (\(TransferProgress.megabytes(rate)) MB/s), sha256 checked\n")
            } else {
                failed.append(job.node.shortLabel)
                for problem in outcome.problems { console.err("\(job.node.label): \(verb) failed: \(problem)\n") }
            }
        }
        guard failed.isEmpty else {
            throw ShellError.remote("\(verb) failed on \(failed.count) of \(jobs.count) node\(jobs.count == 1 ? "" : "s"): \(failed.joined(separator: ", "))")
        }
        return 0
    }
}

/// The progress bars of `put` and `get` on a terminal: one line per node's copy, redrawn in place.
enum TransferBoard {
    /// The bars' task; its value says whether it drew any (the last frame is drawn over them).
    static func start(_ jobs: [TransferJob], start: Double, console: any Console, clock: any WallClock, monotonic: any MonotonicClock) -> Task<Bool, Never> {
        Task.detached {
            var drawn = false
            while !Task.isCancelled {
                console.err(text(jobs, start: start, now: monotonic.seconds(), redraw: drawn, width: width()))
                drawn = true
                do { try await clock.sleep(seconds: 0.25) } catch { break }
            }
            return drawn
        }
    }

    /// Every bar, each on its line; `redraw` first moves back up over the previous frame.
    /// The terminal's columns (stderr's), asked each frame so a resize is followed: a bar wider
    /// than the terminal wraps, and moving up over the last frame would then miss lines.
    static func width() -> Int { max(20, (RawTerminal.size(fd: 2)?.columns ?? 80) - 1) }

    static func text(_ jobs: [TransferJob], start: Double, now: Double, redraw: Bool, width: Int = 79) -> String {
        var text = redraw ? "\u{1B}[\(jobs.count)A" : ""
        for job in jobs {
            let (done, total) = job.progress()
            text +=
                "\r\u{1B}[K" + TransferProgress.line(label: job.node.shortLabel, name: job.name, done: done, total: total, seconds: now - start, width: width)
                + "\n"
        }
        return text
    }
}
