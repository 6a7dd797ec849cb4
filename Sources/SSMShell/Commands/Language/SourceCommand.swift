import AWSCore

/// `source FILE [ARG...]`: a script run in the current context, its arguments $1, $2...
struct SourceCommand: ShellCommand {
    let name = "source"
    let usage = "source FILE [ARG...]"
    let summary = "run a script in the current context"

    func completions(_ request: CompletionRequest) -> Completions { .paths }

    /// Sources inside sources: a script that sources itself (or two that source each other) would
    /// otherwise nest without end, its memory growing until the system kills it.
    static let maximumDepth = 100

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let args = input.arguments
        guard let path = args.first else { throw ShellError.usage("source needs a file") }
        guard shell.sourceDepth < Self.maximumDepth else {
            throw ShellError(
                "source: \(path) is \(Self.maximumDepth) sources deep; does a script source itself? Stop the loop with a condition, or source it once")
        }
        guard let bytes = try shell.services.fileSystem.contents(of: path) else { throw ShellError("source: \(path) does not exist") }
        let saved = shell.variables.arguments
        shell.variables.arguments = Array(args.dropFirst())
        defer { shell.variables.arguments = saved }
        shell.sourceDepth += 1
        defer { shell.sourceDepth -= 1 }
        let wasInteractive = shell.interactive
        shell.interactive = false
        defer { shell.interactive = wasInteractive }
        // A sourced file stops at its first failure as a script does, and a failing `wait` in it
        // says who failed and why (FailureStop.swift), also under `try` or `if` (which look at
        // the file's status, not at each command inside), as a procedure's does.
        let savedFailureHandled = shell.failureHandled
        shell.failureHandled = 0
        defer { shell.failureHandled = savedFailureHandled }
        let status = await shell.run(source: String(decoding: bytes, as: UTF8.self), file: path)
        if shell.exit.exitRequested { throw ExitRequest(status: shell.exit.exitStatus) }
        return status
    }
}
