public import AWSCore
import Glibc

/// Runs a program with posix_spawnp (no shell), capturing stdout and stderr. The blocking reads
/// and waitpid run on a thread of their own, never on the Swift concurrency pool.
public struct PosixProcessRunner: ProcessRunner {
    public init() {}

    public func run(_ arguments: [String], environment: [String: String]) async throws -> ProcessResult {
        try await withCheckedThrowingContinuation { continuation in
            let box = ResultBox(arguments: arguments, environment: environment, continuation: continuation)
            var thread = pthread_t()
            let context = Unmanaged.passRetained(box).toOpaque()
            let status = pthread_create(&thread, nil, { raw in
                let box = Unmanaged<ResultBox>.fromOpaque(raw!).takeRetainedValue()
                box.continuation.resume(with: Result { try PosixProcessRunner.spawnAndWait(box.arguments, box.environment) })
                return nil
            }, context)
            if status != 0 {
                Unmanaged<ResultBox>.fromOpaque(context).release()
                continuation.resume(throwing: SystemError(function: "pthread_create", path: arguments.first ?? "", code: status))
            } else {
                pthread_detach(thread)
            }
        }
    }

    private final class ResultBox {
        let arguments: [String]
        let environment: [String: String]
        let continuation: CheckedContinuation<ProcessResult, any Error>
        init(arguments: [String], environment: [String: String], continuation: CheckedContinuation<ProcessResult, any Error>) {
            self.arguments = arguments
            self.environment = environment
            self.continuation = continuation
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
        let stdoutPipe = [stdoutEnds.read, stdoutEnds.write], stderrPipe = [stderrEnds.read, stderrEnds.write]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        let (spawned, pid) = CloseOnExec.spawn(program, argv: argv, environment: envp, searchPath: true,
                                               redirects: [(stdoutPipe[1], 1), (stderrPipe[1], 2)], nullStandardInput: true)
        close(stdoutPipe[1])
        close(stderrPipe[1])
        defer { close(stdoutPipe[0]); close(stderrPipe[0]) }
        guard spawned == 0 else {
            return ProcessResult(status: 127, standardOutput: [], standardError: Array("\(program): \(String(cString: strerror(spawned)))".utf8))
        }
        // Read both pipes until EOF with poll, so neither can fill up and block the child.
        var output: [UInt8] = [], errors: [UInt8] = []
        var open = [stdoutPipe[0], stderrPipe[0]]
        var buffer = [UInt8](repeating: 0, count: 16384)
        while !open.isEmpty {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), -1) < 0 { if errno == EINTR { continue }; break }
            for entry in fds where entry.revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    if entry.fd == stdoutPipe[0] { output += buffer[0..<n] } else { errors += buffer[0..<n] }
                } else if n == 0 || errno != EINTR {
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS, written out: the C macros do not import.
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ProcessResult(status: exitCode, standardOutput: output, standardError: errors)
    }
}
