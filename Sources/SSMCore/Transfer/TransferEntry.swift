/// One thing a `put` or `get` copies: a directory or a regular file, named by its path relative
/// to where the copy lands (its first component is the source's own name).
public struct TransferEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case directory
        case file(size: Int)
    }

    public var kind: Kind
    /// `name`, `name/sub/file`: components joined by `/`, never empty, never `.` or `..`.
    public var path: String
    /// The permission bits (`chmod`'s octal: 0o755), without the file type.
    public var mode: UInt16

    public init(kind: Kind, path: String, mode: UInt16) {
        self.kind = kind
        self.path = path
        self.mode = mode
    }

    public var size: Int {
        if case .file(let size) = kind { return size }
        return 0
    }

    /// Where an entry lands: under `destination` when the copy goes into a directory, else with
    /// its first component replaced by `destination` (`put a.txt /tmp/b.txt`, `get dir copy`).
    public static func landing(_ path: String, at destination: String, into: Bool) -> String {
        if into { return destination.hasSuffix("/") ? destination + path : destination + "/" + path }
        guard let slash = path.firstIndex(of: "/") else { return destination }
        return destination + path[slash...]
    }

    /// A path from the other end, checked before anything is written under it: relative, with no
    /// empty, `.` or `..` component (a sender that named `../x` would write outside the copy),
    /// and no NUL or control character (C calls stop at a NUL: `..\0x` would be `..` to chmod).
    public static func isSafe(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/") else { return false }
        guard !path.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { $0 != "" && $0 != "." && $0 != ".." }
    }

    /// The largest size a node may announce: 2^53 bytes (8 PiB), so that sums and rates of sizes
    /// stay exact and can never overflow.
    public static let largestSize = 1 << 53

    /// The last component of a path as given by the user (`/var/log/` is `log`).
    public static func baseName(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return String(trimmed.split(separator: "/").last ?? trimmed)
    }
}

/// The mode as `chmod` reads it: octal digits.
extension UInt16 {
    public var octal: String { String(self, radix: 8) }
}
