public import AWSCore
import Crypto
import Glibc
public import SessionProtocol

/// The one poll loop of every session (connect, proxy, forward): it owns poll, read, write and
/// shutdown on the WebSocket, standard input and output and a forward's local connections, feeds
/// what happens to a session machine and performs the actions it returns. All the session's
/// rules live in the machine; this is the thin glue. One instance per session: the machine and
/// the local connections outlive each WebSocket, so `run` is called again after a resume.
/// Blocking: `run` belongs on a dedicated thread.
public final class SessionDriver<Machine: SessionMachine>: @unchecked Sendable {
    /// What the loop may call back into, all from its own thread.
    public struct Hooks: Sendable {
        /// Checked before each poll: true feeds `.stop`.
        public var stopRequested: @Sendable () -> Bool = { false }
        /// Checked after each poll: a new terminal size feeds `.resized`.
        public var takeResize: @Sendable () -> (columns: Int, rows: Int)? = { nil }
        /// KMS GenerateDataKey (may block this thread): (key id, challenge) → (plaintext, blob),
        /// or the sentence that says why not.
        public var dataKey: @Sendable (String, String?) -> Result<([UInt8], [UInt8]), DataKeyFailure> = { _, _ in
            .failure(DataKeyFailure(description: "no KMS client"))
        }
        /// `.record` and `.recordResize`, with the monotonic time they happened at.
        public var recorder: (any SessionRecorder)?
        /// After each round: the machine as it is now (to publish what `forwards` shows).
        public var observe: @Sendable (Machine) -> Void = { _ in }
        /// Where `.stdout` and `.stderr` go instead of descriptors 1 and 2 (`put` and `get` read the
        /// node's answers); false from `output` means nobody reads any more (`.outputClosed`).
        public var output: (@Sendable ([UInt8]) -> Bool)?
        public var errorOutput: (@Sendable ([UInt8]) -> Void)?
        /// The reference plugin's pacing (1 ms after each local read), for side-by-side benchmarks.
        public var pacing = false
        public init() {}
    }

    public private(set) var machine: Machine
    public let locals = LocalConnectionTable()
    private let hooks: Hooks
    public let clock: any MonotonicClock
    private let wallClock: any WallClock
    private let input: Int32?
    private let listener: TCPListener?
    private let inputSize: Int
    /// Message ids: 16 bytes each, drawn 4 KiB at a time (one RAND_bytes call per message cost
    /// more than the rest of an ack).
    private var random = SecureRandomPool()
    /// Standard output and error of this round, written after its sends are flushed (`writeHeldOutput`).
    private var heldOutput: [(descriptor: Int32, bytes: [UInt8])] = []

    /// `input`: standard input's descriptor for stream sessions; `listener`: the forward's.
    public init(
        _ machine: Machine, input: Int32? = nil, inputSize: Int = 1024, listener: TCPListener? = nil,
        clock: any MonotonicClock, wallClock: any WallClock, hooks: Hooks
    ) {
        self.machine = machine
        self.input = input
        self.inputSize = inputSize
        self.listener = listener
        self.clock = clock
        self.wallClock = wallClock
        self.hooks = hooks
    }

    /// Changes the machine from outside a run (the runner, between connections).
    public func update<T>(_ body: (inout Machine) -> T) -> T { body(&machine) }

    /// Performs actions the caller got from the machine between runs (closing local connections).
    public func performLocal(_ actions: [SessionAction]) {
        for action in actions {
            switch action {
            case .closeLocal(let connection, let reset): locals.close(connection, reset: reset)
            case .shutdownLocal(let connection): locals.shutdown(connection)
            default: break
            }
        }
    }

