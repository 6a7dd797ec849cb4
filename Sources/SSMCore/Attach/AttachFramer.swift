/// Reads one attached node's shell output (`AttachScript`), as it arrives in pieces of any size,
/// and says what it means: the shell is ready, a line's standard output, its standard error, the
/// line's end with its exit status. Pure: bytes in, events out.
///
/// The node's side runs on a pty, which merges everything into one stream; the script frames what
/// is not plain output. Every frame starts with `AttachScript.frameStart`, a kind letter and the
/// session's nonce, and ends at a newline:
/// - `R` the shell is set up (echo off, empty prompts): everything before it is discarded;
/// - `E:` one line of standard error, through the filter the script starts (its last line's
///   newline is not known until the next line, so it is owed until then); `E:S` and a line's
///   nonce is that line's last standard error (the filter is a process of its own, so the line's
///   end on standard output may come before it);
/// - `A` a line's nonce, a space and its exit status.
/// A line ends once one of its nonces has both its `A` and its `E:S`. After Ctrl-C the client
/// sends a resync (`AttachScript.resync`) with a nonce of its own, because the interrupt may
/// discard the line's own ending (the tty flushes its input queue on SIGINT); the line ends with
/// whichever nonce completes first, and the framer is idle again once the last one sent did.
/// A frame whose nonce is not one awaited is shown as output: text that merely looks like a frame.
public struct AttachFramer: Sendable {
    public enum Event: Sendable, Equatable {
        /// The shell is set up: lines may be sent.
        case ready
        case stdout([UInt8])
        case stderr([UInt8])
        /// The running line ended with this exit status.
        case lineEnded(status: Int32)
    }

    public enum Phase: Sendable, Equatable {
        /// Waiting for the ready frame.
        case starting
        /// No line running: the next may be sent.
        case idle
        /// A line is running.
        case running
        /// The line has ended; a resync sent after Ctrl-C is still to come back.
        case draining
    }

    public private(set) var phase = Phase.starting
    private let header: [UInt8]
    /// Nonces sent for the current line, in order (the line's own, then each resync's).
    private var awaited: [String] = []
    /// Of those: the status from `A`, and whether `E:S` came.
    private var statuses: [String: Int32] = [:]
    private var synced: Set<String> = []
    /// Nonces of earlier lines' resyncs that may still come back: their frames are dropped.
    private var stale: Set<String> = []
    static let staleLimit = 16
    /// A newline is owed to standard error before its next byte (see the type's comment).
    private var stderrNewlineOwed = false
    /// After Ctrl-C an interactive shell writes a newline (dash and bash do) before its next
    /// command: not the line's output, so it is not shown when it is the first byte to come.
    private var interruptNewline = false

    private enum Scan {
        case text
        /// `matched` bytes of a frame's header so far (kind letter at index 2).
        case header(matched: Int, kind: UInt8)
        /// After a header: the frame's bytes up to its newline.
        case tail(kind: UInt8, bytes: [UInt8])
        /// A standard error line too long to hold: its bytes go out as they come.
        case streamingStderr
    }
    private var scan = Scan.text
    /// A frame's tail longer than this is not one of ours (`A`, `R`) or is streamed (`E`).
    static let tailLimit = 4096

    /// `session`: the nonce of this session's script (`AttachScript.setup`).
    public init(session: String) {
        header = AttachScript.frameStart + [0] + Array(session.utf8)
    }

    /// A line was sent with this nonce (only when `phase` is idle).
    public mutating func begin(nonce: String) {
        interruptNewline = false
        // Resyncs still to come back from the line before (a Ctrl-C as it ended): theirs.
        if phase == .draining { stale = Set((Array(stale) + awaited).suffix(Self.staleLimit)) }
        awaited = [nonce]
        statuses = [:]
        synced = []
        phase = .running
    }

    /// Ctrl-C was sent, then a resync with this nonce.
    public mutating func interrupted(resync nonce: String) {
        guard phase == .running || phase == .draining else { return }
        awaited.append(nonce)
        interruptNewline = true
    }

