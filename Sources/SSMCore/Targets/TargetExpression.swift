/// The target words of `use`, `run --on`, `connect`, `instances` and the others, parsed once
/// (language page, section 4, "TARGET forms"): pure, so `use` and `instances` resolve by it,
/// `policy` reads the IAM actions off it, and `doctor` picks its lookup by it.
///
/// Each word may hold several targets joined by commas (`web-1,web-2`); `instances` also takes
/// the filters `online`, `offline` and `platform:NAME`.
public struct TargetExpression: Sendable, Equatable {
    /// The targets word by word, in the order written: a word's terms are its comma-joined
    /// targets. `use` takes them all; `instances` keeps a node only when every word has it.
    public var words: [[TargetTerm]]
    /// The filters, all of which a node must pass (only `instances` takes them).
    public var filters: [NodeFilter]

    public init(words: [[TargetTerm]] = [], filters: [NodeFilter] = []) {
        self.words = words
        self.filters = filters
    }

    /// Every target, in the order written (their nodes come out in this order, without repeats).
    public var terms: [TargetTerm] { words.flatMap { $0 } }

    /// Parses target words; with `filters`, the words `online`, `offline` and `platform:NAME`
    /// are filters rather than names.
    public static func parse(_ words: [String], filters allowFilters: Bool = false) throws(TargetError) -> TargetExpression {
        var expression = TargetExpression()
        for word in words {
            if allowFilters, let filter = NodeFilter(word) {
                expression.filters.append(filter)
                continue
            }
            var terms: [TargetTerm] = []
            for piece in word.split(separator: ",") { terms.append(try TargetTerm(String(piece))) }
            expression.words.append(terms)  // a word of commas only names no node
        }
        return expression
    }

    /// The IAM actions that resolving these words calls, read leniently: a word that is not a
    /// valid target yet (a variable, `$`) still counts as a lookup. For `policy`.
    public static func iamActions(of words: [String]) -> [String] {
        var actions: [String] = []
        for word in words {
            let term = (try? TargetTerm(word)) ?? .name(word)
            actions += term.iamActions
        }
        return actions
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
    /// `web-*`, `db-?`, `web-[12]`: the nodes whose Name tag matches, through EC2 (Systems
    /// Manager's filters take no wildcards).
    case nameGlob(String)
    /// Any other word: the nodes whose Name tag is exactly it.
    case name(String)

    public init(_ word: String) throws(TargetError) {
        if Self.isInstanceId(word) {
            self = .instanceId(word)
        } else if word == "all" {
            self = .all
        } else if word.hasPrefix("tag:") {
            let spec = word.dropFirst(4)
            guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex else { throw TargetError.malformedTag(word) }
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

/// A filter of `instances`.
public enum NodeFilter: Sendable, Equatable {
    case online
    /// ConnectionLost or Inactive.
    case offline
    /// Linux, Windows or MacOS, as Systems Manager spells the PlatformType.
    case platform(String)

    /// nil when the word is not a filter (then it is a target: `platform:bsd` is a name).
    /// Filters are read whatever their case (`Online`, `platform:Linux`).
    public init?(_ word: String) {
        switch word.lowercased() {
        case "online": self = .online
        case "offline": self = .offline
        case "platform:linux": self = .platform("Linux")
        case "platform:windows": self = .platform("Windows")
        case "platform:macos": self = .platform("MacOS")
        default: return nil
        }
    }

    /// The DescribeInstanceInformation filter that selects it.
    public var describeFilter: (key: String, values: [String]) {
        switch self {
        case .online: (key: "PingStatus", values: ["Online"])
        case .offline: (key: "PingStatus", values: ["ConnectionLost", "Inactive"])
        case .platform(let name): (key: "PlatformTypes", values: [name])
        }
    }
}

/// A target word that cannot be read, as a sentence that says how to write it.
public enum TargetError: Error, Equatable, CustomStringConvertible {
    case malformedTag(String)
    /// A Name glob needs EC2's DescribeInstances, which this identity may not call.
    case globNeedsEC2(String)

    public var description: String {
        switch self {
        case .malformedTag: "a tag target is written tag:KEY=VALUE, as in tag:Role=web"
        case .globNeedsEC2(let pattern):
            "the Name glob \(pattern) needs ec2:DescribeInstances, which this identity may not call. Use exact names or tag:KEY=VALUE, or allow that action"
        }
    }
}
