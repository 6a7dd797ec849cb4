/// The command language's lexer and parser in one pass over the characters (language page,
/// section 2): lines, `;`, `\` continuations, `#` comments at the start of a word, single and
/// double quotes, `$NAME`/`${NAME}`/`$@`/`$#`, and here-documents; then the commands become
/// blocks (`if`, `for`, `def`: BlockBuilder). Pure: text in, a Script or a Diagnostic out.
public struct Parser {
    private let chars: [Character]
    private let file: String
    private var index = 0
    private var line = 1
    private var column = 1
    /// Here-documents announced on the current line, filled in after its newline.
    private var pendingHereDocs: [(commandIndex: Int, delimiter: String, expand: Bool, stripTabs: Bool, location: SourceLocation)] = []

    public init(_ source: String, file: String = "-") {
        // "\r\n" is one Character in Swift: make each a "\n" so "\n" tests see them. Mapped
        // Character by Character, never rebuilt as a String, where "\r" + "\n" of "\r\r\n"
        // would join into one Character again and hide the line end.
        self.chars = source.map { $0 == "\r\n" ? "\n" : $0 }
        self.file = file
    }

    /// - Parameter commandNames: the shell's commands, which a `def` may not redefine.
    public static func parse(_ source: String, file: String = "-", commandNames: Set<String> = []) throws(Diagnostic) -> Script {
        var parser = Parser(source, file: file)
        var builder = BlockBuilder(commands: try parser.parseCommands(), commandNames: commandNames)
        return Script(statements: try builder.build())
    }

    var location: SourceLocation { SourceLocation(file: file, line: line, column: column) }

    /// The commands in order, each with its here-document, before blocks are made of them.
    mutating func parseCommands() throws(Diagnostic) -> [Command] {
        var commands: [Command] = []
        var words: [Word] = []
        var commandStart = location
        // What was written since the last word: blanks and continuations (Word.separator).
        var separatorStart = index
        func finishCommand() {
            if !words.isEmpty { commands.append(Command(words: words, location: commandStart)) }
            words = []
        }
        while index < chars.count {
            let c = chars[index]
            if c == " " || c == "\t" || c == "\r" {
                advance()
            } else if c == "\\" && peek(1) == "\n" {
                advance(); advance()  // a continuation line
            } else if c == "\n" {
                finishCommand()
                advance()
                try readPendingHereDocuments(into: &commands)
                commandStart = location
            } else if c == ";" {
                finishCommand()
                advance()
                commandStart = location
            } else if c == "#" {
                while index < chars.count && chars[index] != "\n" { advance() }
            } else if c == "<" && peek(1) == "<" {
                let here = location
                advance(); advance()
                var stripTabs = false
                if peek(0) == "-" { stripTabs = true; advance() }
                let (delimiter, quoted) = try readDelimiter(at: here)
                if words.isEmpty { throw Diagnostic("a here-document needs a command before <<", at: here) }
                finishCommand()
                pendingHereDocs.append((commands.count - 1, delimiter, !quoted, stripTabs, here))
                commandStart = location
            } else {
                if words.isEmpty { commandStart = location }
                let separator = words.isEmpty ? "" : String(chars[separatorStart..<index])
                let start = index
                var word = try readWord()
                word.source = String(chars[start..<index])
                word.separator = separator
                words.append(word)
                separatorStart = index
            }
        }
        finishCommand()
        if let pending = pendingHereDocs.first {
            throw Diagnostic("here-document ends before its delimiter \(pending.delimiter) line", at: pending.location, incomplete: true)
        }
        return commands
    }

    // MARK: words

