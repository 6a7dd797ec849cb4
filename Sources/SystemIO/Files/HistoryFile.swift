import Glibc

/// The prompt's history file: read at start (the last 1000 lines), appended a line at a time,
/// always mode 0600 in directories made 0700, since a typed line may hold a secret.
public struct HistoryFile: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public func load() -> [String] {
        guard let bytes = try? LocalFileSystem().contents(of: path) else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").suffix(1000).map(String.init)
    }

    /// Appends `line` (a newline in it becomes a space: one entry is one line). Failures are
    /// silent: the prompt goes on without history rather than stop.
    public func append(_ line: String) {
        var prefix = ""
        for component in path.split(separator: "/").dropLast() {
            prefix += "/" + component
            mkdir(prefix, 0o700)
        }
        // O_NOFOLLOW: a symlink planted in place of the history file must not redirect it.
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        fchmod(fd, 0o600)
        FileDescriptorWriter.writeAll(fd, (line.replacing("\n", with: " ") + "\n").utf8)
    }
}
