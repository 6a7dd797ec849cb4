/// The second pass of the parser: the commands of a script, as the lexer cut them, become a tree
/// of statements (docs/language.md, Control flow). A block keyword counts only as a command's
/// first word, written plainly (a quoted `'end'` or a `$x` holding `end` is a word like any
/// other, as sh's reserved words). Every mistake is a diagnostic at the word that makes it; a
/// block left open points at its opener and is `incomplete`, so the prompt asks for more lines.
struct BlockBuilder {
    /// Words that open, divide or close blocks, or jump out of them.
    static let keywords: Set<String> = ["if", "elif", "else", "end", "for", "def", "return", "break", "continue"]
    /// sh's words for its blocks, which these blocks do without: a clear error rather than an
    /// unknown command at run time.
    static let shellWords: Set<String> = ["then", "fi", "do", "done"]

    private let commands: [Command]
    /// The commands a `def` may not take the name of (the interpreter's built-ins).
    private let commandNames: Set<String>
    private var index = 0
    /// Blocks open around the current command.
    private var depth = 0
    /// The block an `end` closed last, for the diagnostic of a block left open around it.
    private var lastClosed: (opener: String, location: SourceLocation, end: SourceLocation)?

    /// Blocks inside blocks: the tree is walked recursively (here, and by what reads it), so a
    /// generated script thousands of blocks deep would overflow the stack.
    static let maximumDepth = 100

    /// Where a statement stands: how many loops are around it inside the current def (a
    /// `break` does not cross into the caller), and whether it is inside a def.
    private struct Scope {
        var loops = 0
        var inDefinition = false
    }

    init(commands: [Command], commandNames: Set<String>) {
        self.commands = commands
        self.commandNames = commandNames
    }

    mutating func build() throws(Diagnostic) -> [Statement] {
        let (statements, closer) = try block(Scope())
        if let closer {
            let word = closer.name ?? "end"
            let message =
                word == "end"
                ? "'end' closes nothing: no if, for or def is open here"
                : "'\(word)' without 'if': \(word) goes between 'if COMMAND' and its 'end'"
            throw Diagnostic(message, at: closer.location)
        }
        return statements
    }

    /// The keyword of a command: its first word, when written plainly and one of `keywords`.
    static func keyword(of command: Command) -> String? {
        guard let first = command.words.first, !first.quoted, let text = first.literalText else { return nil }
        return keywords.contains(text) || shellWords.contains(text) ? text : nil
    }

    /// Statements up to an `end`, `else` or `elif` (returned, not consumed further), or to the end
    /// of the input (nil).
    private mutating func block(_ scope: Scope) throws(Diagnostic) -> ([Statement], Command?) {
        var statements: [Statement] = []
        while index < commands.count {
            let command = commands[index]
            index += 1
            switch Self.keyword(of: command) {
            case nil: statements.append(.command(command))
            case "end", "else", "elif": return (statements, command)
            case "if": statements.append(.conditional(try conditional(command, scope)))
            case "for": statements.append(.loop(try loop(command, scope)))
            case "def": statements.append(.definition(try definition(command, scope)))
            case "break", "continue", "return": statements.append(.jump(try jump(command, scope)))
            case let word?:
                throw Diagnostic(
                    "'\(word)' is sh's: these blocks are 'if COMMAND ... end' and 'for NAME in WORDS ... end', with no then, fi, do or done",
                    at: command.location)
            }
        }
        return (statements, nil)
    }

    private mutating func conditional(_ opener: Command, _ scope: Scope) throws(Diagnostic) -> Conditional {
        try enter(opener)
        defer { depth -= 1 }
        var branches: [Conditional.Branch] = []
        var current = opener
        while true {
            let keyword = current.name ?? "if"
            let condition = try Self.condition(of: current, keyword: keyword)
            let (body, closer) = try block(scope)
            branches.append(Conditional.Branch(condition: condition, body: body, location: current.location))
            guard let closer else { throw unclosed("if", at: opener.location) }
            switch closer.name {
            case "elif":
                current = closer
            case "else":
                try Self.expectAlone(closer)
                let (elseBody, last) = try block(scope)
                guard let last else { throw unclosed("if", at: opener.location) }
                guard last.name == "end" else {
                    throw Diagnostic(
                        "'\(last.name ?? "")' after 'else': an if has one else, last; put elif branches before it", at: last.location)
                }
                try Self.expectAlone(last)
                lastClosed = ("if", opener.location, last.location)
                return Conditional(branches: branches, elseBody: elseBody)
            default:
                try Self.expectAlone(closer)
                lastClosed = ("if", opener.location, closer.location)
                return Conditional(branches: branches, elseBody: nil)
            }
        }
    }

    /// The command after `if` or `elif`: the rest of its words, and its here-document.
    private static func condition(of command: Command, keyword: String) throws(Diagnostic) -> Command {
        guard command.words.count > 1 else {
            throw Diagnostic("'\(keyword)' needs a command, as in: \(keyword) status web-1", at: command.location)
        }
        var condition = command
        condition.words.removeFirst()
        condition.location = condition.words[0].location
        if let inner = Self.keyword(of: condition) {
            throw Diagnostic("the condition of '\(keyword)' is a command; '\(inner)' cannot be one", at: condition.location)
        }
        return condition
    }

    private mutating func loop(_ opener: Command, _ scope: Scope) throws(Diagnostic) -> Loop {
        try Self.refuseHereDocument(opener)
        try enter(opener)
        defer { depth -= 1 }
        let words = opener.words
        guard words.count >= 3, !words[2].quoted, words[2].literalText == "in" else {
            throw Diagnostic("for needs a name and its words, as in: for node in $targets", at: opener.location)
        }
        let name = try Self.plainName(words[1], what: "a variable name")
        var inner = scope
        inner.loops += 1
        let (body, closer) = try block(inner)
        try closeWithEnd(closer, opener: "for", at: opener.location)
        return Loop(variable: name, words: Array(words.dropFirst(3)), body: body, location: opener.location)
    }

