/// Where something is in a script: file, line and column (1-based), for diagnostics.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// A syntax error, printed as `file:line:column: error: message`.
public struct Diagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    /// The input stopped inside a block (no `end` yet) or a here-document (no delimiter line
    /// yet): more lines could complete it, so the prompt asks for them (`... `).
    public var incomplete: Bool

    public init(_ message: String, at location: SourceLocation, incomplete: Bool = false) {
        self.message = message
        self.location = location
        self.incomplete = incomplete
    }

    public var description: String { "\(location): error: \(message)" }
}

/// A piece of a word before expansion.
public enum WordPart: Sendable, Equatable {
    /// Text as written (quotes and escapes already removed).
    case literal(String)
    /// `$NAME` or `${NAME}`.
    case variable(String)
    /// `$@`: every script argument, one word each.
    case allArguments
    /// `$#`: how many script arguments there are.
    case argumentCount
}

/// One word of a command: its parts, whether any of it was quoted, and where it starts; also its
/// text exactly as written and the blanks written before it, so that `run` and `!` can pass the
/// rest of a command to another shell unchanged (issue 11, item 17).
public struct Word: Sendable, Equatable {
    public var parts: [WordPart]
    public var quoted: Bool
    public var location: SourceLocation
    /// The word as written: quotes, escapes and `$` references included.
    public var source: String
    /// What was written between the previous word and this one: blanks and `\` continuations.
    public var separator: String

    public init(parts: [WordPart], quoted: Bool = false, location: SourceLocation, source: String = "", separator: String = "") {
        self.parts = parts
        self.quoted = quoted
        self.location = location
        self.source = source
        self.separator = separator
    }

    /// The word's text when it has no expansions, else nil.
    public var literalText: String? {
        var text = ""
        for part in parts {
            guard case .literal(let s) = part else { return nil }
            text += s
        }
        return text
    }
}

/// A here-document attached to a command: its body, expanded like a double-quoted string
/// unless the delimiter was quoted.
public struct HereDocument: Sendable, Equatable {
    public var body: [WordPart]
    public var location: SourceLocation
}

/// One command: its words (the first names the command) and an optional here-document.
public struct Command: Sendable, Equatable {
    public var words: [Word]
    public var hereDocument: HereDocument?
    public var location: SourceLocation

    public init(words: [Word], hereDocument: HereDocument? = nil, location: SourceLocation) {
        self.words = words
        self.hereDocument = hereDocument
        self.location = location
    }

    /// The command name when the first word is plain text.
    public var name: String? { words.first?.literalText }

    /// The command as written from word `index` to its last word (without a here-document).
    public func sourceText(fromWord index: Int) -> String {
        guard index < words.count else { return "" }
        return words[index...].enumerated().map { $0.offset == 0 ? $0.element.source : $0.element.separator + $0.element.source }.joined()
    }
}

/// A parsed script: its statements in order, blocks holding theirs (Statement.swift).
public struct Script: Sendable, Equatable {
    public var statements: [Statement]

    public init(statements: [Statement]) { self.statements = statements }
    public init(commands: [Command]) { self.statements = commands.map(Statement.command) }

    /// Every command of the script in the order written, inside blocks too (an `if`'s and
    /// `elif`'s conditions before their bodies), for what reads a script without running it
    /// (`policy`).
    public var commands: [Command] { Statement.commands(in: statements) }
}
