import AWSCore
import SessionProtocol
import SSMCore
import Synchronization
import SystemIO

/// What an attached node's session says to the attach loop.
enum AttachNodeEvent: Sendable {
    /// The node's shell is set up: lines may be sent.
    case ready(Int)
    case lineEnded(Int, status: Int32)
    /// The session is over: why (nil when `attach` closed it).
    case ended(Int, problem: String?)
    /// A failure before the session started (the service's answer).
    case failed(Int, any Error)
    /// The loop's clock: Ctrl-C and deadlines are looked at on each.
    case tick
}

/// One node's kept session for `attach`: the default shell document (a shell on a pty, which the
/// guide's basic session policy allows), driven as `put` and `get` drive theirs
/// (TransferSession.swift): the same driver, runner and reconnects, its input from a pipe the
/// attach loop writes lines into, its output read by an `AttachFramer` and shown live.
final class AttachedNode: Sendable {
    let index: Int
    let node: Node
    let windows: Bool
    /// The session's nonce in every frame (AttachScript).
    let nonce: String
    let pipe: BytePipe
    /// `attach` is closing the session (detach, Ctrl-D, the end of a script).
    let closing = Atomic<Bool>(false)
    /// The session's id, once started (for TerminateSession when closing early).
    let sessionId = Mutex<String?>(nil)
    private let framer: Mutex<AttachFramer>
    private let events: AsyncStream<AttachNodeEvent>.Continuation
    private let printer: AttachPrinter

    init(index: Int, node: Node, nonce: String, events: AsyncStream<AttachNodeEvent>.Continuation, printer: AttachPrinter) throws {
        self.index = index
        self.node = node
        windows = node.platform == "Windows"
        self.nonce = nonce
        self.events = events
        self.printer = printer
        framer = Mutex(AttachFramer(session: nonce))
        pipe = try BytePipe()
    }

    /// The text that sets the node's shell up; it is sent first, as soon as the session is open.
    var setup: String { windows ? AttachScript.powerShellSetup(session: nonce) : AttachScript.posixSetup(session: nonce) }

    /// Starts a line: the text to write into the session.
    func begin(_ line: String, lineNonce: String) -> [UInt8] {
        framer.withLock { $0.begin(nonce: lineNonce) }
        let text =
            windows
            ? AttachScript.powerShellLine(line, session: nonce, nonce: lineNonce)
            : AttachScript.posixLine(line, session: nonce, nonce: lineNonce)
        return Array(text.utf8)
    }

    /// The node's shell is still running the current line (its ending has not come back).
    var runsALine: Bool { framer.withLock { $0.phase == .running } }

    /// Ctrl-C: the text to write (the interrupt, then an ending of its own).
    func interrupt(resync: String) -> [UInt8] {
        framer.withLock { $0.interrupted(resync: resync) }
        let ending =
            windows ? AttachScript.powerShellEnding(session: nonce, nonce: resync) : AttachScript.posixEnding(session: nonce, nonce: resync)
        return AttachScript.interrupt + Array(ending.utf8)
    }

    /// Runs the session to its end; says how it ended through `events`.
    func run(fleet: any FleetAPI, clocks: SessionClocks) async {
        let stream: SessionStream
        do {
            stream = try await fleet.startSession(target: node.id, document: nil, reason: nil, parameters: nil)
        } catch {
            // GetConnectionStatus only after a refusal: with 50 nodes, 50 calls fewer on the way in.
            if (try? await fleet.connectionStatus(node.id)).map({ $0 != "connected" }) == true {
                events.yield(.failed(index, ShellError.remote("\(node.label) is not connected to Systems Manager (its agent is not reachable)")))
            } else {
                events.yield(.failed(index, error))
            }
            return
        }
        sessionId.withLock { $0 = stream.sessionId }
        _ = pipe.write(Array(setup.utf8))
        var hooks = SessionDriver<StreamSession>.Hooks()
        hooks.dataKey = Shell.dataKeyHook(fleet: fleet, sessionId: stream.sessionId, target: node.id)
        hooks.output = { [self] in output($0) }
        hooks.errorOutput = { [self] in _ = output($0) }
        hooks.stopRequested = { [self] in closing.load(ordering: .relaxed) }
        let machine = StreamSession(configuration: .init(interactive: false))
        let driver = SessionDriver(
            machine, input: pipe.readEnd, inputSize: TransferSession.inputSize, clock: clocks.monotonic, wallClock: clocks.wall, hooks: hooks)
        var runner = Shell.sessionRunner(
            stream.sessionId, fleet: fleet, clock: clocks.monotonic, driver: driver, sessionEnded: { driver.machine.ended })
        runner.stopped = { [self] in closing.load(ordering: .relaxed) }
        let result = await runner.run(from: stream)
        try? await fleet.terminateSession(stream.sessionId)
        for event in framer.withLock({ $0.finish() }) { show(event) }
        printer.lineEnded(node: index)
        var problem: String?
        if !closing.load(ordering: .relaxed) {
            let session = driver.machine
            switch result {
            case .failed(let reason, _): problem = "the connection was lost and could not be resumed (\(reason))"
            case .ended, .stopped:
                problem = "the session ended" + (session.closedMessage.map { $0.isEmpty ? "" : ": \(ChannelClosedReason.sentence($0))" } ?? "")
            }
        }
        events.yield(.ended(index, problem: problem))
    }

    /// The session's output, on its driver's thread.
    private func output(_ bytes: [UInt8]) -> Bool {
        for event in framer.withLock({ $0.feed(bytes) }) { show(event) }
        return true
    }

    private func show(_ event: AttachFramer.Event) {
        switch event {
        case .ready: events.yield(.ready(index))
        case .stdout(let bytes): printer.show(bytes, node: index, stream: .out)
        case .stderr(let bytes): printer.show(bytes, node: index, stream: .err)
        case .lineEnded(let status):
            printer.lineEnded(node: index)
            events.yield(.lineEnded(index, status: status))
        }
    }
}

/// The live output of every attached node, written as it comes (each node's driver thread calls
/// it; the lock keeps lines whole and in order).
final class AttachPrinter: Sendable {
    private struct State {
        var formatter: AttachOutputFormatter
        var lastByte: [Int: [AttachOutputFormatter.Stream: UInt8]] = [:]
    }
    private let state: Mutex<State>
    private let console: any Console

    init(names: [String], color: Bool, console: any Console) {
        state = Mutex(State(formatter: AttachOutputFormatter(names: names, color: color)))
        self.console = console
    }

    func show(_ bytes: [UInt8], node: Int, stream: AttachOutputFormatter.Stream) {
        guard let last = bytes.last else { return }
        state.withLock { state in
            state.lastByte[node, default: [:]][stream] = last
            write(state.formatter.text(bytes, node: node, stream: stream), stream)
        }
    }

    /// The node's line ended (or its session): what it held, and a newline where its output had none.
    func lineEnded(node: Int) {
        state.withLock { state in
            let texts = state.formatter.lineEnded(node: node, lastByte: state.lastByte[node] ?? [:])
            state.lastByte[node] = nil
            for stream in [AttachOutputFormatter.Stream.out, .err] { write(texts[stream] ?? "", stream) }
        }
    }

    private func write(_ text: String, _ stream: AttachOutputFormatter.Stream) {
        guard !text.isEmpty else { return }
        if stream == .out { console.out(text) } else { console.err(text) }
    }
}
