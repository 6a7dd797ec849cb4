import ShellLanguage
import TestSupport
import Testing

/// The text `run` and `!` pass on (issue 11, item 17): the parser keeps each word as written,
/// and CommandText substitutes only the shell's own variables, quoted for where they stand.
@Suite struct CommandTextTests {
    static let values: [String: String] = [
        "x": "; rm -rf /", "y": "$(x)", "q": "it's \"q\"", "s": "a  b", "b": "\\`ls`", "nl": "a\nb",
        "plain": "web-1", "e": "", "kw": "if", "u": "ünï 日本", "d": "$HOME", "g": "*.log",
    ]

    static func substitute(_ text: String, _ dialect: ShellDialect = .posix, arguments: [String] = ["a b", "$(x)"]) -> String {
        do {
            return try CommandText.substitute(text, dialect: dialect, arguments: arguments) { values[$0] ?? (Int($0).map { arguments[$0 - 1] }) }
        } catch {
            return "refused: \(error)"
        }
    }

    @Test(arguments: [
        ("run find / -name \"*.log\"", "find / -name \"*.log\""),
        ("run  a   b\t c", "a   b\t c"),
        ("run a \\\n   b", "a \\\n   b"),
        ("run 'x y' \"$HOME\" a\\ b # comment", "'x y' \"$HOME\" a\\ b"),
        ("run a; run b", "a"),
        ("run <<EOF\nbody\nEOF", ""),
        ("run x <<EOF\nbody\nEOF", "x"),
        ("run ünï 日本 \"é\"", "ünï 日本 \"é\""),
        ("run a\r\n", "a"),
    ])
    func theParserKeepsTheTextAsWritten(_ source: String, _ expected: String) throws {
        let command = try #require(try Parser.parse(source).commands.first)
        #expect(command.sourceText(fromWord: 1) == expected)
    }

    @Test func wordsKeepTheirSourceAndSeparator() throws {
        let command = try #require(try Parser.parse("! printf  '%s\\n' \\\n \"$x\"").commands.first)
        #expect(command.words.map(\.source) == ["!", "printf", "'%s\\n'", "\"$x\""])
        #expect(command.words.map(\.separator) == ["", " ", "  ", " \\\n "])
        #expect(command.sourceText(fromWord: 2) == "'%s\\n' \\\n \"$x\"")
        #expect(command.sourceText(fromWord: 9) == "")
    }

