/// `[TARGET:]REMOTE`, the node side of `put` and `get`. A word that starts with `/`, `.` or `~`
/// is a path alone; otherwise the target ends at the first `:` (after `tag:KEY=VALUE` when the
/// word starts with `tag:`, since a tag word has a colon of its own). No colon: a path alone,
/// on the current targets.
public struct RemotePath: Sendable, Equatable {
    public var target: String?
    public var path: String

    public init(target: String?, path: String) {
        self.target = target
        self.path = path
    }

    public init(parsing word: String) {
        if let first = word.first, "/.~".contains(first) {
            self.init(target: nil, path: word)
            return
        }
        let searchStart = word.hasPrefix("tag:") ? word.index(word.startIndex, offsetBy: 4) : word.startIndex
        guard let colon = word[searchStart...].firstIndex(of: ":"), colon != word.startIndex else {
            self.init(target: nil, path: word)
            return
        }
        let rest = String(word[word.index(after: colon)...])
        // `web-1:` alone names the node's working directory (the session's home).
        self.init(target: String(word[..<colon]), path: rest.isEmpty ? "." : rest)
    }
}
