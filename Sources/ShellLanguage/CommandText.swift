/// The text `run` and `!` hand to another shell (issue 11, item 17): the command as the user
/// wrote it, byte for byte, with only the shell's own variables substituted, each value quoted
/// for where it stands so that data never becomes code. Pure: text, dialect and values in.
///
/// The text is read as the receiving shell will read it, to know where each `$NAME` stands:
/// in `'...'` and after an escape nothing is substituted; in `"..."` a value is escaped for
/// double quotes; elsewhere (also inside `$(...)`, a new context) it is quoted as one word.
/// A `$NAME` that `value` does not know is left for the other shell.
public enum CommandText {
    /// A value that cannot be placed where it stands.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Where the reader is, as the receiving shell sees it: code (the top, or inside `$(...)`,
    /// with its open parentheses), a double-quoted string, or sh's backquotes.
    enum Frame: Equatable {
        case code(parens: Int, top: Bool)
        case doubleQuoted
        case backquoted
    }

    /// - Parameters:
    ///   - text: the command as written (`Command.sourceText(fromWord:)`).
    ///   - arguments: the script's arguments, for `$@` and `$#`.
    ///   - value: the shell's value for a name (`x`, `1`, `targets`), nil when it has none;
    ///     it may throw (an unset `$3` is an error, as anywhere else).
    /// - Throws: what `value` throws, or a Refusal for a value inside sh's backquotes, whose
    ///   own escaping rules (POSIX 2.6.3) would need a second layer: `$(...)` does not.
    public static func substitute(_ text: String, dialect: ShellDialect, arguments: [String],
                                  value: (String) throws -> String?) throws -> String {
        let chars = Array(text)
        let posix = dialect == .posix
        var out = ""
        var i = 0
        var frames: [Frame] = [.code(parens: 0, top: true)]
        var atWordStart = true

        /// A word ends at the end, a blank or a continuation, as in the parser.
        func endsWord(_ j: Int) -> Bool {
            j == chars.count || " \t\n\r".contains(chars[j]) || chars[j] == "\\" && j + 1 < chars.count && chars[j + 1] == "\n"
        }
        func copy(_ n: Int) {
            let end = min(i + n, chars.count)
            out += String(chars[i..<end])
            i = end
        }
        /// `$NAME`: the value quoted for the frame, or the reference as written.
        func substituteReference() throws {
            let (length, replacement) = try reference(chars, at: i, arguments: arguments, value: value)
            guard let replacement else { return copy(length) }
            if frames.contains(.backquoted) {
                throw Refusal(description: "ssm-shell's $\(String(chars[(i + 1)..<(i + length)])) cannot stand inside backquotes; write $(...) instead")
            }
            out += frames.last == .doubleQuoted ? ShellQuote.insideDoubleQuotes(replacement, for: dialect)
                : ShellQuote.word(replacement, for: dialect)
            i += length
        }
        func isDoubleQuote(_ c: Character) -> Bool { c == "\"" || !posix && ShellQuote.powerShellDoubleQuotes.contains(c) }
        func isSingleQuote(_ c: Character) -> Bool { c == "'" || !posix && ShellQuote.powerShellSingleQuotes.contains(c) }
        let escape: Character = posix ? "\\" : "`"

        while i < chars.count {
            let c = chars[i]
            let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
            switch frames.last! {
            case .doubleQuoted:
                // POSIX 2.2.3: \ escapes $ ` " \ and newline there; PowerShell's ` escapes anything.
                if c == escape, let next, !posix || "$`\"\\\n".contains(next) { copy(2) }
                else if !posix && isDoubleQuote(c) && next.map(isDoubleQuote) == true { copy(2) }  // "" is a quote
                else if isDoubleQuote(c) { frames.removeLast(); copy(1) }
                else if c == "$" && next == "(" { frames.append(.code(parens: 0, top: false)); copy(2) }
                else if posix && c == "`" { frames.append(.backquoted); copy(1) }
                else if c == "$" { try substituteReference() }
                else { copy(1) }
            case .backquoted:
                // The end is the first unescaped backquote, quotes or not (POSIX 2.6.3).
                if c == "\\" { copy(2) }
                else if c == "`" { frames.removeLast(); copy(1) }
                else if c == "$" { try substituteReference() }
                else { copy(1) }
            case .code(let parens, let top):
                // `$@` or `"$@"` as a whole word: one word per argument, as the language says.
                if atWordStart {
                    let spread = ["$", "@"] == chars.dropFirst(i).prefix(2) && endsWord(i + 2) ? 2
                        : ["\"", "$", "@", "\""] == chars.dropFirst(i).prefix(4) && endsWord(i + 4) ? 4 : 0
                    if spread > 0 {
                        out += arguments.map { ShellQuote.word($0, for: dialect) }.joined(separator: " ")
                        i += spread
                        atWordStart = false
                        continue
                    }
                }
                let blank = " \t\n\r".contains(c)
                let continuation = c == "\\" && next == "\n"
                if blank { copy(1) }
                else if c == escape { copy(2) }
                else if isSingleQuote(c) {
                    // sh: to the next '. PowerShell: to a quote that is not doubled.
                    var j = i + 1
                    while j < chars.count {
                        if isSingleQuote(chars[j]) {
                            if !posix, j + 1 < chars.count, isSingleQuote(chars[j + 1]) { j += 2; continue }
                            break
                        }
                        j += 1
                    }
                    copy(j + 1 - i)
                }
                else if isDoubleQuote(c) { frames.append(.doubleQuoted); copy(1) }
                else if posix && c == "`" { frames.append(.backquoted); copy(1) }
                else if (c == "$" || c == "@") && next == "(" { frames.append(.code(parens: 0, top: false)); copy(2) }
                else if c == "(" { frames[frames.count - 1] = .code(parens: parens + 1, top: top); copy(1) }
                else if c == ")" && parens > 0 { frames[frames.count - 1] = .code(parens: parens - 1, top: top); copy(1) }
                else if c == ")" && !top { frames.removeLast(); copy(1) }
                else if c == "$" { try substituteReference() }
                else { copy(1) }
                atWordStart = blank || continuation
            }
        }
        return out
    }

    /// The `$` reference at `start` as the parser reads it (`Parser.readVariable`): how many
    /// characters it spans and the shell's value, or nil to leave those characters as written.
    static func reference(_ chars: [Character], at start: Int, arguments: [String],
                          value: (String) throws -> String?) throws -> (Int, String?) {
        let i = start + 1
        guard i < chars.count else { return (1, nil) }
        let c = chars[i]
        if c == "@" { return (2, arguments.joined(separator: " ")) }
        if c == "#" { return (2, String(arguments.count)) }
        if c == "{" {
            guard let close = chars[i...].firstIndex(of: "}") else { return (chars.count - start, nil) }
            let name = String(chars[(i + 1)..<close])
            guard Parser.isName(name) || !name.isEmpty && name.allSatisfy(\.isNumber) else { return (close + 1 - start, nil) }
            return (close + 1 - start, try value(name))
        }
        if c.isNumber { return (2, try value(String(c))) }
        var j = i
        while j < chars.count, chars[j].isASCII, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
        // A lone `$` (as in `$(...)`, `$?`, `$$`) is the other shell's.
        guard j > i else { return (1, nil) }
        return (j - start, try value(String(chars[i..<j])))
    }
}
