import ShellLanguage

/// `connect --command TEXT`: the option's value is code for the node's shell, so it follows the
/// rule of `run`'s text (issue 11, item 17). What the user wrote in the word (after the
/// language's own quotes) is that code; the shell's own variables in it are values, quoted for
/// where they stand in it; other `$NAME`s are the node's.
struct OptionText {
    /// The commands with such an option: its name, and the command's options that take a value
    /// (its OptionScanner reads the same; ShellCommand.codeOption).
    static let options: [String: (option: String, valued: Set<String>)] = Dictionary(
        uniqueKeysWithValues: CommandRegistry.all.compactMap { command in
            command.codeOption.map { (command.name, $0) }
        })
    /// Stands for the value among the expanded words, so that the options read as usual.
    static let placeholder = "\u{0}ssm-shell:option-text"

    /// The command's words, the value's word replaced by the placeholder.
    var words: [Word]
    /// The value as the language read it: its text and its variables.
    var parts: [WordPart]

    /// Finds the option written as `--command TEXT` or `--command=TEXT`, skipping the other
    /// options' values as OptionScanner does; nil for other commands or when it is not written.
    init?(_ command: Command) {
        guard let name = command.name, let (option, valued) = Self.options[name] else { return nil }
        var words = command.words
        var found: [WordPart]?
        var i = 1
        while i < words.count {
            if words[i].literalText == "--" { break }
            guard case .literal(let lead)? = words[i].parts.first, lead.hasPrefix("--") else { i += 1; continue }
            let body = lead.dropFirst(2)
            let written = body.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let inline = written.count == 2
            if written[0] == option {
                if inline {
                    found = [.literal(String(written[1]))] + words[i].parts.dropFirst()
                    words[i] = Word(parts: [.literal("--\(option)=" + Self.placeholder)], location: words[i].location)
                } else if i + 1 < words.count {
                    found = words[i + 1].parts
                    words[i + 1] = Word(parts: [.literal(Self.placeholder)], location: words[i + 1].location)
                    i += 1
                }
            } else if valued.contains(String(written[0])) && !inline && words[i].literalText != nil {
                i += 1
            }
            i += 1
        }
        guard let found else { return nil }
        self.words = words
        self.parts = found
    }
}

extension Shell {
    /// The option as written, once its expanded value (`value`) is known to be that text; nil
    /// when the option was not given.
    func writtenOption(_ value: String?, written: OptionText?, command: String) throws -> OptionText? {
        guard written != nil || value != nil else { return nil }
        guard let written, value == OptionText.placeholder else {
            let option = OptionText.options[command]?.option ?? "command"
            throw ShellError.usage(
                "write --\(option) and its text in the \(command) command itself, not through a variable: "
                    + "the text is code for the node's shell")
        }
        return written
    }

    /// The option's text for `dialect`: its code as written, the shell's own values quoted.
    func text(of written: OptionText, for dialect: ShellDialect) throws -> String {
        var pieces: [CommandText.Piece] = []
        for (index, part) in written.parts.enumerated() {
            switch part {
            case .literal(let code): pieces.append(.code(code))
            case .variable(let name):
                // A name the shell does not have is the node's (no fall-back to this machine's
                // environment), written as it was: in braces only when a name character follows.
                if let value = try ownValue(of: name) {
                    pieces.append(.value(value, reference: "$" + name))
                } else if case .literal(let next)? = written.parts.dropFirst(index + 1).first,
                    let first = next.unicodeScalars.first, first == "_" || first.properties.isAlphabetic || ("0"..."9").contains(first)
                {
                    pieces.append(.code("${\(name)}"))
                } else {
                    pieces.append(.code("$" + name))
                }
            case .allArguments: pieces.append(.value(variables.arguments.joined(separator: " "), reference: "$@"))
            case .argumentCount: pieces.append(.value(String(variables.arguments.count), reference: "$#"))
            }
        }
        do {
            return try CommandText.join(pieces, dialect: dialect)
        } catch let refusal as CommandText.Refusal {
            throw ShellError.usage(refusal.description)
        }
    }
}
