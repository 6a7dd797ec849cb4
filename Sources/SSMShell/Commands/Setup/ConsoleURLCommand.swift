import SSMCore

/// `console [TARGET]`: the AWS console's Session Manager page for a node (or the node list).
/// Named for the URL it prints: `Console` is the shell's output channel (Interpreter/Console.swift).
struct ConsoleURLCommand: ShellCommand {
    let name = "console"
    let usage = "console [TARGET]"
    let summary = "the AWS console URL of Session Manager for a node (or the node list)"
    let runsAlone = true

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        guard let region = shell.currentRegion else { throw ShellError("console needs a region: use region NAME, or --region") }
        var nodes = shell.targets
        if !input.arguments.isEmpty { nodes = try await shell.resolveTargets(input.arguments) }
        let base = "https://\(region).console.aws.amazon.com/systems-manager/session-manager"
        if nodes.isEmpty {
            shell.console.out("\(base)?region=\(region)\n")
        } else {
            for node in nodes { shell.console.out("\(base)/\(node.id)?region=\(region)\n") }
        }
        return 0
    }
}
