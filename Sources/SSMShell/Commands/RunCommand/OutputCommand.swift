import SSMCore

/// `output`: each node's output of a command, identical outputs grouped (SSMCore's
/// OutputGrouping; Shell.showOutput in RunCommandResults.swift prints them).
struct OutputCommand: ShellCommand {
    let name = "output"
    let usage = "output [CMD] [TARGET...] [--stdout] [--stderr] [--no-group] [--save DIR] | output [CMD] [TARGET...] --follow"
    let summary =
        "print each node's output, identical outputs grouped (whole from CloudWatch Logs or S3 where it was sent there); --follow streams it until the command ends"
    let remoteFailureIsData = true
    let iamActions = [
        "ssm:GetCommandInvocation", "ssm:ListCommandInvocations",
        "logs:GetLogEvents (--follow, output sent to CloudWatch)", "s3:GetObject (output uploaded to S3)",
    ]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        // output lists the invocations with details (their output, 50 nodes a call; the nodes
        // when no `run` came before) and gets the cut ones; --follow lists them for their status
        // and plugins. Output sent to CloudWatch Logs is read there.
        let follow = words.contains("--follow")
        return ["ssm:GetCommandInvocation", "ssm:ListCommandInvocations"] + (follow || state.cloudWatch ? ["logs:GetLogEvents"] : [])
            + (state.outputBucket ? ["s3:GetObject"] : [])
    }

    func completions(_ request: CompletionRequest) -> Completions {
        request.previous == "--save" ? .paths : .words(request.snapshot.commandIds + request.snapshot.targets)
    }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let opts = try OptionScanner("output", input.arguments, valued: ["save"], flags: ["stdout", "stderr", "no-group", "follow"], anywhere: true)
        var words = opts.rest
        var ids = shell.lastCommands
        if let first = words.first, CommandLedger.looksLikeCommandId(first) { ids = try shell.commandIds(first); words.removeFirst() }
        if ids.isEmpty { ids = try shell.commandIds(nil) }
        let only = words.isEmpty ? nil : Set(try await shell.resolveTargets(words).map(\.id))
        if opts.has("follow") {
            guard !opts.has("save") && !opts.has("no-group") else {
                throw ShellError.usage("output --follow prints lines as they come: --save and --no-group do not go with it")
            }
            return try await shell.followOutput(ids, only: only)
        }
        let streams = (opts.has("stdout") || !opts.has("stderr"), opts.has("stderr") || !opts.has("stdout"))
        return try await shell.showOutput(ids, only: only, streams: streams, group: !opts.has("no-group"), saveTo: opts.value("save"))
    }
}
