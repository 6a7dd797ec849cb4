import AWSCore

/// `[[PROFILE@REGION:]TARGET:]REMOTE`, the node side of `put` and `get` (docs/language.md,
/// "Files"). A word that starts with `/`, `.` or `~` is a path alone. A first piece, up to its
/// colon, that is `PROFILE@REGION` (a valid region name after the last `@`) is always a pair:
/// the target after it is looked up in that account and region only. The target is target
/// words joined by commas. AWS tag keys may hold colons (`aws:cloudformation:stack-name`), so
/// the colon that ends the target is found by reading: every colon after which the text before
/// it is a target list (`RemotePathTarget`) is a reading; one reading is the split; of several,
/// the one whose path starts with `/`, `~` or a drive (`C:/`), or is empty, is; if that is not
/// exactly one the word is ambiguous and refused, never guessed. No reading: a path alone, on
/// the current targets.
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

    public init(parsing word: String) throws(RemotePathError) {
        var rest = Substring(word)
        var pair: ContextPair?
        if let colon = rest.firstIndex(of: ":"), let named = ContextPair(parsing: rest[..<colon]), EndpointResolver.isValidRegion(named.region) {
            pair = named
            rest = rest[rest.index(after: colon)...]
        }
        guard let first = rest.first, !"/.~".contains(first) else {
            self.init(pair: pair, target: nil, path: String(rest))
            return
        }
        let readings = rest.indices.filter { rest[$0] == ":" && RemotePathTarget.isTargetList(rest[..<$0]) }
        let colon: Substring.Index
        if readings.count == 1 {
            colon = readings[0]
        } else if readings.isEmpty {
            self.init(pair: pair, target: nil, path: String(rest))
            return
        } else {
            let rooted = readings.filter { Self.startsRooted(rest[rest.index(after: $0)...]) }
            guard rooted.count == 1 else { throw RemotePathError.ambiguous(word) }
            colon = rooted[0]
        }
        let path = String(rest[rest.index(after: colon)...])
        // `web-1:` alone names the node's working directory (the session's home).
        self.init(pair: pair, target: String(rest[..<colon]), path: path.isEmpty ? "." : path)
    }

    /// A path that cannot be the tail of a tag key or value: empty, from `/` or `~`, or from a
    /// Windows drive (`C:/`, `C:\`).
    static func startsRooted(_ path: Substring) -> Bool {
        guard let first = path.first else { return true }
        if first == "/" || first == "~" { return true }
        let drive = Array(path.prefix(3))
        return drive.count == 3 && drive[0].isASCII && drive[0].isLetter && drive[1] == ":" && (drive[2] == "/" || drive[2] == "\\")
    }
}

/// What a target may be inside a remote word: target words joined by commas, where only these
/// hold colons: `platform:NAME` (one, its prefix's), `tag:KEY=VALUE` and `tag:KEY`, whose KEY
/// may hold colons as AWS tag keys do and whose VALUE may not (it ends at the colon before the
/// path). Prefixes in any case and after an optional `!`, as filters are read.
enum RemotePathTarget {
    static func isTargetList(_ text: Substring) -> Bool {
        let words = text.split(separator: ",", omittingEmptySubsequences: false)
        guard !text.isEmpty, let last = words.last, !isPrefixAlone(last) else { return false }
        return words.allSatisfy(isTargetWord)
    }

    /// `tag` or `platform` just before a colon: that colon is the prefix's own, never the end.
    static func isPrefixAlone(_ word: Substring) -> Bool {
        let body = word.first == "!" ? word.dropFirst() : word
        return ["tag", "platform"].contains(body.lowercased())
    }

    static func isTargetWord(_ word: Substring) -> Bool {
        let body = word.first == "!" ? word.dropFirst() : word
        let lower = body.lowercased()
        if lower.hasPrefix("tag:") {
            let spec = body.dropFirst(4)
            // `tag` then the colon: the prefix's own colon never ends the target.
            guard !spec.isEmpty else { return false }
            guard let equals = spec.firstIndex(of: "=") else { return true }
            return !spec[spec.index(after: equals)...].contains(":")
        }
        if lower.hasPrefix("platform:") { return !body.dropFirst(9).isEmpty && !body.dropFirst(9).contains(":") }
        return !body.contains(":")
    }
}

public enum RemotePathError: Error, Equatable, CustomStringConvertible {
    /// More than one colon could end the target (a tag key with colons before a relative path).
    case ambiguous(String)

    public var description: String {
        switch self {
        case .ambiguous(let word):
            "'\(word)' can be read more than one way, since a tag key may hold colons: start the path after the target with / or ~ (tag:aws:cloudformation:stack-name=web:/etc/x or ...=web:~/x), or choose the nodes with use first"
        }
    }
}
