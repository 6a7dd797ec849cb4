/// A filter among the target words (docs/language.md, "Targets"): what a node is rather than
/// which node. A node passes one filter of each kind written.
public enum NodeFilter: Sendable, Equatable {
    case online
    /// ConnectionLost or Inactive.
    case offline
    /// Linux, Windows or MacOS, as Systems Manager spells the PlatformType.
    case platform(String)
    /// `agent<VERSION`: an agent older than VERSION, compared number by number (3.0 is 3.0.0.0).
    case agentOlderThan(String)

    public enum Kind: Sendable, Hashable { case ping, platform, agent }

    /// The filter words Tab offers (`agent<` takes a version of the user's).
    public static let words = ["online", "offline", "platform:linux", "platform:windows", "platform:macos", "agent<"]

    public var kind: Kind {
        switch self {
        case .online, .offline: .ping
        case .platform: .platform
        case .agentOlderThan: .agent
        }
    }

    /// nil when the word is not a filter (then it is a target). Filters are read whatever their
    /// case (`Online`, `platform:Linux`); `platform:` and `agent<` with what they cannot take
    /// are errors rather than names.
    public init?(parsing word: String) throws(TargetError) {
        let lower = word.lowercased()
        switch lower {
        case "online": self = .online
        case "offline": self = .offline
        case "platform:linux": self = .platform("Linux")
        case "platform:windows": self = .platform("Windows")
        case "platform:macos": self = .platform("MacOS")
        default:
            if lower.hasPrefix("platform:") { throw .unknownPlatform(word) }
            guard lower.hasPrefix("agent<") else { return nil }
            let version = String(word.dropFirst(6))
            guard Self.versionNumbers(version) != nil else { throw .malformedAgentVersion(word) }
            self = .agentOlderThan(version)
        }
    }

    /// The filter a word is, nil for a target or a word that cannot be read.
    public init?(_ word: String) {
        guard let filter = try? NodeFilter(parsing: word) else { return nil }
        self = filter
    }

    public var word: String {
        switch self {
        case .online: "online"
        case .offline: "offline"
        case .platform(let name): "platform:\(name.lowercased())"
        case .agentOlderThan(let version): "agent<\(version)"
        }
    }

    /// The DescribeInstanceInformation filter that selects it; nil for `agent<`, which the
    /// service's AgentVersion filter (exact values) cannot ask.
    public var describeFilter: (key: String, values: [String])? {
        switch self {
        case .online: (key: "PingStatus", values: ["Online"])
        case .offline: (key: "PingStatus", values: ["ConnectionLost", "Inactive"])
        case .platform(let name): (key: "PlatformTypes", values: [name])
        case .agentOlderThan: nil
        }
    }

    /// Whether a node passes it (a node whose agent version is not known is not older).
    public func matches(_ node: Node) -> Bool {
        switch self {
        case .online: node.pingStatus == "Online"
        case .offline: node.pingStatus == "ConnectionLost" || node.pingStatus == "Inactive"
        case .platform(let name): node.platform.lowercased() == name.lowercased()
        case .agentOlderThan(let version):
            node.agentVersion.flatMap(Self.versionNumbers).map { Self.isOlder($0, than: Self.versionNumbers(version) ?? []) } ?? false
        }
    }

    /// `3.2.582.0` as numbers; nil unless it is numbers joined by single dots.
    static func versionNumbers(_ text: String) -> [Int]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !text.isEmpty, parts.allSatisfy({ !$0.isEmpty && $0.count <= 9 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
            return nil
        }
        return parts.compactMap { Int($0) }
    }

    /// Number by number, a missing one being 0.
    static func isOlder(_ a: [Int], than b: [Int]) -> Bool {
        for i in 0..<max(a.count, b.count) {
            let (x, y) = (i < a.count ? a[i] : 0, i < b.count ? b[i] : 0)
            if x != y { return x < y }
        }
        return false
    }
}
