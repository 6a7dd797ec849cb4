/// Text as one word for a POSIX shell and for PowerShell, for the node-side scripts of `put` and
/// `get` (SSMCore cannot reach ShellLanguage's quoting, and these scripts need only the one form).
enum ShellWord {
    /// Between single quotes every character stands for itself (POSIX 2.2.2); a quote is closed,
    /// escaped and reopened.
    /// Scalar by scalar: a quote followed by a combining mark is one Character, yet one quote to sh.
    static func posix(_ text: String) -> String {
        var quoted = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "'" { quoted.append(contentsOf: "'\\'".unicodeScalars) }
            quoted.append(scalar)
        }
        return "'" + String(quoted) + "'"
    }

    /// PowerShell's verbatim string: a quote inside is written twice (about_Quoting_Rules); the
    /// typographic quotes PowerShell also accepts as quotes are doubled the same way. Scalar by
    /// scalar, as for sh: a quote followed by a combining mark is one Character yet one quote.
    static func powerShell(_ text: String) -> String {
        var quoted = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if ["'", "\u{2018}", "\u{2019}", "\u{201A}", "\u{201B}"].contains(scalar) { quoted.append(scalar) }
            quoted.append(scalar)
        }
        return "'" + String(quoted) + "'"
    }
}