    mutating func readWord() throws(Diagnostic) -> Word {
        let start = location
        var parts: [WordPart] = []
        var literal = ""
        var quoted = false
        func flush() { if !literal.isEmpty { parts.append(.literal(literal)); literal = "" } }
        while index < chars.count {
            let c = chars[index]
            if c == " " || c == "\t" || c == "\n" || c == "\r" || c == ";" { break }
            if c == "<" && peek(1) == "<" { break }
            if c == "\\" {
                if peek(1) == "\n" { break }  // a continuation ends the word
                advance()
                // Incomplete: at the prompt the next line continues it, as after `\` and a newline.
                guard index < chars.count else { throw Diagnostic("a backslash at the end of the input escapes nothing", at: start, incomplete: true) }
                literal.append(chars[index]); advance()
                quoted = true
            } else if c == "'" {
                quoted = true
                let open = location
                advance()
                while index < chars.count && chars[index] != "'" { literal.append(chars[index]); advance() }
                guard index < chars.count else { throw Diagnostic("unterminated quote: this ' has no closing '", at: open) }
                advance()
            } else if c == "\"" {
                quoted = true
                let open = location
                advance()
                flush()
                parts += try readDoubleQuoted(until: "\"", openedAt: open)
            } else if c == "$" && peek(1) == "(" {
                literal += try readCommandSubstitution()
            } else if c == "$" {
                flush()
                parts.append(try readVariable())
            } else {
                literal.append(c); advance()
            }
        }
        flush()
        if parts.isEmpty { parts = [.literal("")] }
        return Word(parts: parts, quoted: quoted, location: start)
    }

