/// `unset`: removes variables.
struct UnsetCommand: ShellCommand {
    let name = "unset"
    let usage = "unset NAME..."
    let summary = "remove variables"

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        for variable in input.arguments { shell.variables[variable] = nil }
        return 0
    }
}
