import Foundation
import Glibc
import SSMCore
@testable import SSMShell
import Testing

/// `put` and `get` in the interpreter (issue 13): what they start on the node and how they
/// refuse bad input, against the fake fleet (which records StartSession and then refuses it).
@Suite struct TransferCommandTests {
    static func localFile(_ name: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("transfer-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func badInputIsAUsageErrorAndStartsNoSession() async throws {
        let fleet = InterpreterTests.fleet()
        let (shell, console) = InterpreterTests().shell(fleet)
        #expect(await shell.run(source: "put only-one-word", file: "t") == 2)
        #expect(console.stderr.contains("put needs what to copy and where"))
        #expect(await shell.run(source: "get web-1:/a b c", file: "t") == 2)
        #expect(await shell.run(source: "put --forse a web-1:/b", file: "t") == 2)
        #expect(console.stderr.contains("did you mean --force?"))
        let file = try Self.localFile("a.txt")
        #expect(await shell.run(source: "put \(file) /tmp/", file: "t") == 2)  // no target named, none in use
        #expect(console.stderr.contains("put needs a target"))
        #expect(await shell.run(source: "put /nonexistent/x web-1:/tmp/", file: "t") == 1)
        #expect(console.stderr.contains("put: cannot read /nonexistent/x: No such file or directory (stat failed); nothing was sent"))
        // A tag key with colons before a relative path reads two ways: refused, nothing resolved.
        #expect(await shell.run(source: "get tag:aws:cloudformation:stack-name=web:x.txt y", file: "t") == 2)
        #expect(console.stderr.contains("get: 'tag:aws:cloudformation:stack-name=web:x.txt' can be read more than one way"))
        #expect(await shell.run(source: "put \(file) tag:aws:autoscaling:groupName:notes/", file: "t") == 2)
        #expect(fleet.sessionStarts.isEmpty)
    }

    /// `put --force a/conf b/conf web:/tmp/` sent a/conf's bytes twice and said both were copied.
    @Test func twoSourcesWithOneNameAreRefusedBeforeAnySession() async throws {
        let fleet = InterpreterTests.fleet()
        let (shell, console) = InterpreterTests().shell(fleet)
        let first = try Self.localFile("conf")
        let second = try Self.localFile("conf")
        #expect(await shell.run(source: "put --force \(first) \(second) web-1:/tmp/", file: "t") == 2)
        #expect(console.stderr.contains("put: \(first) and \(second) would both land as conf; copy them separately"), "\(console.stderr)")
        #expect(fleet.sessionStarts.isEmpty)
    }

    /// `get web-1: x` and `get web-1:/ x` failed on the node with "a line this client does not understand".
    @Test func getOfTheHomeOrTheRootIsRefusedClearly() async throws {
        let fleet = InterpreterTests.fleet()
        let (shell, console) = InterpreterTests().shell(fleet)
        for word in ["web-1:", "web-1:/", "web-1:.", "web-1:a/..", "web-1://"] {
            #expect(await shell.run(source: "get \(word) x", file: "t") == 2, "\(word)")
            #expect(console.stderr.contains("get copies a file or directory named on the node, and '\(word)' names none"), "\(console.stderr)")
        }
        #expect(fleet.sessionStarts.isEmpty)
    }

    /// `put .. web-1:/srv/app/` wrote into /srv/, the parent of the destination named.
    @Test func putOfTheParentOrTheRootIsRefused() async throws {
        let fleet = InterpreterTests.fleet()
        let (shell, console) = InterpreterTests().shell(fleet)
        for word in ["..", "../", "/"] {
            #expect(await shell.run(source: "put \(word) web-1:/srv/app/", file: "t") == 2, "\(word)")
            #expect(console.stderr.contains("put copies what it names under that name, and '\(word)' has none"), "\(console.stderr)")
        }
        #expect(fleet.sessionStarts.isEmpty)
    }

    /// `put /dev/stdin web:/tmp/x` copied nothing and said so with status 0.
    @Test func aNamedSourceThatCopiesNothingIsAnError() async throws {
        let fleet = InterpreterTests.fleet()
        let (shell, console) = InterpreterTests().shell(fleet)
        let fifo = try Self.localFile("x") + ".fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(await shell.run(source: "put \(fifo) web-1:/tmp/x", file: "t") == 1)
        #expect(console.stderr.contains("put: \(fifo) is not a regular file or directory; nothing was sent"), "\(console.stderr)")
        #expect(fleet.sessionStarts.isEmpty)
    }

    @Test func putStartsTheReceiverInAnInteractiveCommandAndNamesTheNodeThatFailed() async throws {
        let fleet = InterpreterTests.fleet()
        let (shell, console) = InterpreterTests().shell(fleet)
        let file = try Self.localFile("a.txt")
        #expect(await shell.run(source: "put --force \(file) web-2:/srv/", file: "t") == 3)
        #expect(fleet.sessionStarts.last?.document == "AWS-StartInteractiveCommand")
        #expect(fleet.sessionStarts.last?.parameters?["command"] == [PutReceiverScript.posix(destination: "/srv/", force: true, into: true)])
        #expect(console.stderr.contains("put failed on 1 of 1 node: web-2"), "\(console.stderr)")
        _ = await shell.run(source: "put \(file) win-1:C:/x.txt", file: "t")
        #expect(fleet.sessionStarts.last?.parameters?["command"] == [PutReceiverScript.powerShell(destination: "C:/x.txt", force: false, into: false)])
    }

    @Test func getStartsTheSenderForTheNodesPlatform() async {
        let fleet = InterpreterTests.fleet()
        let (shell, console) = InterpreterTests().shell(fleet)
        let local = FileManager.default.temporaryDirectory.appendingPathComponent("transfer-get-\(UUID().uuidString)").path
        #expect(await shell.run(source: "get web-1:/var/log/app.log \(local)", file: "t") == 3)
        #expect(fleet.sessionStarts.last?.document == "AWS-StartInteractiveCommand")
        #expect(fleet.sessionStarts.last?.parameters?["command"] == [GetSenderScript.posix(source: "/var/log/app.log")])
        #expect(console.stderr.contains("get failed on 1 of 1 node: web-1"))
        _ = await shell.run(source: "get win-1:C:/logs \(local)", file: "t")
        #expect(fleet.sessionStarts.last?.parameters?["command"] == [GetSenderScript.powerShell(source: "C:/logs")])
        #expect(!FileManager.default.fileExists(atPath: local), "nothing is written when the session never started")
    }
}
