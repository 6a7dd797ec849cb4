import AWSCore
import SSMCore

extension Shell {
    // MARK: use

    func use(_ args: [String]) async throws -> Int32 {
        guard let first = args.first else {
            let settings = try? fleetSettings()
            var rows = [["profile", currentProfile], ["region", currentRegion ?? "(not set)"]]
            if let settings, let endpoint = try? settings.endpoint(service: "ssm", serviceId: "SSM") {
                rows.append(["endpoint", endpoint.url.redactedDescription])
            }
            rows.append(["targets", targets.isEmpty ? "(none)" : targets.map(\.label).joined(separator: ", ")])
            print(Table(columns: ["SETTING", "VALUE"], rows: rows))
            return 0
        }
        switch first {
        case "profile":
            guard args.count == 2 else { throw ShellError.usage("use profile takes one profile name") }
            let settings = try ConfigLoader.load(environment: environment, fileSystem: services.fileSystem, profile: args[1])
            guard settings.profiles.profiles[args[1]] != nil else {
                let names = Array(settings.profiles.profiles.keys)
                let hint = Suggest.closest(args[1], in: names).map { "; did you mean \($0)?" } ?? ""
                throw ShellError.usage("profile \(args[1]) is not in \(settings.configFilePath) or \(settings.credentialsFilePath)\(hint)")
            }
            options.profile = args[1]
            resetFleet()
            targets = []
            return 0
        case "region":
            guard args.count == 2 else { throw ShellError.usage("use region takes one region name") }
            guard EndpointResolver.isValidRegion(args[1]) else { throw ShellError.usage("'\(args[1])' is not a region name; use a name such as eu-west-1") }
            options.region = args[1]
            resetFleet()
            targets = []
            return 0
        default:
            let resolved = try await resolveTargets(args)
            targets = resolved
            if !options.quiet && interactive {
                console.err("targets: \(resolved.map(\.label).joined(separator: ", "))\n")
            }
            return 0
        }
    }

    func print(_ table: Table) {
        console.out(table.render(outputFormat, color: color))
    }

    // MARK: target resolution (language page, section 4, "TARGET forms"; the grammar is SSMCore's TargetExpression)

    /// Nodes seen so far, by id (labels, completion).
    var knownNodes: [String: Node] { nodeDirectory.known }

    /// Resolves target words to nodes, in order, without duplicates.
    func resolveTargets(_ words: [String]) async throws -> [Node] {
        let expression = try targetExpression(words)
        var nodes: [Node] = []
        var seen = Set<String>()
        for term in expression.terms {
            let found = try await cachedTarget(term)
            guard !found.isEmpty else { throw await noMatch(term.word) }
            for node in found where seen.insert(node.id).inserted { nodes.append(node) }
        }
        return nodes
    }

    /// Target words parsed, a word that cannot be a target being a usage error.
    func targetExpression(_ words: [String], filters: Bool = false) throws -> TargetExpression {
        do { return try TargetExpression.parse(words, filters: filters) } catch { throw shellError(error) }
    }

    /// One term's nodes, from the directory when it resolved them lately.
    func cachedTarget(_ term: TargetTerm) async throws -> [Node] {
        // The cache's age is an interval: the monotonic clock.
        if let hit = nodeDirectory.cached(term, now: services.monotonicClock.seconds()) { return hit }
        let nodes: [Node]
        do {
            nodes = try await NodeResolver(try fleet()).resolve(term, names: nodeDirectory.known.compactMapValues(\.name))
        } catch let error as TargetError {
            throw shellError(error)
        }
        nodeDirectory.record(term, nodes, now: services.monotonicClock.seconds())
        return nodes
    }

    func shellError(_ error: TargetError) -> ShellError {
        switch error {
        case .malformedTag: return .usage(error.description)
        case .globNeedsEC2(let pattern):
            return ShellError("the Name glob \(pattern) needs ec2:DescribeInstances, which this identity may not call. Use exact names or tag:KEY=VALUE, or add this statement:\n\(IAMActions.statement(for: "ec2:DescribeInstances"))")
        }
    }

    /// "matches nothing" with the closest names, when they can be had.
    func noMatch(_ word: String) async -> ShellError {
        let names = (try? fleet()).map { NodeResolver($0) }
        let all = await names?.allNames() ?? []
        let close = all.filter { editDistance($0, word) <= max(2, word.count / 3) }.sorted { editDistance($0, word) < editDistance($1, word) }
        let hint = close.isEmpty ? "" : "; the closest names are \(close.prefix(3).joined(separator: ", "))"
        return ShellError("no managed node matches '\(word)'\(hint)")
    }

    // MARK: instances

    func instances(_ args: [String]) async throws -> Int32 {
        let fleet = try fleet()
        let expression = try targetExpression(args, filters: true)
        var resolvedIds: Set<String>?
        for word in expression.words {
            var ids = Set<String>()
            for term in word {
                let found = try await cachedTarget(term)
                guard !found.isEmpty else { throw await noMatch(term.word) }
                ids.formUnion(found.map(\.id))
            }
            resolvedIds = resolvedIds.map { $0.intersection(ids) } ?? ids
        }
        var nodes = try await fleet.describeNodes(filters: expression.filters.map(\.describeFilter))
        if let resolvedIds { nodes = nodes.filter { resolvedIds.contains($0.instanceId) } }
        var names: [String: String] = [:]
        var namesKnown = true
        do {
            for instance in try await fleet.describeEC2(filters: []) { if let name = instance.name { names[instance.instanceId] = name } }
        } catch let error as AWSServiceError where error.isAccessDenied {
            namesKnown = false
        }
        nodeDirectory.learn(nodes.compactMap { n in names[n.instanceId].map { Node(n, name: $0) } })
        let rows = nodes.map { n -> [String] in
            [n.instanceId, names[n.instanceId] ?? (namesKnown ? "" : n.computerName ?? ""), n.pingStatus, n.platformType ?? "",
             n.agentVersion ?? "", n.ipAddress ?? "", n.lastPing.map { Self.ago($0, now: clock.now()) } ?? ""]
        }
        print(Table(columns: ["ID", namesKnown ? "NAME" : "COMPUTER NAME", "PING", "PLATFORM", "AGENT", "IP", "LAST PING"], rows: rows))
        if !namesKnown && outputFormat == .table {
            console.err("(names need ec2:DescribeInstances, which this identity may not call: showing computer names)\n")
        }
        return 0
    }

    static func ago(_ time: Double, now: Double) -> String {
        let seconds = max(0, now - time)
        return "\(DurationText.format(seconds.rounded())) ago"
    }
}
