import AWSCore
import SSMCore
import SystemIO

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
            let settings = try ConfigLoader.load(environment: environment, fileSystem: fileSystemForConfig(), profile: args[1])
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

    func fileSystemForConfig() -> any FileSystem { LocalFileSystem() }

    func print(_ table: Table) {
        console.out(table.render(outputFormat, color: color))
    }

    // MARK: target resolution (language page, section 4, "TARGET forms")

    static func isInstanceId(_ text: String) -> Bool {
        let parts = text.split(separator: "-", maxSplits: 1)
        guard parts.count == 2, parts[0] == "i" || parts[0] == "mi" else { return false }
        return (8...17).contains(parts[1].count) && parts[1].allSatisfy(\.isHexDigit)
    }

    static func isGlob(_ text: String) -> Bool { text.contains("*") || text.contains("?") || text.contains("[") }

    /// Resolves target words to nodes, in order, without duplicates.
    func resolveTargets(_ words: [String]) async throws -> [Node] {
        var nodes: [Node] = []
        var seen = Set<String>()
        for word in words.flatMap({ $0.split(separator: ",").map(String.init) }) {
            let found = try await cachedTarget(word)
            guard !found.isEmpty else { throw try await noMatch(word) }
            for node in found where seen.insert(node.id).inserted { nodes.append(node) }
        }
        return nodes
    }

    /// Resolutions are kept for 30 seconds, so a script that says `use web-*` and then
    /// `run --on web-*` asks once.
    func cachedTarget(_ word: String) async throws -> [Node] {
        let now = SystemClock().now()
        if let hit = targetCache[word], now - hit.time < 30 { return hit.nodes }
        let nodes = try await resolveTarget(word)
        if !nodes.isEmpty { targetCache[word] = (now, nodes) }
        return nodes
    }

    func resolveTarget(_ word: String) async throws -> [Node] {
        let fleet = try fleet()
        if Self.isInstanceId(word) {
            return try await fleet.describeNodes(filters: [(key: "InstanceIds", values: [word])]).map { node($0, name: knownNodes[$0.instanceId]?.name) }
        }
        if word == "all" {
            return try await fleet.describeNodes(filters: [(key: "PingStatus", values: ["Online"])]).map { node($0, name: knownNodes[$0.instanceId]?.name) }
        }
        if word.hasPrefix("tag:") {
            let spec = word.dropFirst(4)
            guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex else {
                throw ShellError.usage("a tag target is written tag:KEY=VALUE, as in tag:Role=web")
            }
            let key = String(spec[..<eq]), value = String(spec[spec.index(after: eq)...])
            return try await fleet.describeNodes(filters: [(key: "tag:\(key)", values: [value])]).map { node($0, name: knownNodes[$0.instanceId]?.name) }
        }
        if Self.isGlob(word) {
            // DescribeInstanceInformation filters take no wildcards; EC2 filters do.
            let instances: [EC2Client.Instance]
            do {
                instances = try await fleet.describeEC2(filters: [(name: "tag:Name", values: [word])])
            } catch let error as AWSServiceError where error.isAccessDenied {
                throw ShellError("the Name glob \(word) needs ec2:DescribeInstances, which this identity may not call. Use exact names or tag:KEY=VALUE, or add this statement:\n\(IAMActions.statement(for: "ec2:DescribeInstances"))")
            }
            let names = Dictionary(instances.map { ($0.instanceId, $0.name) }, uniquingKeysWith: { a, _ in a })
            guard !names.isEmpty else { return [] }
            var result: [Node] = []
            for batch in stride(from: 0, to: names.count, by: 50) {
                let ids = Array(names.keys.sorted()[batch..<min(batch + 50, names.count)])
                result += try await fleet.describeNodes(filters: [(key: "InstanceIds", values: ids)]).map { node($0, name: names[$0.instanceId] ?? nil) }
            }
            return result.sorted { ($0.name ?? $0.id) < ($1.name ?? $1.id) }
        }
        return try await fleet.describeNodes(filters: [(key: "tag:Name", values: [word])]).map { node($0, name: word) }
    }

    func node(_ info: ManagedNode, name: String?) -> Node {
        let node = Node(id: info.instanceId, name: name ?? knownNodes[info.instanceId]?.name, platform: info.platformType ?? "Linux",
                        pingStatus: info.pingStatus)
        knownNodes[node.id] = node
        return node
    }

    /// "matches nothing" with the closest names, when they can be had.
    func noMatch(_ word: String) async throws -> ShellError {
        var names: [String] = []
        if let instances = try? await fleet().describeEC2(filters: []) {
            names = instances.compactMap(\.name)
        }
        let close = names.filter { editDistance($0, word) <= max(2, word.count / 3) }.sorted { editDistance($0, word) < editDistance($1, word) }
        let hint = close.isEmpty ? "" : "; the closest names are \(close.prefix(3).joined(separator: ", "))"
        return ShellError("no managed node matches '\(word)'\(hint)")
    }

    // MARK: instances

    func instances(_ args: [String]) async throws -> Int32 {
        let fleet = try fleet()
        var filters: [(key: String, values: [String])] = []
        var resolvedIds: Set<String>?
        for arg in args {
            switch arg.lowercased() {
            case "online": filters.append((key: "PingStatus", values: ["Online"]))
            case "offline": filters.append((key: "PingStatus", values: ["ConnectionLost", "Inactive"]))
            case "platform:linux": filters.append((key: "PlatformTypes", values: ["Linux"]))
            case "platform:windows": filters.append((key: "PlatformTypes", values: ["Windows"]))
            case "platform:macos": filters.append((key: "PlatformTypes", values: ["MacOS"]))
            default:
                let ids = Set(try await resolveTargets([arg]).map(\.id))
                resolvedIds = resolvedIds.map { $0.intersection(ids) } ?? ids
            }
        }
        var nodes = try await fleet.describeNodes(filters: filters)
        if let resolvedIds { nodes = nodes.filter { resolvedIds.contains($0.instanceId) } }
        var names: [String: String] = [:]
        var namesKnown = true
        do {
            for instance in try await fleet.describeEC2(filters: []) { if let name = instance.name { names[instance.instanceId] = name } }
        } catch let error as AWSServiceError where error.isAccessDenied {
            namesKnown = false
        }
        for n in nodes where names[n.instanceId] != nil { knownNodes[n.instanceId] = node(n, name: names[n.instanceId]) }
        let rows = nodes.map { n -> [String] in
            [n.instanceId, names[n.instanceId] ?? (namesKnown ? "" : n.computerName ?? ""), n.pingStatus, n.platformType ?? "",
             n.agentVersion ?? "", n.ipAddress ?? "", n.lastPing.map { Self.ago($0) } ?? ""]
        }
        print(Table(columns: ["ID", namesKnown ? "NAME" : "COMPUTER NAME", "PING", "PLATFORM", "AGENT", "IP", "LAST PING"], rows: rows))
        if !namesKnown && outputFormat == .table {
            console.err("(names need ec2:DescribeInstances, which this identity may not call: showing computer names)\n")
        }
        return 0
    }

    static func ago(_ time: Double, now: Double = SystemClock().now()) -> String {
        let seconds = max(0, now - time)
        return "\(DurationText.format(seconds.rounded())) ago"
    }
}
