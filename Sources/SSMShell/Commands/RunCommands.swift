import AWSCore
import SSMCore
import ShellLanguage
import SystemIO

extension Shell {
    // MARK: run

    /// `run [OPTIONS] TEXT` or `run [OPTIONS] <<EOF`: `args` are the options, `text` the command
    /// as written, sent with the shell's own variables quoted for each group's shell.
    func runCommand(_ args: [String], text: String, script: String?) async throws -> Int32 {
        let opts = try OptionScanner("run", args, valued: PassThrough.runValuedOptions, flags: ["wait"])
        guard opts.rest.isEmpty else {
            throw ShellError.usage("run's options must be written before the command, each as --name or --name=value")
        }
        if script != nil && !text.isEmpty {
            throw ShellError.usage("run takes the command as words or as a here-document, not both")
        }
        let document = opts.value("document")
        if script == nil && text.isEmpty && document == nil { throw ShellError.usage("run needs a command, as in: run uptime") }
        let nodes = try await opts.has("on") ? resolveTargets(opts.all("on")) : targets
        guard !nodes.isEmpty else { throw ShellError.usage("run has no targets: 'use TARGET' first, or run --on TARGET") }

        var parameters: [String: [String]] = [:]
        if let timeout = try opts.duration("timeout") {
            // The documents' executionTimeout: amazon-ssm-agent runs a value outside 5...172800 s
            // for its default 3600 s without a word (issue 19), so refuse it here instead.
            let seconds = Int(timeout.rounded(.up))
            guard (5...172_800).contains(seconds) else {
                throw ShellError.usage("run --timeout is the document's executionTimeout: from 5s to 48h (172800 s), not \(seconds)s (the agent runs a value outside that range for 1h without a word)")
            }
            parameters["executionTimeout"] = [String(seconds)]
        }
        if let workdir = opts.value("workdir") { parameters["workingDirectory"] = [workdir] }
        for pair in opts.all("param") {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else { throw ShellError.usage("run --param takes KEY=VALUE, not '\(pair)'") }
            parameters[String(pair[..<eq]), default: []].append(String(pair[pair.index(after: eq)...]))
        }
        // SendCommand's TimeoutSeconds: 30 to 2592000 (API reference); below 30 is raised to 30.
        let deliveryTimeout = try opts.duration("delivery-timeout").map { max(30, Int($0.rounded(.up))) }
        if let deliveryTimeout, deliveryTimeout > 2_592_000 {
            throw ShellError.usage("run --delivery-timeout is SendCommand's TimeoutSeconds: at most 720h (2592000 s), not \(deliveryTimeout)s")
        }

        // One command per document: Windows nodes get PowerShell, the rest the shell script.
        var groups: [(document: String, nodes: [Node])] = []
        if let document {
            groups = [(document, nodes)]
        } else {
            let windows = nodes.filter { $0.platform == "Windows" }
            let others = nodes.filter { $0.platform != "Windows" }
            if !others.isEmpty { groups.append(("AWS-RunShellScript", others)) }
            if !windows.isEmpty { groups.append(("AWS-RunPowerShellScript", windows)) }
        }
        // Every group's lines before anything is sent, so a bad `$3` sends nothing.
        var groupLines: [[String]] = []
        for group in groups {
            if let script {
                groupLines.append(script.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLastEmpty())
            } else if text.isEmpty {
                groupLines.append([])
            } else {
                let powerShell = group.document == "AWS-RunPowerShellScript" || group.nodes.allSatisfy { $0.platform == "Windows" }
                groupLines.append([try substitute(text, for: powerShell ? .powerShell : .posix)])
            }
        }
        let fleet = try fleet()
        var ids: [String] = []
        for (group, lines) in zip(groups, groupLines) {
            var parameters = parameters
            if !lines.isEmpty { parameters["commands"] = lines }
            // The service takes at most 50 instance ids per command.
            for start in stride(from: 0, to: group.nodes.count, by: 50) {
                let batch = Array(group.nodes[start..<min(start + 50, group.nodes.count)])
                var input = SendCommandInput(documentName: group.document, instanceIds: batch.map(\.id), parameters: parameters)
                input.comment = opts.value("comment") ?? String(lines.first?.prefix(100) ?? "")
                input.timeoutSeconds = deliveryTimeout
                input.maxConcurrency = opts.value("concurrency")
                input.maxErrors = opts.value("max-errors")
                let command = try await fleet.sendCommand(input)
                ids.append(command.commandId)
                commandTargets[command.commandId] = batch
                // AWS-RunShellScript's and AWS-RunPowerShellScript's default executionTimeout is 3600 s.
                if let seconds = parameters["executionTimeout"]?.first.flatMap({ Int($0) }) ?? (document == nil ? 3600 : nil) {
                    executionTimeouts[command.commandId] = seconds
                }
            }
        }
        lastCommands = ids
        switch outputFormat {
        case .json: console.out("{\"commandIds\":[\(ids.map(jsonString).joined(separator: ","))],\"targets\":\(nodes.count)}\n")
        case .text: console.out(ids.joined(separator: "\n") + "\n")
        case .table:
            for id in ids { console.out("\(id)  \(commandTargets[id]!.count) node\(commandTargets[id]!.count == 1 ? "" : "s")\n") }
        }
        if opts.has("wait") {
            let status = try await waitFor(ids, timeout: nil)
            _ = try await showOutput(ids, only: nil, streams: (true, true), group: true, saveTo: nil)
            return status
        }
        return 0
    }

