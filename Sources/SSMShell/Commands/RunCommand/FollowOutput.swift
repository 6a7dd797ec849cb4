import AWSCore
import SSMCore

/// `run --follow` and `output --follow`: each node's lines as CloudWatch Logs gets them, until
/// every invocation has ended (the rules are SSMCore's LogFollower; this is its I/O).
extension Shell {
    func followOutput(_ ids: [String], only: Set<String>?) async throws -> Int32 {
        let fleet = try fleet()
        let monotonic = services.monotonicClock
        let expected = ids.flatMap { id in
            (ledger.targets[id] ?? []).map(\.id).filter { only?.contains($0) ?? true }.map { LogFollower.Invocation(commandId: id, instanceId: $0) }
        }
        var follower = LogFollower(expecting: expected, now: monotonic.seconds())
        var latest: [String: [String: CommandInvocation]] = [:]
        var printed: Set<LogFollower.Invocation> = []
        var failures = 0
        var width = expected.map { nodeDirectory.shortLabel($0.instanceId).count }.max() ?? 0
        let stop = "stopped following; the command goes on. 'cancel \(ids.joined(separator: ","))' stops it."
        following: while true {
            if interrupted() { throw ShellError(stop, status: 130) }
            switch follower.next(now: monotonic.seconds()) {
            case .listInvocations:
                do {
                    var entries: [LogFollower.Listing] = []
                    for id in ids {
                        let all = try await fleet.allInvocationDetails(commandId: id)
                        latest[id] = Dictionary(all.map { ($0.instanceId, $0) }, uniquingKeysWith: { _, last in last })
                        entries += all.filter { only?.contains($0.instanceId) ?? true }.map { inv in
                            LogFollower.Listing(
                                invocation: .init(commandId: id, instanceId: inv.instanceId), ended: WaitProgress.terminal.contains(inv.status),
                                group: inv.cloudWatchGroup, plugins: inv.pluginNames)
                        }
                    }
                    width = max(width, entries.map { nodeDirectory.shortLabel($0.invocation.instanceId).count }.max() ?? 0)
                    follower.listed(entries, now: monotonic.seconds())
                    failures = 0
                } catch  where Self.worthRetrying(error) && failures < Self.followRetries {
                    failures += 1
                    follower.listFailed(now: monotonic.seconds())
                }
            case .read(let reads):
                for (read, answer) in await Self.readAll(reads, fleet) {
                    let lines: [LogFollower.Line]
                    switch answer {
                    case .success(let page?):
                        lines = follower.received(read, messages: page.messages, nextForwardToken: page.nextForwardToken, now: monotonic.seconds())
                        failures = 0
                    case .success(nil): lines = follower.missing(read, now: monotonic.seconds())
                    case .failure(let error):
                        guard Self.worthRetrying(error) && failures < Self.followRetries else { throw error }
                        failures += 1
                        follower.failed(read, now: monotonic.seconds())
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
        // What CloudWatch did not show: commands sent without it, and invocations that wrote
        // nothing there (no output, or a node whose role may not write to CloudWatch Logs).
        let without = follower.withoutCloudWatch
        if !without.isEmpty && !options.quiet {
            console.err(
                "(no CloudWatch output for \(Set(without.map(\.commandId)).sorted().joined(separator: ", ")): 'run --cloudwatch' streams it; its output when it ended follows)\n"
            )
        }
        let unseen = ids.flatMap { id in
            latest[id, default: [:]].keys.sorted().filter { (only?.contains($0) ?? true) && !printed.contains(.init(commandId: id, instanceId: $0)) }
        }
        if !unseen.isEmpty { _ = try await showOutput(ids, only: Set(unseen), streams: (true, true), group: true, saveTo: nil) }
        return await summarize(ids, latest)
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

    /// The reads at once, at most eight in flight; a missing stream or group is a nil page. The
    /// answers come back in the order of `reads`, each read's own failure beside it.
    static func readAll(_ reads: [LogFollower.Read], _ logs: any CommandLogsAPI) async -> [(LogFollower.Read, Result<LogEventsPage?, any Error>)] {
        var answers: [Int: Result<LogEventsPage?, any Error>] = [:]
        await withTaskGroup(of: (Int, Result<LogEventsPage?, any Error>).self) { group in
            var next = 0
            func add() {
                guard next < reads.count else { return }
                let (index, read) = (next, reads[next])
                next += 1
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
