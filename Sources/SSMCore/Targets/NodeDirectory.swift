/// What the shell knows about nodes: every node seen so far (for labels and completion), and
/// recent resolutions of target words. A pure value: time comes in as `now`.
public struct NodeDirectory: Sendable {
    /// Resolutions are kept for 30 seconds, so a script that says `use web-*` and then
    /// `run --on web-*` asks once.
    public static let lifetime = 30.0

    /// Nodes seen so far, by id.
    public private(set) var known: [String: Node] = [:]
    /// Target word → nodes and when they were resolved.
    private var resolutions: [String: (time: Double, nodes: [Node])] = [:]

    public init() {}

    /// The nodes a term resolved to less than `lifetime` ago.
    public func cached(_ term: TargetTerm, now: Double) -> [Node]? { cached(key: term.word, now: now) }

    /// The nodes a lookup (`TargetLookup.key`) found less than `lifetime` ago.
    public func cached(key: String, now: Double) -> [Node]? {
        guard let hit = resolutions[key], now - hit.time < Self.lifetime else { return nil }
        return hit.nodes
    }

    /// Keeps a resolution (an empty one is not kept: the node may register any moment) and
    /// learns its nodes.
    public mutating func record(_ term: TargetTerm, _ nodes: [Node], now: Double) { record(key: term.word, nodes, now: now) }

    public mutating func record(key: String, _ nodes: [Node], now: Double) {
        learn(nodes)
        if !nodes.isEmpty { resolutions[key] = (now, nodes) }
    }

    /// A later sighting replaces an earlier one, but what it does not know (a Name tag only EC2
    /// gave, a computer name) is kept.
    public mutating func learn(_ nodes: [Node]) {
        for var node in nodes {
            if let old = known[node.id] {
                node.name = node.name ?? old.name
                node.computerName = node.computerName ?? old.computerName
                node.agentVersion = node.agentVersion ?? old.agentVersion
            }
            known[node.id] = node
        }
    }

    /// After `use profile` or `use region`: the same words mean other nodes.
    public mutating func forgetResolutions() { resolutions = [:] }

    /// The Name tag known for a node, if any.
    public func name(of id: String) -> String? { known[id]?.name }

    /// `web-1 (i-0123...)`, or the id of a node never seen.
    public func label(_ id: String) -> String { known[id]?.label ?? id }
    /// `web-1`, or the id.
    public func shortLabel(_ id: String) -> String { known[id]?.shortLabel ?? id }
}