    /// `$cmd`, or the ids given (comma or space separated).
    func commandIds(_ word: String?) throws -> [String] {
        if let word {
            let ids = word.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            guard !ids.isEmpty else { throw ShellError.usage("no command id given") }
            return ids
        }
        guard !lastCommands.isEmpty else { throw ShellError.usage("no command yet: run one first, or give its id") }
        return lastCommands
    }

    static func looksLikeCommandId(_ word: String) -> Bool {
        word.split(separator: ",").allSatisfy { $0.count == 36 && $0.filter { $0 == "-" }.count == 4 }
    }

    // MARK: wait

    static let terminal: Set<String> = ["Success", "Failed", "TimedOut", "Cancelled"]

    func waitCommand(_ args: [String]) async throws -> Int32 {
        let opts = try OptionScanner("wait", args, valued: ["timeout"], anywhere: true)
        guard opts.rest.count <= 1 else { throw ShellError.usage("wait takes at most one command id (or a list joined by commas)") }
        let timeout = try opts.duration("timeout")  // a usage error comes before any lookup
        return try await waitFor(try commandIds(opts.rest.first), timeout: timeout)
    }

    /// Polls ListCommandInvocations page by page (50 a page, so ceil(N/50) calls a round) with an
    /// interval that starts short and backs off; an invocation not listed yet is pending.
    func waitFor(_ ids: [String], timeout: Double?) async throws -> Int32 {
        let fleet = try fleet()
        let clock = self.clock
        let start = clock.now()
        var interval = 0.25
        var latest: [String: [String: CommandInvocation]] = [:]
        let live = console.stderrIsTerminal && !options.quiet
        var round = 0
        while true {
            round += 1
            if options.debug { console.err("--- wait: poll round \(round)\n") }
            for id in ids {
                var token: String?
                var seen: [String: CommandInvocation] = [:]
                repeat {
                    let page = try await fleet.listInvocations(commandId: id, nextToken: token)
                    for invocation in page.invocations { seen[invocation.instanceId] = invocation }
                    token = page.nextToken
                } while token != nil
                latest[id] = seen
            }
            let expected = ids.reduce(0) { $0 + max(commandTargets[$1]?.count ?? 0, latest[$1]?.count ?? 0) }
            let all = latest.values.flatMap(\.values)
            let done = all.filter { Self.terminal.contains($0.status) }
            let failed = done.filter { $0.status != "Success" }
            if live {
                console.err("\r\u{1B}[Kwaiting: \(done.count)/\(expected) done\(failed.isEmpty ? "" : ", \(failed.count) not successful") · \(DurationText.format((clock.now() - start).rounded()))")
            }
            if all.count >= expected && done.count == all.count && expected > 0 {
                if live { console.err("\r\u{1B}[K") }
                return summarize(ids, latest)
            }
            if let timeout, clock.now() - start >= timeout {
                if live { console.err("\r\u{1B}[K") }
                throw ShellError("wait timed out after \(DurationText.format(timeout)): \(done.count) of \(expected) invocations ended. The command goes on; 'cancel \(ids.joined(separator: ","))' stops it.")
            }
            let nap = min(interval, timeout.map { max(0.05, $0 - (clock.now() - start)) } ?? interval)
            let wake = clock.now() + nap
            while clock.now() < wake {
                if interrupted() {
                    if live { console.err("\r\u{1B}[K") }
                    throw ShellError("stopped waiting; the command goes on. 'cancel \(ids.joined(separator: ","))' stops it.", status: 130)
                }
                try await clock.sleep(seconds: min(0.05, wake - clock.now()))
            }
            // Short at first (most commands end in seconds), then every second, then every 5 s.
            interval = min(interval * 1.5, clock.now() - start < 60 ? 1 : 5)
        }
    }

