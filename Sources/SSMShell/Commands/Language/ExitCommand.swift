/// `exit [STATUS]`: ends the script or the prompt.
struct ExitCommand: ShellCommand {
    let name = "exit"
    let usage = "exit [STATUS]"
    let summary = "end the script or the prompt"

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        // A process status is one byte: `exit 256` would end with 0.
        guard let argument = input.arguments.first else { throw ExitRequest(status: ExitStatus.byte(shell.exit.lastStatus)) }
        guard let status = Int32(argument), (0...255).contains(status) else {
            throw ShellError.usage("exit takes a status from 0 to 255, not \(argument)")
        }
        throw ExitRequest(status: status)
    }
}
