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

    /// A rename or link that fails leaves no temporary file: `finish` removes it before it
    /// throws (it once closed the descriptor, and `abandon` took that for a file in place).
    @Test func aFinishThatFailsLeavesNoTemporaryFile() throws {
        let directory = Self.scratchDirectory()
        try FileManager.default.createDirectory(atPath: directory + "/taken/full", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: directory + "/there", contents: Data("old\n".utf8))
        for (name, replace) in [("taken", true), ("there", false)] {
            let file = try PartialFile(target: directory + "/" + name)
            try file.write(Array("new\n".utf8))
            #expect(throws: SystemError.self) { try file.finish(mode: 0o644, replace: replace) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["taken", "there"])
        }
        #expect(FileManager.default.contents(atPath: directory + "/there") == Data("old\n".utf8))
    }

    /// Some FUSE mounts answer link(2) with ENOSYS: like vfat's EPERM, the file is renamed into
    /// place once no file is there, and refused (with no temporary left) when one is.
    @Test(arguments: [EPERM, ENOSYS, EOPNOTSUPP])
    func aFileSystemWithoutHardLinksGetsARename(code: Int32) throws {
        let directory = Self.scratchDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let noLinks: @Sendable (String, String) -> Int32 = { _, _ in code }
        let file = try PartialFile(target: directory + "/new", hardLink: noLinks)
        try file.write(Array("data\n".utf8))
        try file.finish(mode: 0o600, replace: false)
        #expect(FileManager.default.contents(atPath: directory + "/new") == Data("data\n".utf8))
        _ = FileManager.default.createFile(atPath: directory + "/there", contents: Data("old\n".utf8))
        let refused = try PartialFile(target: directory + "/there", hardLink: noLinks)
        try refused.write(Array("new\n".utf8))
        #expect(throws: SystemError.self) { try refused.finish(mode: 0o600, replace: false) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["new", "there"])
        #expect(FileManager.default.contents(atPath: directory + "/there") == Data("old\n".utf8))
    }

    private static func scratchDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("partial-\(UUID().uuidString)").path
    }
}