    func summarize(_ ids: [String], _ latest: [String: [String: CommandInvocation]]) -> Int32 {
        var rows: [[String]] = []
        var failures = 0
        for id in ids {
            let order = commandTargets[id]?.map(\.id) ?? Array(latest[id, default: [:]].keys).sorted()
            for instance in order {
                guard let inv = latest[id]?[instance] else { continue }
                if inv.status != "Success" { failures += 1 }
                let details = outcome(id, status: inv.status, details: inv.statusDetails) ?? inv.statusDetails ?? ""
                rows.append([label(instance), inv.status, details, ids.count > 1 ? id : ""].dropLastIfEmpty(ids.count == 1))
            }
        }
        print(Table(columns: ["NODE", "STATUS", "DETAILS"] + (ids.count > 1 ? ["COMMAND"] : []), rows: rows))
        return failures == 0 ? 0 : 3
    }

    func label(_ instanceId: String) -> String { knownNodes[instanceId]?.label ?? instanceId }

    /// What happened, in words, where the ResponseCode is the agent's and not the script's:
    /// amazon-ssm-agent reports 137 for a script it killed at executionTimeout and 1 for one it
    /// cancelled (issue 19), which would read as the script's own exit status.
    func outcome(_ commandId: String, status: String, details: String?) -> String? {
        switch (status, details) {
        case ("TimedOut", "ExecutionTimedOut"):
            return executionTimeouts[commandId].map { "timed out after \(DurationText.format(Double($0)))" } ?? "timed out (executionTimeout)"
        case ("Cancelled", _): return "cancelled"
        default: return nil
        }
    }

    // MARK: output

    func output(_ args: [String]) async throws -> Int32 {
        let opts = try OptionScanner("output", args, valued: ["save"], flags: ["stdout", "stderr", "no-group"], anywhere: true)
        var words = opts.rest
        var ids = lastCommands
        if let first = words.first, Self.looksLikeCommandId(first) { ids = try commandIds(first); words.removeFirst() }
        if ids.isEmpty { ids = try commandIds(nil) }
        let only = words.isEmpty ? nil : Set(try await resolveTargets(words).map(\.id))
        let streams = (opts.has("stdout") || !opts.has("stderr"), opts.has("stderr") || !opts.has("stdout"))
        return try await showOutput(ids, only: only, streams: streams, group: !opts.has("no-group"), saveTo: opts.value("save"))
    }

    struct InvocationOutput: Sendable {
        var commandId = ""
        let instanceId: String
        let result: InvocationResult
    }