    /// One WebSocket connection of the session, to its end. Specialized for the two machines:
    /// called from another module, a generic loop looks up type metadata at run time on every
    /// round (docs/architecture.md, "Where a forward's time goes").
    @_specialize(exported:true,where Machine == PortSession)
    @_specialize(exported:true,where Machine == StreamSession)
    public func run(_ ws: WebSocketConnection) -> SessionOutcome {
        var outcome: SessionOutcome?
        func feed(_ event: SessionEvent) {
            guard outcome == nil else { return }
            let time = SessionTime(now: clock.seconds(), wall: wallClock.now())
            perform(machine.handle(event, at: time, messageId: { random.bytes(16) }), ws: ws, outcome: &outcome)
        }
        feed(.connected)
        var buffer = [UInt8](repeating: 0, count: max(inputSize, PortSession.payload))
        // Kept across rounds: one round per message at full speed, so no allocation per round.
        var fds: [pollfd] = []
        var sources: [Source] = []
        var lastRead = clock.seconds()
        while outcome == nil {
            if hooks.stopRequested() { feed(.stop) }
            feed(.tick)
            hooks.observe(machine)
            guard outcome == nil else { break }
            // What this round queued (acks, input) goes out in one send before the next poll, and
            // before the round's output is written: that write may block.
            do { try ws.flush() } catch { feed(.connectionLost("\(error)")) }
            guard outcome == nil else { break }
            if !heldOutput.isEmpty {
                writeHeldOutput(feed)
                // What the output's end answered (.outputClosed) goes out before the poll too.
                do { try ws.flush() } catch { feed(.connectionLost("\(error)")) }
                guard outcome == nil else { break }
            }
            let interest = machine.interest
            fds.removeAll(keepingCapacity: true)
            sources.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: ws.socket, events: interest.webSocket ? Int16(POLLIN) : 0, revents: 0))
            sources.append(.webSocket)
            if interest.input, let input {
                fds.append(pollfd(fd: input, events: Int16(POLLIN), revents: 0))
                sources.append(.input)
            }
            if interest.accept, let listener {
                fds.append(pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0))
                sources.append(.listener)
            }
            for connection in interest.localReads.union(interest.localWrites).sorted() {
                guard let fd = locals.descriptor(connection) else { continue }
                var events: Int16 = 0
                if interest.localReads.contains(connection) { events |= Int16(POLLIN) }
                if interest.localWrites.contains(connection) { events |= Int16(POLLOUT) }
                fds.append(pollfd(fd: fd, events: events, revents: 0))
                sources.append(.local(connection))
            }
            // Messages decoded already (the upgrade answer's tail) are announced by no poll.
            let pendingMessages = ws.hasPending && interest.webSocket
            // While the service streams, the socket wakes poll once 16 KiB wait, and what arrived
            // short of that is read once the short wait since the last read passed
            // (WebSocketConnection.streaming): whether poll timed out or another descriptor (a
            // busy local client, piped input) woke it first, which would otherwise hold the tail.
            let streaming = ws.streaming && interest.webSocket
            let ready = pendingMessages ? 0 : poll(&fds, nfds_t(fds.count), streaming ? WebSocketConnection.streamingWait : 50)
            if ready < 0 && errno != EINTR { return .disconnected("poll failed: \(String(cString: strerror(errno)))") }
            let waited = streaming && clock.seconds() - lastRead >= Double(WebSocketConnection.streamingWait) / 1000
            if pendingMessages || fds[0].revents != 0 || waited {
                lastRead = clock.seconds()
                do {
                    for message in try ws.readMessages() { feed(.received(message)) }
                    if ws.closed { feed(.connectionClosed) }
                } catch {
                    feed(.connectionLost("\(error)"))
                }
            }
            var acceptPending = false
            for index in 1..<fds.count where fds[index].revents != 0 && outcome == nil {
                let entry = fds[index]
                switch sources[index] {
                case .webSocket: break
                case .input:
                    let n = read(entry.fd, &buffer, inputSize)
                    if n > 0 {
                        feed(.input(Array(buffer[0..<n])))
                    } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                        feed(.inputEnded)
                    }
                case .listener:
                    acceptPending = true
                case .local(let connection):
                    if entry.revents & Int16(POLLOUT) != 0 { feed(.localWritable(connection)) }
                    // Closed earlier in this round (its stream ended on both sides): not read.
                    guard entry.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0, entry.events & Int16(POLLIN) != 0,
                        locals.descriptor(connection) == entry.fd
                    else { continue }
                    let n = read(entry.fd, &buffer, PortSession.payload)
                    if n > 0 {
                        feed(.localInput(connection, Array(buffer[0..<n])))
                        if hooks.pacing { usleep(1000) }
                    } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
                        feed(.localInputEnded(connection))
                    }
                }
            }
            // After the local entries, so that a connection accepted now is never mistaken for one
            // handled in this round.
            if acceptPending, let listener {
                while outcome == nil, let fd = listener.accept() { feed(.accepted(locals.add(fd))) }
            }
            if let size = hooks.takeResize() { feed(.resized(columns: size.columns, rows: size.rows)) }
        }
        if !ws.closed { try? ws.flush() }
        // What arrived before the end is still shown. Nothing goes to the agent any more, but a
        // failed write still reaches the machine, so that a lost end of the output is never a
        // success (`feed` ignores events once there is an outcome).
        writeHeldOutput { event in
            _ = machine.handle(event, at: SessionTime(now: clock.seconds(), wall: wallClock.now()), messageId: { random.bytes(16) })
        }
        hooks.observe(machine)
        return outcome ?? .ended
    }

    /// Writes the held standard output and error in order. Each write waits as long as the reader
    /// takes (a slow ssh or a paused `less` is no reason to end the session), so it comes after
    /// the round's acks are sent: an ack held behind a blocked write makes the agent resend.
    private func writeHeldOutput(_ feed: (SessionEvent) -> Void) {
        var index = 0
        // Indexed: a failed write's answer may hold more output.
        while index < heldOutput.count {
            let (descriptor, bytes) = heldOutput[index]
            index += 1
            if case .failed = FileDescriptorWriter.writeAll(descriptor, bytes, stallLimit: .infinity), descriptor == 1 {
                feed(.outputClosed)
            }
        }
        heldOutput.removeAll(keepingCapacity: true)
    }

    private enum Source {
        case webSocket, input, listener
        case local(LocalConnection)
    }

    /// Performs actions in order. Sends are queued on the WebSocket and flushed once a round (the
    /// loop's `flush`), so a failing send never skips the writes after it: the machine has
    /// consumed (and acked) those messages; the loss is reported when the flush fails. Standard
    /// output and error are held until after that flush, and the queue is flushed before the
    /// KMS call: nothing that may block comes before the acks.
    private func perform(_ actions: [SessionAction], ws: WebSocketConnection, outcome: inout SessionOutcome?) {
        var lost: String?
        func answer(_ event: SessionEvent) {
            let time = SessionTime(now: clock.seconds(), wall: wallClock.now())
            perform(machine.handle(event, at: time, messageId: { random.bytes(16) }), ws: ws, outcome: &outcome)
        }
        for action in actions {
            switch action {
            case .send(let opcode, let bytes):
                guard lost == nil else { continue }
                ws.enqueue(opcode, bytes)
            case .stdout(let bytes) where hooks.output != nil:
                if hooks.output?(bytes) == false { answer(.outputClosed) }
            case .stderr(let bytes) where hooks.errorOutput != nil:
                hooks.errorOutput?(bytes)
            case .stdout(let bytes):
                heldOutput.append((1, bytes))
            case .stderr(let bytes):
                heldOutput.append((2, bytes))
            case .record(let bytes):
                hooks.recorder?.output(bytes, at: clock.seconds())
            case .recordResize(let columns, let rows):
                hooks.recorder?.resize(columns: columns, rows: rows, at: clock.seconds())
            case .writeLocal(let connection, let bytes):
                guard let fd = locals.descriptor(connection) else { answer(.localWriteFailed(connection)); continue }
                switch FileDescriptorWriter.writeAvailable(fd, bytes) {
                case .some(let count): answer(.localWrote(connection, count: count))
                case .none: answer(.localWriteFailed(connection))
                }
            case .shutdownLocal(let connection):
                locals.shutdown(connection)
            case .closeLocal(let connection, let reset):
                locals.close(connection, reset: reset)
            case .requestDataKey(let keyId, let challenge):
                // The handshake request's ack goes out first: KMS may take long, or even ask an MFA
                // question, and an unacked request is resent by the agent meanwhile.
                if lost == nil {
                    do { try ws.flush() } catch { lost = "\(error)" }
                }
                switch hooks.dataKey(keyId, challenge) {
                case .success(let (plaintext, blob)): answer(.dataKey(plaintext: plaintext, ciphertextBlob: blob))
                case .failure(let failure): answer(.dataKeyFailed(failure.description))
                }
            case .end(let end):
                guard outcome == nil else { continue }
                outcome = end
                // The Close goes out before the connection is released (hung up).
                if lost == nil, !ws.closed {
                    if let payload = end.closePayload { ws.enqueue(.close, payload) }
                    do { try ws.flush() } catch { lost = "\(error)" }
                }
            }
        }
        if let lost, outcome == nil { answer(.connectionLost(lost)) }
    }
}

/// Where a session's recording goes (`connect --record`): output and resizes at monotonic times.
public protocol SessionRecorder: Sendable {
    func output(_ bytes: [UInt8], at time: Double)
    func resize(columns: Int, rows: Int, at time: Double)
}

/// Why KMS GenerateDataKey gave no key: the sentence for the handshake response.
public struct DataKeyFailure: Error, Sendable {
    public let description: String
    public init(description: String) { self.description = description }
}
