import AWSCore
import SSMCore

/// What the Run Command commands share (their types are beside this file): the ledger
/// of what was sent, polling until done (`wait`, `run --wait`), and fetching, grouping and
/// saving output (`output`, `run --wait`). The rules are SSMCore's: RunPlan, CommandLedger,
/// WaitSchedule, OutputGrouping.
extension Shell {
    // MARK: the ledger

    /// `$cmd`: the ids of the last `run`.
    public var lastCommands: [String] { ledger.last }
    /// What each command was sent to, for `wait` and `output` (and completion's command ids).
    var commandTargets: [String: [Node]] { ledger.targets }

    /// `$cmd`, or the ids given (comma or space separated).
    func commandIds(_ word: String?) throws -> [String] {
        let ids: [String]
        do { ids = try ledger.commandIds(word) } catch { throw ShellError.usage(error.description) }
        return ids.map(canonicalCommand)
    }

    // MARK: wait

    /// `wait`: until every invocation has ended, then the table; status 3 when one did not
    /// succeed. With `stopsOnFailure` that failure ends the script here, after the failed
    /// nodes' last lines (FailureStop.swift).
    func waitFor(_ ids: [String], timeout: Double?, stopsOnFailure: Bool) async throws -> Int32 {
        let latest = try await waitUntilEnded(ids, timeout: timeout)
        let status = await summarize(ids, latest)
        if status != 0 && stopsOnFailure { throw try await failureStop(ids, latest, command: "wait") }
        // With keep-going the script goes on, and nothing else shows why: the last lines still do.
        if status != 0 && failureGoesOnUnseen { await showFailureTails(ids, latest) }
        return status
    }

    /// Polls ListCommandInvocations every page (50 a page, so ceil(N/50) calls a round for N
    /// nodes of a pair) on `WaitSchedule`'s intervals until every invocation has ended; an
    /// invocation not listed yet is pending, and a command whose invocations have all ended is
    /// not asked again. Returns each command's invocations by instance id (none for a pair that
    /// could not be asked).
    func waitUntilEnded(_ ids: [String], timeout: Double?) async throws -> [String: [String: CommandInvocation]] {
        var ids = ids
        // Intervals on the monotonic clock, which setting the time of day does not move; naps
        // through the wall clock's sleep (as `sleep` does).
        let clock = self.clock
        let monotonic = services.monotonicClock
        var schedule = WaitSchedule(start: monotonic.seconds(), timeout: timeout)
        var latest: [String: [String: CommandInvocation]] = [:]
        let live = console.stderrIsTerminal && !options.quiet
        var round = 0
        var serviceEnded: Set<String> = []
        var cannotAsk: Set<String> = []
        while true {
            round += 1
            if options.debug { console.err("--- wait: poll round \(round)\n") }
            // Every pair at once; a pair that cannot be asked is reported and left out.
            let expected = ledger.expectedCounts
            let asking = ids.filter { !ledger.settled.contains($0) && !WaitProgress([$0], sentTo: expected, latest: latest).finished }
            var polled = try await invocationsInEveryPair(asking, throttledRoundsWait: true)
            for id in asking where polled[id] == nil { latest[id] = nil }
            let unanswered = Set(asking.filter { polled[$0] == nil })
            ids = ids.filter { !unanswered.contains($0) }
            // Every pair skipped (each said why): nothing is left to wait for.
            guard !ids.isEmpty else {
                if live { console.err("\r\u{1B}[K") }
                return latest
            }
            // A command throttled this round keeps what the last round found.
            for (id, invocations) in polled where Self.isThrottledMark(invocations) {
                polled[id] = nil
                if options.debug { console.err("--- wait: \(id) throttled this round; asked again next round\n") }
            }
            for (id, invocations) in polled {
                latest[id] = Dictionary(invocations.map { ($0.instanceId, $0) }, uniquingKeysWith: { _, last in last })
            }
            let progress = WaitProgress(ids, sentTo: expected, latest: latest)
            if live {
                let nodes = WaitProgressLine.nodes(ids, sentTo: ledger.targets.mapValues { $0.map(\.id) }, latest: latest)
                let line = WaitProgressLine.text(
                    progress, pending: nodes.pending.map(nodeDirectory.shortLabel), unsuccessful: nodes.unsuccessful.map(nodeDirectory.shortLabel),
                    elapsed: DurationText.format((monotonic.seconds() - schedule.start).rounded()))
                console.err("\r\u{1B}[K" + line)
            }
            if progress.finished {
                if live { console.err("\r\u{1B}[K") }
                return latest
            }
            // Commands sent by Targets that the service said had ended: this round's listing,
            // made after it said so, is all of their invocations (settleTargetsCommands).
            for id in serviceEnded where polled[id] != nil { ledger.settle(id, invocations: latest[id]?.count ?? 0) }
            if ids.allSatisfy({ ledger.settled.contains($0) || WaitProgress([$0], sentTo: ledger.expectedCounts, latest: latest).finished }) {
                if live { console.err("\r\u{1B}[K") }
                return latest
            }
            let answer = await targetsCommandsEnded(ids, latest: latest, known: serviceEnded.union(cannotAsk))
            serviceEnded.formUnion(answer.ended)
            cannotAsk.formUnion(answer.refused)
            switch schedule.next(now: monotonic.seconds()) {
            case .timedOut:
                if live { console.err("\r\u{1B}[K") }
                throw ShellError(
                    "wait timed out after \(DurationText.format(timeout ?? 0)): \(progress.ended) of \(progress.expected) invocations ended. The command goes on; 'cancel \(ids.joined(separator: ","))' stops it."
                )
            case .sleep(let nap):
                let wake = monotonic.seconds() + nap
                // The clock is read once a round, so a wake that passes between the check and
                // the sleep is never a negative sleep.
                while case let remaining = wake - monotonic.seconds(), remaining > 0 {
                    if interrupted() {
                        if live { console.err("\r\u{1B}[K") }
                        throw ShellError("stopped waiting; the command goes on. 'cancel \(ids.joined(separator: ","))' stops it.", status: 130)
                    }
                    try await clock.sleep(seconds: min(WaitSchedule.slice, remaining))
                }
                schedule.napped(now: monotonic.seconds())
            }
        }
    }

