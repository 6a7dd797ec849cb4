import Glibc
@testable import SystemIO
import Testing

/// The prompt's history file: lines round-trip, one entry a line, the last 1000 kept; the file is
/// 0600 and the directories made for it 0700 whatever the umask; a symlink put in its place is
/// not followed.
@Suite(.serialized) struct HistoryFileTests {
    /// A fresh directory under /tmp, removed (with what the test made) afterwards.
    static func withTemporaryDirectory(_ body: (String) throws -> Void) rethrows {
        var template = Array("/tmp/ssm-shell-history-XXXXXX".utf8CString)
        let directory = String(cString: mkdtemp(&template)!)
        defer { _ = directory.withCString { system("rm -rf '\(String(cString: $0))'") } }
        try body(directory)
    }

    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o777
    }

    @Test func linesRoundTripOneEntryALine() {
        Self.withTemporaryDirectory { directory in
            let file = HistoryFile(path: directory + "/state/ssm-shell/history")
            #expect(file.load() == [])
            file.append("use web-1")
            file.append("run echo 'a\nb'")
            file.append("run uptime")
            #expect(file.load() == ["use web-1", "run echo 'a b'", "run uptime"])
        }
    }

    @Test func keepsTheLastThousandLines() {
        Self.withTemporaryDirectory { directory in
            let file = HistoryFile(path: directory + "/history")
            for n in 1...1003 { file.append("echo \(n)") }
            let lines = file.load()
            #expect(lines.count == 1000)
            #expect(lines.first == "echo 4")
            #expect(lines.last == "echo 1003")
        }
    }

    @Test func fileIs0600AndNewDirectories0700WhateverTheUmask() {
        Self.withTemporaryDirectory { directory in
            let old = umask(0)
            defer { umask(old) }
            let file = HistoryFile(path: directory + "/state/ssm-shell/history")
            file.append("set secret on")
            #expect(Self.mode(directory + "/state") == 0o700)
            #expect(Self.mode(directory + "/state/ssm-shell") == 0o700)
            #expect(Self.mode(file.path) == 0o600)
        }
    }

    @Test func anExistingReadableFileIsMade0600() {
        Self.withTemporaryDirectory { directory in
            let path = directory + "/history"
            close(open(path, O_WRONLY | O_CREAT, 0o644))
            chmod(path, 0o644)
            HistoryFile(path: path).append("echo hi")
            #expect(Self.mode(path) == 0o600)
        }
    }

    @Test func aSymlinkInPlaceOfTheFileIsNotFollowed() {
        Self.withTemporaryDirectory { directory in
            let target = directory + "/elsewhere"
            close(open(target, O_WRONLY | O_CREAT, 0o644))
            symlink(target, directory + "/history")
            HistoryFile(path: directory + "/history").append("echo secret")
            var info = stat()
            #expect(stat(target, &info) == 0)
            #expect(info.st_size == 0, "the line went through the symlink")
        }
    }
}