    public mutating func feed(_ bytes: [UInt8]) -> [Event] {
        var events: [Event] = []
        var out: [UInt8] = []
        func flushOut() {
            if interruptNewline, let first = out.first {
                interruptNewline = false
                if first == 0x0A { out.removeFirst() }
            }
            guard !out.isEmpty else { return }
            if phase != .starting { events.append(.stdout(out)) }
            out.removeAll()
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch scan {
            case .text:
                // Plain output up to the next possible frame, in one piece.
                let end = bytes[index...].firstIndex(of: header[0]) ?? bytes.count
                out += bytes[index..<end]
                index = end
                if end < bytes.count {
                    scan = .header(matched: 1, kind: 0)
                    index += 1
                }
            case .header(let matched, let kind):
                let fits = matched == 2 ? Self.kinds.contains(byte) : byte == header[matched]
                guard fits else {
                    // Not a frame: what was held is output; this byte is looked at afresh (the
                    // header's first byte appears nowhere else in it).
                    out += held(matched: matched, kind: kind)
                    scan = .text
                    continue
                }
                index += 1
                let kindNow = matched == 2 ? byte : kind
                scan = matched + 1 == header.count ? .tail(kind: kindNow, bytes: []) : .header(matched: matched + 1, kind: kindNow)
            case .tail(let kind, var tail):
                // A frame start inside a status or ready frame: the bytes held were cut (the tty
                // flushes pending output on Ctrl-C); they are output, and the new frame is read.
                if byte == header[0], kind != Self.stderrKind {
                    out += frameBytes(kind, tail)
                    scan = .text
                    continue
                }
                index += 1
                if byte != 0x0A {
                    tail.append(byte)
                    if tail.count <= Self.tailLimit {
                        scan = .tail(kind: kind, bytes: tail)
                        continue
                    }
                    flushOut()
                    if kind == Self.stderrKind, tail.first == 0x3A {
                        stderrLine(Array(tail.dropFirst()), finished: false, events: &events)
                        scan = .streamingStderr
                    } else {
                        out += frameBytes(kind, tail)
                        scan = .text
                    }
                    continue
                }
                scan = .text
                flushOut()
                if !frame(kind, tail, events: &events) { out += frameBytes(kind, tail) + [0x0A] }
            case .streamingStderr:
                let end = bytes[index...].firstIndex(of: 0x0A) ?? bytes.count
                if phase != .starting, end > index { events.append(.stderr(Array(bytes[index..<end]))) }
                index = end
                if end < bytes.count {
                    index += 1
                    stderrNewlineOwed = true
                    scan = .text
                }
            }
        }
        flushOut()
        return events
    }

    /// The session ended: whatever was held is output. The caller reports a line cut short.
    public mutating func finish() -> [Event] {
        var held: [UInt8] = []
        switch scan {
        case .text, .streamingStderr: break
        case .header(let matched, let kind): held = self.held(matched: matched, kind: kind)
        case .tail(let kind, let tail): held = frameBytes(kind, tail)
        }
        scan = .text
        let wasStarting = phase == .starting
        phase = .starting
        return held.isEmpty || wasStarting ? [] : [.stdout(held)]
    }

    static let stderrKind = UInt8(ascii: "E")
    static let statusKind = UInt8(ascii: "A")
    static let readyKind = UInt8(ascii: "R")
    static let kinds: Set<UInt8> = [stderrKind, statusKind, readyKind]

    /// The first `matched` bytes of a header, with its kind letter.
    private func held(matched: Int, kind: UInt8) -> [UInt8] {
        Array(header[0..<min(matched, 2)]) + (matched > 2 ? [kind] + header[3..<matched] : [])
    }

    /// A frame's bytes as they came (it was not one of ours after all), without its newline.
    private func frameBytes(_ kind: UInt8, _ tail: [UInt8]) -> [UInt8] {
        Array(header[0..<2]) + [kind] + header[3...] + tail
    }

    /// A whole frame; false when it is not one this framer awaits (it is then output).
    private mutating func frame(_ kind: UInt8, _ whole: [UInt8], events: inout [Event]) -> Bool {
        // A Windows console ends its lines with CRLF.
        let tail = whole.last == 0x0D ? Array(whole.dropLast()) : whole
        switch kind {
        case Self.readyKind:
            guard phase == .starting, tail.isEmpty else { return false }
            phase = .idle
            events.append(.ready)
            return true
        case Self.statusKind:
            guard let space = tail.lastIndex(of: 0x20) else { return false }
            let nonce = String(decoding: tail[..<space], as: UTF8.self)
            if stale.contains(nonce) { return true }
            guard awaited.contains(nonce), statuses[nonce] == nil,
                let status = Int32(String(decoding: tail[(space + 1)...], as: UTF8.self))
            else { return false }
            statuses[nonce] = status
            completeIfDone(events: &events)
            return true
        case Self.stderrKind:
            guard tail.first == 0x3A else { return false }
            let line = Array(tail.dropFirst())
            if line.first == UInt8(ascii: "S") {
                let nonce = String(decoding: line.dropFirst(), as: UTF8.self)
                if stale.contains(nonce) { return true }
                if awaited.contains(nonce), !synced.contains(nonce) {
                    synced.insert(nonce)
                    stderrNewlineOwed = false
                    completeIfDone(events: &events)
                    return true
                }
            }
            stderrLine(line, finished: true, events: &events)
            return true
        default:
            return false
        }
    }

    /// One line from the standard error filter (or the start of a long one).
    private mutating func stderrLine(_ line: [UInt8], finished: Bool, events: inout [Event]) {
        let bytes = (stderrNewlineOwed ? [0x0A] : []) + line
        stderrNewlineOwed = finished
        if phase != .starting, !bytes.isEmpty { events.append(.stderr(bytes)) }
    }

    /// The line ends with the first nonce that has both its parts; nonces sent before it can no
    /// longer come (the shell runs them in order), later ones still will.
    private mutating func completeIfDone(events: inout [Event]) {
        guard let done = awaited.firstIndex(where: { statuses[$0] != nil && synced.contains($0) }) else { return }
        if phase == .running, let status = statuses[awaited[done]] { events.append(.lineEnded(status: status)) }
        awaited.removeFirst(done + 1)
        phase = awaited.isEmpty ? .idle : .draining
    }
}
