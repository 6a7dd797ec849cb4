public import AWSCore
import Glibc

/// Runs a program with posix_spawnp (no shell): capturing stdout and stderr (credential_process),
/// or in the foreground with the terminal (`!`). The blocking reads and waitpid run on a thread of
/// their own, never on the Swift concurrency pool.
public struct PosixProcessRunner: ProcessRunner, ForegroundProcessRunner {
    public init() {}

    public func run(_ arguments: [String], environment: [String: String]) async throws -> ProcessResult {
        try await onDedicatedThread { Result { try Self.spawnAndWait(arguments, environment) } }.get()
    }

    public func runInForeground(_ arguments: [String]) async -> Int32 {
        await onDedicatedThread {
            // Only stdin, stdout and stderr reach the child: no session socket, listener or pipe.
            guard case .success(let pid) = ProcessSpawner.spawn(arguments, environment: nil) else { return 127 }
            return ProcessSpawner.wait(pid)
        }
    }

    static func spawnAndWait(_ arguments: [String], _ environment: [String: String]) throws -> ProcessResult {
        guard let program = arguments.first else { throw SystemError(function: "posix_spawnp", path: "", code: EINVAL) }
        // Close-on-exec from the start, so other children never inherit these pipes.
        guard let stdoutEnds = CloseOnExec.pipe() else { throw SystemError(function: "pipe2", path: program, code: errno) }
        guard let stderrEnds = CloseOnExec.pipe() else {
            let code = errno
            close(stdoutEnds.read); close(stdoutEnds.write)
            throw SystemError(function: "pipe2", path: program, code: code)
        }
        let spawned = ProcessSpawner.spawn(
            arguments, environment: environment,
            redirects: [(stdoutEnds.write, 1), (stderrEnds.write, 2)], nullStandardInput: true)
        close(stdoutEnds.write)
        close(stderrEnds.write)
        defer { close(stdoutEnds.read); close(stderrEnds.read) }
        let pid: pid_t
        switch spawned {
        case .success(let child): pid = child
        case .failure(let failure):
            return ProcessResult(status: 127, standardOutput: [], standardError: Array("\(program): \(String(cString: strerror(failure.code)))".utf8))
        }
        // Read both pipes until EOF with poll, so neither can fill up and block the child.
        var output: [UInt8] = []
        var errors: [UInt8] = []
        var open = [stdoutEnds.read, stderrEnds.read]
        var buffer = [UInt8](repeating: 0, count: 16384)
        while !open.isEmpty {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), -1) < 0 { if errno == EINTR { continue }; break }
            for entry in fds where entry.revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    if entry.fd == stdoutEnds.read { output += buffer[0..<n] } else { errors += buffer[0..<n] }
                } else if n == 0 || errno != EINTR {
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        return ProcessResult(status: ProcessSpawner.wait(pid), standardOutput: output, standardError: errors)
    }
}
