import AWSCore
import SSMCore
import ShellLanguage

/// `run`: a shell command on the targets through Run Command (the plan is SSMCore's RunPlan).
struct RunCommand: ShellCommand {
    let name = "run"
    let usage =
        "run [--on TARGET[,TARGET...]] [--document NAME] [--param K=V] [--timeout D] [--delivery-timeout D] [--workdir DIR] [--comment TEXT] [--concurrency N|N%] [--max-errors N|N%] [--cloudwatch[=GROUP]] [--output-bucket BUCKET[/PREFIX]] [--wait] [--follow] COMMAND... | run [OPTIONS] <<EOF"
    let summary = "run a shell command on the current targets (Run Command); the id goes to $cmd"
    let iamActions = [
        "ssm:SendCommand", "ssm:ListCommandInvocations and ssm:GetCommandInvocation (--wait, --follow)",
        "ssm:ListCommands (--wait, --follow: a command sent by tag)", "logs:GetLogEvents (--follow)",
    ]
    let takesHereDocument = true
    let passThroughValuedOptions: Set<String>? = PassThrough.runValuedOptions

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        var out = ["ssm:SendCommand"]
        // The targets: --on's words, else the script's `use` (none: set outside it, unknown).
        var targets = state.hasTargets ? state.targetWords : ["$"]
        if let on = words.firstIndex(of: "--on"), on + 1 < words.count {
            targets = words[on + 1].split(separator: ",").map(String.init)
            out += PolicyBuilder.targetActions(targets)
        }
        let byTags = PolicyBuilder.mayGoByTags(targets)
        state.sentByTags = state.sentByTags || byTags
        if words.contains("--wait") || words.contains("--follow") {
            out += ["ssm:ListCommandInvocations", "ssm:GetCommandInvocation"] + (byTags ? ["ssm:ListCommands"] : [])
        }
        if words.contains("--follow") { out.append("logs:GetLogEvents") }
        if words.contains("--follow") || words.contains(where: { $0 == "--cloudwatch" || $0.hasPrefix("--cloudwatch=") }) { state.cloudWatch = true }
        if words.contains(where: { $0 == "--output-bucket" || $0.hasPrefix("--output-bucket=") }) { state.outputBucket = true }
        state.ranCommand = true
        return out
    }

    func completions(_ request: CompletionRequest) -> Completions {
        request.previous == "--on" ? .words(request.snapshot.targets) : .none
    }

    /// `run [OPTIONS] TEXT` or `run [OPTIONS] <<EOF`: the arguments are the options, the text
    /// the command as written, sent with the shell's own variables quoted for each group's shell.
    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let text = input.text ?? ""
        let script = input.hereDocument
        let opts = try OptionScanner("run", input.arguments, valued: PassThrough.runValuedOptions, flags: ["wait", "follow"], optional: ["cloudwatch"])
        guard opts.rest.isEmpty else {
            throw ShellError.usage("run's options must be written before the command, each as --name or --name=value")
        }
        if script != nil && !text.isEmpty {
            throw ShellError.usage("run takes the command as words or as a here-document, not both")
        }
        let document = opts.value("document")
        if script == nil && text.isEmpty && document == nil { throw ShellError.usage("run needs a command, as in: run uptime") }
        let nodes = try await opts.has("on") ? shell.resolveTargets(opts.all("on")) : shell.targets
        guard !nodes.isEmpty else { throw ShellError.usage("run has no targets: 'use TARGET' first, or run --on TARGET") }
        // Only tag words: one SendCommand by Targets a pair (TagTargets), not batches of 50 ids.
        let tagTargets = TagTargets.targets(for: try shell.targetExpression(opts.has("on") ? opts.all("on") : shell.targetWords))

        var options = RunPlan.Options()
        do {
            if let timeout = try opts.duration("timeout") { options.parameters["executionTimeout"] = [String(try RunPlan.executionTimeout(timeout))] }
            if let workdir = opts.value("workdir") { options.parameters["workingDirectory"] = [workdir] }
            for pair in opts.all("param") {
                let (key, value) = try RunPlan.parameter(pair)
                options.parameters[key, default: []].append(value)
            }
            options.deliveryTimeout = try opts.duration("delivery-timeout").map { try RunPlan.deliveryTimeout($0) }
        } catch let error as RunPlanError {
            throw ShellError.usage(error.description)
        }
        options.comment = opts.value("comment")
        options.maxConcurrency = opts.value("concurrency")
        options.maxErrors = opts.value("max-errors")
        // --follow reads the output from CloudWatch Logs, so it turns it on when it is off.
        options.cloudWatchLogGroup = try opts.value("cloudwatch").map { $0.isEmpty ? "" : try ShellSettings.logGroup($0) } ?? shell.settings.cloudWatch
        if opts.has("follow") && options.cloudWatchLogGroup == nil { options.cloudWatchLogGroup = "" }
        // `--cloudwatch /group cmd` would run `/group cmd`: the group must be written with `=`.
        if opts.value("cloudwatch") == "", !input.arguments.contains("--"), script == nil, text.hasPrefix("/") {
            throw ShellError.usage(
                "run --cloudwatch takes its group as --cloudwatch=GROUP; to run a command that starts with '/', write run --cloudwatch -- COMMAND")
        }
        options.outputBucket = shell.settings.outputBucket
        if let text = opts.value("output-bucket") {
            do { options.outputBucket = try OutputBucket(text) } catch { throw ShellError.usage(error.description) }
        }

        // Every group's lines before anything is sent, so a bad `$3` sends nothing; each
        // pair's nodes apart (a SendCommand reaches one account and region).
        var requests: [RunPlan.Request] = []
        var requestPairs: [ContextPair?] = []
        // For a request by Targets, the pair's nodes that the other documents go to by id.
        var leftOut: [Set<String>?] = []
        defer { shell.pairFleets.expanding = nil }
        for (pair, pairNodes) in shell.byPair(nodes) {
            shell.pairFleets.expanding = pair
            let groups = RunPlan.groups(pairNodes, document: document)
            let targeted = tagTargets == nil ? nil : TagTargets.targetedGroup(groups)
            for (index, group) in groups.enumerated() {
                let lines = try script.map(RunPlan.scriptLines) ?? (text.isEmpty ? [] : [shell.substitute(text, for: group.powerShell ? .powerShell : .posix)])
                if let tagTargets, index == targeted {
                    requests.append(RunPlan.targetedRequest(group, targets: tagTargets, lines: lines, options: options))
                    requestPairs.append(pair)
                    let others = groups.enumerated().filter { $0.offset != index }.flatMap { $0.element.nodes.map(\.id) }
                    leftOut.append(Set(others))
                    continue
                }
                let groupRequests = RunPlan.requests(group, lines: lines, options: options)
                requests += groupRequests
                requestPairs += groupRequests.map { _ in pair }
                leftOut += groupRequests.map { _ in nil }
            }
        }
        // One task per pair; a pair's requests in order. A failed SendCommand ends its pair's
        // sending, but the commands sent before it are kept (the ledger, $cmd), so wait and
        // cancel reach them; the failure is then thrown (one pair) or reported (several).
        let planned = Array(zip(requestPairs, zip(requests, leftOut)))
        typealias Sent = (summary: CommandSummary, request: RunPlan.Request, leftOut: Set<String>?)
        let sent = try await shell.eachPair(among: requestPairs) { pair, fleet -> ([Sent], (any Error)?) in
            var commands: [Sent] = []
            for (requestPair, (request, out)) in planned where requestPair == pair {
                do { commands.append((try await fleet.sendCommand(request.input), request, out)) } catch { return (commands, error) }
            }
            return (commands, nil)
        }
        var ids: [String] = []
        var failures: [(pair: ContextPair?, error: any Error)] = []
        requests = []
        for (pair, (commands, problem)) in sent {
            for (summary, request, out) in commands {
                let ref = CommandRef(pair: pair, id: summary.commandId).description
                ids.append(ref)
                requests.append(request)
                // A bare id is still asked in this pair once several are in play.
                if pair == nil { shell.pairFleets.sentIn[ref] = shell.contextPairs[0] }
                shell.ledger.record(
                    ref, nodes: request.nodes,
                    executionTimeout: request.input.parameters?["executionTimeout"]?.first.flatMap { Int($0) },
                    deliveryTimeout: request.input.timeoutSeconds)
                if request.input.targets != nil { shell.ledger.recordTargets(ref, targetCount: summary.targetCount, leftOut: out ?? []) }
            }
            if let problem { failures.append((pair, problem)) }
        }
        if !ids.isEmpty { shell.ledger.finishRun(ids) }
        for (pair, error) in failures {
            guard let pair, shell.isMultiContext else { throw error }
            try shell.skip(pair, error)
        }
        guard !ids.isEmpty else { return 1 }  // every pair said why it sent nothing
        switch shell.settings.outputFormat {
        case .json:
            shell.console.out(JSONValue.object(["commandIds": .array(ids.map(JSONValue.string)), "targets": .number(Double(nodes.count))]).serialized + "\n")
        case .text: shell.console.out(ids.joined(separator: "\n") + "\n")
        case .table:
            for request in requests.indices {
                let count = shell.ledger.expectedCounts[ids[request]] ?? requests[request].nodes.count
                shell.console.out("\(ids[request])  \(count) node\(count == 1 ? "" : "s")\n")
            }
        }
        // --wait and --follow wait: a failure stops the script as `wait`'s does (FailureStop.swift),
        // after the whole output.
        if opts.has("follow") {
            let status = try await shell.followOutput(ids, only: nil)
            if status == ExitStatus.remoteFailure && shell.failureStopsScript {
                throw shell.failureError(ids, try await shell.waitUntilEnded(ids, timeout: nil), command: "run --follow")
            }
            return status
        }
        if opts.has("wait") {
            let latest = try await shell.waitUntilEnded(ids, timeout: nil)
            let status = await shell.summarize(ids, latest)
            _ = try await shell.showOutput(ids, only: nil, streams: (true, true), group: true, saveTo: nil)
            if status != 0 && shell.failureStopsScript { throw shell.failureError(ids, latest, command: "run --wait") }
            return status
        }
        return 0
    }
}
