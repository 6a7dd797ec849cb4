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
            guard words.count == 4, let mode = UInt16(words[1], radix: 8), let size = Int(words[2]), size >= 0, size <= TransferEntry.largestSize,
                let path = path(words[3])
            else { break }
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
    /// or for `=` padding anywhere but in a line's last group. An unfinished group waits for the
    /// next piece.
    private mutating func decode(_ chars: ArraySlice<UInt8>) -> [UInt8]? {
        var rest = chars
        var out: [UInt8] = []
        if !quartet.isEmpty {
            let need = 4 - quartet.count
            guard rest.count >= need else {
                quartet += rest
                return []
            }
            let group = quartet + rest.prefix(need)
            rest = rest.dropFirst(need)
            guard let head = Self.decodeGroups(group[...]), head.count == 3 || rest.isEmpty else { return nil }
            out = head
            quartet = []
        }
        let whole = rest.count / 4 * 4
        guard let body = Self.decodeGroups(rest.prefix(whole)) else { return nil }
        // Padding closes the line: nothing may follow it in this piece.
        if body.count < whole / 4 * 3 && whole < rest.count { return nil }
        quartet = Array(rest.dropFirst(whole))
        return out.isEmpty ? body : out + body
    }

    /// Whole groups of four characters (a multiple of four), decoded in one pass over the bytes
    /// with no state outside the loop (it runs for every byte of every file).
    private static func decodeGroups(_ chars: ArraySlice<UInt8>) -> [UInt8]? {
        guard !chars.isEmpty else { return [] }
        let decoded = chars.withContiguousStorageIfAvailable { input -> [UInt8]? in
            table.withUnsafeBufferPointer { table -> [UInt8]? in
                var valid = true
                let bytes = [UInt8](unsafeUninitializedCapacity: input.count / 4 * 3) { out, written in
                    var i = 0
                    var w = 0
                    while i < input.count {
                        let a = table[Int(input[i])]
                        let b = table[Int(input[i + 1])]
                        let c = table[Int(input[i + 2])]
                        let d = table[Int(input[i + 3])]
                        if a | b | c | d < 64 {
                            out[w] = a << 2 | b >> 4
                            out[w + 1] = b << 4 | c >> 2
                            out[w + 2] = c << 6 | d
                            w += 3
                        } else if a < 64 && b < 64 && i + 4 == input.count && (c < 64 || c == 0xFE) && d == 0xFE {
                            // The last group, padded: `xx==` is one byte, `xxx=` two.
                            out[w] = a << 2 | b >> 4
                            w += 1
                            if c < 64 {
                                out[w] = b << 4 | c >> 2
                                w += 1
                            }
                        } else {
                            valid = false
                            break
                        }
                        i += 4
                    }
                    written = w
                }
                return valid ? bytes : nil
            }
        }
        guard let decoded else { return decodeGroups(ArraySlice(Array(chars))) }
        return decoded
    }

    /// The base64 alphabet's values; 0xFE for `=`, 0xFF for anything else.
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() { table[Int(c)] = UInt8(value) }
        table[Int(UInt8(ascii: "="))] = 0xFE
        return table
    }()
}
