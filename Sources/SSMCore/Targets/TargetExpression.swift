/// The target words of `use`, `instances`, `run --on`, `connect` and the others, parsed once
/// (docs/language.md, "Targets"; issue 14, "Targets that compose"): pure, so the shell resolves
/// by it, `policy` reads the IAM actions off it, and `doctor` picks its lookup by it.
///
/// Words compose: words of one kind add up (names, ids, globs and `all`; tags), kinds narrow
/// each other (`tag:Role=web platform:linux online`), and `!WORD` takes out what WORD matches
/// (`web-* !web-3`). A word may hold several joined by commas (`web-1,web-2`), which are words
/// of their own. What the service's filters can do is sent to it (`lookups`); the rest is done
/// here on what comes back (`evaluate`).
public struct TargetExpression: Sendable, Equatable {
    /// The targets, in the order written (their nodes come out in this order, without repeats).
    public var terms: [TargetTerm] = []
    /// The filters: a node passes one of each kind given (platform, ping, agent).
    public var filters: [NodeFilter] = []
    /// The `!` words, whose nodes are taken out.
    public var removals: [TargetWord] = []
    /// With no target word, the filters and `!` words start from every Online node, as `all`
    /// does, so that `use !web-3` or `run --on platform:linux` never aims at offline nodes
    /// unless `offline` is written; `instances` lists the whole fleet (false).
    public var startsFromOnline = true

    public init(terms: [TargetTerm] = [], filters: [NodeFilter] = [], removals: [TargetWord] = []) {
        self.terms = terms
        self.filters = filters
        self.removals = removals
    }

    /// Parses target words; a word that cannot be read fails the whole.
    public static func parse(_ words: [String]) throws(TargetError) -> TargetExpression {
        var expression = TargetExpression()
        for word in words {
            for piece in word.split(separator: ",").map(String.init) {
                if piece.hasPrefix("!") {
                    let rest = String(piece.dropFirst())
                    guard !rest.isEmpty, !rest.hasPrefix("!") else { throw .bareRemoval(piece) }
                    expression.removals.append(try TargetWord(rest))
                    continue
                }
                switch try TargetWord(piece) {
                case .term(let term): expression.terms.append(term)
                case .filter(let filter): expression.filters.append(filter)
                }
            }
        }
        return expression
    }

    /// Whether nothing was written: no targets, filters or removals.
    public var isEmpty: Bool { terms.isEmpty && filters.isEmpty && removals.isEmpty }

    // MARK: what the service is asked

