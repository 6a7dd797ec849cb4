import ShellLanguage
import TestSupport
import Testing

/// The grammar as tables: source → commands (words rendered compactly) or a diagnostic.
@Suite struct ParserTests {
    /// Renders a script compactly: words joined by " | ", commands by " ;; ", variables as ${X},
    /// $@ as <@>, $# as <#>, here-documents as <<[body]>>.
    static func render(_ script: Script) -> String {
        script.commands.map { command in
            var text = command.words.map { word in
                word.parts.map { part -> String in
                    switch part {
                    case .literal(let s): return s
                    case .variable(let v): return "${\(v)}"
                    case .allArguments: return "<@>"
                    case .argumentCount: return "<#>"
                    }
                }.joined()
            }.joined(separator: " | ")
            if let here = command.hereDocument {
                text +=
                    " <<["
                    + here.body.map { part -> String in
                        if case .literal(let s) = part { return s }
                        if case .variable(let v) = part { return "${\(v)}" }
                        return "?"
                    }.joined() + "]>>"
            }
            return text
        }.joined(separator: " ;; ")
    }

    @Test(arguments: [
        ("", ""),
        ("use web-1", "use | web-1"),
        ("  run   uptime  ", "run | uptime"),
        ("use web-1; run uptime", "use | web-1 ;; run | uptime"),
        ("use a\nrun b\n\n", "use | a ;; run | b"),
        ("run echo \\\n  hello", "run | echo | hello"),
        ("run 'a b' \"c d\"", "run | a b | c d"),
        ("echo 'it''s'", "echo | its"),
        ("echo '$HOME'", "echo | $HOME"),
        ("echo \"$HOME/x\"", "echo | ${HOME}/x"),
        ("echo ${region}-x $cmd", "echo | ${region}-x | ${cmd}"),
        ("echo \"a\\$b \\\"q\\\" \\\\ \\n\"", "echo | a$b \"q\" \\ \\n"),
        ("echo a\\ b", "echo | a b"),
        ("echo $@ $# $1", "echo | <@> | <#> | ${1}"),
        ("echo $ x", "echo | $ | x"),
        ("echo a#b # comment", "echo | a#b"),
        ("# only a comment\nuse x # trailing", "use | x"),
        ("echo ''", "echo | "),
        ("run <<EOF\nuptime\ndf -h $HOME\nEOF\nwait", "run <<[uptime\ndf -h ${HOME}\n]>> ;; wait"),
        ("run <<'EOF'\necho $HOME\nEOF", "run <<[echo $HOME\n]>>"),
        ("run --timeout 5m <<-END\n\t\techo hi\n\tEND\noutput", "run | --timeout | 5m <<[echo hi\n]>> ;; output"),
        ("run <<EOF; echo after\nbody\nEOF", "run <<[body\n]>> ;; echo | after"),
        ("run <<A\nx\nA\nrun <<B\ny\nB", "run <<[x\n]>> ;; run <<[y\n]>>"),
        ("echo \"é ü\" ünïcode", "echo | é ü | ünïcode"),
        ("use web-1\r\nrun uptime\r\n", "use | web-1 ;; run | uptime"),
        // $(...) is kept whole: its ; and newlines are the other shell's.
        ("run echo $(a; b) x; wait", "run | echo | $(a; b) | x ;; wait"),
        ("run echo \"<$(a; b \")\" ')' $x)>\"", "run | echo | <$(a; b \")\" ')' $x)>"),
        ("run x $(a $(b; c)\n d) y\nwait", "run | x | $(a $(b; c)\n d) | y ;; wait"),
        ("run echo $((1 + 2))", "run | echo | $((1 + 2))"),
        ("run <<EOF\n$(a\nEOF", "run <<[$(a\n]>>"),
        ("use a\r\r\nrun b", "use | a ;; run | b"),
    ])
    func parses(_ source: String, _ expected: String) throws {
        #expect(Self.render(try Parser.parse(source)) == expected)
    }

