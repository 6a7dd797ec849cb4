public import AWSCore
import Glibc

/// The real file system, for the config files, token caches and history.
public struct LocalFileSystem: FileSystem {
    public init() {}

    public func contents(of path: String) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw SystemError(function: "open", path: path, code: errno)
        }
        defer { close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError(function: "read", path: path, code: errno)
            }
            if n == 0 { return result }
            result.append(contentsOf: buffer[0..<n])
            if result.count > 16 * 1024 * 1024 { throw SystemError(function: "read", path: path, code: EFBIG) }
        }
    }

    /// Writes to a temporary file beside the target and renames it into place. The temporary file
    /// is new (O_EXCL), never a symlink someone planted (O_NOFOLLOW), and created with `permissions`.
    public func write(_ bytes: [UInt8], to path: String, permissions: UInt16) throws {
        try makeParentDirectories(of: path)
        var temporary = ""
        var fd: Int32 = -1
        for attempt in 0..<100 {
            temporary = path + ".tmp-\(getpid())-\(attempt)"
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(permissions))
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw SystemError(function: "open", path: temporary, code: errno) }
        if case .failed(let code) = FileDescriptorWriter.writeAll(fd, bytes) {
            close(fd)
            unlink(temporary)
            throw SystemError(function: "write", path: temporary, code: code)
        }
        fchmod(fd, mode_t(permissions))
        close(fd)
        guard rename(temporary, path) == 0 else { throw SystemError(function: "rename", path: path, code: errno) }
    }

    func makeParentDirectories(of path: String) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/").dropLast() {
            prefix += "/" + component
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw SystemError(function: "mkdir", path: prefix, code: errno)
            }
        }
    }
}

/// A failed system call, with the C function, the path and errno's text.
public struct SystemError: Error, Equatable, CustomStringConvertible {
    public let function: String
    public let path: String
    public let code: Int32

    public init(function: String, path: String, code: Int32) {
        self.function = function
        self.path = path
        self.code = code
    }

    public var description: String {
        "\(path): \(String(cString: strerror(code))) (\(function) failed)"
    }
}
