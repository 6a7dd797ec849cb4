import Glibc

/// A local file or directory found for `put`: where it is, its path in the copy, its size and
/// mode. Symbolic links inside a tree are left out (`skipped`), as the node-side sender does.
public struct LocalItem: Sendable, Equatable {
    public var localPath: String
    /// Relative to where the copy lands: the source's own name first.
    public var relativePath: String
    public var isDirectory: Bool
    public var size: Int
    public var mode: UInt16
}

/// Walks local sources for `put`, and answers the questions `get` asks before it writes.
public enum LocalTree {
    /// The source and everything under it, parents first; the source itself is followed if it is
    /// a link. Throws a sentence when the source cannot be read.
    /// What a walk found: the items, and what it left out (with why).
    public typealias Found = (items: [LocalItem], skipped: [String])

    public static func items(_ source: String, name: String) throws -> Found {
        var st = stat()
        guard stat(source, &st) == 0 else { throw SystemError(function: "stat", path: source, code: errno) }
        var items: [LocalItem] = []
        var skipped: [String] = []
        try visit(source, relative: name, st: st, items: &items, skipped: &skipped)
        return (items, skipped)
    }

    private static func visit(_ path: String, relative: String, st: stat, items: inout [LocalItem], skipped: inout [String]) throws {
        let mode = UInt16(truncatingIfNeeded: st.st_mode & 0o7777)
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            items.append(LocalItem(localPath: path, relativePath: relative, isDirectory: true, size: 0, mode: mode))
            guard let dir = opendir(path) else { throw SystemError(function: "opendir", path: path, code: errno) }
            var names: [String] = []
            while let entry = readdir(dir) {
                let name = withUnsafePointer(to: entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) { String(cString: $0) }
                }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(dir)
            for name in names.sorted() {
                let child = path.hasSuffix("/") ? path + name : path + "/" + name
                var childStat = stat()
                guard lstat(child, &childStat) == 0 else { throw SystemError(function: "lstat", path: child, code: errno) }
                if childStat.st_mode & S_IFMT == S_IFLNK {
                    skipped.append(child + " (a symbolic link)")
                    continue
                }
                try visit(child, relative: relative + "/" + name, st: childStat, items: &items, skipped: &skipped)
            }
        case S_IFREG:
            guard access(path, R_OK) == 0 else { throw SystemError(function: "access", path: path, code: errno) }
            items.append(LocalItem(localPath: path, relativePath: relative, isDirectory: false, size: Int(st.st_size), mode: mode))
        default:
            skipped.append(path + " (not a regular file or directory)")
        }
    }

    /// Whether something (a link too) is at `path`.
    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
    }

    /// Makes a directory (and its parents) if it is not there; true when this call made it.
    @discardableResult
    public static func makeDirectory(_ path: String) throws -> Bool {
        if isDirectory(path) { return false }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw SystemError(function: "mkdir", path: prefix, code: errno) }
            prefix += "/"
        }
        guard isDirectory(path) else { throw SystemError(function: "mkdir", path: path, code: ENOTDIR) }
        return true
    }

    /// The process's file mode creation mask, read from /proc/self/status (umask(2) can only
    /// read it by changing it, for every thread at once); 022 where that line is missing.
    public static func creationMask() -> UInt16 {
        let fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0o022 }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 65536 {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, 4096) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            bytes += buffer[..<n]
        }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("Umask:") {
            if let mask = UInt16(line.dropFirst(6).trimmingPrefix(while: { $0 == " " || $0 == "\t" }), radix: 8) { return mask & 0o777 }
        }
        return 0o022
    }

    public static func setMode(_ path: String, _ mode: UInt16) {
        chmod(path, mode_t(mode))
    }
}
