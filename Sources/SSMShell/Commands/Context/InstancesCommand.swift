import AWSCore
import SSMCore

/// `instances`: the managed nodes, filtered (target words resolve in TargetResolution.swift).
struct InstancesCommand: ShellCommand {
    let name = "instances"
    let usage = "instances [TARGET...]"
    let summary =
        "list managed nodes, or those the target words match: names, ids, globs, tag:K=V, tag:K, all, online, offline, platform:linux|windows|macos, agent<VERSION, !WORD"
    let iamActions = ["ssm:DescribeInstanceInformation", "ec2:DescribeInstances (optional, Name column)"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        // The filters (online, platform:linux, ...) call nothing more; the rest are targets.
        [PolicyBuilder.resolves] + PolicyBuilder.targetActions(words.filter { NodeFilter($0) == nil })
    }

    func completions(_ request: CompletionRequest) -> Completions { .words(request.snapshot.targets + NodeFilter.words) }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let args = input.arguments
        var expression = try shell.targetExpression(args)
        expression.startsFromOnline = false  // a listing: offline nodes too, unless filtered
        // The ping and platform words go to the service with the listing; targets, `!` words and
        // agent<VERSION are resolved as `use` resolves them (TargetResolution.swift). Filters
        // alone that match nothing are an empty list, not an error.
        let needsResolving = !expression.terms.isEmpty || !expression.removals.isEmpty || expression.filters.contains { $0.kind == .agent }
        let resolvedIds =
            needsResolving
            ? Set(try await shell.resolve(expression, written: args, emptyIsError: !expression.terms.isEmpty || !expression.removals.isEmpty).map(\.id))
            : nil
        // Every pair at once; rows in the pairs' order (ContextFleets.swift).
        let filters = expression.serviceFilters
        let listed = try await shell.eachPair { [resolvedIds] _, fleet in
            var nodes = try await fleet.describeNodes(filters: filters)
            if let resolvedIds { nodes = nodes.filter { resolvedIds.contains($0.instanceId) } }
            var names: [String: String] = [:]
            var namesKnown = true
            do {
                for instance in try await fleet.describeEC2(filters: []) { if let name = instance.name { names[instance.instanceId] = name } }
            } catch let error as AWSServiceError where error.isAccessDenied {
                namesKnown = false
            }
            return (nodes: nodes, names: names, namesKnown: namesKnown)
        }
        let namesKnown = listed.allSatisfy(\.value.namesKnown)
        var rows: [[String]] = []
        var pairs: [ContextPair?] = []
        for (pair, found) in listed {
            let names = found.names
            let nodes = found.nodes.map { Node($0, name: names[$0.instanceId], pair: pair) }
            shell.nodeDirectory.learn(nodes)
            for (n, node) in zip(found.nodes, nodes) {
                pairs.append(pair)
                // The name a person reads (Node.displayName); the ID column keeps the id.
                rows.append([
                    n.instanceId, node.displayName == n.instanceId ? "" : node.displayName, n.pingStatus, n.platformType ?? "",
                    n.agentVersion ?? "", n.ipAddress ?? "", n.lastPing.map { DurationText.ago($0, now: shell.clock.now()) } ?? "",
                ])
            }
        }
        let columns = ["ID", "NAME", "PING", "PLATFORM", "AGENT", "IP", "LAST PING"]
        shell.print(await shell.contextTable(columns: columns, rows: rows, pairs: pairs))
        if !namesKnown && shell.settings.outputFormat == .table {
            shell.console.err("(Name tags need ec2:DescribeInstances, which this identity may not call: NAME shows computer names)\n")
        }
        return 0
    }
}
