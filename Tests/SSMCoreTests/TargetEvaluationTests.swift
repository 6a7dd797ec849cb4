import SSMCore
import Testing

/// How target words compose (issue 14, "Targets that compose"): words of one kind add up, kinds
/// narrow each other, `!` takes out. Each lookup is answered here as the service would answer it.
@Suite struct TargetEvaluationTests {
    struct FleetNode {
        var node: Node
        var tags: [String: String]
    }

    static let fleet: [FleetNode] = [
        .init(
            node: Node(id: "i-00000001", name: "web-1", platform: "Linux", pingStatus: "Online", agentVersion: "3.3.1142.0"),
            tags: ["Role": "web", "Env": "prod"]),
        .init(
            node: Node(id: "i-00000002", name: "web-2", platform: "Linux", pingStatus: "Online", agentVersion: "3.3.1142.0"),
            tags: ["Role": "web", "Env": "prod"]),
        .init(node: Node(id: "i-00000003", name: "web-3", platform: "Linux", pingStatus: "ConnectionLost", agentVersion: "2.3.722.0"), tags: ["Role": "web"]),
        .init(node: Node(id: "i-00000004", name: "db-1", platform: "Linux", pingStatus: "Online", agentVersion: "3.0.1"), tags: ["Role": "db", "Env": "prod"]),
        .init(
            node: Node(id: "i-00000005", name: "win-1", platform: "Windows", pingStatus: "Online", agentVersion: "3.2.0.0"),
            tags: ["Role": "web", "Env": "dev"]),
    ]

    /// The service's answer to one lookup: the term, then every filter (a filter's values ORed).
    static func serve(_ lookup: TargetLookup) -> [Node] {
        fleet.filter { f in
            let n = f.node
            let byTerm: Bool =
                switch lookup.term {
                case nil: true
                case .instanceId(let id): n.id == id
                case .all: n.pingStatus == "Online"
                case .tag(let key, let value): f.tags[key] == value
                case .tagKey(let key): f.tags[key] != nil
                case .nameGlob(let pattern): n.name?.hasPrefix(String(pattern.prefix { $0 != "*" })) ?? false
                case .name(let name): n.name == name
                }
            return byTerm
                && lookup.filters.allSatisfy { filter in
                    filter.key == "PingStatus" ? filter.values.contains(n.pingStatus) : filter.values.contains(n.platform)
                }
        }.map(\.node)
    }

    /// `listing`: as `instances` reads the words (no target word: the whole fleet, offline too).
    static func evaluate(_ words: String, listing: Bool = true) throws -> TargetResult {
        var expression = try TargetExpression.parse(words.split(separator: " ").map(String.init))
        expression.startsFromOnline = !listing
        let found = Dictionary(expression.lookups.map { ($0.key, serve($0)) }, uniquingKeysWith: { a, _ in a })
        return expression.evaluate(found)
    }

    static func names(_ words: String) throws -> [String] { try evaluate(words).nodes.map { $0.name ?? $0.id } }

    @Test(arguments: [
        // One kind adds up: names, ids, globs and all are one kind; tags another.
        ("web-1", ["web-1"]),
        ("web-1 db-1", ["web-1", "db-1"]),
        ("web-1,db-1", ["web-1", "db-1"]),
        ("web-* db-1", ["web-1", "web-2", "web-3", "db-1"]),
        ("i-00000004 web-1", ["db-1", "web-1"]),
        ("web-1 web-1 web-*", ["web-1", "web-2", "web-3"]),
        ("all", ["web-1", "web-2", "db-1", "win-1"]),
        ("tag:Role=db tag:Env=dev", ["db-1", "win-1"]),
        ("tag:Env", ["web-1", "web-2", "db-1", "win-1"]),
        // Kinds narrow each other.
        ("web-* tag:Env=prod", ["web-1", "web-2"]),
        ("tag:Role=web platform:linux online", ["web-1", "web-2"]),
        ("tag:Role=web platform:linux", ["web-1", "web-2", "web-3"]),
        ("tag:Role=web platform:linux platform:windows online", ["web-1", "web-2", "win-1"]),
        ("online offline", ["web-1", "web-2", "web-3", "db-1", "win-1"]),
        ("offline", ["web-3"]),
        ("all offline", []),
        ("agent<3.0", ["web-3"]),
        ("agent<3.1", ["web-3", "db-1"]),
        ("agent<3.1 agent<3.0", ["web-3", "db-1"]),
        ("agent<3.1 online", ["db-1"]),
        ("tag:Env agent<3.3", ["db-1", "win-1"]),
        ("web-* tag:Env=prod tag:Env=dev", ["web-1", "web-2"]),
        // ! takes out, by target or by filter.
        ("web-* !web-3", ["web-1", "web-2"]),
        ("web-*,!web-3", ["web-1", "web-2"]),
        ("tag:Role=web !platform:windows !offline", ["web-1", "web-2"]),
        ("!web-1", ["web-2", "web-3", "db-1", "win-1"]),
        ("all !tag:Env=prod", ["win-1"]),
        ("tag:Env !agent<3.3", ["web-1", "web-2"]),
        ("web-1 web-2 !web-*", []),
    ])
    func composes(words: String, expected: [String]) throws {
        #expect(try Self.names(words) == expected, "\(words)")
    }

    @Test func aTargetThatMatchesNoNodeIsNamed() throws {
        let result = try Self.evaluate("web-1 web-9 tag:Role=none")
        #expect(result.unmatched == [.name("web-9"), .tag(key: "Role", value: "none")])
        #expect(result.nodes.isEmpty, "the tag kind matched nothing, so it narrows to nothing")
    }

    @Test func aRemovalThatTakesOutNothingIsAWarningNotAnEmptyResult() throws {
        let result = try Self.evaluate("web-1 web-2 !web-9 !db-1 !offline")
        #expect(result.nodes.map(\.name) == ["web-1", "web-2"])
        #expect(result.idleRemovals == ["!web-9", "!db-1", "!offline"])
        #expect(result.unmatched.isEmpty, "a ! word is never unmatched")
    }

    @Test func removalsThatTakeOutEverythingSaySo() throws {
        let result = try Self.evaluate("web-1 web-2 !web-*")
        #expect(result.nodes.isEmpty && result.beforeRemovals == 2)
        #expect(result.idleRemovals.isEmpty)
        let none = try Self.evaluate("all offline")
        #expect(none.nodes.isEmpty && none.beforeRemovals == 0)
    }

    /// With no target word, `use` and the other targeting commands start from the Online nodes.
    @Test func withNoTargetWordTargetsStartFromTheOnlineNodes() throws {
        #expect(try Self.evaluate("!web-1", listing: false).nodes.map(\.name) == ["web-2", "db-1", "win-1"])
        #expect(try Self.evaluate("platform:linux", listing: false).nodes.map(\.name) == ["web-1", "web-2", "db-1"])
        #expect(try Self.evaluate("offline", listing: false).nodes.map(\.name) == ["web-3"], "a ping word says which")
        #expect(try Self.evaluate("agent<3.0", listing: false).nodes.isEmpty)
        #expect(try Self.evaluate("agent<3.0").nodes.map(\.name) == ["web-3"], "instances lists offline nodes too")
    }
}