    @Test(arguments: [
        // Left for the other shell.
        ("printf '%s\\n' \"*.log\" '$HOME'", "printf '%s\\n' \"*.log\" '$HOME'"),
        ("echo $HOME ${HOME} \"$HOME\" \"${PATH}x\" $UNSET", "echo $HOME ${HOME} \"$HOME\" \"${PATH}x\" $UNSET"),
        ("echo $(date) \"$(date)\" `id` $((1+2)) $? $$ $! $- $* $ x", "echo $(date) \"$(date)\" `id` $((1+2)) $? $$ $! $- $* $ x"),
        ("a | b > c 2>&1 && d < e || f & (g) {h}", "a | b > c 2>&1 && d < e || f & (g) {h}"),
        ("echo '$x' \\$x \"\\$x\" \"\\\\\" '\\'", "echo '$x' \\$x \"\\$x\" \"\\\\\" '\\'"),
        ("echo 'it'\\''s' \"a \\\"q\\\" b\"", "echo 'it'\\''s' \"a \\\"q\\\" b\""),
        ("echo \"multi\nline\" a\\\nb", "echo \"multi\nline\" a\\\nb"),
        ("echo ünï 日本 \"é $HOME\"", "echo ünï 日本 \"é $HOME\""),
        ("echo ${a-b} ${x", "echo ${a-b} ${x"),
        ("echo 'open", "echo 'open"),
        ("echo \\", "echo \\"),
        ("echo $", "echo $"),
        // The shell's own, bare.
        ("echo $x", "echo '; rm -rf /'"),
        ("echo $y $q", "echo '$(x)' 'it'\\''s \"q\"'"),
        ("echo $s $b $nl", "echo 'a  b' '\\`ls`' 'a\nb'"),
        ("echo $plain $e $kw $u $d $g", "echo web-1 '' 'if' 'ünï 日本' '$HOME' '*.log'"),
        ("echo ${x}y z$x $x$x", "echo '; rm -rf /'y z'; rm -rf /' '; rm -rf /''; rm -rf /'"),
        ("echo $1 $2 ${1} $# $@", "echo 'a b' '$(x)' 'a b' 2 'a b' '$(x)'"),
        ("echo $@x x$@", "echo 'a b $(x)'x x'a b $(x)'"),
        // The shell's own, inside double quotes.
        ("echo \"$x\" \"$y\" \"$q\"", "echo \"; rm -rf /\" \"\\$(x)\" \"it's \\\"q\\\"\""),
        ("echo \"$s|$b|$nl|$e|$u|$d|$g\"", "echo \"a  b|\\\\\\`ls\\`|a\nb||ünï 日本|\\$HOME|*.log\""),
        ("echo \"$@\" \"<$@>\" \"$#\"", "echo 'a b' '$(x)' \"<a b \\$(x)>\" \"2\""),
        ("echo \"$x\"'$x'$x", "echo \"; rm -rf /\"'$x''; rm -rf /'"),
        ("echo \"\\$x \\\\$x\"", "echo \"\\$x \\\\; rm -rf /\""),
        // $(...) is a new context, also inside "...": a value there is quoted as a word.
        ("echo \"$(echo $x)\"", "echo \"$(echo '; rm -rf /')\""),
        ("echo \"a $(printf '%s' \"$x\") b\"", "echo \"a $(printf '%s' \"; rm -rf /\") b\""),
        ("echo $(echo $(echo $x) \"$y\")", "echo $(echo $(echo '; rm -rf /') \"\\$(x)\")"),
        ("echo \"$( (echo $x) )$x\"", "echo \"$( (echo '; rm -rf /') ); rm -rf /\""),
        ("echo \"$(echo ')' $x)\"", "echo \"$(echo ')' '; rm -rf /')\""),
        ("echo $((1 + $#)) \"$(true)$x\"", "echo $((1 + 2)) \"$(true); rm -rf /\""),
        // Backquotes would need a second layer of escaping: the shell's values are refused there.
        ("echo `echo $HOME` \"`date`\" '`$x`' \\`$x", "echo `echo $HOME` \"`date`\" '`$x`' \\`'; rm -rf /'"),
        ("echo `echo $x`", "refused: ssm-shell's $x cannot stand inside backquotes; write $(...) instead"),
        ("echo \"`echo ${x}`\"", "refused: ssm-shell's ${x} cannot stand inside backquotes; write $(...) instead"),
    ])
    func posix(_ text: String, _ expected: String) {
        #expect(Self.substitute(text) == expected)
    }

    @Test(arguments: [
        ("Get-ChildItem $env:TEMP -Filter *.log | Select-Object -First 1", "Get-ChildItem $env:TEMP -Filter *.log | Select-Object -First 1"),
        ("Write-Output 'a''b' \"$HOME\" $PSVersionTable", "Write-Output 'a''b' \"$HOME\" $PSVersionTable"),
        ("Write-Output $x \"$x\"", "Write-Output '; rm -rf /' \"; rm -rf /\""),
        ("Write-Output $q \"$q\"", "Write-Output 'it''s \"q\"' \"it's `\"q`\"\""),
        ("Write-Output $y \"$y\" $d \"$d\"", "Write-Output '$(x)' \"`$(x)\" '$HOME' \"`$HOME\""),
        ("Write-Output $b \"$b\"", "Write-Output '\\`ls`' \"\\``ls``\""),
        ("Write-Output $plain $kw $e \"$e\" $u", "Write-Output web-1 'if' '' \"\" 'ünï 日本'"),
        ("Write-Output $@ \"$#\"", "Write-Output 'a b' '$(x)' \"2\""),
        ("Write-Output \"$(Get-Date) $x\" \"$(Write-Output $x)\"", "Write-Output \"$(Get-Date) ; rm -rf /\" \"$(Write-Output '; rm -rf /')\""),
        ("Write-Output 'it''s $x' ‘$x’ `$x $x", "Write-Output 'it''s $x' ‘$x’ `$x '; rm -rf /'"),
        ("Write-Output \"a `\"$x`\" b\" \"say \"\"$q\"\"\"", "Write-Output \"a `\"; rm -rf /`\" b\" \"say \"\"it's `\"q`\"\"\"\""),
        ("Write-Output @($x) \"`$x\" `$x", "Write-Output @('; rm -rf /') \"`$x\" `$x"),
        ("Write-Output `echo $x`", "Write-Output `echo '; rm -rf /'`"),
    ])
    func powerShell(_ text: String, _ expected: String) {
        #expect(Self.substitute(text, .powerShell) == expected)
    }

