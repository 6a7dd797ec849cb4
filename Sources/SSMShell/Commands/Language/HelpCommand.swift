import ShellLanguage

/// `help [COMMAND]`: the command list and the control flow, or one command's usage, summary and
/// IAM actions (a keyword's, a procedure's).
struct HelpCommand: ShellCommand {
    let name = "help"
    let usage = "help [COMMAND]"
    let summary = "help"

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        if let topic = input.arguments.first {
            if let command = CommandRegistry.command(named: topic) {
                shell.console.out(command.help)
            } else if let text = ControlFlowHelp.help(topic) {
                shell.console.out(text)
            } else if let definition = shell.procedures[topic] {
                shell.console.out("\(topic) ARG...\n  a procedure (def at \(definition.location.file):\(definition.location.line))\n")
            } else {
                throw ShellError.usage("no help for '\(topic)'")
            }
        } else {
            shell.console.out(CommandRegistry.overview() + ControlFlowHelp.overview)
        }
        return 0
    }
}
