import AWSCore
import SSMCore

/// `instances`: the managed nodes, filtered (target words resolve in TargetResolution.swift).
struct InstancesCommand: ShellCommand {
    let name = "instances"
    let usage = "instances [FILTER...]"
    let summary = "list managed nodes (filters: TARGET forms, online, offline, platform:linux|windows|macos)"
    let iamActions = ["ssm:DescribeInstanceInformation", "ec2:DescribeInstances (optional, Name column)"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        // The filters (online, platform:linux, ...) call nothing more; the rest are targets.
        [PolicyBuilder.resolves] + PolicyBuilder.targetActions(words.filter { NodeFilter($0) == nil })
    }

    func completions(_ request: CompletionRequest) -> Completions { .words(request.snapshot.targets) }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let args = input.arguments
        let expression = try shell.targetExpression(args, filters: true)
        var resolvedIds: Set<String>?
        for word in expression.words {
            var ids = Set<String>()
            for term in word {
                let found = try await shell.cachedTarget(term)
                guard !found.isEmpty else { throw await shell.noMatch(term.word) }
                ids.formUnion(found.map(\.id))
            }
            resolvedIds = resolvedIds.map { $0.intersection(ids) } ?? ids
        }
        // Every pair at once; rows in the pairs' order (ContextFleets.swift).
        let filters = expression.filters.map(\.describeFilter)
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
            shell.nodeDirectory.learn(found.nodes.compactMap { n in names[n.instanceId].map { Node(n, name: $0, pair: pair) } })
            for n in found.nodes {
                pairs.append(pair)
                rows.append([
                    n.instanceId, names[n.instanceId] ?? (namesKnown ? "" : n.computerName ?? ""), n.pingStatus, n.platformType ?? "",
                    n.agentVersion ?? "", n.ipAddress ?? "", n.lastPing.map { DurationText.ago($0, now: shell.clock.now()) } ?? "",
                ])
            }
        }
        let columns = ["ID", namesKnown ? "NAME" : "COMPUTER NAME", "PING", "PLATFORM", "AGENT", "IP", "LAST PING"]
        shell.print(await shell.contextTable(columns: columns, rows: rows, pairs: pairs))
        if !namesKnown && shell.settings.outputFormat == .table {
            shell.console.err("(names need ec2:DescribeInstances, which this identity may not call: showing computer names)\n")
        }
        return 0
    }
}
