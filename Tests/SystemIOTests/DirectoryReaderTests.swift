import Glibc
@testable import SystemIO
import Testing

/// Path completion's directory listing: names without `.` and `..`, directories marked, nothing
/// (not a crash) for a directory that is not there.
@Suite struct DirectoryReaderTests {
    @Test func listsNamesAndMarksDirectories() throws {
        var template = Array("/tmp/ssm-shell-dir-XXXXXX".utf8CString)
        let directory = String(cString: mkdtemp(&template)!)
        defer { _ = system("rm -rf '\(directory)'") }
        close(open(directory + "/notes.txt", O_WRONLY | O_CREAT, 0o600))
        mkdir(directory + "/scripts", 0o700)
        let entries = LocalFileSystem().entries(in: directory).sorted { $0.name < $1.name }
        #expect(entries == [DirectoryEntry(name: "notes.txt", isDirectory: false), DirectoryEntry(name: "scripts", isDirectory: true)])
    }

    @Test func aMissingDirectoryHasNoEntries() {
        #expect(LocalFileSystem().entries(in: "/nonexistent/ssm-shell-test").isEmpty)
    }
}