    /// The inside of "...": `$` expansions; a backslash escapes only `$`, `"`, `\` and a newline.
    /// A `$(...)` is kept whole, except in a here-document body, whose rules stay as they were.
    mutating func readDoubleQuoted(
        until terminator: Character?, openedAt open: SourceLocation,
        commandSubstitutions: Bool = true
    ) throws(Diagnostic) -> [WordPart] {
        var parts: [WordPart] = []
        var literal = ""
        while true {
            guard index < chars.count else {
                if terminator == nil { break }
                throw Diagnostic("unterminated quote: this \" has no closing \"", at: open)
            }
            let c = chars[index]
            if let terminator, c == terminator { advance(); break }
            if c == "\\", let next = peek(1), ["$", "\"", "\\", "\n"].contains(next) {
                advance()
                if next != "\n" { literal.append(next) }
                advance()
            } else if c == "$" && peek(1) == "(" && commandSubstitutions {
                literal += try readCommandSubstitution()
            } else if c == "$" {
                if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
                parts.append(try readVariable())
            } else {
                literal.append(c); advance()
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return parts
    }

    mutating func readVariable() throws(Diagnostic) -> WordPart {
        let start = location
        advance()  // $
        guard index < chars.count else { return .literal("$") }
        let c = chars[index]
        if c == "@" { advance(); return .allArguments }
        if c == "#" { advance(); return .argumentCount }
        if c == "{" {
            advance()
            var name = ""
            while index < chars.count && chars[index] != "}" { name.append(chars[index]); advance() }
            guard index < chars.count else { throw Diagnostic("unterminated ${: add the closing }", at: start) }
            advance()
            guard Self.isName(name) || name.allSatisfy(\.isNumber) && !name.isEmpty else {
                throw Diagnostic("\"${\(name)}\" is not a variable name; names are letters, digits and _", at: start)
            }
            return .variable(name)
        }
        if c.isNumber { advance(); return .variable(String(c)) }
        var name = ""
        while index < chars.count, chars[index].isLetter || chars[index].isNumber || chars[index] == "_", chars[index].isASCII {
            name.append(chars[index]); advance()
        }
        // A lone `$` (as in `echo $`) stays literal, as in sh.
        return name.isEmpty ? .literal("$") : .variable(name)
    }

    /// `$(...)` as written, up to its matching `)`: the language gives it no meaning, but a `;`
    /// or newline inside belongs to the shell that will run it (`run echo $(a; b)`, issue 11,
    /// item 17). Quotes and nested `$(...)` inside are followed so that their `)` do not count.
    mutating func readCommandSubstitution() throws(Diagnostic) -> String {
        let start = location
        var text = "$("
        advance(); advance()
        var depth = 1
        while index < chars.count {
            let c = chars[index]
            if c == "\\" {
                text.append(c); advance()
                if index < chars.count { text.append(chars[index]); advance() }
            } else if c == "'" || c == "\"" {
                text.append(c); advance()
                while index < chars.count && chars[index] != c {
                    if c == "\"" && chars[index] == "\\" && index + 1 < chars.count { text.append(chars[index]); advance() }
                    if c == "\"" && chars[index] == "$" && peek(1) == "(" { text += try readCommandSubstitution(); continue }
                    text.append(chars[index]); advance()
                }
                guard index < chars.count else { throw Diagnostic("unterminated quote: this \(c) has no closing \(c)", at: start) }
                text.append(c); advance()
            } else if c == "$" && peek(1) == "(" {
                text += try readCommandSubstitution()
            } else {
                if c == "(" { depth += 1 }
                if c == ")" { depth -= 1 }
                text.append(c); advance()
                if depth == 0 { return text }
            }
        }
        throw Diagnostic("unterminated $(: add the closing )", at: start)
    }

    static func isName(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" else { return false }
        return text.allSatisfy { ($0.isLetter || $0.isNumber || $0 == "_") && $0.isASCII }
    }

    // MARK: here-documents

    mutating func readDelimiter(at here: SourceLocation) throws(Diagnostic) -> (String, Bool) {
        var delimiter = ""
        var quoted = false
        while index < chars.count, chars[index] == " " || chars[index] == "\t" { advance() }
        while index < chars.count {
            let c = chars[index]
            if c == " " || c == "\t" || c == "\n" || c == ";" { break }
            if c == "'" || c == "\"" {
                quoted = true
                advance()
                while index < chars.count && chars[index] != c { delimiter.append(chars[index]); advance() }
                guard index < chars.count else { throw Diagnostic("unterminated quote in the here-document delimiter", at: here) }
                advance()
            } else {
                delimiter.append(c); advance()
            }
        }
        guard !delimiter.isEmpty else { throw Diagnostic("<< needs a delimiter word, as in <<EOF", at: here) }
        return (delimiter, quoted)
    }

    mutating func readPendingHereDocuments(into commands: inout [Command]) throws(Diagnostic) {
        let pending = pendingHereDocs
        pendingHereDocs = []
        for doc in pending {
            let bodyStart = location
            var lines: [String] = []
            var found = false
            while index < chars.count {
                var text = ""
                while index < chars.count && chars[index] != "\n" { text.append(chars[index]); advance() }
                if index < chars.count { advance() }
                if text.hasSuffix("\r") { text.removeLast() }
                var candidate = Substring(text)
                if doc.stripTabs { candidate = candidate.drop { $0 == "\t" } }
                if candidate == doc.delimiter { found = true; break }
                lines.append(String(candidate))
            }
            guard found else {
                throw Diagnostic("here-document ends before its delimiter \(doc.delimiter) line", at: doc.location, incomplete: true)
            }
            let text = lines.map { $0 + "\n" }.joined()
            let body: [WordPart]
            if doc.expand {
                var inner = Parser(text, file: file)
                inner.line = bodyStart.line
                body = try inner.readDoubleQuoted(until: nil, openedAt: bodyStart, commandSubstitutions: false)
            } else {
                body = text.isEmpty ? [] : [.literal(text)]
            }
            commands[doc.commandIndex].hereDocument = HereDocument(body: body, location: doc.location)
        }
    }

    // MARK: cursor

    func peek(_ offset: Int) -> Character? {
        index + offset < chars.count ? chars[index + offset] : nil
    }

    mutating func advance() {
        if chars[index] == "\n" { line += 1; column = 1 } else { column += 1 }
        index += 1
    }
}
