import Glibc

/// One name in a directory, and whether it is itself a directory.
public struct DirectoryEntry: Sendable, Equatable {
    public var name: String
    public var isDirectory: Bool

    public init(name: String, isDirectory: Bool) {
        self.name = name
        self.isDirectory = isDirectory
    }
}

/// Lists a directory (path completion), passed in so completion can be tested on any tree.
public protocol DirectoryReader: Sendable {
    /// The entries of `directory` without `.` and `..`, in no particular order; none when it
    /// cannot be read.
    func entries(in directory: String) -> [DirectoryEntry]
}

extension LocalFileSystem: DirectoryReader {
    public func entries(in directory: String) -> [DirectoryEntry] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var entries: [DirectoryEntry] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            entries.append(DirectoryEntry(name: name, isDirectory: entry.pointee.d_type == UInt8(DT_DIR)))
        }
        return entries
    }
}
