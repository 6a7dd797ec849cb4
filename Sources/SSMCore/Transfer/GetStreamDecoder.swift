import Crypto

/// Reads what `GetSenderScript` prints, as it arrives in pieces of any size: the entries, each
/// file's bytes decoded from base64 and hashed, and each file's end with both digests. Pure:
/// output bytes in, events out. Memory stays bounded: a line other than file data is cut at
/// `lineLimit`, and file data is decoded as it comes.
public struct GetStreamDecoder {
    public enum Event: Equatable {
        case directory(TransferEntry)
        case fileBegin(TransferEntry)
        case data([UInt8])
        /// A file's bytes are all in: the digest the node computed and the one of what was decoded.
        case fileEnd(expected: String, received: String)
        /// The node left this out, and why (a link, an unreadable file).
        case skipped(path: String, reason: String)
        /// The sender stopped or printed what it never prints: the copy cannot go on.
        case failed(String)
        /// Everything was sent.
        case end
    }

    private enum State {
        case lines
        /// Inside a file's base64 line: up to three characters carried to the next piece.
        case data
        /// After a file's data: its `S` line is next.
        case digest
        case finished
    }

    private var state = State.lines
    private var line: [UInt8] = []
    private var quartet: [UInt8] = []
    private var hash: SHA256Stream?
    /// Output that was not the sender's (the last 4 KiB), for the message when it fails.
    public private(set) var otherOutput: [UInt8] = []
    static let lineLimit = 64 * 1024
    private static let prefix = Array((GetSenderScript.marker + " ").utf8)

    public init() {}

    /// The sender printed END (or failed): nothing more is expected.
    public var finished: Bool { if case .finished = state { return true } else { return false } }

    public mutating func feed(_ bytes: [UInt8]) -> [Event] {
        var events: [Event] = []
        var index = 0
        while index < bytes.count {
            switch state {
            case .finished:
                return events
            case .data:
                let end = bytes[index...].firstIndex(of: 0x0A) ?? bytes.count
                switch decode(bytes[index..<end]) {
                case .some(let decoded):
                    if !decoded.isEmpty {
                        hash?.update(decoded)
                        events.append(.data(decoded))
                    }
                case .none:
                    state = .finished
                    return events + [.failed("the node's output is not the file's base64: the copy is out of step")]
                }
                index = end
                if end < bytes.count {
                    index += 1
                    guard quartet.isEmpty else {
                        state = .finished
                        return events + [.failed("a file's base64 ended in the middle of a group of four characters")]
                    }
                    state = .digest
                }
            case .lines, .digest:
                let byte = bytes[index]
                index += 1
                guard byte == 0x0A else {
                    if line.count < Self.lineLimit { line.append(byte) }
                    continue
                }
                let event = lineEvent(line)
                line.removeAll(keepingCapacity: true)
                if let event {
                    events.append(event)
                    if case .failed = event { state = .finished; return events }
                    if case .end = event { state = .finished; return events }
                }
            }
        }
        return events
    }

    /// One whole line outside file data.
    private mutating func lineEvent(_ line: [UInt8]) -> Event? {
        guard line.starts(with: Self.prefix) else {
            if case .digest = state { return .failed("the node printed no digest after a file") }
            otherOutput += line + [0x0A]
            if otherOutput.count > 4096 { otherOutput.removeFirst(otherOutput.count - 4096) }
            return nil
        }
        let words = String(decoding: line.dropFirst(Self.prefix.count), as: UTF8.self).split(separator: " ", maxSplits: 3).map(String.init)
        if case .digest = state {
            guard words.count == 2, words[0] == "S" else { return .failed("the node printed no digest after a file") }
            state = .lines
            return .fileEnd(expected: words[1], received: hash.take()?.hex() ?? "")
        }
        func path(_ word: String) -> String? {
            guard let bytes = Base64.decode(word) else { return nil }
            let path = String(decoding: bytes, as: UTF8.self)
            return TransferEntry.isSafe(path) ? path : nil
        }
        switch words.first {
        case "D":
            guard words.count == 3, let mode = UInt16(words[1], radix: 8), let path = path(words[2]) else { break }
            return .directory(TransferEntry(kind: .directory, path: path, mode: mode & 0o7777))
        case "F":
            guard words.count == 4, let mode = UInt16(words[1], radix: 8), let size = Int(words[2]), size >= 0, let path = path(words[3]) else { break }
            state = .data
            hash = SHA256Stream()
            return .fileBegin(TransferEntry(kind: .file(size: size), path: path, mode: mode & 0o7777))
        case "SKIP":
            guard words.count >= 2, let path = path(words[1]) else { break }
            return .skipped(path: path, reason: words.dropFirst(2).joined(separator: " "))
        case "FAIL":
            return .failed(words.dropFirst().joined(separator: " "))
        case "END":
            return .end
        default:
            break
        }
        return .failed("the node printed a line this client does not understand: \(String(decoding: line.prefix(200), as: UTF8.self))")
    }

    /// Base64 characters to bytes, whole groups of four at a time; nil for any other character,
    /// or for anything after a group with `=` padding. An unfinished group waits for the next piece.
    private mutating func decode(_ chars: ArraySlice<UInt8>) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: (chars.count + quartet.count) / 4 * 3)
        var written = 0
        var group: UInt32 = 0
        var filled = 0
        var padding = 0
        var closed = false
        let carried = quartet
        let valid = out.withUnsafeMutableBufferPointer { output in
            Self.table.withUnsafeBufferPointer { table in
                func step(_ c: UInt8) -> Bool {
                    let value = table[Int(c)]
                    if value == 0xFF || closed { return false }
                    if value == 0xFE {
                        guard filled >= 2 else { return false }
                        padding += 1
                        group <<= 6
                    } else {
                        guard padding == 0 else { return false }
                        group = group << 6 | UInt32(value)
                    }
                    filled += 1
                    if filled == 4 {
                        output[written] = UInt8(truncatingIfNeeded: group >> 16)
                        output[written + 1] = UInt8(truncatingIfNeeded: group >> 8)
                        output[written + 2] = UInt8(truncatingIfNeeded: group)
                        written += 3 - padding
                        closed = padding > 0
                        group = 0
                        filled = 0
                    }
                    return true
                }
                for c in carried where !step(c) { return false }
                let whole = chars.withContiguousStorageIfAvailable { buffer -> Bool in
                    for c in buffer where !step(c) { return false }
                    return true
                }
                return whole ?? chars.allSatisfy { step($0) }
            }
        }
        guard valid else { return nil }
        let kept = filled
        quartet = kept <= chars.count ? Array(chars.suffix(kept)) : Array((carried + chars).suffix(kept))
        out.removeLast(out.count - written)
        return out
    }

    /// The base64 alphabet's values; 0xFE for `=`, 0xFF for anything else.
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() { table[Int(c)] = UInt8(value) }
        table[Int(UInt8(ascii: "="))] = 0xFE
        return table
    }()
}
