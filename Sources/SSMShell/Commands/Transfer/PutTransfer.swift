import SSMCore
import Synchronization
import SystemIO

/// One node's `put`: once the receiver says READY, a thread of its own writes the framed stream
/// (`PutFraming`) into the pipe the session reads as its input, hashing each file as it reads
/// it; the receiver's answers (`PutReplies`) come from the session's output. After the session,
/// `problems` compares what the node stored with what was sent.
final class PutTransfer: Sendable {
    let items: [LocalItem]
    let windows: Bool
    let pipe: BytePipe
    /// File bytes written to the session so far (the progress bar's count).
    let sent = Atomic<Int>(0)
    /// Bytes moved either way (sent, and the receiver's answers): the stall deadline's count.
    let moved = Atomic<Int>(0)
    /// The stream cannot go on (a local file that shrank or failed): the session is stopped.
    let aborted = Atomic<Bool>(false)

    private struct State {
        var replies = PutReplies()
        var answers: [PutReplies.Reply] = []
        var started = false
        /// Every record is in the pipe (or none will be): the stream may end.
        var produced = false
        /// The receiver said DONE; the newline it waits for goes once the stream is all written.
        var doneSaid = false
        var digests: [String: String] = [:]
        var localProblem: String?
    }
    private let state = Mutex(State())

    init(items: [LocalItem], windows: Bool) throws {
        self.items = items
        self.windows = windows
        pipe = try BytePipe()
    }

    var totalBytes: Int { items.reduce(0) { $0 + $1.size } }

    /// The session's output: the receiver's answers; READY starts the stream. DONE is answered
    /// with the newline the receiver waits for before it exits, written after the last record by
    /// the producer's thread. Never written here: this is the session's thread, the one that
    /// empties the pipe, so a DONE that came early (a hostile or broken node) while the producer
    /// had filled the pipe blocked the session for good.
    func output(_ bytes: [UInt8]) -> Bool {
        moved.add(bytes.count, ordering: .relaxed)
        let (start, end) = state.withLock { state -> (Bool, Bool) in
            let replies = state.replies.feed(bytes)
            state.answers += replies
            if replies.contains(.done) && !state.doneSaid {
                state.doneSaid = true
                // DONE before READY: there will be no stream.
                if !state.started {
                    state.started = true
                    state.produced = true
                    return (false, true)
                }
                return (false, state.produced)
            }
            let start = replies.contains(.ready) && !state.started
            if start { state.started = true }
            return (start, false)
        }
        if start { Task.detached { await onDedicatedThread { self.produce() } } }
        if end { Task.detached { await onDedicatedThread { self.endStream() } } }
        return true
    }

    /// The newline after DONE, and the end of the input; once, after the last record.
    private func endStream() {
        pipe.write([0x0A])
        pipe.closeWriting()
    }

    /// Writes every record; blocks while the session's send window is full (the pipe fills).
    /// The pipe stays open after the last record: the newline that follows DONE goes through it.
    private func produce() {
        // Permission bits only: setuid, setgid and sticky are not carried (as cp without -p).
        let entries = items.map {
            TransferEntry(kind: $0.isDirectory ? .directory : .file(size: $0.size), path: $0.relativePath, mode: $0.mode & 0o777)
        }
        // The file records come in the items' order: each is sent from its own item's local path.
        var files = items.filter { !$0.isDirectory }.makeIterator()
        for record in PutFraming.records(entries) {
            guard pipe.write(windows ? PutFraming.line(record) : PutFraming.header(record)) else { return }
            guard case .file(let entry) = record, let item = files.next() else { continue }
            do {
                let digest = try send(item.localPath, size: entry.size)
                state.withLock { $0.digests[entry.path] = digest }
                guard pipe.write(PutFraming.trailer(sha256Hex: digest)) else { return }
            } catch {
                state.withLock { $0.localProblem = "\(error)" }
                aborted.store(true, ordering: .relaxed)
                pipe.closeWriting()
                return
            }
        }
        let doneSaid = state.withLock { state in
            state.produced = true
            return state.doneSaid
        }
        if doneSaid { endStream() }
    }

    /// One file's bytes, exactly `size` of them (raw, or base64 lines for Windows); its digest.
    private func send(_ path: String, size: Int) throws -> String {
        let reader = try FileChunkReader(path)
        let hash = SHA256Stream()
        var left = size
        let chunk = windows ? PutFraming.lineBytes * 1024 : 64 * 1024
        while left > 0 {
            let bytes = try reader.read(min(chunk, left))
            guard !bytes.isEmpty else { throw TransferProblem("\(path) became shorter while it was being sent; send it again") }
            hash.update(bytes)
            guard pipe.write(windows ? PutFraming.base64Lines(bytes[...]) : bytes) else { throw TransferProblem("the session ended") }
            left -= bytes.count
            sent.add(bytes.count, ordering: .relaxed)
            moved.add(bytes.count, ordering: .relaxed)
        }
        if windows && !pipe.write([0x0A]) { throw TransferProblem("the session ended") }
        return hash.hex()
    }

    /// What went wrong on this node, after its session; empty when every file is in place with
    /// the digest that was sent.
    func problems(sessionProblem: String?) -> [String] {
        state.withLock { state in
            var problems: [String] = []
            if let local = state.localProblem { problems.append(local) }
            var stored: [String: String] = [:]
            var done = false
            for answer in state.answers {
                switch answer {
                case .stored(let path, let sha): stored[path] = sha
                case .exists(let path): problems.append("\(path) exists on the node; --force replaces it")
                case .isDirectory(let path): problems.append("\(path) is a directory on the node")
                case .badDigest(let path, _): problems.append("\(path) arrived changed (its sha256 differs) and was not kept")
                case .failed(let why): problems.append(why)
                case .done: done = true
                case .ready, .directoryHandled: break
                }
            }
            var answered = Set(stored.keys)
            for answer in state.answers {
                switch answer {
                case .exists(let path), .isDirectory(let path), .badDigest(let path, _): answered.insert(path)
                default: break
                }
            }
            let failed = state.answers.contains { if case .failed = $0 { return true } else { return false } }
            for item in items where !item.isDirectory {
                guard let sha = stored[item.relativePath] else {
                    // A receiver that says DONE without a word on a file did not store it.
                    if done && !failed && !answered.contains(item.relativePath) {
                        problems.append("\(item.relativePath): the node said it was done without storing it")
                    }
                    continue
                }
                if sha != state.digests[item.relativePath] { problems.append("\(item.relativePath): the node's sha256 differs from the local file's") }
            }
            if problems.isEmpty && !done {
                let said = TransferProblem.tail(state.replies.otherOutput)
                problems.append("the receiver on the node did not finish" + (sessionProblem.map { " (\($0))" } ?? "") + (said.isEmpty ? "" : ": \(said)"))
            }
            return problems
        }
    }

    var storedFiles: Int {
        state.withLock { $0.answers.filter { if case .stored = $0 { return true } else { return false } }.count }
    }
}

/// A transfer's failure, as a sentence.
struct TransferProblem: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }

    /// The last few lines a node printed besides its answers, on one line, for a message.
    static func tail(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.suffix(300), as: UTF8.self)
        return text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map(String.init).filter { !$0.isEmpty }.joined(separator: " / ")
    }
}