    /// A value right after the other shell's `$NAME` or a lone `$` would become part of that
    /// reference (`$HO` and `ME` read as `$HOME`): refused, braces end the name.
    @Test(arguments: [
        ("echo $HOME$x", "refused: ssm-shell's $x directly follows $HOME, which is the other shell's"),
        ("echo \"$PA${plain}\"", "refused: ssm-shell's ${plain} directly follows $PA, which is the other shell's"),
        ("echo $$$x", "refused: ssm-shell's $x directly follows $$, which is the other shell's"),
        ("echo ${HOME}$x $HOME/$x $HOME $x", "echo ${HOME}'; rm -rf /' $HOME/'; rm -rf /' $HOME '; rm -rf /'"),
    ])
    func aValueNeverLengthensTheOtherShellsName(_ text: String, _ expected: String) {
        #expect(Self.substitute(text).hasPrefix(expected), "\(Self.substitute(text))")
    }

    static func join(_ pieces: [CommandText.Piece], _ dialect: ShellDialect = .posix) -> String {
        do { return try CommandText.join(pieces, dialect: dialect) } catch { return "refused: \(error)" }
    }

    static func v(_ value: String) -> CommandText.Piece { .value(value, reference: "$v") }

    /// `connect --command`: code and values known apart, each value quoted where it stands.
    @Test(
        arguments: [
            ([.code("echo "), v("; rm -rf /"), .code(" "), v("web-1")], "echo '; rm -rf /' web-1"),
            ([.code("echo \""), v("$(id) \"q\" \\`"), .code("\" x")], "echo \"\\$(id) \\\"q\\\" \\\\\\`\" x"),
            ([.code("grep '"), v("it's"), .code(" x' f")], "grep 'it'\\''s x' f"),
            ([.code("echo '"), v("it's")], "echo 'it'\\''s"),
            ([.code("echo $(echo "), v("a b"), .code(") \"$(echo "), v("$y"), .code(")\"")], "echo $(echo 'a b') \"$(echo '$y')\""),
            ([.code("echo $HOME '$x' \"$@\" "), v("")], "echo $HOME '$x' \"$@\" ''"),
            ([v("a"), v("b c"), .code("")], "a'b c'"),
            ([.code("echo \\"), v("x")], "refused: ssm-shell's $v would be read together with `\\` before or around it"),
            ([.code("echo \"a\\"), v("$(id)"), .code("b\"")], "refused: ssm-shell's $v would be read together with `\\b`"),
            ([.code("echo `echo "), v("x"), .code("`")], "refused: ssm-shell's $v cannot stand inside backquotes"),
            ([.code("echo $HOME"), v("x")], "refused: ssm-shell's $v directly follows $HOME"),
            ([.code("echo \"$"), v("x"), .code("\"")], "refused: ssm-shell's $v directly follows $"),
            ([.code("echo ${"), v("x"), .code("}")], "refused: ssm-shell's $v would be read together with `${}`"),
            ([.code("echo $"), v("x"), .code("(id)")], "refused: ssm-shell's $v would be read together with `$(`"),
        ] as [([CommandText.Piece], String)])
    func joinPOSIX(_ pieces: [CommandText.Piece], _ expected: String) {
        #expect(Self.join(pieces).hasPrefix(expected), "\(Self.join(pieces))")
    }

    @Test(
        arguments: [
            (
                [.code("Write-Output "), v("; rm"), .code(" '"), v("it’s"), .code("' \""), v("$x `"), .code("\"")],
                "Write-Output '; rm' 'it’’s' \"`$x ``\""
            ),
            ([.code("Write-Output 'a'"), v("b"), .code("'c'")], "refused: ssm-shell's $v would be read together with the doubled quote"),
            ([.code("Write-Output \"a`"), v("b"), .code("\"")], "refused: ssm-shell's $v would be read together with ``\""),
            ([.code("Write-Output \"a\""), v("b"), .code("\"\"")], "refused: ssm-shell's $v would be read together with `\"\"`"),
        ] as [([CommandText.Piece], String)])
    func joinPowerShell(_ pieces: [CommandText.Piece], _ expected: String) {
        #expect(Self.join(pieces, .powerShell).hasPrefix(expected), "\(Self.join(pieces, .powerShell))")
    }

