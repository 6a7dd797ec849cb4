import AWSCore
import SSMCore

/// `run --follow` and `output --follow`: each node's lines as CloudWatch Logs gets them, until
/// every invocation has ended (the rules are SSMCore's LogFollower; this is its I/O).
extension Shell {
    func followOutput(_ ids: [String], only: Set<String>?) async throws -> Int32 {
        // Each command's client and its id without the pair (ContextFleets.swift): with several
        // pairs each command is listed and read in its own, at once.
        var fleets: [String: (fleet: any FleetAPI, ref: CommandRef)] = [:]
        var dropped = Set<String>()
        for id in ids {
            let ref = try located(id)
            do { fleets[id] = (try fleet(for: ref.pair), ref) } catch  where isMultiContext && ref.pair != nil {
                try skip(ref.pair!, error)
                dropped.insert(id)
            }
        }
        let monotonic = services.monotonicClock
        let expected = ids.flatMap { id in
            (ledger.targets[id] ?? []).map(\.id).filter { only?.contains($0) ?? true }.map { LogFollower.Invocation(commandId: id, instanceId: $0) }
        }
        var follower = LogFollower(expecting: expected.filter { !dropped.contains($0.commandId) }, now: monotonic.seconds())
        var latest: [String: [String: CommandInvocation]] = [:]
        var printed: Set<LogFollower.Invocation> = []
        var failures = 0
        var width = expected.map { nodeDirectory.shortLabel($0.instanceId).count }.max() ?? 0
        let stop = "stopped following; the command goes on. 'cancel \(ids.joined(separator: ","))' stops it."
        // A pair that fails for good (several in play) is reported once and its commands left:
        // their invocations count as ended, with nothing more to read.
        func drop(_ pair: ContextPair, _ error: any Error) throws {
            let gone = ids.filter { fleets[$0]?.ref.pair == pair && !dropped.contains($0) }
            guard !gone.isEmpty else { return }
            try skip(pair, error)
            dropped.formUnion(gone)
            let ended = expected.filter { gone.contains($0.commandId) }
            follower.listed(ended.map { .init(invocation: $0, ended: true, group: nil, plugins: []) }, now: monotonic.seconds())
        }
        // Commands whose pair may not read CloudWatch Logs: followed by their status alone, and
        // their output shown when they end (GetCommandInvocation), as a command sent without
        // CloudWatch output is. Said once a pair.
        var unreadable = Set<String>()
        func logsRefused(_ id: String, _ error: AWSServiceError) {
            let pair = fleets[id]?.ref.pair
            let refused = ids.filter { fleets[$0]?.ref.pair == pair && !unreadable.contains($0) }
            guard !refused.isEmpty else { return }
            unreadable.formUnion(refused)
            let action = Self.refusedAction(error)
            console.err(
                "\(pair.map { "\($0): " } ?? "")\(action) was refused, so the output of \(refused.joined(separator: ", ")) is not followed; it is shown when each node ends. Allow \(action) to follow it as it runs.\n"
            )
        }
        following: while true {
            if interrupted() { throw ShellError(stop, status: 130) }
            switch follower.next(now: monotonic.seconds()) {
            case .listInvocations:
                var entries: [LogFollower.Listing] = []
                var retrying = false
                for (id, answer) in await Self.listAll(ids.filter { !dropped.contains($0) }, fleets) {
                    switch answer {
                    case .success(let all):
                        latest[id] = Dictionary(all.map { ($0.instanceId, $0) }, uniquingKeysWith: { _, last in last })
                        entries += all.filter { only?.contains($0.instanceId) ?? true }.map { inv in
                            LogFollower.Listing(
                                invocation: .init(commandId: id, instanceId: inv.instanceId), ended: WaitProgress.terminal.contains(inv.status),
                                group: inv.cloudWatchGroup, plugins: inv.pluginNames)
                        }
                    case .failure(let error) where Self.worthRetrying(error) && failures < Self.followRetries: retrying = true
                    case .failure(let error):
                        guard isMultiContext, let pair = fleets[id]?.ref.pair else { throw error }
                        try drop(pair, error)
                    }
                }
                width = max(width, entries.map { nodeDirectory.shortLabel($0.invocation.instanceId).count }.max() ?? 0)
                // A listing that failed in part is asked for again whole, as one that failed.
                if retrying {
                    failures += 1
                    follower.listFailed(now: monotonic.seconds())
                } else {
                    failures = 0
                    follower.listed(entries, now: monotonic.seconds())
                }
            case .read(let reads):
                // A dropped pair's streams have nothing more to give, nor do those it may not read.
                let unread = dropped.union(unreadable)
                for read in reads where unread.contains(read.stream.invocation.commandId) { _ = follower.missing(read, now: monotonic.seconds()) }
                let live = reads.filter { !unread.contains($0.stream.invocation.commandId) }
                for (read, answer) in await Self.readAll(live, fleets.mapValues { $0.fleet as any CommandLogsAPI }) {
                    let lines: [LogFollower.Line]
                    switch answer {
                    case .success(let page?):
                        lines = follower.received(read, messages: page.messages, nextForwardToken: page.nextForwardToken, now: monotonic.seconds())
                        failures = 0
                    case .success(nil): lines = follower.missing(read, now: monotonic.seconds())
                    case .failure(let error as AWSServiceError) where error.isAccessDenied:
                        logsRefused(read.stream.invocation.commandId, error)
                        lines = follower.missing(read, now: monotonic.seconds())
                    case .failure(let error):
                        if Self.worthRetrying(error) && failures < Self.followRetries {
                            failures += 1
                            follower.failed(read, now: monotonic.seconds())
                        } else if isMultiContext, let pair = fleets[read.stream.invocation.commandId]?.ref.pair {
                            try drop(pair, error)
                            _ = follower.missing(read, now: monotonic.seconds())
                        } else {
                            throw error
                        }
                        lines = []
                    }
                    for line in lines { printFollowed(line, width: width) }
                    if !lines.isEmpty { printed.insert(read.stream.invocation) }
                }
            case .sleep(let nap):
                let wake = monotonic.seconds() + nap
                while case let remaining = wake - monotonic.seconds(), remaining > 0 {
                    if interrupted() { throw ShellError(stop, status: 130) }
                    try await clock.sleep(seconds: min(WaitSchedule.slice, remaining))
                }
            case .finished: break following
            }
        }
        let shown = ids.filter { !dropped.contains($0) }
        // What CloudWatch did not show: commands sent without it, and invocations that wrote
        // nothing there (no output, or a node whose role may not write to CloudWatch Logs).
        let without = follower.withoutCloudWatch.filter { !dropped.contains($0.commandId) }
        if !without.isEmpty && !options.quiet {
            console.err(
                "(no CloudWatch output for \(Set(without.map(\.commandId)).sorted().joined(separator: ", ")): 'run --cloudwatch' streams it; its output when it ended follows)\n"
            )
        }
        let unseen = shown.flatMap { id in
            latest[id, default: [:]].keys.sorted().filter { (only?.contains($0) ?? true) && !printed.contains(.init(commandId: id, instanceId: $0)) }
        }
        if !unseen.isEmpty { _ = try await showOutput(shown, only: Set(unseen), streams: (true, true), group: true, saveTo: nil) }
        return await summarize(shown, latest)
    }