    /// The DescribeInstanceInformation filters every lookup carries: the ping and platform
    /// words, a kind's words as one filter's values (the service ORs a filter's values and
    /// ANDs its filters). `agent<` cannot be asked (AgentVersion takes exact values only).
    public var serviceFilters: [(key: String, values: [String])] {
        var out: [(key: String, values: [String])] = []
        for kind in [NodeFilter.Kind.ping, .platform] {
            let values = filters.filter { $0.kind == kind }.flatMap { $0.describeFilter?.values ?? [] }
            guard let key = filters.first(where: { $0.kind == kind })?.describeFilter?.key else { continue }
            out.append((key: key, values: values.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }))
        }
        return out
    }

    /// What to look up: each target and each `!` target with the service's filters, or, with no
    /// target written, the whole fleet with them. Lookups that are the same are one.
    public var lookups: [TargetLookup] {
        let filters = serviceFilters
        var out: [TargetLookup] = terms.isEmpty ? [TargetLookup(term: nil, filters: wholeFleetFilters)] : []
        for term in terms { out.append(TargetLookup(term: term, filters: filters)) }
        for case .term(let term) in removals { out.append(TargetLookup(term: term, filters: filters)) }
        var seen = Set<String>()
        return out.filter { seen.insert($0.key).inserted }
    }

    /// The filters of the lookup with no target word: Online added unless a ping word is written.
    var wholeFleetFilters: [(key: String, values: [String])] {
        guard startsFromOnline, !filters.contains(where: { $0.kind == .ping }) else { return serviceFilters }
        return [(key: "PingStatus", values: ["Online"])] + serviceFilters
    }

    // MARK: what is done here

    /// The nodes the expression means, from each lookup's nodes (by `TargetLookup.key`): the
    /// targets of each kind added up, the kinds and filters narrowing each other, the `!`
    /// words taken out.
    public func evaluate(_ found: [String: [Node]]) -> TargetResult {
        let filters = serviceFilters
        func nodes(_ term: TargetTerm?) -> [Node] { found[TargetLookup(term: term, filters: term == nil ? wholeFleetFilters : filters).key] ?? [] }
        var result = TargetResult()
        var candidates: [Node] = []
        if terms.isEmpty {
            candidates = nodes(nil)
        } else {
            // Each kind written: the ids its targets add up to.
            var kinds: [TargetTerm.Kind: Set<String>] = [:]
            for term in terms {
                let found = nodes(term)
                if found.isEmpty { result.unmatched.append(term) }
                kinds[term.kind, default: []].formUnion(found.map(\.id))
            }
            var seen = Set<String>()
            for term in terms {
                for node in nodes(term) where kinds.values.allSatisfy({ $0.contains(node.id) }) && seen.insert(node.id).inserted {
                    candidates.append(node)
                }
            }
        }
        candidates = candidates.filter(passesFilters)
        result.beforeRemovals = candidates.count
        for removal in removals {
            let before = candidates.count
            switch removal {
            case .filter(let filter): candidates.removeAll { filter.matches($0) }
            case .term(let term):
                let ids = Set(nodes(term).map(\.id))
                candidates.removeAll { ids.contains($0.id) }
            }
            if candidates.count == before { result.idleRemovals.append("!" + removal.text) }
        }
        result.nodes = candidates
        return result
    }

    /// A node passes the filters when it passes one filter of each kind written.
    public func passesFilters(_ node: Node) -> Bool {
        Dictionary(grouping: filters, by: \.kind).values.allSatisfy { kind in kind.contains { $0.matches(node) } }
    }

    /// The IAM actions that resolving these words calls, read leniently: a word that is not a
    /// valid target yet (a variable, `$`) still counts as a lookup. For `policy`.
    public static func iamActions(of words: [String]) -> [String] {
        var actions: [String] = []
        for word in words {
            let text = word.hasPrefix("!") ? String(word.dropFirst()) : word
            let term = NodeFilter(text) != nil ? .all : (try? TargetTerm(text)) ?? .name(text)
            actions += term.iamActions
        }
        return actions
    }
}

/// What a target expression came to (`TargetExpression.evaluate`).
public struct TargetResult: Sendable, Equatable {
    /// The nodes, in the order the targets were written.
    public var nodes: [Node] = []
    /// Targets that matched no node at all (a misspelt name), in order.
    public var unmatched: [TargetTerm] = []
    /// `!` words that took nothing out (a warning, not an error).
    public var idleRemovals: [String] = []
    /// How many nodes there were before the `!` words: nodes, then none, means they took out all.
    public var beforeRemovals = 0

    public init() {}
}

/// One DescribeInstanceInformation lookup: a target with the service's filters (none: every
/// node that passes them). `key` names it for the cache and for `evaluate`.
public struct TargetLookup: Sendable {
    public var term: TargetTerm?
    public var filters: [(key: String, values: [String])]

    public init(term: TargetTerm?, filters: [(key: String, values: [String])]) {
        self.term = term
        self.filters = filters
    }

    /// The word as written, then the filters: `web-1`, `tag:Role=web PingStatus=Online`, `* PlatformTypes=Linux`.
    public var key: String {
        ([term?.word ?? "*"] + filters.map { "\($0.key)=\($0.values.joined(separator: ","))" }).joined(separator: " ")
    }
}

/// One word: a target or a filter.
public enum TargetWord: Sendable, Equatable {
    case term(TargetTerm)
    case filter(NodeFilter)

    public init(_ word: String) throws(TargetError) {
        if let filter = try NodeFilter(parsing: word) { self = .filter(filter) } else { self = .term(try TargetTerm(word)) }
    }

    public var text: String {
        switch self {
        case .term(let term): term.word
        case .filter(let filter): filter.word
        }
    }
}

