import ShellLanguage

/// `run` and `!` hand the rest of their command to another shell as written (issue 11, item 17):
/// their options are the shell's words, expanded as usual; the words after them are text.
struct PassThrough {
    /// The command's options, expanded as any command's words are.
    var optionWords: [Word]
    /// The rest as written, not yet substituted (that depends on the receiving shell).
    var text: String

    /// `run`'s options that take a value (its OptionScanner reads them too).
    static let runValuedOptions: Set<String> = [
        "on", "document", "param", "timeout", "delivery-timeout", "workdir", "comment",
        "concurrency", "max-errors", "output-bucket",
    ]
    /// The commands whose words after their options are text, and their valued options; `!`
    /// takes none but `--help` (ShellCommand.passThroughValuedOptions).
    static let valuedOptions: [String: Set<String>] = Dictionary(
        uniqueKeysWithValues: CommandRegistry.all.compactMap { command in
            command.passThroughValuedOptions.map { (command.name, $0) }
        })

    /// Splits a `run` or `!` command; nil for every other command. The text starts at the first
    /// word that is not written as an option (`--name`, `--name=value`, `-h`), nor an option's
    /// value, or after `--`. An option must be written as such: a variable holding `--wait`
    /// starts the text.
    init?(_ command: Command) {
        guard let name = command.name, let valued = Self.valuedOptions[name] else { return nil }
        let words = command.words
        var i = 1
        while i < words.count, let literal = words[i].literalText {
            if literal == "--" { i += 1; break }
            if literal == "--help" || literal == "-h" { i += 1; continue }
            guard name != "!", literal.hasPrefix("--") else { break }
            let option = literal.dropFirst(2)
            i += valued.contains(String(option)) && !option.contains("=") ? 2 : 1
        }
        let end = min(i, words.count)
        optionWords = Array(words[..<end])
        text = command.sourceText(fromWord: end)
    }
}

extension Shell {
    /// The text with the shell's own variables substituted for `dialect`; names the shell does
    /// not have stay for the other shell (no fall-back to the environment here).
    func substitute(_ text: String, for dialect: ShellDialect) throws -> String {
        do {
            return try CommandText.substitute(text, dialect: dialect, arguments: variables.arguments) { try ownValue(of: $0) }
        } catch let refusal as CommandText.Refusal {
            throw ShellError.usage(refusal.description)
        }
    }
}