    /// Constructs where sh or PowerShell reads the text differently from a plain quote tracker.
    /// Each input below made a value code on bash or PowerShell before (review of item 17).
    @Test(arguments: [
        // bash's and POSIX 2024's $'...': \' does not end it, so $x is inside it, not bare.
        // ... and dash, which has no $'...', ends it at the \': after that only plain values.
        ("echo $'a\\' $x ' $x", "refused: ssm-shell's $x cannot be quoted after a $'...' holding \\' (bash and dash end it apart)"),
        ("echo $'a\\' $x ' $plain", "echo $'a\\' $x ' web-1"),
        ("printf $'%s\\n' $x", "printf $'%s\\n' '; rm -rf /'"),
        // $$ is the other shell's process id: a value after it must not make $'...' or $NAME.
        ("echo $$x \"$$x\" $$-$x $$'a\\' b ' $x '", "echo $$x \"$$x\" $$-'; rm -rf /' $$'a\\' b ' $x '"),
    ])
    func theOtherShellsQuotesAndParameters(_ text: String, _ expected: String) {
        let out = Self.substitute(text)
        #expect(expected.hasPrefix("refused: ") ? out.hasPrefix(expected) : out == expected, "\(out)")
    }

    /// After a comment, a case pattern, a here-document or a ${...} with quotes inside, the
    /// tracker cannot tell where the shell stands: a value that needs quoting is refused there,
    /// a plain one (the same in every context) is still filled in.
    @Test(arguments: [
        ("echo a|#\"\n$x #\"", ShellDialect.posix),
        ("echo $(\n  # say \"hi\n  echo $x\n  # \"\n)", .posix),
        ("echo \"$(case $v in a) echo $x;; esac)\"", .posix),
        ("echo \"$(cat <<EOF\n$x\nEOF\n)\"", .posix),
        ("echo $(echo ${v:-\"}\"} $x \"\")", .posix),
        ("Write-Output $(@\"\nx\" $x \"\n\"@)", .powerShell),
        ("Write-Output @'\nit's \"\n'@ $x #\"", .powerShell),
        ("cmd /c echo --% $x", .powerShell),
        ("Write-Output <# \" #> $x", .powerShell),
    ])
    func aValueWhereTheContextIsUnclearIsRefused(_ text: String, _ dialect: ShellDialect) {
        #expect(Self.substitute(text, dialect).hasPrefix("refused: ssm-shell's $x cannot be quoted after "), "\(Self.substitute(text, dialect))")
        let plain = text.replacing("$x", with: "$plain")
        #expect(Self.substitute(plain, dialect) == text.replacing("$x", with: "web-1"))
    }

    /// Inside arithmetic (`$((...))`, bash's `$[...]`, `((...))` and an array subscript) sh
    /// reads '...' as characters and expands `$(...)` in what it holds: `$(( '$(id)' ))` ran id
    /// in bash and dash. Only a plain value may stand there; a `$(...)` inside is code again.
    @Test(arguments: [
        ("echo $(( $x + 1 ))", "refused: ssm-shell's $x cannot stand inside arithmetic"),
        ("echo \"$(( 1 + $y ))\"", "refused: ssm-shell's $y cannot stand inside arithmetic"),
        ("echo $[ $x ]", "refused: ssm-shell's $x cannot stand inside arithmetic"),
        ("(( $x > 1 )) && echo", "refused: ssm-shell's $x cannot stand inside arithmetic"),
        ("a[$x]=1", "refused: ssm-shell's $x cannot stand inside arithmetic"),
        ("echo $(( $# + (2 * $plain) )) $x $[1] $x", "echo $(( 2 + (2 * web-1) )) '; rm -rf /' $[1] '; rm -rf /'"),
        ("echo $(( $(echo $x) + 1 )) ${a[$x]}", "echo $(( $(echo '; rm -rf /') + 1 )) ${a[$x]}"),
        ("[ $x = a ] && [[ $x ]]", "[ '; rm -rf /' = a ] && [[ '; rm -rf /' ]]"),
    ])
    func arithmeticTakesOnlyPlainValues(_ text: String, _ expected: String) {
        #expect(Self.substitute(text).hasPrefix(expected), "\(Self.substitute(text))")
    }