    @Test(arguments: [
        ("echo 'abc", "t.ssm:1:6: error: unterminated quote: this ' has no closing '"),
        ("use x\necho \"abc", "t.ssm:2:6: error: unterminated quote: this \" has no closing \""),
        ("echo ${abc", "t.ssm:1:6: error: unterminated ${: add the closing }"),
        ("echo ${a-b}", "t.ssm:1:6: error: \"${a-b}\" is not a variable name; names are letters, digits and _"),
        ("run <<EOF\nuptime\n", "t.ssm:1:5: error: here-document ends before its delimiter EOF line"),
        ("<<EOF\nx\nEOF", "t.ssm:1:1: error: a here-document needs a command before <<"),
        ("run <<\n", "t.ssm:1:5: error: << needs a delimiter word, as in <<EOF"),
        ("echo a\\", "t.ssm:1:6: error: a backslash at the end of the input escapes nothing"),
        ("run echo $(a; b", "t.ssm:1:10: error: unterminated $(: add the closing )"),
        ("run echo \"$(a ')\"", "t.ssm:1:11: error: unterminated quote: this ' has no closing '"),
    ])
    func diagnoses(_ source: String, _ expected: String) {
        do {
            let script = try Parser.parse(source, file: "t.ssm")
            Issue.record("expected \(expected), parsed \(Self.render(script))")
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test func locationsPointAtWordsAndCommands() throws {
        let script = try Parser.parse("use web-1\n  run  --on db-1 uptime; wait", file: "deploy.ssm")
        #expect(script.commands.map(\.location.description) == ["deploy.ssm:1:1", "deploy.ssm:2:3", "deploy.ssm:2:26"])
        #expect(script.commands[1].words[2].location.description == "deploy.ssm:2:13")
        #expect(script.commands[1].name == "run")
        #expect(script.commands[0].words[1].quoted == false)
    }

    /// Prints a parsed script back as syntax: literals single-quoted (a `'` as `'\''`, and a
    /// break after `\r` so no `\r\n` is formed that the parser would read as one line end),
    /// variables as `${NAME}`, literal here-documents under a quoted delimiter. Nil when a
    /// here-document expands variables (its escaping is not part of this property).
    static func print(_ script: Script) -> String? {
        func quote(_ text: String) -> String {
            var out = "'"
            // Scalars, not Characters: "\r\n" is one Character, and must still be broken.
            for scalar in text.unicodeScalars {
                out += scalar == "'" ? "'\\''" : String(scalar)
                if scalar == "\r" { out += "''" }
            }
            return out + "'"
        }
        var out = ""
        for command in script.commands {
            out += command.words.map { word in
                word.parts.isEmpty
                    ? "''"
                    : word.parts.map { part -> String in
                        switch part {
                        case .literal(let s): return quote(s)
                        case .variable(let v): return "${\(v)}"
                        case .allArguments: return "$@"
                        case .argumentCount: return "$#"
                        }
                    }.joined()
            }.joined(separator: " ")
            if let here = command.hereDocument {
                var body = ""
                for part in here.body {
                    guard case .literal(let s) = part else { return nil }
                    body += s
                }
                var delimiter = "END"
                while body.split(separator: "\n", omittingEmptySubsequences: false).contains(where: { $0 == delimiter }) { delimiter += "X" }
                out += " <<'\(delimiter)'\n\(body)\(delimiter)"
            }
            out += "\n"
        }
        return out
    }

    /// Where a location may point: a line of the input, a column of that line or just past it.
    static func isWithin(_ location: ShellLanguage.SourceLocation, _ source: String, file: String) -> Bool {
        // Line ends as the parser counts them: "\n" and the one Character "\r\n".
        let lines = Array(source).split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        guard location.file == file, (1...lines.count).contains(location.line) else { return false }
        return (1...lines[location.line - 1].count + 1).contains(location.column)
    }

    /// Random text over the language's special characters, 20,000 times from a fixed seed: the
    /// parser never crashes; a diagnostic points inside the input; a parsed script's commands
    /// and words point inside it, and printing it back as syntax parses to the same script.
    @Test func randomInputRoundTripsOrIsDiagnosedInside() {
        var generator = SplitMix64(seed: 0x5EED_0011)
        let alphabet = Array("ab $@#{}()'\"\\;\n<-EOF\t\r")
        var parsed = 0
        var diagnosed = 0
        for _ in 0..<20_000 {
            let text = String((0..<Int.random(in: 0...40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            do {
                let script = try Parser.parse(text, file: "r.ssm")
                parsed += 1
                let locations = script.commands.flatMap { [$0.location] + $0.words.map(\.location) }
                #expect(locations.allSatisfy { Self.isWithin($0, text, file: "r.ssm") }, "\(text.debugDescription)")
                guard let printed = Self.print(script) else { continue }
                do {
                    #expect(Self.render(try Parser.parse(printed)) == Self.render(script), "\(text.debugDescription) printed as \(printed.debugDescription)")
                } catch {
                    Issue.record("\(text.debugDescription) printed as \(printed.debugDescription) does not parse: \(error)")
                }
            } catch {
                diagnosed += 1
                #expect(Self.isWithin(error.location, text, file: "r.ssm"), "\(text.debugDescription): \(error)")
            }
        }
        // Both paths are exercised (the alphabet makes many unterminated quotes).
        #expect(parsed > 1000 && diagnosed > 1000, "parsed \(parsed), diagnosed \(diagnosed)")
    }
}
