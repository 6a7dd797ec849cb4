import ShellLanguage
import SystemIO

/// `! COMMAND`: a command on this machine through /bin/sh, with the shell's stdin, stdout and
/// stderr, in the terminal's foreground (SystemIO's ForegroundProcessRunner).
struct LocalShellCommand: ShellCommand {
    let name = "!"
    let usage = "! COMMAND..."
    let summary = "run a command on this machine through /bin/sh"
    /// The text after `!` is sh's; it has no option but `--help`.
    let passThroughValuedOptions: Set<String>? = []

    func completions(_ request: CompletionRequest) -> Completions { .paths }

    /// The text as written goes to the local /bin/sh, the shell's own variables quoted for it
    /// (issue 11, item 17); other `$NAME`s are sh's, which sees the environment.
    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let text = input.text ?? ""
        guard !text.isEmpty else { throw ShellError.usage("! needs a command to run on this machine") }
        let command = try shell.substitute(text, for: .posix)
        return await shell.services.foreground.runInForeground(["/bin/sh", "-c", command])
    }
}
