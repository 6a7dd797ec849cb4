import SSMCore
import Synchronization
import SystemIO

/// One node's `get`: the sender's output (`GetStreamDecoder`) written to local files as it
/// arrives, each under a temporary name (`PartialFile`) renamed into place once its sha256 matches
/// the node's. Called on the session's thread; read after the session ends.
final class GetReceiver: Sendable {
    let destination: String
    let into: Bool
    let force: Bool
    /// The local umask: it applies to what `get` makes, as it does to cp's copies.
    let creationMask: UInt16
    /// File bytes received so far, and the size the node announced (the progress bar's counts).
    let received = Atomic<Int>(0)
    let announced = Atomic<Int>(0)
    /// Output bytes of any kind: the stall deadline's count.
    let moved = Atomic<Int>(0)
    /// The session's input: the newline that lets the sender exit once END is in.
    let acknowledgement: BytePipe

    private struct State {
        var decoder = GetStreamDecoder()
        var current: PartialFile?
        var currentMode: UInt16 = 0
        var skipping = false
        var directories: [(path: String, mode: UInt16)] = []
        var files = 0
        var problems: [String] = []
        var notes: [String] = []
        var errorOutput: [UInt8] = []
        var ended = false
    }
    private let state = Mutex(State())

    init(destination: String, into: Bool, force: Bool, creationMask: UInt16) throws {
        acknowledgement = try BytePipe()
        self.creationMask = creationMask
        self.destination = destination
        self.into = into
        self.force = force
    }

    /// The session's output; false stops the session (a local write failed).
    func output(_ bytes: [UInt8]) -> Bool {
        moved.add(bytes.count, ordering: .relaxed)
        return state.withLock { state in
            for event in state.decoder.feed(bytes) {
                guard handle(event, &state) else { return false }
            }
            return true
        }
    }

    func errorOutput(_ bytes: [UInt8]) {
        state.withLock {
            $0.errorOutput += bytes
            if $0.errorOutput.count > 4096 { $0.errorOutput.removeFirst($0.errorOutput.count - 4096) }
        }
    }

    private func handle(_ event: GetStreamDecoder.Event, _ state: inout State) -> Bool {
        switch event {
        case .directory(let entry):
            let path = TransferEntry.landing(entry.path, at: destination, into: into)
            let made: Bool
            do { made = try LocalTree.makeDirectory(path) } catch {
                state.problems.append("cannot make the directory \(path): \(error)")
                return false
            }
            // A directory that was here keeps its mode: only the ones this copy made get the node's.
            if made { state.directories.append((path, localMode(entry.mode))) }
        case .fileBegin(let entry):
            let path = TransferEntry.landing(entry.path, at: destination, into: into)
            // Only this thread adds; each size is at most 2^53, the sum is kept below 2^62.
            announced.store(min(announced.load(ordering: .relaxed) + entry.size, 1 << 62), ordering: .relaxed)
            state.skipping = true
            state.currentMode = localMode(entry.mode)
            if LocalTree.isDirectory(path) {
                state.problems.append("\(path) is a directory here; the file was not copied")
            } else if LocalTree.exists(path) && !force {
                state.problems.append("\(path) exists; --force replaces it")
            } else {
                do {
                    state.current = try PartialFile(target: path)
                    state.skipping = false
                } catch {
                    state.problems.append("cannot write \(path): \(error)")
                    return false
                }
            }
        case .data(let bytes):
            received.add(bytes.count, ordering: .relaxed)
            guard let file = state.current else { break }
            do { try file.write(bytes) } catch {
                state.problems.append("\(error)")
                file.abandon()
                state.current = nil
                return false
            }
        case .fileEnd(let expected, let got):
            guard let file = state.current else { break }
            state.current = nil
            guard expected == got else {
                file.abandon()
                state.problems.append("\(file.target) arrived changed (its sha256 differs from the node's) and was not kept")
                break
            }
            do {
                try file.finish(mode: state.currentMode, replace: force)
                state.files += 1
            } catch {
                file.abandon()
                state.problems.append("cannot put \(file.target) in place: \(error)")
            }
        case .skipped(let path, let reason):
            state.notes.append("\(path) was left out (\(reason))")
        case .failed(let why):
            state.problems.append(why)
            return false
        case .end:
            state.ended = true
            acknowledgement.write([0x0A])
            acknowledgement.closeWriting()
        }
        return true
    }

    /// The node's permission bits without setuid, setgid and sticky (a hostile node must not
    /// plant a setuid file), less the local umask.
    private func localMode(_ mode: UInt16) -> UInt16 { mode & 0o777 & ~creationMask }

    /// After the session: directory modes set (deepest first, once their files are in), and
    /// what went wrong.
    func finish(sessionProblem: String?) -> (files: Int, problems: [String], notes: [String]) {
        state.withLock { state in
            state.current?.abandon()
            state.current = nil
            for directory in state.directories.reversed() { LocalTree.setMode(directory.path, directory.mode) }
            var problems = state.problems
            if !state.ended && problems.isEmpty {
                let said = TransferProblem.tail(state.errorOutput + state.decoder.otherOutput)
                problems.append(
                    "the node's output ended before everything was sent" + (sessionProblem.map { " (\($0))" } ?? "") + (said.isEmpty ? "" : ": \(said)"))
            }
            return (state.files, problems, state.notes)
        }
    }
}