    /// GetCommandInvocation for every node, eight at a time; identical outputs grouped.
    func showOutput(_ ids: [String], only: Set<String>?, streams: (stdout: Bool, stderr: Bool), group: Bool, saveTo: String?) async throws -> Int32 {
        let fleet = try fleet()
        var pairs: [(String, String)] = []
        for id in ids {
            var instances = commandTargets[id]?.map(\.id) ?? []
            if instances.isEmpty {
                var token: String?
                repeat {
                    let page = try await fleet.listInvocations(commandId: id, nextToken: token)
                    instances += page.invocations.map(\.instanceId)
                    token = page.nextToken
                } while token != nil
            }
            pairs += instances.filter { only?.contains($0) ?? true }.map { (id, $0) }
        }
        var results: [Int: InvocationOutput] = [:]
        try await withThrowingTaskGroup(of: (Int, InvocationOutput).self) { group in
            var next = 0
            func add() {
                guard next < pairs.count else { return }
                let (index, pair) = (next, pairs[next])
                next += 1
                group.addTask {
                    (index, InvocationOutput(commandId: pair.0, instanceId: pair.1, result: try await Self.invocation(fleet, pair.0, pair.1)))
                }
            }
            for _ in 0..<min(8, pairs.count) { add() }
            while let (index, result) = try await group.next() {
                results[index] = result
                add()
            }
        }
        let ordered = (0..<pairs.count).compactMap { results[$0] }
        if let saveTo { try save(ordered, to: saveTo) }
        if outputFormat == .json {
            let objects = ordered.map { r in
                "{\"instanceId\":\(jsonString(r.instanceId)),\"name\":\(jsonString(knownNodes[r.instanceId]?.name ?? "")),\"status\":\(jsonString(r.result.status)),\"exitCode\":\(r.result.responseCode),\"stdout\":\(jsonString(r.result.standardOutput)),\"stderr\":\(jsonString(r.result.standardError))}"
            }
            console.out("[" + objects.joined(separator: ",") + "]\n")
        } else {
            // Grouped by what the command printed: the exit code and the agent's own failure line
            // stay out of the key, so nodes that printed the same are one group.
            var groups: [(key: String, summary: String, nodes: [String], exits: [(code: Int, node: String)], result: InvocationResult, stderr: String)] = []
            for r in ordered {
                let said = outcome(r.commandId, status: r.result.status, details: r.result.statusDetails)
                let summary = said ?? r.result.status
                let exit = said == nil && r.result.responseCode >= 0 ? [(r.result.responseCode, r.instanceId)] : []
                let stderr = Self.withoutAgentFailureLine(r.result.standardError, status: r.result.status, code: r.result.responseCode)
                let key = "\(summary)\u{0}\(r.result.standardOutput)\u{0}\(stderr)"
                if group, let i = groups.firstIndex(where: { $0.key == key }) {
                    groups[i].nodes.append(r.instanceId)
                    groups[i].exits += exit
                } else {
                    groups.append((key, summary, [r.instanceId], exit, r.result, stderr))
                }
            }
            for g in groups {
                let names = g.nodes.map { knownNodes[$0]?.shortLabel ?? $0 }.joined(separator: ", ")
                let header = "== \(names) · \(g.summary)\(exitSummary(g.exits))"
                console.out((color ? "\u{1B}[1m\(header)\u{1B}[0m" : header) + "\n")
                let (stdout, cut) = Self.withoutTruncationMarker(g.result.standardOutput)
                if streams.stdout && !stdout.isEmpty { console.out(stdout.endingInNewline) }
                if streams.stdout && cut {
                    console.out("(stdout cut by the agent at 24,000 characters: to get it all, have the command write to a file on the node and read that in parts, e.g. with 'run tail -c +\(stdout.utf8.count + 1) FILE')\n")
                }
                if streams.stderr && !g.stderr.isEmpty {
                    console.out("-- stderr\n" + g.stderr.endingInNewline)
                    if g.result.standardError.count >= 8000 {
                        console.out("(stderr truncated by Systems Manager at 8,000 characters)\n")
                    }
                }
            }
        }
        return ordered.allSatisfy { $0.result.status == "Success" } ? 0 : 3
    }

    /// amazon-ssm-agent keeps the first 23,980 characters of stdout and appends this marker, 24,000
    /// in all (issue 19); the marker is the agent's, not the node's output.
    static let truncationMarker = "--output truncated--"

    static func withoutTruncationMarker(_ text: String) -> (text: String, cut: Bool) {
        text.hasSuffix(truncationMarker) ? (String(text.dropLast(truncationMarker.count)), true) : (text, false)
    }

    /// ", exit 3" when a group's nodes share their exit code, else each code with its nodes:
    /// ", exit 3 (web-1, web-3), exit 4 (web-2)".
    func exitSummary(_ exits: [(code: Int, node: String)]) -> String {
        var codes: [(code: Int, nodes: [String])] = []
        for e in exits {
            if let i = codes.firstIndex(where: { $0.code == e.code }) { codes[i].nodes.append(e.node) } else { codes.append((e.code, [e.node])) }
        }
        if codes.count == 1 { return ", exit \(codes[0].code)" }
        return codes.map { c in ", exit \(c.code) (\(c.nodes.map { knownNodes[$0]?.shortLabel ?? $0 }.joined(separator: ", ")))" }.joined()
    }

    /// amazon-ssm-agent 3.3 appends `failed to run commands: exit status N` to the stderr of a
    /// script that exits non-zero (plugins/runscript, MarkAsFailed; no newline of its own, issue
    /// 19): the agent's words, not the command's, left out so that nodes group on what they printed.
    static func withoutAgentFailureLine(_ stderr: String, status: String, code: Int) -> String {
        let line = "failed to run commands: exit status \(code)"
        guard status == "Failed", stderr.hasSuffix(line) else { return stderr }
        return String(stderr.dropLast(line.count))
    }

