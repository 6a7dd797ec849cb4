/// The text `run` and `!` hand to another shell (issue 11, item 17): the command as the user
/// wrote it, byte for byte, with only the shell's own variables substituted, each value quoted
/// for where it stands so that data never becomes code. Pure: text, dialect and values in.
///
/// The text is read with the language's own lexical rules (section 2), which are sh's for
/// quoting: `'...'` and a backslash-escaped character are left alone, `"..."` is a double-quoted
/// position, the rest is bare. A `$NAME` that `value` does not know is left for the other shell.
public enum CommandText {
    /// - Parameters:
    ///   - text: the command as written (`Command.sourceText(fromWord:)`).
    ///   - arguments: the script's arguments, for `$@` and `$#`.
    ///   - value: the shell's value for a name (`x`, `1`, `targets`), nil when it has none;
    ///     it may throw (an unset `$3` is an error, as anywhere else).
    public static func substitute(_ text: String, dialect: ShellDialect, arguments: [String],
                                  value: (String) throws -> String?) rethrows -> String {
        let chars = Array(text)
        var out = ""
        var i = 0
        var inDoubleQuotes = false
        var atWordStart = true

        /// A word ends at the end, a blank or a continuation, as in the parser.
        func endsWord(_ j: Int) -> Bool {
            j == chars.count || " \t\n\r".contains(chars[j]) || chars[j] == "\\" && j + 1 < chars.count && chars[j + 1] == "\n"
        }
        func quote(_ v: String) -> String {
            inDoubleQuotes ? ShellQuote.insideDoubleQuotes(v, for: dialect) : ShellQuote.word(v, for: dialect)
        }

        while i < chars.count {
            let c = chars[i]
            if inDoubleQuotes {
                if c == "\\", i + 1 < chars.count, "$\"\\\n".contains(chars[i + 1]) {
                    out.append(c); out.append(chars[i + 1]); i += 2
                } else if c == "\"" {
                    inDoubleQuotes = false
                    out.append(c); i += 1
                } else if c == "$" {
                    let (length, replacement) = try reference(chars, at: i, arguments: arguments, value: value)
                    out += replacement.map(quote) ?? String(chars[i..<i + length])
                    i += length
                } else {
                    out.append(c); i += 1
                }
                continue
            }
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
            switch c {
            case " ", "\t", "\n", "\r":
                out.append(c); i += 1
                atWordStart = true
            case "\\":
                // An escaped character is the other shell's; a continuation separates words.
                let next = i + 1 < chars.count ? chars[i + 1] : nil
                out.append(c)
                if let next { out.append(next) }
                i += next == nil ? 1 : 2
                atWordStart = next == "\n"
            case "'":
                var j = i + 1
                while j < chars.count && chars[j] != "'" { j += 1 }
                let end = min(j + 1, chars.count)
                out += String(chars[i..<end])
                i = end
                atWordStart = false
            case "\"":
                inDoubleQuotes = true
                out.append(c); i += 1
                atWordStart = false
            case "$":
                let (length, replacement) = try reference(chars, at: i, arguments: arguments, value: value)
                out += replacement.map(quote) ?? String(chars[i..<i + length])
                i += length
                atWordStart = false
            default:
                out.append(c); i += 1
                atWordStart = false
            }
        }
        return out
    }

    /// The `$` reference at `start` as the parser reads it (`Parser.readVariable`): how many
    /// characters it spans and the shell's value, or nil to leave those characters as written.
    static func reference(_ chars: [Character], at start: Int, arguments: [String],
                          value: (String) throws -> String?) rethrows -> (Int, String?) {
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
