/// `help [COMMAND]`: the command list, or one command's usage, summary and IAM actions.
struct HelpCommand: ShellCommand {
    let name = "help"
    let usage = "help [COMMAND]"
    let summary = "help"

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        if let topic = input.arguments.first {
            guard let command = CommandRegistry.command(named: topic) else { throw ShellError.usage("no help for '\(topic)'") }
            shell.console.out(command.help)
        } else {
            shell.console.out(CommandRegistry.overview())
        }
        return 0
    }
}
