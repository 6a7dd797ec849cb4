import SSMCore

/// `cancel`: stops a command on its nodes (the ids from CommandLedger).
struct CancelCommand: ShellCommand {
    let name = "cancel"
    let usage = "cancel [CMD] [TARGET...]"
    let summary = "cancel a command"
    let iamActions = ["ssm:CancelCommand"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] { ["ssm:CancelCommand"] }

    func completions(_ request: CompletionRequest) -> Completions {
        .words(request.snapshot.commandIds + request.snapshot.targets)
    }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        var words = input.arguments
        var ids = shell.lastCommands
        if let first = words.first, CommandLedger.looksLikeCommandId(first) { ids = try shell.commandIds(first); words.removeFirst() }
        if ids.isEmpty { ids = try shell.commandIds(nil) }
        let only = words.isEmpty ? nil : try await shell.resolveTargets(words)
        // Each pair's commands at once; with targets, only those of the command's pair.
        let refs = try ids.map(shell.located)
        _ = try await shell.eachPair(among: refs.map(\.pair)) { pair, fleet in
            for ref in refs where ref.pair == pair {
                let nodes = only?.filter { $0.pair == pair }.map(\.id)
                if nodes?.isEmpty == true { continue }
                try await fleet.cancel(commandId: ref.id, instanceIds: nodes)
            }
        }
        if !shell.options.quiet { shell.console.err("cancel requested for \(ids.joined(separator: ", "))\n") }
        return 0
    }
}
