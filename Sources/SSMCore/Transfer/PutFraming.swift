import Crypto

/// The byte stream `put` sends to the receiver on the node (`PutReceiverScript`), once the
/// receiver said READY. One line per record, a file's bytes right after its line:
///
///     D <mode> <path>\n                          make the directory
///     F <mode> <size> <path>\n <size bytes> <sha256 hex>\n
///     M <mode> <path>\n                          a directory's mode, set once its contents are in
///     E\n                                        the end
///
/// Paths are base64 (any byte but NUL may be in a name; the receiver's `read` splits on spaces).
/// The length comes first so the receiver reads exactly the file's bytes (`head -c`), and the
/// digest after them so the sender hashes as it reads, in one pass.
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

    /// The line that starts a record (for a file, its bytes and `trailer` follow).
    public static func header(_ record: Record) -> [UInt8] {
        switch record {
        case .directory(let entry): return Array("D \(entry.mode.octal) \(Base64.encode(Array(entry.path.utf8)))\n".utf8)
        case .file(let entry): return Array("F \(entry.mode.octal) \(entry.size) \(Base64.encode(Array(entry.path.utf8)))\n".utf8)
        case .mode(let entry): return Array("M \(entry.mode.octal) \(Base64.encode(Array(entry.path.utf8)))\n".utf8)
        case .end: return Array("E\n".utf8)
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
