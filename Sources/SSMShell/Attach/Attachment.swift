import AWSCore
import Crypto
import SSMCore
import Synchronization
import SystemIO

/// The nodes `attach` holds and the loop that runs one line on all of them: sent to each node's
/// shell at once, output shown live as it comes (AttachPrinter), Ctrl-C sent on to every node
/// still running the line, and the line's result once every node has ended it. Owned by the
/// shell's task; the sessions run on their own.
final class Attachment {
    let nodes: [AttachedNode]
    /// Ready and not ended: the nodes a line goes to.
    private(set) var live: Set<Int> = []
    /// The nodes whose session did not come up, and whether Ctrl-C stopped the opening.
    private(set) var notAttached: [String] = []
    private(set) var openingInterrupted = false
    /// Ctrl-C pressed this many times while one line runs closes the nodes still running it.
    static let interruptsToClose = 3
    private var iterator: AsyncStream<AttachNodeEvent>.AsyncIterator
    private let continuation: AsyncStream<AttachNodeEvent>.Continuation
    private var sessions: [Task<Void, Never>] = []
    private var ticker: Task<Void, Never>?
    private let shell: Shell

    /// How one line went: each node's exit status, and the nodes whose session ended under it.
    struct LineResult {
        var statuses: [Int: Int32] = [:]
        var ended: [Int] = []
        /// Ctrl-C was pressed while it ran.
        var interrupted = false
        var failed: Bool { statuses.values.contains { $0 != 0 } || !ended.isEmpty }
    }

    init(_ targets: [Node], shell: Shell) throws {
        let (stream, continuation) = AsyncStream<AttachNodeEvent>.makeStream()
        iterator = stream.makeAsyncIterator()
        self.continuation = continuation
        self.shell = shell
        let printer = AttachPrinter(
            names: targets.map(\.shortLabel), color: shell.settings.color && shell.console.stdoutIsTerminal, console: shell.console)
        nodes = try targets.enumerated().map { index, node in
            try AttachedNode(index: index, node: node, nonce: Self.nonce(), events: continuation, printer: printer)
        }
    }

    /// 8 random bytes as hex: a session's or a line's nonce (output cannot guess it).
    static func nonce() -> String { Hex.encode(SecureRandom.bytes(8)) }

    /// Opens every node's session at once and waits until each shell is ready or failed (each
    /// failure reported). The sessions that came up stay.
    func open(fleets: [any FleetAPI], deadline seconds: Double) async {
        let clocks = shell.sessionClocks
        for (node, fleet) in zip(nodes, fleets) { sessions.append(Task.detached { await node.run(fleet: fleet, clocks: clocks) }) }
        startTicking()
        defer { stopTicking() }
        let start = clocks.monotonic.seconds()
        var waiting = Set(nodes.indices)
        while !waiting.isEmpty, let event = await iterator.next() {
            switch event {
            case .ready(let index):
                waiting.remove(index)
                live.insert(index)
            case .failed(let index, let error):
                waiting.remove(index)
                notAttached.append(nodes[index].node.shortLabel)
                shell.console.err("\(nodes[index].node.shortLabel): attach failed: \(shell.describe(error).0)\n")
            case .ended(let index, let problem):
                guard waiting.remove(index) != nil else { continue }
                live.remove(index)
                notAttached.append(nodes[index].node.shortLabel)
                shell.console.err("\(nodes[index].node.shortLabel): attach failed: \(problem ?? "the session ended") before the shell was ready\n")
            case .lineEnded: break
            case .tick:
                let interrupted = Interrupts.take()
                openingInterrupted = openingInterrupted || interrupted
                if interrupted || clocks.monotonic.seconds() - start > seconds {
                    for index in waiting {
                        notAttached.append(nodes[index].node.shortLabel)
                        shell.console.err("\(nodes[index].node.shortLabel): attach failed: the shell was not ready in time\n")
                        nodes[index].closing.store(true, ordering: .relaxed)
                    }
                    waiting.removeAll()
                }
            }
        }
    }

