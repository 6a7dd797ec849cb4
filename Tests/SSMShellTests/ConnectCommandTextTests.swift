import AWSCore
import SessionProtocol
@testable import SSMShell
import SystemIO
import Testing

/// `connect --command TEXT` follows the rule of `run`'s text (issue 11, item 17): what the user
/// wrote inside the option's word is the node's shell code, and only the shell's own variables
/// are filled in, each quoted for where it stands in that code, so that data never becomes code.
/// AWS-StartNonInteractiveCommand runs no shell, so that code goes in `sh -c` or PowerShell's
/// -EncodedCommand (issue 18); `NonInteractiveCommandTests` checks that wrapping.
@Suite struct ConnectCommandTextTests {
    /// Runs `connect NODE --document AWS-StartNonInteractiveCommand ...` against the fake fleet
    /// (which refuses the session after recording it) and returns StartSession's `command`.
    static func sent(_ line: String, to node: String = "web-1") async -> (status: Int32, command: [String]?, stderr: String) {
        let fleet = InterpreterTests.fleet()
        let (shell, console) = InterpreterTests().shell(fleet)
        shell.variables.values = RunCommandTextTests.values
        shell.variables.arguments = ["a b", "$(x)"]
        let status = await shell.run(source: line.replacing("NODE", with: "\(node) --document AWS-StartNonInteractiveCommand"), file: "t")
        return (status, fleet.sessionStarts.last?.parameters?["command"], console.stderr)
    }

    @Test(arguments: [
        // What the user wrote inside the word is the remote shell's code, as it was.
        ("connect NODE --command 'uptime; df -h | grep /dev'", "uptime; df -h | grep /dev"),
        ("connect NODE --command \"echo \\\"*.log\\\" 'it''s'\"", "echo \"*.log\" 'it''s'"),
        ("connect NODE --command 'echo $HOME \"$x\"'", "echo $HOME \"$x\""),
        ("connect NODE --command \"echo $(date; id) ünï\"", "echo $(date; id) ünï"),
        // The shell's own variables, quoted for where they stand in that code.
        ("connect NODE --command \"echo $x\"", "echo '; rm -rf /'"),
        ("connect NODE --command=\"echo $y $q\"", "echo '$(x)' 'it'\\''s \"q\"'"),
        ("connect NODE --command \"echo \\\"$x|$y|$b\\\"\"", "echo \"; rm -rf /|\\$(x)|\\\\\\`ls\\`\""),
        ("connect NODE --command \"grep '$q' /etc/hosts\"", "grep 'it'\\''s \"q\"' /etc/hosts"),
        // $(...) is kept as written in any word of the language, so its $x is the remote shell's.
        ("connect NODE --command \"echo $(echo $x) $plain $e\"", "echo $(echo $x) web-1 ''"),
        ("connect NODE --command \"ls $1 $@ $#\"", "ls 'a b' 'a b $(x)' 2"),
        // A name that is not the shell's is the remote shell's, not this machine's environment's.
        ("connect NODE --command \"echo $HOME '$NOT_AN_SSM_SHELL_NAME' ${HOME}x\"", "echo $HOME '$NOT_AN_SSM_SHELL_NAME' ${HOME}x"),
        // A variable written as the whole text is data too: the remote shell runs no part of it.
        ("connect NODE --command $x", "'; rm -rf /'"),
    ])
    func linuxReceivesCodeAndData(_ line: String, _ expected: String) async {
        let result = await Self.sent(line)
        #expect(result.command == [NonInteractiveCommand.commandLine(expected, windows: false)], "\(result.stderr)")
    }

    @Test func onlyTheNonInteractiveDocumentIsWrapped() async {
        let fleet = InterpreterTests.fleet()
        let (shell, _) = InterpreterTests().shell(fleet)
        _ = await shell.run(source: "connect web-1 --document Team-RunThis --command 'a; b'", file: "t")
        #expect(fleet.sessionStarts.last?.parameters?["command"] == ["a; b"])
        _ = await shell.run(source: "connect web-1 --document AWS-StartInteractiveCommand --command 'a; b'", file: "t")
        #expect(fleet.sessionStarts.last?.parameters?["command"] == [ExitMarker.wrap("a; b")])
        _ = await shell.run(source: "connect web-1 --command 'a; b'", file: "t")  // not a terminal: non-interactive
        #expect(fleet.sessionStarts.last?.parameters?["command"] == ["sh -c 'a; b'"])
    }

