import Crypto
import Foundation
import SSMCore
@testable import SSMShell
import Testing

/// What `get` writes locally from a node's output: modes without setuid/setgid/sticky and less
/// the umask, and directories that were already here left as they were.
@Suite struct GetReceiverTests {
    static func output(_ lines: [String]) -> [UInt8] { Array(lines.map { GetSenderScript.marker + " " + $0 + "\n" }.joined().utf8) }

    static func mode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    @Test func aHostileNodesSetuidBitsAreDroppedAndTheUmaskApplies() throws {
        let local = FileManager.default.temporaryDirectory.appendingPathComponent("get-receiver-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: local, withIntermediateDirectories: true)
        let receiver = try GetReceiver(destination: local, into: true, force: false, creationMask: 0o027)
        let bytes: [UInt8] = Array("#!/bin/sh\n".utf8)
        let stream =
            Self.output(["D 3777 \(Base64.encode(Array("d".utf8)))", "F 6755 \(bytes.count) \(Base64.encode(Array("d/run".utf8)))"])
            + Array((Base64.encode(bytes) + "\n").utf8) + Self.output(["S \(Hex.encode(Digest.sha256(bytes)))", "END"])
        #expect(receiver.output(stream))
        let result = receiver.finish(sessionProblem: nil)
        #expect(result.problems.isEmpty && result.files == 1, "\(result)")
        #expect(try Self.mode(local + "/d/run") == 0o750)
        #expect(try Self.mode(local + "/d") == 0o750)
    }

    /// A file whose final rename fails (a directory took its name meanwhile) leaves no
    /// temporary file behind: finish closed the descriptor first, and abandon took a closed one
    /// for a file already in place.
    @Test func aFileThatCannotBePutInPlaceLeavesNoTemporaryFile() throws {
        let local = FileManager.default.temporaryDirectory.appendingPathComponent("get-receiver-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: local, withIntermediateDirectories: true)
        let receiver = try GetReceiver(destination: local, into: true, force: true, creationMask: 0o022)
        let bytes: [UInt8] = Array("hello\n".utf8)
        #expect(receiver.output(Self.output(["F 644 \(bytes.count) \(Base64.encode(Array("x".utf8)))"]) + Array((Base64.encode(bytes) + "\n").utf8)))
        try FileManager.default.createDirectory(atPath: local + "/x/taken", withIntermediateDirectories: true)
        #expect(receiver.output(Self.output(["S \(Hex.encode(Digest.sha256(bytes)))", "END"])))
        let result = receiver.finish(sessionProblem: nil)
        #expect(result.files == 0 && result.problems.contains { $0.contains("cannot put \(local)/x in place") }, "\(result)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: local) == ["x"])
    }

    /// `get web-1:/tmp .` set this directory's mode to /tmp's.
    @Test func aDirectoryThatWasHereKeepsItsMode() throws {
        let local = FileManager.default.temporaryDirectory.appendingPathComponent("get-receiver-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: local + "/d", withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: local + "/d")
        let receiver = try GetReceiver(destination: local, into: true, force: false, creationMask: 0o022)
        #expect(receiver.output(Self.output(["D 1777 \(Base64.encode(Array("d".utf8)))", "D 755 \(Base64.encode(Array("d/new".utf8)))", "END"])))
        #expect(receiver.finish(sessionProblem: nil).problems.isEmpty)
        #expect(try Self.mode(local + "/d") == 0o700)
        #expect(try Self.mode(local + "/d/new") == 0o755)
    }
}