    /// Commands sent by `Targets` whose listed invocations have all ended but are fewer than
    /// the nodes `use` resolved: the tag may have changed since (a node untagged or
    /// terminated), and only the service knows a command's nodes. Those ListCommands says have
    /// ended; the next round's listing is then all of their invocations. Asked only in that
    /// case, one call a command; an error leaves it to the next round.
    func targetsCommandsEnded(_ ids: [String], latest: [String: [String: CommandInvocation]], known: Set<String>) async -> (
        ended: Set<String>, refused: Set<String>
    ) {
        let expected = ledger.expectedCounts
        let stuck = ids.filter { id in
            guard ledger.byTargets.contains(id), !ledger.settled.contains(id), !known.contains(id) else { return false }
            let progress = WaitProgress([id], sentTo: expected, latest: latest)
            return !progress.finished && progress.ended == progress.listed
        }
        var ended: Set<String> = []
        var refused: Set<String> = []
        for id in stuck {
            do {
                let ref = try located(id)
                guard let command = try await fleet(for: ref.pair).command(ref.id), WaitProgress.terminal.contains(command.status) else { continue }
                ended.insert(id)
                if options.debug { console.err("--- wait: \(id) has ended (\(command.status)); its next listing is all of it\n") }
            } catch let error as AWSServiceError where error.isAccessDenied {
                // Not asked again; said once, as the wait may now last until its timeout.
                refused.insert(id)
                console.err(
                    "wait: \(id) was sent by tag and fewer nodes answered than 'use' found, but ListCommands was refused, so whether it has ended is not known: it is waited for until --timeout. Allow ssm:ListCommands, or 'cancel' it.\n"
                )
            } catch {
                if options.debug { console.err("--- wait: ListCommands for \(id): \(error)\n") }
            }
        }
        return (ended, refused)
    }

