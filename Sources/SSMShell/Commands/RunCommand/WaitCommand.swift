/// `wait`: until every invocation of a command has ended (the schedule is SSMCore's
/// WaitSchedule; Shell.waitFor in RunCommandResults.swift polls).
struct WaitCommand: ShellCommand {
    let name = "wait"
    let usage = "wait [CMD] [--timeout D]"
    let summary =
        "wait until every invocation has ended; status 0 if all succeeded, else 3: a script stops there, after the failed nodes' last lines, unless under try or keep-going"
    let iamActions = [
        "ssm:ListCommandInvocations", "ssm:GetCommandInvocation (a failed node's last lines, in a script)",
        "ssm:ListCommands (a command sent by tag)",
    ]

    /// ListCommands for a command sent by tag (Shell.targetsCommandsEnded), or one sent outside the script.
    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        // A failed node's last lines come from GetCommandInvocation where the listing's text was
        // cut (FailureStop, RunCommandResults.outputEntries), as the help says.
        ["ssm:ListCommandInvocations", "ssm:GetCommandInvocation"] + (state.sentByTags || !state.ranCommand ? ["ssm:ListCommands"] : [])
    }

    func completions(_ request: CompletionRequest) -> Completions { .words(request.snapshot.commandIds) }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let opts = try OptionScanner("wait", input.arguments, valued: ["timeout"], anywhere: true)
        guard opts.rest.count <= 1 else { throw ShellError.usage("wait takes at most one command id (or a list joined by commas)") }
        let timeout = try opts.duration("timeout")  // a usage error comes before any lookup
        return try await shell.waitFor(try shell.commandIds(opts.rest.first), timeout: timeout, stopsOnFailure: shell.failureStopsScript)
    }
}
