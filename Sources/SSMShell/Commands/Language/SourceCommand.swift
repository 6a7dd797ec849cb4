import AWSCore

/// `source FILE [ARG...]`: a script run in the current context, its arguments $1, $2...
struct SourceCommand: ShellCommand {
    let name = "source"
    let usage = "source FILE [ARG...]"
    let summary = "run a script in the current context"

    func completions(_ request: CompletionRequest) -> Completions { .paths }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let args = input.arguments
        guard let path = args.first else { throw ShellError.usage("source needs a file") }
        guard let bytes = try shell.services.fileSystem.contents(of: path) else { throw ShellError("source: \(path) does not exist") }
        let saved = shell.variables.arguments
        shell.variables.arguments = Array(args.dropFirst())
        defer { shell.variables.arguments = saved }
        let wasInteractive = shell.interactive
        shell.interactive = false
        defer { shell.interactive = wasInteractive }
        let status = await shell.run(source: String(decoding: bytes, as: UTF8.self), file: path)
        if shell.exit.exitRequested { throw ExitRequest(status: shell.exit.exitStatus) }
        return status
    }
}