    func summarize(_ ids: [String], _ latest: [String: [String: CommandInvocation]]) async -> Int32 {
        var rows: [[String]] = []
        var pairs: [ContextPair?] = []
        var failures = 0
        for id in ids {
            let pair = CommandRef(id).pair  // once a command: 10,000 rows in issue 14's scale run
            let invocations = latest[id, default: [:]]
            for instance in ledger.order(id, listed: invocations.keys) {
                guard let inv = invocations[instance] else { continue }
                if inv.status != "Success" { failures += 1 }
                let details = outcome(id, status: inv.status, details: inv.statusDetails) ?? inv.statusDetails ?? ""
                rows.append([label(instance), inv.status, details] + (ids.count > 1 ? [id] : []))
                pairs.append(pair)
            }
        }
        print(await contextTable(columns: ["NODE", "STATUS", "DETAILS"] + (ids.count > 1 ? ["COMMAND"] : []), rows: rows, pairs: pairs))
        return failures == 0 ? 0 : 3
    }

    func label(_ instanceId: String) -> String { nodeDirectory.label(instanceId) }

    /// How an invocation ended, in words, when its exit code is not the script's.
    func outcome(_ commandId: String, status: String, details: String?) -> String? {
        switch ledger.outcome(commandId, status: status, details: details) {
        case .timedOut(let seconds): seconds.map { "timed out after \(DurationText.format(Double($0)))" } ?? "timed out (executionTimeout)"
        case .notDelivered(let seconds):
            "not delivered within \(seconds.map { DurationText.format(Double($0)) } ?? "the delivery timeout") (the delivery timeout)"
        case .cancelled: "cancelled"
        case nil: nil
        }
    }

    // MARK: output (grouping is SSMCore's OutputGrouping)

    /// Each node's output, identical outputs grouped: from ListCommandInvocations with details
    /// (50 nodes a call), GetCommandInvocation only where that text was cut (`outputEntries`).
    func showOutput(_ ids: [String], only: Set<String>?, streams: (stdout: Bool, stderr: Bool), group: Bool, saveTo: String?) async throws -> Int32 {
        // Each command's listing with details, the pairs at once; a pair that fails is reported
        // and left out (ContextFleets.swift).
        let listed = try await invocationDetailsInEveryPair(ids.filter { detailsPay(for: $0, wanted: only) })
        var pairs: [(String, String)] = []
        for id in ids {
            let ref = try located(id)
            do {
                var instances: [String]
                if let invocations = listed[id] {
                    instances = ledger.order(id, listed: invocations.map(\.instanceId))
                } else if detailsPay(for: id, wanted: only) {
                    continue  // its pair was skipped
                } else {
                    instances = ledger.targets[id]?.map(\.id) ?? []
                    if instances.isEmpty { instances = try await fleet(for: ref.pair).allInvocations(commandId: ref.id).map(\.instanceId) }
                }
                pairs += instances.filter { only?.contains($0) ?? true }.map { (id, $0) }
            } catch  where isMultiContext && ref.pair != nil {
                try skip(ref.pair!, error)
            }
        }
        let ordered = try await outputEntries(pairs, listed: listed)
        if let saveTo { try save(ordered, to: saveTo) }
        if settings.outputFormat == .json {
            let objects = ordered.map { r -> JSONValue in
                [
                    "instanceId": .string(r.instanceId), "name": .string(nodeDirectory.name(of: r.instanceId) ?? ""), "status": .string(r.result.status),
                    "exitCode": .number(Double(r.result.responseCode)), "stdout": .string(r.result.standardOutput), "stderr": .string(r.result.standardError),
                ]
            }
            console.out(JSONValue.array(objects).serialized + "\n")
        } else {
            for g in OutputGrouping.groups(ordered, group: group) {
                console.out(groupHeader(g))
                let (stdout, cut) = OutputGrouping.withoutTruncationMarker(g.result.standardOutput)
                if streams.stdout && !stdout.isEmpty { console.out(stdout.endingInNewline) }
                if streams.stdout && cut && g.result.completeFrom == nil {
                    console.out(
                        g.result.standardOutputURL == nil
                            ? "(stdout cut by the agent at 24,000 characters: run the command with --output-bucket BUCKET (S3) or --cloudwatch (CloudWatch Logs), or 'set output-bucket BUCKET' first, and 'output' reads all of it from there)\n"
                            : "(stdout cut by the agent at 24,000 characters; the whole of it is in S3 but could not be read, as said above)\n"
                    )
                }
                if streams.stderr && !g.stderr.isEmpty {
                    console.out("-- stderr\n" + g.stderr.endingInNewline)
                    if g.result.standardError.count >= OutputGrouping.stderrLimit && g.result.completeFrom == nil && !g.result.standardErrorIsWhole {
                        console.out("(stderr truncated by Systems Manager at 8,000 characters: --output-bucket BUCKET or --cloudwatch keeps all of it)\n")
                    }
                }
            }
        }
        return ordered.allSatisfy { $0.result.status == "Success" } ? 0 : 3
    }

