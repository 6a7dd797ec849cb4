import ShellLanguage
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
                text += " <<[" + here.body.map { part -> String in
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

    @Test func randomInputNeverCrashes() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ab $@#{}'\"\\;\n<-EOF\t\r")
        for _ in 0..<20_000 {
            let text = String((0..<Int.random(in: 0...40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            _ = try? Parser.parse(text)
        }
    }
}