    /// connect --command's code and values go through the same reader.
    @Test(
        arguments: [
            // bash reads the value inside $'...' (before: quoted as a bare word, and ; id ran).
            ([.code("echo $'a\\' "), v("; id"), .code(" '")], "refused: ssm-shell's $v would be read together with `$'a\\'  '`"),
            ([.code("echo $'a "), v("b"), .code("'")], "refused: ssm-shell's $v would be read together with `$'a '`"),
            ([.code("echo a|#\"\n"), v("; id"), .code(" #\"")], "refused: ssm-shell's $v cannot be quoted after a # comment"),
            ([.code("echo a|#\"\n"), v("web-1"), .code(" #\"")], "echo a|#\"\nweb-1 #\""),
        ] as [([CommandText.Piece], String)])
    func joinFollowsTheSameConstructs(_ pieces: [CommandText.Piece], _ expected: String) {
        #expect(Self.join(pieces).hasPrefix(expected), "\(Self.join(pieces))")
    }

    @Test(arguments: ["echo a#b $x", "echo a=#b $x", "echo $((16#ff)) $x"])
    func aHashInsideAWordIsNoComment(_ text: String) {
        #expect(Self.substitute(text) == text.replacing("$x", with: "'; rm -rf /'"))
    }

    /// Random text over both shells' special characters, from a fixed seed: the reader never
    /// traps, and text that names none of the shell's values comes back byte for byte.
    @Test func randomTextWithoutValuesIsUnchanged() throws {
        var generator = SplitMix64(seed: 0x5EED_0017)
        let alphabet: [Character] = Array("a $#{}()'\"\\`;\n|&<>@%-c“”‘’\r\té") + ["\r\n"]
        for _ in 0..<20_000 {
            let text = String((0..<Int.random(in: 0...30, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            for dialect in [ShellDialect.posix, .powerShell] {
                // $@ and $# are always the shell's (and may be refused after a comment).
                guard !text.contains("$@") && !text.contains("$#") else {
                    _ = try? CommandText.substitute(text, dialect: dialect, arguments: ["a b"]) { _ in "x'\"" }
                    continue
                }
                let out = try CommandText.substitute(text, dialect: dialect, arguments: []) { _ in nil }
                #expect(out == text, "\(text.debugDescription) \(dialect)")
            }
        }
    }

    @Test func spreadWithNoArgumentsLeavesNoWord() {
        #expect(Self.substitute("echo $@ \"$@\" end", arguments: []) == "echo   end")
        #expect(Self.substitute("echo \"[$@]\"", arguments: []) == "echo \"[]\"")
    }

    @Test func anUnsetArgumentIsTheCallersError() {
        struct Unset: Error {}
        #expect(throws: Unset.self) {
            try CommandText.substitute("echo \"$3\"", dialect: .posix, arguments: []) { _ in throw Unset() }
        }
    }

    @Test(arguments: [
        ("web-1", "web-1", "web-1"), ("", "''", "''"), ("a b", "'a b'", "'a b'"), ("it's", "'it'\\''s'", "'it''s'"),
        ("A=b", "'A=b'", "'A=b'"), ("~root", "'~root'", "'~root'"), ("%1", "'%1'", "'%1'"), ("1kb", "1kb", "'1kb'"),
        ("-Force", "-Force", "'-Force'"), ("done", "'done'", "done"), ("ForEach", "ForEach", "'ForEach'"),
        ("C:\\Temp", "'C:\\Temp'", "C:\\Temp"), ("/var/log", "/var/log", "'/var/log'"), ("é", "'é'", "'é'"),
        ("’x‘", "'’x‘'", "'’’x‘‘'"), ("a\u{0}b", "'a\u{0}b'", "'a\u{0}b'"), ("$x", "'$x'", "'$x'"),
    ])
    func wordQuoting(_ value: String, _ posix: String, _ powerShell: String) {
        #expect(ShellQuote.word(value, for: .posix) == posix)
        #expect(ShellQuote.word(value, for: .powerShell) == powerShell)
    }

    @Test(arguments: [
        ("plain", "plain", "plain"), ("\\", "\\\\", "\\"), ("\"", "\\\"", "`\""), ("$", "\\$", "`$"), ("`", "\\`", "``"),
        ("'", "'", "'"), ("“”„", "“”„", "`“`”`„"), ("a\nb", "a\nb", "a\nb"), ("!", "!", "!"),
    ])
    func doubleQuoteEscaping(_ value: String, _ posix: String, _ powerShell: String) {
        #expect(ShellQuote.insideDoubleQuotes(value, for: .posix) == posix)
        #expect(ShellQuote.insideDoubleQuotes(value, for: .powerShell) == powerShell)
    }

    /// Quotes and escapes are found scalar by scalar, as shells read them: a quote, `$` or
    /// backtick followed by a combining mark is one Swift Character that is none of them, and was
    /// let through, so `\u{60}\u{301}reboot\u{60}` ran inside double quotes. Compared as scalars.
    @Test(arguments: [
        ("'\u{301}", ShellDialect.posix, false, "'\\''\u{301}"), ("'\u{301}", .powerShell, false, "''\u{301}"),
        ("\u{2019}\u{301}", .powerShell, false, "\u{2019}\u{2019}\u{301}"),
        ("`\u{301}reboot`", .posix, true, "\\`\u{301}reboot\\`"), ("$\u{301}(x)", .posix, true, "\\$\u{301}(x)"),
        ("\"\u{200D}", .powerShell, true, "`\"\u{200D}"), ("\u{201C}\u{FE0F}", .powerShell, true, "`\u{201C}\u{FE0F}"),
    ])
    func quotesBeforeCombiningMarksAreEscaped(_ value: String, _ dialect: ShellDialect, _ double: Bool, _ expected: String) {
        let escaped = double ? ShellQuote.insideDoubleQuotes(value, for: dialect) : ShellQuote.insideSingleQuotes(value, for: dialect)
        #expect(Array(escaped.unicodeScalars) == Array(expected.unicodeScalars))
    }

    /// Whatever the values, the text outside them is unchanged, and a POSIX-quoted value read
    /// back by sh's quote removal (the model below) is the value.
    @Test func randomValuesStayData() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ab $@#{}'\"\\;\n|&<>`()*?~=%!é日\t")
        for _ in 0..<5_000 {
            let value = String((0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            let bare = try! CommandText.substitute("[$v]", dialect: .posix, arguments: []) { $0 == "v" ? value : nil }
            #expect(bare.hasPrefix("[") && bare.hasSuffix("]"))
            #expect(Self.removeQuotes(String(bare.dropFirst().dropLast())) == value, "\(value)")
            let quoted = try! CommandText.substitute("\"$v\"", dialect: .posix, arguments: []) { $0 == "v" ? value : nil }
            #expect(Self.removeQuotes(quoted) == value, "\(value)")
            let singleQuoted = try! CommandText.join([.code("'"), .value(value, reference: "$v"), .code("'")], dialect: .posix)
            #expect(Self.removeQuotes(singleQuoted) == value, "\(value)")
        }
    }

    /// sh's quote removal for one word made of '...', "..." (with \ before $ ` " \) and
    /// unquoted characters that must not be special; nil when the word would be read as syntax.
    static func removeQuotes(_ word: String) -> String? {
        var chars = Array(word)[...]
        var out = ""
        while let c = chars.popFirst() {
            switch c {
            case "'":
                guard let end = chars.firstIndex(of: "'") else { return nil }
                out += String(chars[..<end]); chars = chars[(end + 1)...]
            case "\"":
                while true {
                    guard let d = chars.popFirst() else { return nil }
                    if d == "\"" { break }
                    if "$`".contains(d) { return nil }
                    if d == "\\", let e = chars.first, "$`\"\\".contains(e) { out.append(e); chars = chars.dropFirst(); continue }
                    out.append(d)
                }
            case "\\":
                guard let e = chars.popFirst() else { return nil }
                out.append(e)
            default:
                if " \t\n;|&<>()$`*?[~=%!#{}".contains(c) { return nil }
                out.append(c)
            }
        }
        return out
    }
}