    /// Whether listing a command's invocations with details costs fewer calls than
    /// GetCommandInvocation for the nodes wanted: ceil(N/50) pages against one call a node.
    func detailsPay(for id: String, wanted: Set<String>?) -> Bool {
        // A command sent by Targets: only the listing knows its nodes (CommandLedger.byTargets).
        if ledger.byTargets.contains(id) { return true }
        let expected = ledger.expectedCounts[id] ?? 0
        let pages = max(1, (expected + 49) / 50)
        guard expected > 0 else { return true }  // not sent from here: the listing names the nodes
        let nodes = wanted.map { wanted in ledger.targets[id]?.filter { wanted.contains($0.id) }.count ?? wanted.count } ?? expected
        return nodes > pages
    }

    /// Each (command, node) pair's result: from the commands' listings with details (`listed`)
    /// where the text there is whole (PluginOutput), else GetCommandInvocation eight at a time;
    /// then the whole streams from CloudWatch Logs or S3 where the agent cut them. In the order
    /// of the pairs.
    func outputEntries(_ pairs: [(String, String)], listed: [String: [CommandInvocation]] = [:]) async throws -> [OutputGrouping.Entry] {
        var fromListing: [Int: InvocationResult] = [:]
        var byNode: [String: [String: CommandInvocation]] = [:]
        for (id, invocations) in listed { byNode[id] = Dictionary(invocations.map { ($0.instanceId, $0) }, uniquingKeysWith: { _, last in last }) }
        for (index, pair) in pairs.enumerated() {
            if let invocation = byNode[pair.0]?[pair.1], let result = PluginOutput.result(invocation) { fromListing[index] = result }
        }
        let asked = pairs.indices.filter { fromListing[$0] == nil }
        var results = try await invocationResults(asked.map { pairs[$0] })
        results = Dictionary(uniqueKeysWithValues: results.map { (asked[$0.key], $0.value) })
        results.merge(fromListing) { asked, _ in asked }
        results = try await completedFromCloudWatch(pairs, results)
        results = try await completedFromS3(pairs, results)
        return pairs.indices.compactMap { i in
            results[i].map {
                OutputGrouping.Entry(
                    commandId: pairs[i].0, instanceId: pairs[i].1, result: $0,
                    outcome: outcome(pairs[i].0, status: $0.status, details: $0.statusDetails))
            }
        }
    }

    /// GetCommandInvocation for each (command, node) pair, eight at a time: results by index.
    func invocationResults(_ pairs: [(String, String)]) async throws -> [Int: InvocationResult] {
        // Each command's client and its id without the pair (ContextFleets.swift).
        var fleets: [String: (fleet: any FleetAPI, ref: CommandRef)] = [:]
        for id in Set(pairs.map(\.0)) {
            let ref = try located(id)
            fleets[id] = (try fleet(for: ref.pair), ref)
        }
        let clock = self.clock
        var results: [Int: InvocationResult] = [:]
        // With several pairs, one whose calls fail is reported once and left out; the rest go on.
        var failedPairs = Set<ContextPair>()
        try await withThrowingTaskGroup(of: (Int, Result<InvocationResult, any Error>).self) { group in
            var next = 0
            func add() {
                guard next < pairs.count else { return }
                let (index, pair) = (next, pairs[next])
                next += 1
                let (fleet, ref) = fleets[pair.0]!
                group.addTask {
                    do { return (index, .success(try await Self.invocation(fleet, ref.id, pair.1, clock: clock))) } catch { return (index, .failure(error)) }
                }
            }
            for _ in 0..<min(8, pairs.count) { add() }
            while let (index, result) = try await group.next() {
                switch result {
                case .success(let value): results[index] = value
                case .failure(let error):
                    guard isMultiContext, let pair = fleets[pairs[index].0]?.ref.pair else {
                        group.cancelAll()
                        throw error
                    }
                    if failedPairs.insert(pair).inserted { try skip(pair, error) }
                }
                add()
            }
        }
        return results
    }

