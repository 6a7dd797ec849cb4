/// The text `run` and `!` hand to another shell (issue 11, item 17): the command as the user
/// wrote it, byte for byte, with only the shell's own variables substituted, each value quoted
/// for where it stands so that data never becomes code. Pure: text, dialect and values in.
///
/// The text is read as the receiving shell will read it, to know where each `$NAME` stands:
/// in `'...'` and after an escape nothing is substituted; in `"..."` a value is escaped for
/// double quotes; elsewhere (also inside `$(...)`, a new context) it is quoted as one word.
/// A `$NAME` that `value` does not know is left for the other shell.
///
/// `join` applies the same rule to code and values already told apart (`connect --command`,
/// whose word the language has read: its text is code, its variables values).
///
/// Some constructs cannot be followed without parsing the other shell's whole grammar: a `#`
/// comment (which may hold a quote), a `case` pattern's `)` inside `$(...)`, a here-document
/// or here-string, a `${...}` with quotes inside, PowerShell's `--%`. After one of them a value
/// is placed only when it needs no quoting, which reads the same in every context.
public enum CommandText {
    /// A value that cannot be placed where it stands.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// A piece of a command whose code and values are known apart.
    public enum Piece: Sendable, Equatable {
        /// The receiving shell's code, as the user wrote it.
        case code(String)
        /// A value, with the reference that produced it (`$x`) for messages.
        case value(String, reference: String)
    }

    /// The code with each value quoted for where it stands in it (bare, in `"..."`, in `'...'`);
    /// a `$NAME` in the code is the other shell's.
    /// - Throws: a Refusal for a value the receiving shell would read together with the code
    ///   around it (after a `\`, inside backquotes, right after the other shell's `$NAME`).
    public static func join(_ pieces: [Piece], dialect: ShellDialect) throws -> String {
        var chars: [Character] = []
        var insertions: [Insertion] = []
        for piece in pieces {
            switch piece {
            case .code(let code): chars += Array(code)
            case .value(let value, let reference): insertions.append(Insertion(at: chars.count, value: value, reference: reference))
            }
        }
        return try render(chars, insertions: insertions, dialect: dialect, arguments: nil) { _ in nil }
    }

    /// A value placed before `chars[at]`.
    struct Insertion {
        var at: Int
        var value: String
        var reference: String
    }

    /// Where the reader is, as the receiving shell sees it: code (the top, or inside `$(...)`,
    /// with its open parentheses), a double-quoted string, sh's backquotes, or sh's arithmetic
    /// (`$((...))`, `((...))`, or bracketed: `$[...]`, a subscript `a[...]`) with its depth.
    enum Frame: Equatable {
        case code(parens: Int, top: Bool)
        case doubleQuoted
        case backquoted
        case arithmetic(depth: Int, bracketed: Bool)
    }

    /// - Parameters:
    ///   - text: the command as written (`Command.sourceText(fromWord:)`).
    ///   - arguments: the script's arguments, for `$@` and `$#`.
    ///   - value: the shell's value for a name (`x`, `1`, `targets`), nil when it has none;
    ///     it may throw (an unset `$3` is an error, as anywhere else).
    /// - Throws: what `value` throws, or a Refusal for a value inside sh's backquotes, whose
    ///   own escaping rules (POSIX 2.6.3) would need a second layer: `$(...)` does not.
    public static func substitute(
        _ text: String, dialect: ShellDialect, arguments: [String],
        value: (String) throws -> String?
    ) throws -> String {
        try render(Array(text), insertions: [], dialect: dialect, arguments: arguments, value: value)
    }

