import AWSCore

/// `[[PROFILE@REGION:]TARGET:]REMOTE`, the node side of `put` and `get` (docs/language.md,
/// "Files"). A word that starts with `/`, `.` or `~` is a path alone. A first piece, up to its
/// colon, that is `PROFILE@REGION` (a valid region name after the last `@`) is always a pair:
/// the target after it is looked up in that account and region only. The target is target
/// words joined by commas, each of which may carry a colon of its own (`tag:KEY=VALUE`,
/// `tag:KEY`, `platform:NAME`, each after an optional `!`), so it ends at the first other colon.
/// No colon: a path alone, on the current targets.
public struct RemotePath: Sendable, Equatable {
    /// The pair the target is looked up in; nil: every pair of the context.
    public var pair: ContextPair?
    public var target: String?
    public var path: String

    public init(pair: ContextPair? = nil, target: String?, path: String) {
        self.pair = pair
        self.target = target
        self.path = path
    }

    public init(parsing word: String) {
        var rest = Substring(word)
        var pair: ContextPair?
        if let colon = rest.firstIndex(of: ":"), let named = ContextPair(parsing: rest[..<colon]), EndpointResolver.isValidRegion(named.region) {
            pair = named
            rest = rest[rest.index(after: colon)...]
        }
        guard let first = rest.first, !"/.~".contains(first), let colon = Self.targetEnd(rest), colon != rest.startIndex else {
            self.init(pair: pair, target: nil, path: String(rest))
            return
        }
        let path = String(rest[rest.index(after: colon)...])
        // `web-1:` alone names the node's working directory (the session's home).
        self.init(pair: pair, target: String(rest[..<colon]), path: path.isEmpty ? "." : path)
    }

    /// The target word's own colons: `tag:` and `platform:` (any case, as filters are read).
    static let prefixesWithColon = ["tag:", "platform:"]

    /// The colon that ends the target: the first one that is not a target word's own.
    static func targetEnd(_ text: Substring) -> Substring.Index? {
        var index = text.startIndex
        var wordStart = true
        while index < text.endIndex {
            if wordStart {
                wordStart = false
                if text[index] == "!" { index = text.index(after: index) }
                let lower = text[index...].prefix(9).lowercased()
                if let prefix = prefixesWithColon.first(where: { lower.hasPrefix($0) }) {
                    index = text.index(index, offsetBy: prefix.count)
                    continue
                }
                continue
            }
            switch text[index] {
            case ":": return index
            case ",": wordStart = true
            default: break
            }
            index = text.index(after: index)
        }
        return nil
    }
}