    private mutating func definition(_ opener: Command, _ scope: Scope) throws(Diagnostic) -> Definition {
        try Self.refuseHereDocument(opener)
        try enter(opener)
        defer { depth -= 1 }
        guard !scope.inDefinition else {
            throw Diagnostic("'def' inside a def: define each procedure on its own, outside any other", at: opener.location)
        }
        guard opener.words.count == 2 else {
            let message =
                opener.words.count < 2
                ? "def needs a name, as in: def restart"
                : "def takes only a name: its arguments are $1, $2... ($@ all of them) when it is called"
            throw Diagnostic(message, at: opener.location)
        }
        let name = try Self.plainName(opener.words[1], what: "a procedure name", allowingDash: true)
        if Self.keywords.contains(name) || Self.shellWords.contains(name) {
            throw Diagnostic("'\(name)' is a keyword of the language; give the procedure another name", at: opener.words[1].location)
        }
        if commandNames.contains(name) {
            throw Diagnostic("'\(name)' is a command of the shell; give the procedure another name", at: opener.words[1].location)
        }
        let (body, closer) = try block(Scope(loops: 0, inDefinition: true))
        try closeWithEnd(closer, opener: "def", at: opener.location)
        return Definition(name: name, body: body, location: opener.location)
    }

    private func jump(_ command: Command, _ scope: Scope) throws(Diagnostic) -> Jump {
        try Self.refuseHereDocument(command)
        let word = command.name ?? ""
        let kind = Jump.Kind(rawValue: word) ?? .breakLoop
        guard command.words.count <= 2 else {
            throw Diagnostic("'\(word)' takes at most one number", at: command.words[2].location)
        }
        let argument = command.words.dropFirst().first
        if kind == .returnFromDefinition {
            guard scope.inDefinition else {
                throw Diagnostic("'return' outside a def: return ends a procedure; 'exit' ends the script", at: command.location)
            }
            return Jump(kind: kind, argument: argument, location: command.location)
        }
        guard scope.loops > 0 else {
            throw Diagnostic("'\(word)' outside a loop: it belongs inside for ... end", at: command.location)
        }
        if let argument, let text = argument.literalText {
            guard let count = Int(text), count >= 1 else {
                throw Diagnostic("'\(word)' takes a number of loops from 1, not \(text)", at: argument.location)
            }
            guard count <= scope.loops else {
                throw Diagnostic(
                    "'\(word) \(count)' but only \(scope.loops) loop\(scope.loops == 1 ? " is" : "s are") around it", at: argument.location)
            }
        }
        return Jump(kind: kind, argument: argument, location: command.location)
    }

    private mutating func enter(_ opener: Command) throws(Diagnostic) {
        guard depth < Self.maximumDepth else {
            throw Diagnostic("blocks nest \(Self.maximumDepth) deep here; put the inner ones in a def", at: opener.location)
        }
        depth += 1
    }

    private mutating func closeWithEnd(_ closer: Command?, opener: String, at location: SourceLocation) throws(Diagnostic) {
        guard let closer else { throw unclosed(opener, at: location) }
        guard closer.name == "end" else {
            let word = closer.name ?? ""
            throw Diagnostic("'\(word)' without 'if': this \(opener) is still open; close it with 'end' first", at: closer.location)
        }
        try Self.expectAlone(closer)
        lastClosed = (opener, location, closer.location)
    }

    /// Which `end` is missing is a guess when blocks nest (each `end` closes the innermost
    /// open block): say which block the last `end` inside this one closed.
    private func unclosed(_ opener: String, at location: SourceLocation) -> Diagnostic {
        var message = "this '\(opener)' has no 'end': close its block with a line 'end'"
        if let inner = lastClosed, (inner.location.line, inner.location.column) > (location.line, location.column) {
            message += " (the 'end' at \(inner.end.line):\(inner.end.column) closes the '\(inner.opener)' at \(inner.location.line):\(inner.location.column))"
        }
        return Diagnostic(message, at: location, incomplete: true)
    }

    /// `end` and `else` stand alone: a word after them is most likely a missing `;`.
    private static func expectAlone(_ command: Command) throws(Diagnostic) {
        try refuseHereDocument(command)
        if command.words.count > 1 {
            let word = command.name ?? ""
            throw Diagnostic("'\(word)' takes nothing after it; put a ';' or a new line before the next command", at: command.words[1].location)
        }
    }

    private static func refuseHereDocument(_ command: Command) throws(Diagnostic) {
        if let here = command.hereDocument {
            throw Diagnostic("'\(command.name ?? "")' takes no here-document", at: here.location)
        }
    }

    /// A name written plainly: letters, digits and _ (and - for procedures), not starting with a digit.
    private static func plainName(_ word: Word, what: String, allowingDash: Bool = false) throws(Diagnostic) -> String {
        let text = word.literalText ?? word.source
        let valid =
            !word.quoted && word.literalText != nil
            && text.first.map { ($0.isLetter || $0 == "_") && $0.isASCII } == true
            && text.allSatisfy { ($0.isLetter || $0.isNumber || $0 == "_" || (allowingDash && $0 == "-")) && $0.isASCII }
        guard valid else {
            throw Diagnostic(
                "'\(text)' is not \(what); use letters, digits\(allowingDash ? ", - " : " ")and _, starting with a letter", at: word.location)
        }
        return text
    }
}
