import Foundation
import SystemIO
import Testing

/// `get`'s local file under a temporary name beside its target.
@Suite struct PartialFileTests {
    /// A 255-byte name plus `.ssm-shell-part.PID.N` passed NAME_MAX: the copy failed with
    /// ENAMETOOLONG where the target itself was a legal name.
    @Test func aTargetWithTheLongestLegalNameGetsItsTemporaryAndLandsWhole() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("partial-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let name = String(repeating: "é", count: 127) + "x"  // 255 bytes
        let target = directory + "/" + name
        let file = try PartialFile(target: target)
        #expect(file.temporary.utf8.count - directory.utf8.count - 1 <= 255)
        try file.write(Array("data\n".utf8))
        try file.finish(mode: 0o640, replace: false)
        #expect(FileManager.default.contents(atPath: target) == Data("data\n".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [name])
    }

    /// A rename or link that fails leaves the temporary file for `abandon` to remove: `finish`
    /// had closed the descriptor, and `abandon` took that for a file already in place.
    @Test func aFinishThatFailsLeavesNothingBehindOnceAbandoned() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("partial-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/taken/full", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: directory + "/there", contents: Data("old\n".utf8))
        for (name, replace) in [("taken", true), ("there", false)] {
            let file = try PartialFile(target: directory + "/" + name)
            try file.write(Array("new\n".utf8))
            #expect(throws: SystemError.self) { try file.finish(mode: 0o644, replace: replace) }
            file.abandon()
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["taken", "there"])
        #expect(FileManager.default.contents(atPath: directory + "/there") == Data("old\n".utf8))
    }
}
