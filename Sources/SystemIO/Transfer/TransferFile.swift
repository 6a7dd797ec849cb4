import Glibc

/// A local file read for `put`, a chunk at a time.
public final class FileChunkReader {
    private let fd: Int32
    public let path: String

    public init(_ path: String) throws {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        self.path = path
        guard fd >= 0 else { throw SystemError(function: "open", path: path, code: errno) }
    }

    deinit { close(fd) }

    /// Up to `count` bytes; empty at the end.
    public func read(_ count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw SystemError(function: "read", path: path, code: errno) }
            buffer.removeLast(count - n)
            return buffer
        }
    }
}

/// A local file written by `get` under a temporary name beside its target, renamed into place
/// only when all its bytes are in and checked: an interrupted copy leaves nothing under the
/// final name. Abandoned (or deinitialised unfinished), it removes the temporary file.
public final class PartialFile {
    public let target: String
    public let temporary: String
    private var fd: Int32
    /// The temporary file is there to remove: until it is renamed into place or removed. Not
    /// the descriptor: `finish` closes it before the rename, which can still fail.
    private var pending = true

    /// link(2), or a stand-in for a test: 0, or the errno it failed with.
    private let hardLink: @Sendable (String, String) -> Int32

    public init(target: String, hardLink: @escaping @Sendable (String, String) -> Int32 = PartialFile.systemLink) throws {
        self.target = target
        self.hardLink = hardLink
        let slash = target.lastIndex(of: "/")
        let directory = slash.map { String(target[...$0]) } ?? ""
        let name = slash.map { String(target[target.index(after: $0)...]) } ?? target
        // The target's name shortened to 100 bytes (whole scalars): a 255-byte name plus the
        // suffix would pass NAME_MAX and fail with ENAMETOOLONG.
        var short = String.UnicodeScalarView()
        var bytes = 0
        for scalar in name.unicodeScalars {
            bytes += String(scalar).utf8.count
            guard bytes <= 100 else { break }
            short.append(scalar)
        }
        var path = ""
        var opened: Int32 = -1
        for attempt in 0..<100 {
            path = directory + "." + String(short) + ".ssm-shell-part.\(getpid()).\(attempt)"
            opened = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if opened >= 0 || errno != EEXIST { break }
        }
        guard opened >= 0 else { throw SystemError(function: "open", path: path, code: errno) }
        temporary = path
        fd = opened
    }

    deinit { abandon() }

    public func write(_ bytes: [UInt8]) throws {
        if case .failed(let code) = FileDescriptorWriter.writeAll(fd, bytes, stallLimit: .infinity) {
            throw SystemError(function: "write", path: temporary, code: code)
        }
    }

    /// Sets the mode and renames the file into place; `replace` false refuses a target that
    /// appeared meanwhile (link(2) fails on an existing name, rename(2) would replace it). When
    /// it throws, the temporary file is already removed.
    public func finish(mode: UInt16, replace: Bool) throws {
        do {
            try place(mode: mode, replace: replace)
        } catch {
            abandon()
            throw error
        }
    }

    private func place(mode: UInt16, replace: Bool) throws {
        fchmod(fd, mode_t(mode))
        guard fsync(fd) == 0 || errno == EINVAL else { throw SystemError(function: "fsync", path: temporary, code: errno) }
        close(fd)
        fd = -1
        if !replace {
            let code = hardLink(temporary, target)
            if code == 0 {
                abandon()
                return
            }
            // File systems without hard links (vfat: EPERM; some FUSE mounts: ENOSYS) get a
            // rename after a check: the one way left there, though a file could appear between the two.
            guard Self.noHardLinks.contains(code), !LocalTree.exists(target) else {
                throw SystemError(function: "link", path: target, code: code)
            }
        }
        guard rename(temporary, target) == 0 else { throw SystemError(function: "rename", path: target, code: errno) }
        pending = false
    }

    /// What link(2) answers where the file system has no hard links.
    static let noHardLinks: Set<Int32> = [EPERM, ENOTSUP, EOPNOTSUPP, ENOSYS]

    @Sendable public static func systemLink(_ from: String, _ to: String) -> Int32 {
        link(from, to) == 0 ? 0 : errno
    }

    /// Drops the temporary file (a failed digest, an interrupted copy, a rename that failed).
    public func abandon() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        guard pending else { return }
        pending = false
        unlink(temporary)
    }
}

/// A pipe whose reading end a session's loop polls as its input, and whose writing end a
/// producer thread fills (`put`'s stream). Both ends are close-on-exec.
public final class BytePipe: @unchecked Sendable {
    public private(set) var readEnd: Int32
    private var writeEnd: Int32

    public init() throws {
        guard let ends = CloseOnExec.pipe() else { throw SystemError(function: "pipe2", path: "a pipe", code: errno) }
        readEnd = ends.read
        writeEnd = ends.write
    }

    deinit {
        closeWriting()
        closeReading()
    }

    /// After the session: a producer blocked on a full pipe sees EPIPE and stops.
    public func closeReading() {
        guard readEnd >= 0 else { return }
        close(readEnd)
        readEnd = -1
    }

    /// Blocks while the reader is behind; false once the reading end is gone.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        guard writeEnd >= 0 else { return false }
        if case .failed = FileDescriptorWriter.writeAll(writeEnd, bytes, stallLimit: .infinity) { return false }
        return true
    }

    /// Whether the writing end takes bytes now (POLLOUT): false once the pipe is full, however
    /// the kernel packed the writes into its pages (tests wait on the producer filling it).
    public var takesBytes: Bool {
        var ends = pollfd(fd: writeEnd, events: Int16(POLLOUT), revents: 0)
        return writeEnd >= 0 && poll(&ends, 1, 0) == 1 && ends.revents & Int16(POLLOUT) != 0
    }

    public func closeWriting() {
        guard writeEnd >= 0 else { return }
        close(writeEnd)
        writeEnd = -1
    }
}
