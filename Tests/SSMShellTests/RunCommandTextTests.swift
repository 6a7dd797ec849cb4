import SSMCore
@testable import SSMShell
import Testing

/// `run` sends the command text as written (issue 11, item 17): the remote shell's quotes,
/// pipes, globs and `$VARS` reach it unchanged; only the shell's own variables are substituted,
/// quoted for where they stand (POSIX sh on Linux, PowerShell on Windows).
@Suite struct RunCommandTextTests {
    static let values: [String: String] = [
        "x": "; rm -rf /",
        "y": "$(x)",
        "q": "it's \"q\"",
        "s": "a  b",
        "b": "\\`ls`",
        "nl": "a\nb",
        "plain": "web-1",
        "e": "",
        "kw": "if",
        "assign": "A=b",
        "num": "1kb",
        "smart": "‘x’ “y”",
    ]

    /// Sends `run LINE` to web-1 (Linux) or win-1 (Windows) and returns what SendCommand carried.
    static func sent(_ line: String, to node: String = "web-1") async -> (status: Int32, commands: [String]?, stderr: String) {
        let fleet = InterpreterTests.fleet()
        let (shell, console) = InterpreterTests().shell(fleet)
        shell.variables.values = values
        shell.variables.arguments = ["a b", "$(x)"]
        let status = await shell.run(source: "use \(node)\n" + line, file: "t")
        return (status, fleet.sent.last?.parameters?["commands"], console.stderr)
    }

    @Test(arguments: [
        // The remote shell's syntax passes through byte for byte.
        ("run find / -name \"*.log\"", "find / -name \"*.log\""),
        ("run printf '%s\\n' \"*.log\" '$HOME'", "printf '%s\\n' \"*.log\" '$HOME'"),
        ("run echo $HOME \"$HOME/x\" ${HOME}", "echo $HOME \"$HOME/x\" ${HOME}"),
        ("run echo $UNDEFINED_XYZ", "echo $UNDEFINED_XYZ"),
        ("run ls | grep x > out.txt 2>&1 && cat < out.txt || true", "ls | grep x > out.txt 2>&1 && cat < out.txt || true"),
        ("run echo 'it'\\''s' \"a \\\"q\\\" \\\\ \\$x\"", "echo 'it'\\''s' \"a \\\"q\\\" \\\\ \\$x\""),
        ("run echo $(hostname) `date` $((1+2)) $? $$", "echo $(hostname) `date` $((1+2)) $? $$"),
        ("run echo héllo wörld 日本 \"ünï\"", "echo héllo wörld 日本 \"ünï\""),
        ("run echo a\\ b c\\* *.txt [ab]?", "echo a\\ b c\\* *.txt [ab]?"),
        ("run echo '$x' \\$x \"\\$x\"", "echo '$x' \\$x \"\\$x\""),
        ("run echo a \\\n  b", "echo a \\\n  b"),
        ("run echo \"line1\nline2\"   spaced\tout", "echo \"line1\nline2\"   spaced\tout"),
        ("run echo 'a;b' \"c;d\" e\\;f", "echo 'a;b' \"c;d\" e\\;f"),
        ("run echo done # a comment", "echo done"),
        // The shell's own variables, quoted for where they stand.
        ("run echo $x", "echo '; rm -rf /'"),
        ("run echo \"$x\"", "echo \"; rm -rf /\""),
        ("run echo ${x}y \"${x}y\"", "echo '; rm -rf /'y \"; rm -rf /y\""),
        ("run echo $y \"$y\"", "echo '$(x)' \"\\$(x)\""),
        ("run echo $q \"$q\"", "echo 'it'\\''s \"q\"' \"it's \\\"q\\\"\""),
        ("run echo $s \"$s\"", "echo 'a  b' \"a  b\""),
        ("run echo $b \"$b\"", "echo '\\`ls`' \"\\\\\\`ls\\`\""),
        ("run echo $nl \"$nl\"", "echo 'a\nb' \"a\nb\""),
        ("run echo $plain $targets \"$plain\"", "echo web-1 web-1 \"web-1\""),
        ("run echo $e \"$e\"", "echo '' \"\""),
        ("run $kw $assign", "'if' 'A=b'"),
        ("run echo \"$x\"'$x'", "echo \"; rm -rf /\"'$x'"),
        ("run echo $1 \"$2\" $#", "echo 'a b' \"\\$(x)\" 2"),
        ("run printf '[%s]' $@", "printf '[%s]' 'a b' '$(x)'"),
        ("run echo \"all: $@\" x$@", "echo \"all: a b \\$(x)\" x'a b $(x)'"),
        // Options stay the shell's; the command starts at the first word that is not one.
        ("run --timeout 30s --comment \"c d\" echo \"$x\"", "echo \"; rm -rf /\""),
        ("run --on=web-2 -- --version", "--version"),
    ])
    func linuxReceivesTheTextAsWritten(_ line: String, _ expected: String) async {
        let result = await Self.sent(line)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.commands == [expected])
    }

    @Test(arguments: [
        ("run Write-Output 'a''b' \"$HOME\" $env:TEMP | Out-File x.txt", "Write-Output 'a''b' \"$HOME\" $env:TEMP | Out-File x.txt"),
        ("run Write-Output $x \"$x\"", "Write-Output '; rm -rf /' \"; rm -rf /\""),
        ("run Write-Output $q \"$q\"", "Write-Output 'it''s \"q\"' \"it's `\"q`\"\""),
        ("run Write-Output $y \"$y\"", "Write-Output '$(x)' \"`$(x)\""),
        ("run Write-Output $b \"$b\"", "Write-Output '\\`ls`' \"\\``ls``\""),
        ("run Write-Output $plain $num $kw", "Write-Output web-1 '1kb' 'if'"),
        ("run Write-Output $smart \"$smart\"", "Write-Output '‘‘x’’ “y”' \"‘x’ `“y`”\""),
        ("run Write-Output $e \"$e\" $@", "Write-Output '' \"\" 'a b' '$(x)'"),
    ])
    func windowsReceivesPowerShellQuoting(_ line: String, _ expected: String) async {
        let result = await Self.sent(line, to: "win-1")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.commands == [expected])
    }

    @Test func aPositionalArgumentBeyondTheScriptsIsStillAnError() async {
        let result = await Self.sent("run echo $3")
        #expect(result.status == 2)
        #expect(result.stderr.contains("$3 is not set: the script has 2 arguments"))
    }

    @Test func runAndBangMustBeWrittenAsSuch() async {
        let result = await Self.sent("set c run\n$c uptime")
        #expect(result.status == 2)
        #expect(result.stderr.contains("write 'run' itself, not through a variable"))
        #expect(result.commands == nil)
    }

    @Test func optionsMustComeFirst() async {
        let result = await Self.sent("set o --wait\nrun $o uptime")
        #expect(result.commands == ["--wait uptime"], "a variable holding an option is text")
        let spread = await Self.sent("run --on $@ uptime")
        #expect(spread.status == 2)
        #expect(spread.stderr.contains("run's options must be written before the command"))
    }

    @Test func hereDocumentsKeepTodaysRules() async {
        let result = await Self.sent("run <<EOF\necho $x \"$plain\"\nEOF")
        #expect(result.commands == ["echo ; rm -rf / \"web-1\""])
    }
}
