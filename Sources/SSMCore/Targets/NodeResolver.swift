import AWSCore

/// Resolves target terms to nodes through the nodes seam (language page, section 4, "TARGET
/// forms"). The names it already knows come in (`names`), so a node found by id keeps the name
/// it was resolved by before; what it learns goes back into the `NodeDirectory` by the caller.
public struct NodeResolver: Sendable {
    let api: any NodesAPI

    public init(_ api: any NodesAPI) { self.api = api }

    /// The nodes of one term (nil: every node), in the service's order (a Name glob's sorted by
    /// name), narrowed by DescribeInstanceInformation `filters` (the expression's ping and
    /// platform words).
    public func resolve(_ term: TargetTerm?, names: [String: String], filters: [(key: String, values: [String])] = []) async throws -> [Node] {
        func describe(_ own: [(key: String, values: [String])]) async throws -> [Node] {
            try await api.describeNodes(filters: own + filters).map { Node($0, name: names[$0.instanceId]) }
        }
        switch term {
        case nil: return try await describe([])
        case .instanceId(let id): return try await describe([(key: "InstanceIds", values: [id])])
        case .all:
            // Every Online node: one PingStatus filter, the expression's ping words narrowing it.
            guard let ping = filters.first(where: { $0.key == "PingStatus" }) else { return try await describe([(key: "PingStatus", values: ["Online"])]) }
            guard ping.values.contains("Online") else { return [] }
            return try await api.describeNodes(filters: filters.map { $0.key == "PingStatus" ? (key: "PingStatus", values: ["Online"]) : $0 })
                .map { Node($0, name: names[$0.instanceId]) }
        case .tag(let key, let value): return try await describe([(key: "tag:\(key)", values: [value])])
        case .tagKey(let key): return try await describe([(key: "tag-key", values: [key])])
        case .nameGlob(let pattern): return try await resolveGlob(pattern, filters: filters)
        case .name(let name):
            return try await api.describeNodes(filters: [(key: "tag:Name", values: [name])] + filters).map { Node($0, name: name) }
        }
    }

    /// DescribeInstanceInformation filters take no wildcards; EC2 filters do. So EC2 finds the
    /// names, and Systems Manager says which of those instances are managed nodes.
    func resolveGlob(_ pattern: String, filters: [(key: String, values: [String])] = []) async throws -> [Node] {
        let instances: [EC2Client.Instance]
        do {
            instances = try await api.describeEC2(filters: [(name: "tag:Name", values: [pattern])])
        } catch let error as AWSServiceError where error.isAccessDenied {
            throw TargetError.globNeedsEC2(pattern)
        }
        let names = Dictionary(instances.map { ($0.instanceId, $0.name) }, uniquingKeysWith: { a, _ in a })
        guard !names.isEmpty else { return [] }
        var result: [Node] = []
        for batch in names.keys.sorted().batches(of: NodeResolver.idsPerCall) {
            result += try await api.describeNodes(filters: [(key: "InstanceIds", values: batch)] + filters).map { Node($0, name: names[$0.instanceId] ?? nil) }
        }
        return result.sorted { ($0.name ?? $0.id) < ($1.name ?? $1.id) }
    }

    /// The InstanceIds filter takes at most 50 ids (DescribeInstanceInformation reference).
    public static let idsPerCall = 50

    /// Every Name tag EC2 knows, for "did you mean"; none when EC2 may not be asked.
    public func allNames() async -> [String] {
        (try? await api.describeEC2(filters: []))?.compactMap(\.name) ?? []
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements (the service's per-call limits).
    public func batches(of size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