    /// On a terminal a Windows node's command was wrapped in the POSIX marker (`printf`), which
    /// PowerShell cannot run, and its status was then due: a command that succeeded gave 1.
    @Test func onATerminalOnlyAPOSIXNodeGetsTheExitMarker() async {
        let fleet = InterpreterTests.fleet()
        let console = CapturingConsole()
        let services = SystemServicesTests.services(terminal: SystemServicesTests.FakeTerminal(terminals: [.input, .output]))
        let shell = Shell(
            console: console, options: GlobalOptions(), environment: Environment(["HOME": "/nonexistent", "AWS_REGION": "us-east-1"]),
            services: services
        ) { _ in fleet }
        _ = await shell.run(source: "connect win-1 --command 'Get-Date'", file: "t")
        #expect(fleet.sessionStarts.last?.document == "AWS-StartInteractiveCommand")
        #expect(fleet.sessionStarts.last?.parameters?["command"] == ["Get-Date"])
        _ = await shell.run(source: "connect web-1 --command 'uptime'", file: "t")
        #expect(fleet.sessionStarts.last?.parameters?["command"] == [ExitMarker.wrap("uptime")])
        let interactive = "AWS-StartInteractiveCommand"
        let nonInteractive = "AWS-StartNonInteractiveCommand"
        #expect(ConnectCommand.exitStatus(document: interactive, command: true, windows: true, separateStreams: false) == .unknown)
        #expect(ConnectCommand.exitStatus(document: interactive, command: true, windows: false, separateStreams: false) == .marker)
        #expect(ConnectCommand.exitStatus(document: nonInteractive, command: true, windows: true, separateStreams: true) == .reported)
        #expect(ConnectCommand.exitStatus(document: nonInteractive, command: true, windows: false, separateStreams: false) == .notExpected)
        #expect(ConnectCommand.exitStatus(document: nil, command: false, windows: false, separateStreams: false) == .notExpected)
        #expect(ConnectCommand.exitStatus(document: "Team-Doc", command: true, windows: false, separateStreams: false) == .notExpected)
    }

    /// The Windows "does not come back on a terminal" advice says to run with stdin not a
    /// terminal: with stdin already a pipe (an explicit interactive document) it is not printed.
    @Test func theWindowsTerminalAdviceIsGivenOnlyOnATerminal() async {
        for (terminals, advised) in [([StandardStream.input, .output], true), ([], false)] {
            let fleet = InterpreterTests.fleet()
            let console = CapturingConsole()
            let services = SystemServicesTests.services(terminal: SystemServicesTests.FakeTerminal(terminals: Set(terminals)))
            let shell = Shell(
                console: console, options: GlobalOptions(), environment: Environment(["HOME": "/nonexistent", "AWS_REGION": "us-east-1"]),
                services: services
            ) { _ in fleet }
            _ = await shell.run(source: "connect win-1 --document AWS-StartInteractiveCommand --command 'Get-Date'", file: "t")
            #expect(fleet.sessionStarts.last?.document == "AWS-StartInteractiveCommand")
            #expect(console.stderr.contains("does not come back on a terminal") == advised, "\(terminals): \(console.stderr)")
        }
    }

    @Test(arguments: [
        ("connect NODE --command \"Write-Output $x '$q' \\\"$y\\\"\"", "Write-Output '; rm -rf /' 'it''s \"q\"' \"`$(x)\""),
        ("connect NODE --command 'Get-ChildItem $env:TEMP'", "Get-ChildItem $env:TEMP"),
    ])
    func windowsReceivesPowerShellQuoting(_ line: String, _ expected: String) async {
        let result = await Self.sent(line, to: "win-1")
        #expect(result.command == [NonInteractiveCommand.commandLine(expected, windows: true)], "\(result.stderr)")
    }

    @Test(arguments: [
        ("connect NODE --command \"echo `echo $x`\"", "cannot stand inside backquotes"),
        ("connect NODE --command \"echo \\\\$x\"", "would be read together with"),
        ("connect NODE --command 'echo $HOME'$x", "directly follows $HOME"),
        ("set c --command\nconnect NODE $c uptime", "write --command and its text in the connect command itself"),
        ("set c connect\n$c NODE --command uptime", "write --command and its text in the connect command itself"),
        ("set r --reason\nconnect NODE $r --command uptime", "write --command and its text in the connect command itself"),
    ])
    func whatCannotBeQuotedIsRefusedAndNothingStarts(_ line: String, _ message: String) async {
        let result = await Self.sent(line)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.command == nil)
    }
}