    /// GetCommandInvocation, treating InvocationDoesNotExist right after SendCommand as not yet.
    static func invocation(_ fleet: any FleetAPI, _ commandId: String, _ instanceId: String) async throws -> InvocationResult {
        var attempt = 0
        while true {
            do {
                return try await fleet.getInvocation(commandId: commandId, instanceId: instanceId)
            } catch let error as AWSServiceError where error.code == "InvocationDoesNotExist" && attempt < 20 {
                attempt += 1
                try await Task.sleep(nanoseconds: 250_000_000)
            }
        }
    }

    /// Files are named after the node's id, never its Name tag: a tag is anyone's text (`../x`
    /// would leave DIR) and two nodes may share one. With several commands, the command id too.
    func save(_ results: [InvocationOutput], to directory: String) throws {
        let fs = LocalFileSystem()
        let severalCommands = Set(results.map(\.commandId)).count > 1
        for r in results {
            let name = severalCommands ? "\(r.commandId).\(r.instanceId)" : r.instanceId
            let base = "\(directory)/\(Self.safeFileName(name))"
            try fs.write(Array(r.result.standardOutput.utf8), to: base + ".stdout", permissions: 0o644)
            try fs.write(Array(r.result.standardError.utf8), to: base + ".stderr", permissions: 0o644)
        }
        if !options.quiet { console.err("saved \(results.count * 2) files in \(directory)\n") }
    }

    /// A name that stays one file inside its directory whatever the service returned: only
    /// letters, digits, `-`, `_` and `.`, not starting with a dot.
    static func safeFileName(_ name: String) -> String {
        let kept = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "_" })
        return kept.hasPrefix(".") ? "_" + kept.dropFirst() : kept
    }

    // MARK: cancel, invocations, commands

    func cancel(_ args: [String]) async throws -> Int32 {
        var words = args
        var ids = lastCommands
        if let first = words.first, Self.looksLikeCommandId(first) { ids = try commandIds(first); words.removeFirst() }
        if ids.isEmpty { ids = try commandIds(nil) }
        let only = words.isEmpty ? nil : try await resolveTargets(words).map(\.id)
        for id in ids { try await fleet().cancel(commandId: id, instanceIds: only) }
        if !options.quiet { console.err("cancel requested for \(ids.joined(separator: ", "))\n") }
        return 0
    }

    func invocations(_ args: [String]) async throws -> Int32 {
        let ids = try commandIds(args.first)
        var rows: [[String]] = []
        for id in ids {
            var token: String?
            repeat {
                let page = try await fleet().listInvocations(commandId: id, nextToken: token)
                for inv in page.invocations {
                    rows.append([label(inv.instanceId), inv.status, inv.statusDetails ?? "", inv.requestedAt.flatMap { CivilTime(secondsSince1970: $0)?.format(compact: false) } ?? ""])
                }
                token = page.nextToken
            } while token != nil
        }
        print(Table(columns: ["NODE", "STATUS", "DETAILS", "REQUESTED"], rows: rows))
        return 0
    }

    func commands(_ args: [String]) async throws -> Int32 {
        let opts = try OptionScanner("commands", args, valued: ["limit"])
        guard let limit = Int(opts.value("limit") ?? "20"), limit > 0 else { throw ShellError.usage("commands --limit takes a positive number") }
        let list = try await fleet().listCommands(limit: limit)
        print(Table(columns: ["ID", "REQUESTED", "DOCUMENT", "COMMAND", "TARGETS", "STATUS", "DONE", "ERRORS"], rows: list.map { c in
            [c.commandId, c.requestedAt.flatMap { CivilTime(secondsSince1970: $0)?.format(compact: false) } ?? "", c.documentName,
             String((c.parameters["commands"]?.first ?? c.comment ?? "").prefix(40)), String(c.targetCount ?? c.instanceIds.count), c.status,
             String(c.completedCount ?? 0), String(c.errorCount ?? 0)]
        }))
        return 0
    }
}

extension String {
    var endingInNewline: String { hasSuffix("\n") ? self : self + "\n" }
}

extension Array where Element == String {
    func dropLastEmpty() -> [String] {
        var copy = self
        while copy.last == "" { copy.removeLast() }
        return copy
    }

    func dropLastIfEmpty(_ condition: Bool) -> [String] { condition ? Array(dropLast()) : self }
}
