/// `forwards`: the running forwards (body: ForwardCommands.swift).
struct ForwardsCommand: ShellCommand {
    let name = "forwards"
    let usage = "forwards"
    let summary = "running forwards: connections and bytes"

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        try shell.forwardsList(input.arguments)
    }
}