/// One target.
public enum TargetTerm: Sendable, Equatable, Hashable {
    /// `i-0123456789abcdef0` or `mi-...`: that node.
    case instanceId(String)
    /// `all`: every node that is Online.
    case all
    /// `tag:KEY=VALUE`: the nodes with that tag.
    case tag(key: String, value: String)
    /// `tag:KEY`: the nodes that have the tag, whatever its value (the service's `tag-key`).
    case tagKey(String)
    /// `web-*`, `db-?`, `web-[12]`: the nodes whose Name tag matches, through EC2 (Systems
    /// Manager's filters take no wildcards).
    case nameGlob(String)
    /// Any other word: the nodes whose Name tag is exactly it.
    case name(String)

    /// Targets of one kind add up; kinds narrow each other.
    public enum Kind: Sendable, Hashable {
        /// Names, ids, globs and `all`: which nodes.
        case nodes
        /// `tag:K=V` and `tag:K`.
        case tags
    }

    public var kind: Kind {
        switch self {
        case .tag, .tagKey: .tags
        case .instanceId, .all, .nameGlob, .name: .nodes
        }
    }

    public init(_ word: String) throws(TargetError) {
        if Self.isInstanceId(word) {
            self = .instanceId(word)
        } else if word == "all" {
            self = .all
        } else if word.hasPrefix("tag:") {
            let spec = word.dropFirst(4)
            guard !spec.isEmpty, spec.first != "=" else { throw TargetError.malformedTag(word) }
            guard let eq = spec.firstIndex(of: "=") else {
                self = .tagKey(String(spec))
                return
            }
            self = .tag(key: String(spec[..<eq]), value: String(spec[spec.index(after: eq)...]))
        } else if Self.isGlob(word) {
            self = .nameGlob(word)
        } else {
            self = .name(word)
        }
    }

    /// The word as written (the resolver's cache key).
    public var word: String {
        switch self {
        case .instanceId(let id): id
        case .all: "all"
        case .tag(let key, let value): "tag:\(key)=\(value)"
        case .tagKey(let key): "tag:\(key)"
        case .nameGlob(let pattern): pattern
        case .name(let name): name
        }
    }

    /// DescribeInstanceInformation for every form; a Name glob also needs EC2's DescribeInstances.
    public var iamActions: [String] {
        if case .nameGlob = self { return ["ssm:DescribeInstanceInformation", "ec2:DescribeInstances"] }
        return ["ssm:DescribeInstanceInformation"]
    }

    /// `i-` or `mi-` and 8 to 17 hex digits: EC2 ids (8 or 17) and hybrid activations' (17).
    public static func isInstanceId(_ text: String) -> Bool {
        let parts = text.split(separator: "-", maxSplits: 1)
        guard parts.count == 2, parts[0] == "i" || parts[0] == "mi" else { return false }
        return (8...17).contains(parts[1].count) && parts[1].allSatisfy(\.isHexDigit)
    }

    /// EC2 filter wildcards (`*`, `?`) and character classes.
    public static func isGlob(_ text: String) -> Bool { text.contains("*") || text.contains("?") || text.contains("[") }
}

/// A target word that cannot be read, as a sentence that says how to write it.
public enum TargetError: Error, Equatable, CustomStringConvertible {
    case malformedTag(String)
    /// A Name glob needs EC2's DescribeInstances, which this identity may not call.
    case globNeedsEC2(String)
    case unknownPlatform(String)
    case malformedAgentVersion(String)
    /// `!` alone, or `!!x`.
    case bareRemoval(String)

    public var description: String {
        switch self {
        case .malformedTag: "a tag target is written tag:KEY=VALUE (that value) or tag:KEY (any value), as in tag:Role=web"
        case .globNeedsEC2(let pattern):
            "the Name glob \(pattern) needs ec2:DescribeInstances, which this identity may not call. Use exact names or tag:KEY=VALUE, or allow that action"
        case .unknownPlatform(let word): "\(word) is not a platform: write platform:linux, platform:windows or platform:macos"
        case .malformedAgentVersion(let word): "\(word) needs a version of numbers and dots, as in agent<3.0 or agent<3.2.582.0"
        case .bareRemoval(let word): "\(word) takes out what one target matches: write it as !WORD, as in !web-3"
        }
    }
}
