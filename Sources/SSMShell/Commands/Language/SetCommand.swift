/// `set`: variables, and the settings output, color, keep-going, cloudwatch and output-bucket.
struct SetCommand: ShellCommand {
    let name = "set"
    let usage =
        "set | set NAME VALUE... | set output table|text|json | set color on|off | set keep-going on|off | set cloudwatch on|off|GROUP | set output-bucket BUCKET[/PREFIX]|off"
    let summary = "set variables and settings"

    /// The settings' names, then each one's values (a variable's name and value are the user's).
    func completions(_ request: CompletionRequest) -> Completions {
        switch (request.words.count, request.previous) {
        case (3, "output"): .words(OutputFormat.allCases.map(\.rawValue))
        case (3, "color"), (3, "keep-going"), (3, "cloudwatch"): .words(["on", "off"])
        case (3, "output-bucket"): .words(["off"])
        case (2, _): .words(ShellSettings.names.sorted())
        default: .none
        }
    }

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        if words.first == "cloudwatch" { state.cloudWatch = !["off", "false", "no"].contains(words.dropFirst().first ?? "off") }
        if words.first == "output-bucket" { state.outputBucket = !["off", "false", "no"].contains(words.dropFirst().first ?? "off") }
        return []
    }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let args = input.arguments
        guard let name = args.first else {
            shell.console.out(shell.variables.listing + shell.settings.listing)
            return 0
        }
        let value = args.dropFirst().joined(separator: " ")
        if ShellSettings.names.contains(name) {
            try shell.settings.set(name, to: value)
        } else {
            try shell.variables.set(name, to: value)
        }
        return 0
    }
}
