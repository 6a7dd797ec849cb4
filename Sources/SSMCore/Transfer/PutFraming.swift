import Crypto

/// The byte stream `put` sends to the receiver on the node (`PutReceiverScript`), once the
/// receiver said READY. Each record is a fixed-length head, a kind and its body's length in 8
/// digits, then the body; a file's bytes and digest follow its record:
///
///     D<len>mode path                            make the directory
///     F<len>mode size path  <size bytes> <sha256 hex>\n
///     M<len>mode path                            a directory's mode, set once its contents are in
///     E00000000                                  the end
///
/// The receiver reads every part with `head -c` and an exact count, never with sh's `read`:
/// bash (/bin/sh on Amazon Linux and RHEL) reads a terminal up to 4 KiB at a time, so a `read`
/// takes the file bytes that follow its line with it. Paths are base64 (no spaces to split on).
/// The length comes first so the receiver reads exactly the file's bytes, and the digest after
/// them so the sender hashes as it reads, in one pass. Windows nodes read lines (`line`).
public enum PutFraming {
    public enum Record: Sendable, Equatable {
        case directory(TransferEntry)
        case file(TransferEntry)
        case mode(TransferEntry)
        case end
    }

    /// The records for entries listed parents first: directories made first, their modes set
    /// last and deepest first (a read-only directory would refuse the files meant for it).
    public static func records(_ entries: [TransferEntry]) -> [Record] {
        var records: [Record] = []
        var directories: [TransferEntry] = []
        for entry in entries {
            switch entry.kind {
            case .directory:
                records.append(.directory(entry))
                directories.append(entry)
            case .file: records.append(.file(entry))
            }
        }
        return records + directories.reversed().map(Record.mode) + [.end]
    }

    /// The head and body of a record (for a file, its bytes and `trailer` follow).
    public static func header(_ record: Record) -> [UInt8] {
        let (kind, body) = parts(record)
        let length = String(body.utf8.count)
        return Array((kind + String(repeating: "0", count: max(0, headDigits - length.count)) + length + body).utf8)
    }

    /// The digits of a body's length in a record's head: the head is 9 bytes.
    public static let headDigits = 8

    /// A record as one line, for Windows nodes, whose receiver reads lines.
    public static func line(_ record: Record) -> [UInt8] {
        let (kind, body) = parts(record)
        return Array((body.isEmpty ? kind : kind + " " + body).utf8 + [0x0A])
    }

    private static func parts(_ record: Record) -> (String, String) {
        switch record {
        case .directory(let entry): return ("D", "\(entry.mode.octal) \(Base64.encode(Array(entry.path.utf8)))")
        case .file(let entry): return ("F", "\(entry.mode.octal) \(entry.size) \(Base64.encode(Array(entry.path.utf8)))")
        case .mode(let entry): return ("M", "\(entry.mode.octal) \(Base64.encode(Array(entry.path.utf8)))")
        case .end: return ("E", "")
        }
    }

    /// Windows nodes (`PutReceiverScript.powerShell`) take a file's bytes as base64 lines of this
    /// many bytes each (76 characters), then an empty line.
    public static let lineBytes = 57

    /// Bytes (a multiple of `lineBytes`, but for a file's last piece) as base64 lines.
    public static func base64Lines(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 3 * 4 + bytes.count / lineBytes + 8)
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let end = min(start + lineBytes, bytes.endIndex)
            out += Array(Base64.encode(bytes[start..<end]).utf8)
            out.append(0x0A)
            start = end
        }
        return out
    }

    /// What follows a file's bytes: their SHA-256 in hex.
    public static func trailer(sha256Hex: String) -> [UInt8] { Array((sha256Hex + "\n").utf8) }
}
