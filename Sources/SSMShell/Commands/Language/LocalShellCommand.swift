/// `! COMMAND`: a command on this machine through /bin/sh (body: Shell.local, Dispatch.swift).
struct LocalShellCommand: ShellCommand {
    let name = "!"
    let usage = "! COMMAND..."
    let summary = "run a command on this machine through /bin/sh"
    /// The text after `!` is sh's; it has no option but `--help`.
    let passThroughValuedOptions: Set<String>? = []

    func completions(_ request: CompletionRequest) -> Completions { .paths }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        try await shell.local(input.text ?? "")
    }
}