    /// Runs one line on every live node and waits for all of them.
    func run(line: String) async -> LineResult {
        var result = LineResult()
        var running = live
        var interrupts = 0
        var writes: [(BytePipe, [UInt8])] = running.sorted().map { (nodes[$0].pipe, nodes[$0].begin(line, lineNonce: Self.nonce())) }
        await Self.write(writes)
        startTicking()
        defer { stopTicking() }
        while !running.isEmpty, let event = await iterator.next() {
            switch event {
            case .lineEnded(let index, let status):
                running.remove(index)
                result.statuses[index] = status
            case .ended(let index, let problem):
                // A session this loop closed or gave up on already was reported then.
                guard live.contains(index) else { continue }
                running.remove(index)
                live.remove(index)
                result.ended.append(index)
                reportEnded(index, problem)
            case .tick:
                // Ctrl-C: on to every node still running the line (the sessions stay).
                guard Interrupts.take() else { continue }
                result.interrupted = true
                interrupts += 1
                if interrupts >= Self.interruptsToClose {
                    // A line that ignores Ctrl-C (a pager reading the terminal, a job brought to
                    // the foreground): its nodes' sessions are closed, the others kept.
                    for index in running.sorted() {
                        nodes[index].closing.store(true, ordering: .relaxed)
                        live.remove(index)
                        result.ended.append(index)
                        let name = nodes[index].node.shortLabel
                        shell.console.err(
                            "\(name): the line did not stop after \(interrupts) Ctrl-C: its session is closed; 'attach \(name)' opens a new one\n")
                    }
                    running.removeAll()
                    continue
                }
                if interrupts == Self.interruptsToClose - 1 {
                    let names = running.sorted().map { nodes[$0].node.shortLabel }.joined(separator: ", ")
                    shell.console.err("\(names): the line still runs; one more Ctrl-C closes the session\(running.count == 1 ? "" : "s")\n")
                }
                // Only to nodes still running it: a framer already done awaits no resync.
                writes = running.sorted().filter { nodes[$0].runsALine }.map { (nodes[$0].pipe, nodes[$0].interrupt(resync: Self.nonce())) }
                await Self.write(writes)
            case .ready, .failed: break
            }
        }
        return result
    }

    /// Ticks while the loop waits (Ctrl-C, deadlines); none at the prompt, where they would pile up.
    private func startTicking() {
        let wall = shell.services.wallClock
        ticker = Task.detached { [continuation] in
            while !Task.isCancelled {
                do { try await wall.sleep(seconds: 0.1) } catch { break }
                continuation.yield(.tick)
            }
        }
    }

    private func stopTicking() {
        ticker?.cancel()
        ticker = nil
    }

    /// A session that ended while attached, reported once.
    private func reportEnded(_ index: Int, _ problem: String?) {
        let node = nodes[index].node
        shell.console.err("\(node.shortLabel): \(problem ?? "the session ended"); 'attach \(node.shortLabel)' opens a new one\n")
    }

    /// Closes every session (TerminateSession) and waits for them.
    func close() async {
        for node in nodes { node.closing.store(true, ordering: .relaxed) }
        for session in sessions { await session.value }
        continuation.finish()
    }

    /// The line's summary: which nodes failed, with their exit status; nil when none did.
    func summary(_ result: LineResult) -> String? {
        guard result.failed else { return nil }
        var parts: [String] = []
        for index in nodes.indices {
            if let status = result.statuses[index], status != 0 {
                parts.append("\(nodes[index].node.shortLabel) (exit \(status))")
            } else if result.ended.contains(index) {
                parts.append("\(nodes[index].node.shortLabel) (session ended)")
            }
        }
        let total = result.statuses.count + result.ended.count
        return "failed on \(parts.count) of \(total) node\(total == 1 ? "" : "s"): \(parts.joined(separator: ", "))"
    }

    /// Writes into the sessions' pipes off the concurrency pool (a write may block while a pipe
    /// is full, which a line never fills).
    private static func write(_ writes: [(BytePipe, [UInt8])]) async {
        await onDedicatedThread {
            for (pipe, bytes) in writes { _ = pipe.write(bytes) }
        }
    }
}
