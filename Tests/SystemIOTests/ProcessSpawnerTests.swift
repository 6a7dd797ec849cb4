import AWSCore
import Glibc
@testable import SystemIO
import Testing

/// The one process spawner: statuses as a shell gives them (exit code, 128 + signal, 127 when
/// the program cannot start), for `!` in the foreground and for captured runs alike; a child
/// sees only stdin, stdout and stderr.
@Suite struct ProcessSpawnerTests {
    /// Wait statuses as waitpid(2) encodes them on Linux: exit code in bits 8-15, or the signal
    /// in bits 0-6.
    @Test(arguments: [(Int32(0), Int32(0)), (3 << 8, 3), (255 << 8, 255), (15, 143), (9, 137), (2, 130)])
    func waitStatusesAsAShellGivesThem(_ raw: Int32, _ status: Int32) {
        #expect(ProcessSpawner.shellStatus(waitStatus: raw) == status)
    }

    @Test(arguments: [("exit 0", Int32(0)), ("exit 3", 3), ("exit 255", 255), ("kill -TERM $$", 143), ("kill -KILL $$", 137)])
    func foregroundStatuses(_ script: String, _ status: Int32) async {
        #expect(await PosixProcessRunner().runInForeground(["/bin/sh", "-c", script]) == status)
    }

    @Test func aProgramThatCannotStartIs127() async {
        #expect(await PosixProcessRunner().runInForeground(["/nonexistent/ssm-shell-no-such-program"]) == 127)
        let result = try? await PosixProcessRunner().run(["/nonexistent/ssm-shell-no-such-program"], environment: [:])
        #expect(result?.status == 127)
        let message = String(decoding: result?.standardError ?? [], as: UTF8.self)
        #expect(message.contains("No such file"))
    }

    @Test func capturedRunsKeepOutputAndStatus() async throws {
        let result = try await PosixProcessRunner().run(["/bin/sh", "-c", "echo out; echo err >&2; kill -TERM $$"], environment: [:])
        #expect(result == ProcessResult(status: 143, standardOutput: Array("out\n".utf8), standardError: Array("err\n".utf8)))
    }

    /// A descriptor this process holds open without close-on-exec (as libraries' may be) does
    /// not reach a foreground child: only 0, 1 and 2 do.
    @Test func theChildGetsOnlyTheStandardDescriptors() async {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let status = await PosixProcessRunner().runInForeground(["/bin/sh", "-c", "[ -e /proc/self/fd/\(fds[1]) ] && exit 1; [ -e /proc/self/fd/2 ]"])
        #expect(status == 0)
    }

    /// The foreground child sees this process's environment (sh's $NAME in `! echo $HOME`).
    @Test func theForegroundChildInheritsTheEnvironment() async {
        let path = ProcessEnvironment.current()["PATH"] ?? ""
        #expect(!path.isEmpty)
        #expect(await PosixProcessRunner().runInForeground(["/bin/sh", "-c", "[ \"$PATH\" = '\(path)' ]"]) == 0)
        #expect(await PosixProcessRunner().runInForeground(["/bin/sh", "-c", "[ \"$PATH\" = '/nowhere' ]"]) == 1)
    }
}