    /// Reads `chars` as the receiving shell will, filling in the shell's `$NAME`s (`value`;
    /// `$@` and `$#` when `arguments` is given) and the insertions, in order of position.
    static func render(
        _ chars: [Character], insertions: [Insertion], dialect: ShellDialect, arguments: [String]?,
        value: (String) throws -> String?
    ) throws -> String {
        let posix = dialect == .posix
        var out = ""
        var i = 0
        var frames: [Frame] = [.code(parens: 0, top: true)]
        var atWordStart = true
        var pending = insertions[...]
        /// The other shell's `$NAME` (or lone `$`) just copied, and where it ends: a value
        /// there would lengthen the name (`$HO` and `ME` make `$HOME`), so it is refused.
        var openReference: (end: Int, text: String)?
        /// The first construct after which the reader may no longer know where it stands.
        var unfollowed: String?

        /// A word ends at the end, a blank or a continuation, as in the parser.
        func endsWord(_ j: Int) -> Bool {
            j == chars.count || " \t\n\r".contains(chars[j]) || chars[j] == "\\" && j + 1 < chars.count && chars[j + 1] == "\n"
        }
        /// Copies `n` characters read as one unit (`\x`, `""`, `$(`, a `$NAME`): a value
        /// inserted inside it would be read as part of it.
        func copy(_ n: Int) throws {
            let end = min(i + n, chars.count)
            if let inside = pending.first, inside.at > i, inside.at < i + n {
                throw Refusal(
                    description: "ssm-shell's \(inside.reference) would be read together with `\(String(chars[i..<end]))` "
                        + "before or around it; write it apart from that")
            }
            out += String(chars[i..<end])
            i = end
        }
        /// Once the reader lost track, only a plain value, which reads the same bare, in quotes,
        /// in a comment or in a here-document.
        func refuseIfUnfollowed(_ replacement: String, reference: String) throws {
            guard let unfollowed, !(posix ? ShellQuote.isPlainPOSIX(replacement) : ShellQuote.isPlainPowerShell(replacement)) else { return }
            throw Refusal(
                description: "ssm-shell's \(reference) cannot be quoted after \(unfollowed), where ssm-shell does not follow "
                    + "the other shell's reading; move it before that, or give it to the other shell as its own variable first, "
                    + "as in: v=\(reference) && ... \"$v\"")
        }
        /// A value quoted for the frame it stands in (`singleQuoted`: inside the user's '...').
        func place(_ replacement: String, reference: String, singleQuoted: Bool = false) throws {
            if frames.contains(.backquoted) {
                throw Refusal(description: "ssm-shell's \(reference) cannot stand inside backquotes; write $(...) instead")
            }
            try refuseIfUnfollowed(replacement, reference: reference)
            if case .arithmetic = frames.last, !ShellQuote.isPlainPOSIX(replacement) {
                // POSIX 2.6.4: the expression is read as if in double quotes, so ' is a character
                // and a $(...) in the value runs (bash and dash alike).
                throw Refusal(
                    description: "ssm-shell's \(reference) cannot stand inside arithmetic ($((...)), $[...], ((...)) or a subscript [...]), "
                        + "where sh reads quotes as characters and runs what they hold; only a plain value (letters, digits, - . _) can. "
                        + "Check it first, or give it to the other shell as its own variable: v=\(reference) && echo $((v + 1))")
            }
            if let open = openReference, open.end == i {
                throw Refusal(
                    description: "ssm-shell's \(reference) directly follows \(open.text), which is the other shell's, "
                        + "and would be read as part of its name; write the other shell's name in braces, as ${NAME}")
            }
            out +=
                singleQuoted
                ? ShellQuote.insideSingleQuotes(replacement, for: dialect)
                : frames.last == .doubleQuoted
                    ? ShellQuote.insideDoubleQuotes(replacement, for: dialect)
                    : ShellQuote.word(replacement, for: dialect)
        }
        /// The insertions that stand before `chars[i]`.
        func placeInsertions(singleQuoted: Bool = false) throws {
            while let insertion = pending.first, insertion.at == i {
                try place(insertion.value, reference: insertion.reference, singleQuoted: singleQuoted)
                pending.removeFirst()
                atWordStart = false
            }
        }
        /// `$NAME`: the value quoted for the frame, or the reference as written.
        func substituteReference() throws {
            let (length, replacement) = try reference(chars, at: i, arguments: arguments, value: value)
            let text = String(chars[i..<min(i + length, chars.count)])
            guard let replacement else {
                try copy(length)
                // Braces end a name; `$NAME`, a lone `$` and an unclosed `${` do not.
                if !(text.hasPrefix("${") && text.hasSuffix("}")) { openReference = (i, text) }
                return
            }
            try place(replacement, reference: text)
            i += length
        }
        /// From an opening single quote to its closing one (`close`, or the end when there is
        /// none): values inside are quoted for single quotes; PowerShell's doubled quote is one
        /// unit, so a value between its two halves is refused.
        func copySingleQuoted(to close: Int, doubled: Set<Int>) throws {
            out.append(chars[i])
            i += 1
            while i <= close {
                if doubled.contains(i), let inside = pending.first, inside.at == i {
                    throw Refusal(
                        description: "ssm-shell's \(inside.reference) would be read together with the doubled quote around it; write it apart from that")
                }
                try placeInsertions(singleQuoted: true)
                guard i < chars.count else { break }
                out.append(chars[i])
                i += 1
            }
        }
        /// `${...}`: a plain name is the shell's; quotes, escapes, braces or parentheses inside
        /// mean the other shell's own expansion, whose end sh finds by rules not followed here.
        func noteBraces() {
            guard unfollowed == nil, chars.dropFirst(i).starts(with: ["$", "{"]) else { return }
            let close = chars[(i + 2)...].firstIndex(of: "}") ?? chars.count
            if chars[(i + 2)..<close].contains(where: { "'\"`\\{(“”„‘’‚‛".contains($0) }) { unfollowed = "a ${...} with quotes inside" }
        }
        /// Whether a word may start at `i` (where `#` starts a comment, POSIX 2.3 rule 9): after
        /// anything but a word's character; a wrong guess only refuses. PowerShell's operators
        /// are many, so there only letters, digits and `_` continue a word.
        func mayStartWord() -> Bool {
            guard i > 0 else { return true }
            let before = chars[i - 1]
            return !(before.isASCII && (before.isLetter || before.isNumber || before == "_") || posix && "-./:@%+,=#".contains(before))
        }
        /// sh's arithmetic opening at `i`: its length and whether `]` closes it. `((` and a
        /// subscript only where code stands (`code`); a wrong guess only refuses.
        func opensArithmetic(code: Bool) -> (length: Int, bracketed: Bool)? {
            guard posix else { return nil }
            let ahead = chars.dropFirst(i).prefix(3)
            if ahead.starts(with: ["$", "(", "("]) { return (3, false) }
            if ahead.starts(with: ["$", "["]) { return (2, true) }
            guard code else { return nil }
            if ahead.starts(with: ["(", "("]) { return (2, false) }
            if ahead.first == "[", i > 0, chars[i - 1].isASCII, chars[i - 1].isLetter || chars[i - 1].isNumber || chars[i - 1] == "_" { return (1, true) }
            return nil
        }
        func isDoubleQuote(_ c: Character) -> Bool { c == "\"" || !posix && ShellQuote.powerShellDoubleQuotes.contains(c) }
        func isSingleQuote(_ c: Character) -> Bool { c == "'" || !posix && ShellQuote.powerShellSingleQuotes.contains(c) }
        let escape: Character = posix ? "\\" : "`"

        while i < chars.count {
            try placeInsertions()
            let c = chars[i]
            let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
            if openReference.map({ $0.end < i }) == true { openReference = nil }
            switch frames.last! {
            case .doubleQuoted:
                // POSIX 2.2.3: \ escapes $ ` " \ and newline there; PowerShell's ` escapes anything.
                if c == escape, let next, !posix || "$`\"\\\n".contains(next) {
                    try copy(2)
                } else if !posix && isDoubleQuote(c) && next.map(isDoubleQuote) == true {
                    try copy(2)
                }  // "" is a quote
                else if isDoubleQuote(c) {
                    frames.removeLast(); try copy(1)
                } else if let (length, bracketed) = opensArithmetic(code: false) {
                    frames.append(.arithmetic(depth: 0, bracketed: bracketed)); try copy(length)
                } else if c == "$" && next == "(" {
                    frames.append(.code(parens: 0, top: false)); try copy(2)
                } else if posix && c == "`" {
                    frames.append(.backquoted); try copy(1)
                } else if c == "$" {
                    noteBraces(); try substituteReference()
                } else if c == escape && pending.first?.at == i + 1 {
                    try copy(2)
                }  // refused: the value would be escaped or escape
                else {
                    try copy(1)
                }
            case .backquoted:
                // The end is the first unescaped backquote, quotes or not (POSIX 2.6.3).
                if c == "\\" {
                    try copy(2)
                } else if c == "`" {
                    frames.removeLast(); try copy(1)
                } else if c == "$" {
                    try substituteReference()
                } else {
                    try copy(1)
                }
            case .arithmetic(let depth, let bracketed):
                // To the matching `))` or `]`; `$(...)` inside is code again.
                let (open, close): (Character, Character) = bracketed ? ("[", "]") : ("(", ")")
                if c == "\\" {
                    try copy(2)
                } else if let (length, inner) = opensArithmetic(code: false) {
                    frames.append(.arithmetic(depth: 0, bracketed: inner)); try copy(length)
                } else if c == "$" && next == "(" {
                    frames.append(.code(parens: 0, top: false)); try copy(2)
                } else if c == "`" {
                    frames.append(.backquoted); try copy(1)
                } else if c == open {
                    frames[frames.count - 1] = .arithmetic(depth: depth + 1, bracketed: bracketed); try copy(1)
                } else if c == close && depth > 0 {
                    frames[frames.count - 1] = .arithmetic(depth: depth - 1, bracketed: bracketed); try copy(1)
                } else if c == close {
                    frames.removeLast(); try copy(!bracketed && next == ")" ? 2 : 1)
                } else if c == "$" {
                    noteBraces(); try substituteReference()
                } else {
                    try copy(1)
                }
            case .code(let parens, let top):
                // `$@` or `"$@"` as a whole word: one word per argument, as the language says.
                if atWordStart, let arguments {
                    let spread =
                        ["$", "@"] == chars.dropFirst(i).prefix(2) && endsWord(i + 2)
                        ? 2
                        : ["\"", "$", "@", "\""] == chars.dropFirst(i).prefix(4) && endsWord(i + 4) ? 4 : 0
                    if spread > 0 {
                        for argument in arguments { try refuseIfUnfollowed(argument, reference: "$@") }
                        out += arguments.map { ShellQuote.word($0, for: dialect) }.joined(separator: " ")
                        i += spread
                        atWordStart = false
                        continue
                    }
                }
                let blank = " \t\n\r".contains(c)
                let continuation = c == "\\" && next == "\n"
                if blank {
                    try copy(1)
                } else if c == escape {
                    try copy(2)
                } else if isSingleQuote(c) {
                    // sh: to the next '. PowerShell: to a quote that is not doubled.
                    var j = i + 1
                    var doubled: Set<Int> = []
                    while j < chars.count {
                        if isSingleQuote(chars[j]) {
                            if !posix, j + 1 < chars.count, isSingleQuote(chars[j + 1]) { doubled.insert(j + 1); j += 2; continue }
                            break
                        }
                        j += 1
                    }
                    try copySingleQuoted(to: j, doubled: doubled)
                } else if posix && c == "$" && next == "'" {
                    // bash's and POSIX.1-2024's $'...' (2.2.4): \ escapes any character, \' too;
                    // one unit, so a value placed inside it is refused.
                    // A \' inside is where shells part: dash (and sh before 2024) ends the quote there.
                    var j = i + 2
                    while j < chars.count && chars[j] != "'" {
                        if chars[j] == "\\" && j + 1 < chars.count && chars[j + 1] == "'" {
                            unfollowed = unfollowed ?? "a $'...' holding \\' (bash and dash end it apart)"
                        }
                        j += chars[j] == "\\" ? 2 : 1
                    }
                    try copy(j + 1 - i)
                } else if !posix && c == "@" && next.map({ isDoubleQuote($0) || isSingleQuote($0) }) == true {
                    // about_Quoting_Rules: @"...\n"@ here-strings, where a lone quote does not end it.
                    unfollowed = unfollowed ?? "a here-string (@\" or @')"
                    try copy(1)
                } else if c == "#" && mayStartWord() {
                    unfollowed = unfollowed ?? "a # comment"; try copy(1)
                } else if !posix && c == "<" && next == "#" {
                    unfollowed = unfollowed ?? "a # comment"; try copy(1)
                } else if posix && c == "<" && next == "<" {
                    unfollowed = unfollowed ?? "a here-document (<<)"; try copy(1)
                } else if !posix && ["-", "-", "%"] == chars.dropFirst(i).prefix(3) && mayStartWord() {
                    // about_Parsing: after --% PowerShell passes the rest to the program unparsed.
                    unfollowed = unfollowed ?? "--%"
                    try copy(1)
                } else if !top && ["c", "a", "s", "e"] == chars.dropFirst(i).prefix(4) && mayStartWord() && endsWord(i + 4) {
                    // A pattern's ) would end the $(...) here (POSIX 2.6.3 lets sh end it either way).
                    unfollowed = unfollowed ?? "a case inside $(...)"
                    try copy(1)
                } else if isDoubleQuote(c) {
                    frames.append(.doubleQuoted); try copy(1)
                } else if posix && c == "`" {
                    frames.append(.backquoted); try copy(1)
                } else if let (length, bracketed) = opensArithmetic(code: true) {
                    frames.append(.arithmetic(depth: 0, bracketed: bracketed)); try copy(length)
                } else if (c == "$" || c == "@") && next == "(" {
                    frames.append(.code(parens: 0, top: false)); try copy(2)
                } else if c == "(" {
                    frames[frames.count - 1] = .code(parens: parens + 1, top: top); try copy(1)
                } else if c == ")" && parens > 0 {
                    frames[frames.count - 1] = .code(parens: parens - 1, top: top); try copy(1)
                } else if c == ")" && !top {
                    frames.removeLast(); try copy(1)
                } else if c == "$" {
                    noteBraces(); try substituteReference()
                } else {
                    try copy(1)
                }
                atWordStart = blank || continuation
            }
        }
        try placeInsertions()
        return out
    }

    /// The `$` reference at `start` as the parser reads it (`Parser.readVariable`): how many
    /// characters it spans and the shell's value, or nil to leave those characters as written.
    static func reference(
        _ chars: [Character], at start: Int, arguments: [String]?,
        value: (String) throws -> String?
    ) throws -> (Int, String?) {
        let i = start + 1
        guard i < chars.count else { return (1, nil) }
        let c = chars[i]
        // `$$` is the other shell's process id, read as one (so `$$'a\'` is not `$'...'`).
        if c == "$" { return (2, nil) }
        if c == "@" { return (2, arguments.map { $0.joined(separator: " ") }) }
        if c == "#" { return (2, arguments.map { String($0.count) }) }
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
