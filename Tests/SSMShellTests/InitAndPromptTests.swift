import AWSCore
import ShellLanguage
import SSMCore
@testable import SSMShell
import SystemIO
import TestSupport
import Testing

/// init.ssm, --init and --no-init, and the prompt's continuation lines for an open block
/// (docs/language.md, Invocation and The prompt).
@Suite struct InitAndPromptTests {
    func shell(files: [String: String], environment: [String: String]) -> (Shell, CapturingConsole) {
        let services = SystemServicesTests.services(files: files.mapValues { Array($0.utf8) })
        let console = CapturingConsole()
        let fleet = InterpreterTests.fleet()
        let shell = Shell(
            console: console, options: GlobalOptions(), environment: Environment(environment.merging(["AWS_REGION": "us-east-1"]) { a, _ in a }),
            services: services
        ) { _ in fleet }
        return (shell, console)
    }

    @Test func initPathFollowsXDGConfigHomeThenHome() {
        #expect(InitScript.path(Environment(["HOME": "/home/u"])) == "/home/u/.config/ssm-shell/init.ssm")
        #expect(InitScript.path(Environment(["HOME": "/home/u", "XDG_CONFIG_HOME": "/cfg"])) == "/cfg/ssm-shell/init.ssm")
        // A relative XDG_CONFIG_HOME is ignored, as the XDG spec says.
        #expect(InitScript.path(Environment(["HOME": "/home/u", "XDG_CONFIG_HOME": "cfg"])) == "/home/u/.config/ssm-shell/init.ssm")
        #expect(InitScript.path(Environment(["HOME": "home"])) == nil)
        #expect(InitScript.path(Environment()) == nil)
    }

    /// Its defs and settings stay for what comes after; it reads through the services.
    @Test func initRunsThroughTheServicesAndItsDefsAndSettingsStay() async {
        let file = "set keep-going on\nset greeting hello\ndef hi\necho $greeting $1\nend\n"
        let (shell, console) = shell(files: ["/cfg/ssm-shell/init.ssm": file], environment: ["HOME": "/h", "XDG_CONFIG_HOME": "/cfg"])
        #expect(await InitScript.run(in: shell) == 0)
        #expect(shell.settings.keepGoing)
        #expect(await shell.run(source: "hi you", file: "prompt") == 0)
        #expect(console.stdout == "hello you\n")
    }

    @Test func aMissingInitIsNothingAndAFailingOneSaysWhereAndKeepsWhatRan() async {
        let (none, _) = shell(files: [:], environment: ["HOME": "/h"])
        #expect(await InitScript.run(in: none) == nil)
        let file = "set note ok\nstaus web-1\nset never x\n"
        let (shell, console) = shell(files: ["/h/.config/ssm-shell/init.ssm": file], environment: ["HOME": "/h"])
        shell.interactive = true
        #expect(await InitScript.run(in: shell) == 2)
        #expect(console.stderr.contains("/h/.config/ssm-shell/init.ssm:2: "), "\(console.stderr)")
        #expect(shell.variables["note"] == "ok" && shell.variables["never"] == nil)
        #expect(shell.interactive, "the prompt's mode comes back")
        let (syntax, syntaxConsole) = self.shell(files: ["/h/.config/ssm-shell/init.ssm": "if status web-1\necho up\n"], environment: ["HOME": "/h"])
        #expect(await InitScript.run(in: syntax) == 2)
        #expect(syntaxConsole.stderr.contains("/h/.config/ssm-shell/init.ssm:1:1: error: this 'if' has no 'end'"), "\(syntaxConsole.stderr)")
    }

