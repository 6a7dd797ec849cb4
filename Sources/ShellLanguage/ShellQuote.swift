/// The shell that will read a command text: Linux and macOS nodes run AWS-RunShellScript (sh),
/// Windows nodes AWS-RunPowerShellScript (PowerShell); `!` runs the local /bin/sh.
public enum ShellDialect: Sendable, Equatable {
    case posix
    case powerShell
}

/// Quotes a value so that the shell reading it sees data, never code (issue 11, item 17).
public enum ShellQuote {
    /// The value as one word where a word stands bare. Values that no shell would read
    /// differently are left as they are, so `run $tool` still names a command.
    public static func word(_ value: String, for dialect: ShellDialect) -> String {
        switch dialect {
        case .posix:
            if isPlainPOSIX(value) { return value }
            // POSIX 2.2.2: inside '...' every character is literal; a quote ends and reopens it.
            return singleQuoted(value, for: dialect)
        case .powerShell:
            if isPlainPowerShell(value) { return value }
            // about_Quoting_Rules: in '...' nothing expands and a quote is written twice. PowerShell
            // also takes the typographic single quotes as quotes, so those are doubled too.
            return singleQuoted(value, for: dialect)
        }
    }

    /// The value as one single-quoted word, always quoted (for script text built around it).
    public static func singleQuoted(_ value: String, for dialect: ShellDialect) -> String {
        "'" + insideSingleQuotes(value, for: dialect) + "'"
    }

    /// The value to stand inside a single-quoted string the user wrote, where nothing expands:
    /// only a quote could end it. sh (POSIX 2.2.2) has no escape there, so the quote is closed,
    /// escaped and reopened; PowerShell (about_Quoting_Rules) writes it twice.
    public static func insideSingleQuotes(_ value: String, for dialect: ShellDialect) -> String {
        // Scalar by scalar, not by Character: a quote followed by a combining mark is one
        // Character that is not "'", yet the shell still ends the string at it.
        var escaped = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            switch dialect {
            case .posix:
                if scalar == "'" { escaped.append(contentsOf: "'\\'".unicodeScalars) }
            case .powerShell:
                if powerShellSingleQuotes.contains(Character(scalar)) { escaped.append(scalar) }
            }
            escaped.append(scalar)
        }
        return String(escaped)
    }

    /// The value escaped to stand inside a double-quoted string the user wrote.
    public static func insideDoubleQuotes(_ value: String, for dialect: ShellDialect) -> String {
        // Scalar by scalar, as the shell reads it (see insideSingleQuotes).
        var escaped = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            switch dialect {
            case .posix:
                // POSIX 2.2.3: inside "..." a backslash keeps its literal meaning only before
                // $ ` " \ and newline; those four characters are what could end the string or expand.
                if "\\\"$`".unicodeScalars.contains(scalar) { escaped.append("\\") }
            case .powerShell:
                // about_Quoting_Rules / about_Special_Characters: in "..." the escape is the backtick;
                // $ expands, ` escapes, and " as well as the typographic double quotes end the string.
                if "`$\"".unicodeScalars.contains(scalar) || powerShellDoubleQuotes.contains(Character(scalar)) { escaped.append("`") }
            }
            escaped.append(scalar)
        }
        return String(escaped)
    }

    /// Characters sh reads as themselves in any word position. Not `=` (an assignment at the
    /// start of a command), `~` (tilde expansion), `%` (a job in some shells), nor anything else.
    static func isPlainPOSIX(_ value: String) -> Bool {
        guard !value.isEmpty, !posixReservedWords.contains(value) else { return false }
        return value.unicodeScalars.allSatisfy { $0.isASCII && (isAlphanumeric($0) || "_@+,./:-".unicodeScalars.contains($0)) }
    }

    /// PowerShell reads a bare word that starts with a letter literally; one that starts with a
    /// digit may be a number (`1kb` is 1024), with `-` a parameter, and keywords are syntax.
    static func isPlainPowerShell(_ value: String) -> Bool {
        guard let first = value.unicodeScalars.first, first.isASCII, isLetter(first),
            !powerShellKeywords.contains(value.lowercased())
        else { return false }
        return value.unicodeScalars.allSatisfy { $0.isASCII && (isAlphanumeric($0) || "_.-/\\:".unicodeScalars.contains($0)) }
    }

    static func isLetter(_ s: Unicode.Scalar) -> Bool { ("a"..."z").contains(s) || ("A"..."Z").contains(s) }
    static func isAlphanumeric(_ s: Unicode.Scalar) -> Bool { isLetter(s) || ("0"..."9").contains(s) }

    /// POSIX 2.4 reserved words, plus bash's and ksh's, which are syntax where a command starts.
    static let posixReservedWords: Set<String> = [
        "case", "do", "done", "elif", "else", "esac", "fi", "for", "function", "if", "in",
        "select", "then", "time", "until", "while", "coproc",
    ]
    /// about_Language_Keywords.
    static let powerShellKeywords: Set<String> = [
        "begin", "break", "catch", "class", "clean", "configuration", "continue", "data", "define", "do", "dynamicparam", "else",
        "elseif", "end", "enum", "exit", "filter", "finally", "for", "foreach", "from", "function", "hidden", "if", "in",
        "inlinescript", "parallel", "param", "process", "return", "sequence", "static", "switch", "throw", "trap", "try",
        "until", "using", "var", "while", "workflow",
    ]
    /// ' and the typographic single quotes PowerShell's tokenizer treats the same (U+2018..U+201B).
    static let powerShellSingleQuotes: Set<Character> = ["'", "\u{2018}", "\u{2019}", "\u{201A}", "\u{201B}"]
    /// The typographic double quotes PowerShell's tokenizer treats as " (U+201C..U+201E).
    static let powerShellDoubleQuotes: Set<Character> = ["\u{201C}", "\u{201D}", "\u{201E}"]
}
