import Crypto

/// What the receiver on the node says (`PutReceiverScript`), read from the session's output:
/// one line per answer, each starting with the marker. Other output (a login banner, a shell's
/// complaint) is kept as text for the error message. Pure: bytes in, answers out.
public struct PutReplies: Sendable {
    public enum Reply: Sendable, Equatable {
        /// The terminal is raw: the stream may start.
        case ready
        /// A file is in place, with the digest the node computed.
        case stored(path: String, sha256: String)
        /// A file was left alone: one exists there (no `--force`), or a directory does.
        case exists(path: String)
        case isDirectory(path: String)
        /// The bytes that arrived do not hash to the digest sent: the file was not kept.
        case badDigest(path: String, sha256: String)
        /// The receiver stopped: why.
        case failed(String)
        /// A directory record (made, or its mode set) was handled: the receiver is working, so
        /// the stall deadline sees progress through a long run of them.
        case directoryHandled
        /// Every record was handled.
        case done
    }

    private var line: [UInt8] = []
    /// Output that was not an answer (the last 4 KiB), for the message when the receiver fails.
    public private(set) var otherOutput: [UInt8] = []
    /// Longer lines are not the receiver's: they are cut, so memory stays bounded.
    static let lineLimit = 64 * 1024

    public init() {}

    public mutating func feed(_ bytes: [UInt8]) -> [Reply] {
        var replies: [Reply] = []
        for byte in bytes {
            if byte == 0x0A {
                if let reply = Self.parse(line) { replies.append(reply) } else { keepOther(line + [0x0A]) }
                line.removeAll(keepingCapacity: true)
            } else if line.count < Self.lineLimit {
                line.append(byte)
            }
        }
        return replies
    }

    private mutating func keepOther(_ bytes: [UInt8]) {
        otherOutput += bytes
        if otherOutput.count > 4096 { otherOutput.removeFirst(otherOutput.count - 4096) }
    }

    static func parse(_ line: [UInt8]) -> Reply? {
        var text = String(decoding: line, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }  // the pty adds CR before it is raw
        guard text.hasPrefix(PutReceiverScript.marker + " ") else { return nil }
        let words = text.dropFirst(PutReceiverScript.marker.count + 1).split(separator: " ", maxSplits: 2).map(String.init)
        func path(_ index: Int) -> String? {
            guard index < words.count, let bytes = Base64.decode(words[index]) else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        }
        switch words.first {
        case "READY": return .ready
        case "DONE": return .done
        case "DIR": return .directoryHandled
        case "OK": return path(1).flatMap { p in words.count > 2 ? .stored(path: p, sha256: words[2]) : nil }
        case "EXISTS": return path(1).map { .exists(path: $0) }
        case "ISDIR": return path(1).map { .isDirectory(path: $0) }
        case "BADSUM": return path(1).flatMap { p in words.count > 2 ? .badDigest(path: p, sha256: words[2]) : nil }
        case "FAIL": return .failed(words.dropFirst().joined(separator: " "))
        default: return nil
        }
    }
}