    @Test func initAndNoInitAreOptionsThatContradictEachOther() throws {
        #expect(try GlobalOptions.parse(["--init", "-c", "echo"]).runInit)
        #expect(try GlobalOptions.parse(["--no-init"]).noInit)
        #expect(throws: GlobalOptions.UsageError(description: "--init and --no-init contradict each other; give one")) {
            try GlobalOptions.parse(["--no-init", "--init", "x.ssm"])
        }
        #expect(HelpText.usage.contains("--no-init"))
    }

    @Test func connectAndReadTimeoutsAreTheAWSCLIOptions() throws {
        let options = try GlobalOptions.parse(["--cli-connect-timeout", "0.5", "--cli-read-timeout=90", "-c", "instances"])
        #expect(options.connectTimeout == 0.5 && options.readTimeout == 90)
        let timeouts = AWSContext.timeouts(options)
        #expect(timeouts == HTTPTimeouts(connect: 0.5, read: 90, total: 90.5), "the total limit never cuts the read allowed")
        #expect(AWSContext.timeouts(try GlobalOptions.parse(["--cli-read-timeout", "0"])).total == 0)
        #expect(AWSContext.timeouts(GlobalOptions()) == HTTPTimeouts(connect: 2, read: 60, total: 60))
        for bad in ["-1", "nan", "inf", "1e300", "soon"] {
            #expect(throws: GlobalOptions.UsageError(description: "--cli-connect-timeout takes seconds from 0 (no limit) to 86400, not \(bad)")) {
                try GlobalOptions.parse(["--cli-connect-timeout", bad])
            }
        }
        #expect(HelpText.usage.contains("--cli-connect-timeout SECONDS"))
    }

    @Test func thePromptAsksForMoreLinesUntilTheBlockIsClosed() {
        var input = PromptInput()
        let names = Set(CommandRegistry.names)
        #expect(input.take("   ", commandNames: names) == .nothing)
        #expect(input.take("for n in a b", commandNames: names) == .needMore)
        #expect(input.take("  if status $n", commandNames: names) == .needMore)
        #expect(input.take("", commandNames: names) == .needMore, "a blank line inside a block is kept")
        #expect(input.take("  end", commandNames: names) == .needMore)
        #expect(input.isOpen)
        #expect(input.take("end", commandNames: names) == .run("for n in a b\n  if status $n\n\n  end\nend"))
        #expect(!input.isOpen)
        // A mistake runs at once, to be reported; so does a plain line.
        #expect(input.take("end", commandNames: names) == .run("end"))
        #expect(input.take("run <<EOF", commandNames: names) == .needMore)
        #expect(input.take("uptime", commandNames: names) == .needMore)
        #expect(input.take("EOF", commandNames: names) == .run("run <<EOF\nuptime\nEOF"))
        #expect(input.take("def f", commandNames: names) == .needMore)
        input.abandon()
        #expect(!input.isOpen)
        #expect(input.take("echo hi", commandNames: names) == .run("echo hi"))
        #expect(input.take("echo a \\", commandNames: names) == .needMore)
        #expect(input.take("  b", commandNames: names) == .run("echo a \\\n  b"))
    }

    @Test func helpKnowsTheKeywordsAndProcedures() async {
        let (shell, console) = shell(files: [:], environment: ["HOME": "/h"])
        #expect(await shell.run(source: "help if; help end; help for", file: "t") == 0)
        #expect(console.stdout.hasPrefix("if COMMAND; ...; [elif COMMAND; ...;] [else; ...;] end\n"))
        #expect(console.stdout.contains("(end closes if, for and def)"))
        #expect(console.stdout.contains("$targets: one per node id"))
        #expect(await shell.run(source: "def restart\necho\nend\nhelp restart", file: "lib.ssm") == 0)
        #expect(console.stdout.hasSuffix("restart ARG...\n  a procedure (def at lib.ssm:1)\n"))
        #expect(await shell.run(source: "help", file: "t") == 0)
        #expect(console.stdout.contains("\nControl flow (on separate lines, or joined with ;):\n  if COMMAND"))
    }

    @Test func completionOffersKeywordsProceduresAndCommandsAfterIf() async {
        let (shell, _) = shell(files: [:], environment: ["HOME": "/h"])
        _ = await shell.run(source: "def restart; echo; end", file: "t")
        shell.ledger.record("cmd-1", nodes: [], executionTimeout: nil, deliveryTimeout: nil)
        let completion = Completion(directories: shell.services.directories)
        completion.refresh(from: shell)
        #expect(completion.candidates("").suffix(10) == ["if", "for", "def", "return", "break", "continue", "elif", "else", "end", "restart"])
        #expect(completion.candidates("if ").contains("status"))
        #expect(completion.candidates("if try wait ") == ["cmd-1"])
        #expect(completion.candidates("elif wait -") == ["--timeout", "--help"])
    }
}
