/// `try COMMAND...`: the command, whatever its status. The interpreter runs it (Shell.execute
/// unwraps `try` before expansion); this type describes it for help and the registry.
struct TryCommand: ShellCommand {
    let name = "try"
    let usage = "try COMMAND..."
    let summary = "run a command and go on whatever its status"

    /// Reached only when `try` comes out of a variable's expansion, which is not the keyword.
    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        throw ShellError.usage("unknown command 'try'")
    }
}