    /// Every command's invocations (every page, with details) at once, each through its pair's
    /// client; each command's own failure beside it.
    static func listAll(_ ids: [String], _ fleets: [String: (fleet: any FleetAPI, ref: CommandRef)]) async -> [(String, Result<[CommandInvocation], any Error>)]
    {
        var answers: [String: Result<[CommandInvocation], any Error>] = [:]
        await withTaskGroup(of: (String, Result<[CommandInvocation], any Error>).self) { group in
            for id in ids {
                guard let (fleet, ref) = fleets[id] else { continue }
                group.addTask {
                    do { return (id, .success(try await fleet.allInvocationDetails(commandId: ref.id))) } catch { return (id, .failure(error)) }
                }
            }
            for await (id, answer) in group { answers[id] = answer }
        }
        return ids.compactMap { id in answers[id].map { (id, $0) } }
    }

    /// `web-1  line` on stdout, or on stderr for the node's stderr; names padded to one width.
    func printFollowed(_ line: LogFollower.Line, width: Int) {
        let label = nodeDirectory.shortLabel(line.invocation.instanceId)
        let padded = label + String(repeating: " ", count: max(0, width - label.count))
        let prefix = settings.color ? "\u{1B}[2m\(padded)\u{1B}[0m" : padded
        if line.stderr { console.err("\(prefix)  \(line.text)\n") } else { console.out("\(prefix)  \(line.text)\n") }
    }

    /// How many failures in a row `--follow` rides out (each after the client's own retries).
    static let followRetries = 10

    /// A failure that may pass: throttling, a 5xx, a lost connection (RetryClassifier's rules).
    static func worthRetrying(_ error: any Error) -> Bool {
        if let error = error as? AWSServiceError { return RetryClassifier.classify(status: error.status, code: error.code) != nil }
        return error is TransportError
    }

    /// The reads at once, at most eight in flight, each through the client of its command's
    /// pair; a missing stream or group is a nil page. The answers come back in the order of
    /// `reads`, each read's own failure beside it.
    static func readAll(_ reads: [LogFollower.Read], _ clients: [String: any CommandLogsAPI]) async -> [(
        LogFollower.Read, Result<LogEventsPage?, any Error>
    )] {
        var answers: [Int: Result<LogEventsPage?, any Error>] = [:]
        await withTaskGroup(of: (Int, Result<LogEventsPage?, any Error>).self) { group in
            var next = 0
            func add() {
                guard next < reads.count else { return }
                let (index, read) = (next, reads[next])
                next += 1
                guard let logs = clients[read.stream.invocation.commandId] else { return }
                group.addTask {
                    do {
                        return (index, .success(try await readOrMissing(read.stream.group, read.stream.name, read.token, logs)))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            for _ in 0..<min(8, reads.count) { add() }
            while let (index, answer) = await group.next() {
                answers[index] = answer
                add()
            }
        }
        return reads.indices.map { (reads[$0], answers[$0] ?? .success(nil)) }
    }

    /// GetLogEvents; nil when the group or stream does not exist (nothing written yet).
    static func readOrMissing(_ group: String, _ stream: String, _ token: String?, _ logs: any CommandLogsAPI) async throws -> LogEventsPage? {
        do {
            return try await logs.getLogEvents(group: group, stream: stream, nextToken: token)
        } catch let error as AWSServiceError where error.code == "ResourceNotFoundException" {
            return nil
        }
    }
}
