/// Runs a program in the foreground (`!`): it inherits this process's terminal (stdin, stdout,
/// stderr) and environment; a seam so the interpreter can be tested without starting processes.
public protocol ForegroundProcessRunner: Sendable {
    /// The status as a shell gives it: the exit code, 128 + N when signal N killed it, 127 when
    /// the program could not be started.
    func runInForeground(_ arguments: [String]) async -> Int32
}