    /// `== web-1, web-3 · Failed, exit 3`, bold when colours are on, and a newline.
    func groupHeader(_ g: OutputGrouping.Group) -> String {
        let names = g.nodes.map(nodeDirectory.shortLabel).joined(separator: ", ")
        let header = "== \(names) · \(g.summary)\(exitSummary(g.exits))"
        return (settings.color ? "\u{1B}[1m\(header)\u{1B}[0m" : header) + "\n"
    }

    /// ", exit 3" when a group's nodes share their exit code, else each code with its nodes:
    /// ", exit 3 (web-1, web-3), exit 4 (web-2)".
    func exitSummary(_ exits: [(code: Int, node: String)]) -> String {
        let codes = OutputGrouping.exitCodes(exits)
        if codes.count == 1 { return ", exit \(codes[0].code)" }
        return codes.map { c in ", exit \(c.code) (\(c.nodes.map(nodeDirectory.shortLabel).joined(separator: ", ")))" }.joined()
    }

    /// GetCommandInvocation, treating InvocationDoesNotExist right after SendCommand as not yet
    /// (the service lists an invocation a moment after SendCommand returns): 20 tries, 250 ms apart.
    static func invocation(_ fleet: any CommandsAPI, _ commandId: String, _ instanceId: String, clock: any WallClock) async throws -> InvocationResult {
        var attempt = 0
        while true {
            do {
                return try await fleet.getInvocation(commandId: commandId, instanceId: instanceId)
            } catch let error as AWSServiceError where error.code == "InvocationDoesNotExist" && attempt < 20 {
                attempt += 1
                try await clock.sleep(seconds: 0.25)
            }
        }
    }

    /// Files are named after the node's id, never its Name tag: a tag is anyone's text (`../x`
    /// would leave DIR) and two nodes may share one. With several commands, the command id too.
    /// The agent's truncation marker is not written: the file holds what the node printed, and
    /// the shell says when that is only the first 23,980 characters (issue 19).
    func save(_ results: [OutputGrouping.Entry], to directory: String) throws {
        let fs = services.fileSystem
        let severalCommands = Set(results.map(\.commandId)).count > 1
        var cut: [String] = []
        for r in results {
            let name = severalCommands ? "\(r.commandId).\(r.instanceId)" : r.instanceId
            let base = "\(directory)/\(Self.safeFileName(name))"
            let (stdout, wasCut) = OutputGrouping.withoutTruncationMarker(r.result.standardOutput)
            try fs.write(Array(stdout.utf8), to: base + ".stdout", permissions: 0o644)
            try fs.write(Array(r.result.standardError.utf8), to: base + ".stderr", permissions: 0o644)
            if wasCut {
                cut.append(
                    "\(nodeDirectory.shortLabel(r.instanceId)): stdout cut by the agent at 24,000 characters; \(base).stdout holds the first 23,980 characters\n"
                )
            }
        }
        if !options.quiet { console.err("saved \(results.count * 2) files in \(directory)\n") }
        cut.forEach(console.err)
    }

    /// A name that stays one file inside its directory whatever the service returned: only
    /// letters, digits, `-`, `_` and `.`, not starting with a dot.
    static func safeFileName(_ name: String) -> String {
        let kept = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "_" })
        return kept.hasPrefix(".") ? "_" + kept.dropFirst() : kept
    }
}

extension String {
    var endingInNewline: String { hasSuffix("\n") ? self : self + "\n" }
}
