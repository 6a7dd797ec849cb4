import Glibc

/// The one way this program starts another (`!`, credential_process): posix_spawnp with clean
/// signal state and only the descriptors it is given (`CloseOnExec.spawn`), then waitpid. Blocking:
/// callers run it on a dedicated thread (`onDedicatedThread`), never on the Swift concurrency pool.
enum ProcessSpawner {
    /// Starts `arguments` (the program is looked up on PATH unless it has a `/`). `environment` nil
    /// passes this process's own. Returns the pid, or posix_spawn's errno value.
    static func spawn(
        _ arguments: [String], environment: [String: String]?, redirects: [(from: Int32, to: Int32)] = [],
        nullStandardInput: Bool = false
    ) -> Result<pid_t, SpawnFailure> {
        guard let program = arguments.first else { return .failure(SpawnFailure(code: EINVAL)) }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { (argv + (envp ?? [])).forEach { free($0) } }
        let (status, pid) =
            envp.map { envp in
                envp.withUnsafeBufferPointer {
                    CloseOnExec.spawn(
                        program, argv: argv, environment: $0.baseAddress, searchPath: true,
                        redirects: redirects, nullStandardInput: nullStandardInput)
                }
            }
            ?? CloseOnExec.spawn(
                program, argv: argv, environment: environ, searchPath: true,
                redirects: redirects, nullStandardInput: nullStandardInput)
        return status == 0 ? .success(pid) : .failure(SpawnFailure(code: status))
    }

    /// Waits for the child to end; its status as a shell gives it (`shellStatus`).
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return shellStatus(waitStatus: status)
    }

    /// The status a POSIX shell reports (XCU 2.8.2): the exit code for a normal exit, 128 plus the
    /// signal number for a child killed by a signal. WIFEXITED and WEXITSTATUS written out: the C
    /// macros do not import.
    static func shellStatus(waitStatus status: Int32) -> Int32 {
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    struct SpawnFailure: Error {
        let code: Int32
    }
}
