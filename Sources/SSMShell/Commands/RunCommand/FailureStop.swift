import AWSCore
import SSMCore

/// A failed step stops the script (issue 14; docs/language.md, "A failed step stops the
/// script"): a `wait` (or `run --wait`, `run --follow`) in which an invocation did not succeed
/// ends the script with status 3 at that line, unless inside `try` or with `set keep-going on`.
/// Before it stops, `wait` shows the failed nodes' last lines, so no `output` is needed to see why.
extension Shell {
    /// Whether a failure ends the script now: a script (not the prompt), without keep-going,
    /// outside `try` (and any other command that looks at a status instead of stopping on it).
    var failureStopsScript: Bool { !interactive && !settings.keepGoing && failureHandled == 0 }

    /// Whether a failure goes on in a script with nothing looking at it: keep-going, outside
    /// `try` and conditions. The failed nodes' last lines are then shown all the same, so that no
    /// `output` is needed to see why (issue 14); `try wait` and `if wait` look at the status
    /// themselves, and the prompt shows the table, `output` saying why.
    var failureGoesOnUnseen: Bool { !interactive && settings.keepGoing && failureHandled == 0 }

    /// Prints, for each group of failed nodes (grouped as `output` groups them), its status,
    /// exit code and last lines of stderr, else stdout, and returns the error that stops the
    /// script. GetCommandInvocation is called only for the failed nodes.
    func failureStop(_ ids: [String], _ latest: [String: [String: CommandInvocation]], command: String) async throws -> ShellError {
        await showFailureTails(ids, latest)
        return failureError(ids, latest, command: command)
    }

    /// For each group of failed nodes: `output`'s header and the last lines of stderr, else
    /// stdout (one JSON document in json output).
    func showFailureTails(_ ids: [String], _ latest: [String: [String: CommandInvocation]]) async {
        let failed = failedInvocations(ids, latest)
        // The lines are a courtesy: a script whose identity may not read output (no
        // ssm:GetCommandInvocation) still stops here with its error, and says why there are none.
        let entries: [OutputGrouping.Entry]
        do {
            // Listed with details where that takes fewer calls (a fleet-wide failure).
            let wanted = Set(failed.map(\.1))
            entries = try await outputEntries(failed, listed: try await invocationDetailsInEveryPair(ids.filter { detailsPay(for: $0, wanted: wanted) }))
        } catch {
            console.err("(the failed nodes' output could not be read: \(describe(error).0.prefix { $0 != "\n" }))\n")
            return
        }
        let groups = OutputGrouping.groups(entries, group: true)
        if settings.outputFormat == .json {
            let objects = groups.flatMap { g in
                let tail = FailureTail(g)
                return g.nodes.map { node -> JSONValue in
                    [
                        "instanceId": .string(node), "name": .string(nodeDirectory.name(of: node) ?? ""), "status": .string(g.summary),
                        "exitCode": .number(Double(g.exits.first { $0.node == node }?.code ?? g.result.responseCode)),
                        "stream": .string(tail.stream.rawValue), "tail": .array(tail.lines.map(JSONValue.string)),
                    ]
                }
            }
            console.out(JSONValue.array(objects).serialized + "\n")
        } else {
            for g in groups {
                console.out(groupHeader(g))
                let tail = FailureTail(g)
                if tail.lines.isEmpty { continue }
                console.out(tail.heading + "\n" + tail.lines.map { $0 + "\n" }.joined())
            }
        }
    }

    /// The (command, node) pairs that ended other than Success, in the order they were sent.
    func failedInvocations(_ ids: [String], _ latest: [String: [String: CommandInvocation]]) -> [(String, String)] {
        var failed: [(String, String)] = []
        for id in ids {
            let order = ledger.targets[id]?.map(\.id) ?? Array(latest[id, default: [:]].keys).sorted()
            for instance in order where latest[id]?[instance].map({ $0.status != "Success" }) ?? false { failed.append((id, instance)) }
        }
        return failed
    }

    /// The error that stops the script, naming the failed nodes.
    func failureError(_ ids: [String], _ latest: [String: [String: CommandInvocation]], command: String) -> ShellError {
        let nodes = failedInvocations(ids, latest).map { nodeDirectory.shortLabel($0.1) }
        return Self.failureError(nodes, of: ids.reduce(0) { $0 + (latest[$1]?.count ?? 0) }, command: command)
    }

    /// `1 of 3 invocations did not succeed (web-2); the script stops here...`.
    static func failureError(_ nodes: [String], of total: Int, command: String) -> ShellError {
        let shown = nodes.count > 5 ? nodes.prefix(5).joined(separator: ", ") + " and \(nodes.count - 5) more" : nodes.joined(separator: ", ")
        let invocations = total == 1 ? "invocation" : "invocations"
        return ShellError.remote(
            "\(nodes.count) of \(total) \(invocations) did not succeed (\(shown)); the script stops here. Write 'try \(command)' to go on past a failure, or 'set keep-going on' to go on past every one"
        )
    }
}
