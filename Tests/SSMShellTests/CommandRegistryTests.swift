import AWSCore
import SSMCore
@testable import SSMShell
import ShellLanguage
import Testing

/// The registry is the one list of commands: help, `policy`, completion, the here-document rule
/// and the launcher's one-command words all follow it, so none can drift from the dispatcher.
@Suite struct CommandRegistryTests {
    func shell(_ fleet: FakeFleet = InterpreterTests.fleet()) -> (Shell, CapturingConsole) {
        let console = CapturingConsole()
        let shell = Shell(
            console: console, options: GlobalOptions(), environment: Environment(["HOME": "/nonexistent", "AWS_REGION": "us-east-1"]),
            services: .system()
        ) { _ in fleet }
        return (shell, console)
    }

    /// The IAM actions written in a help line (`ssm:SendCommand`, `ec2:Describe*`).
    static func actions(in text: String) -> [String] {
        text.matches(of: /[a-z0-9]+:[A-Z][A-Za-z*]*/).map { String($0.output) }
    }

    @Test func everyCommandHasAUniqueNameAUsageThatStartsWithItAndASummary() {
        #expect(Set(CommandRegistry.names).count == CommandRegistry.all.count)
        for command in CommandRegistry.all {
            #expect(command.usage.hasPrefix(command.name + " ") || command.usage == command.name, "\(command.name)")
            #expect(!command.summary.isEmpty, "\(command.name)")
            #expect(command.help.hasPrefix(command.usage + "\n  " + command.summary + "\n"), "\(command.name)")
            #expect(CommandRegistry.command(named: command.name)?.name == command.name)
        }
    }

    /// Sample calls of each command, literal and with a `$` word where the policy cannot read it.
    static let sampleWords: [[String]] = [
        [], ["web-1"], ["web-*"], ["--on", "web-1,db-*", "--wait", "uptime"], ["$"], ["i-0123456789abcdef0", "22"],
        ["profile", "p"], ["region", "eu-west-1"], ["tag:Role=web", "online"],
    ]

    @Test func everyActionPolicyPrintsForACommandIsInItsHelp() {
        for command in CommandRegistry.all {
            let documented = Set(Self.actions(in: command.iamActions.joined(separator: ", ")))
            // A command that takes targets also needs what resolving them calls.
            let resolving = command.usage.contains("TARGET") || command.usage.contains("FILTER") ? Set(PolicyBuilder.targetActions(["web-*"])) : []
            for words in Self.sampleWords {
                for ranCommand in [false, true] {
                    var state = PolicyBuilder.State(ranCommand: ranCommand)
                    for action in command.policyActions(words, state: &state) {
                        #expect(
                            documented.contains(action) || resolving.contains(action),
                            "\(command.name) \(words): policy prints \(action), which its help does not list")
                    }
                }
            }
        }
    }

    @Test func theActionsHelpListsWithoutConditionArePrintedByPolicy() throws {
        for command in CommandRegistry.all where !command.iamActions.isEmpty {
            // doctor's calls are its checks: a denied one is a finding it reports, so a script's
            // policy leaves them out.
            if command.name == "doctor" { continue }
            var state = PolicyBuilder.State()
            let printed = Set(command.policyActions(["web-1"], state: &state))
            for entry in command.iamActions where !entry.contains("(") {
                for action in Self.actions(in: entry) { #expect(printed.contains(action), "\(command.name): help lists \(action), policy leaves it out") }
            }
            // And `policy` on a script of that one command prints them (a `try` in front changes nothing).
            for line in ["\(command.name) web-1", "try \(command.name) web-1"] {
                let script = try Parser.parse(line, file: "t")
                #expect(Set(PolicyBuilder.actions(of: script)) == printed, "\(line)")
            }
        }
    }

    @Test func policyOfAScriptIsTheUnionOfItsCommandsActions() throws {
        let script = try Parser.parse("use web-1\nrun uptime\noutput\nconnect 'db-*' --command x\nstatus\nunknown-word\n", file: "t")
        #expect(
            PolicyBuilder.actions(of: script) == [
                "ec2:DescribeInstances", "ssm:DescribeInstanceInformation", "ssm:GetCommandInvocation",
                "ssm:GetConnectionStatus", "ssm:ListCommandInvocations", "ssm:ResumeSession", "ssm:SendCommand", "ssm:StartSession",
                "ssm:TerminateSession",
            ])
        // output lists the invocations with their output (and, without a run before it, to learn the nodes).
        #expect(PolicyBuilder.actions(of: try Parser.parse("output", file: "t")) == ["ssm:GetCommandInvocation", "ssm:ListCommandInvocations"])
    }

    /// `wait` (and `run --wait`/`--follow`) calls ListCommands for a command sent by tag
    /// (Targets), and `terminate` calls DescribeSessions for a bare id after a `use` of several
    /// pairs: the printed policy left both out, so wait waited until --timeout and terminate
    /// was refused.
    @Test func policyHasWhatWaitAndTerminateCallAfterTheirUse() throws {
        func actions(_ text: String) throws -> [String] { PolicyBuilder.actions(of: try Parser.parse(text, file: "t")) }
        for text in [
            "use tag:Role=web\nrun uptime\nwait", "use tag:Role=web\nrun --wait uptime", "run --on tag:Role=web --follow uptime", "wait $id",
            "use $t\nrun uptime\nwait",
        ] {
            #expect(try actions(text).contains("ssm:ListCommands"), "\(text)")
        }
        for text in [
            "use web-1\nrun uptime\nwait", "use web-1\nrun --wait uptime", "run --on web-1,db-1 --wait uptime", "use tag:Role=web\nrun --on web-1 --wait x",
        ] {
            #expect(try !actions(text).contains("ssm:ListCommands"), "\(text)")
        }
        // A failing wait shows the failed nodes' last lines, by GetCommandInvocation where the
        // listing cut them (FailureStop); the help said so, the policy did not.
        for text in ["wait $id", "use web-1\nrun uptime\nwait", "use tag:Role=web\nrun uptime\nwait"] {
            #expect(try actions(text).contains("ssm:GetCommandInvocation"), "\(text)")
        }
        for text in ["use profile a,b\nterminate s-1", "use region us-east-1,eu-west-1\nterminate $s", "use context a@us-east-1 b@eu-west-1\nterminate s-1"] {
            #expect(try actions(text).contains("ssm:DescribeSessions"), "\(text)")
        }
        for text in ["use profile a\nterminate s-1", "terminate s-1", "use profile a,b\nterminate a@us-east-1:s-1"] {
            #expect(try !actions(text).contains("ssm:DescribeSessions"), "\(text)")
        }
    }

    /// Every command whose sessions are resumed after a lost connection (SessionRunner) needs
    /// ssm:ResumeSession in a script's policy: without it the reconnect is refused mid-session.
    @Test func commandsWhoseSessionsResumeNeedResumeSession() throws {
        for line in ["connect web-1", "attach web-1", "forward web-1 8080", "proxy web-1 22", "put a web-1:/tmp/a", "get web-1:/tmp/a a"] {
            #expect(PolicyBuilder.actions(of: try Parser.parse(line, file: "t")).contains("ssm:ResumeSession"), "\(line)")
        }
    }

    /// `policy` at the prompt read the whole history (earlier sessions' lines too) as one script:
    /// one unfinished block there made the policy empty ("calls no AWS action").
    @Test func policyWithoutAFileReadsThisSessionsCommandsOneByOneAndSaysSo() async {
        let (shell, console) = shell()
        // An earlier session's lines, from the history file: a block that never ended, a forward.
        shell.history.append("for x in a b")
        shell.history.append("forward web-1 8080")
        // This session's commands, as they ran; one does not parse.
        for command in ["run --on web-1 uptime", "echo \"unclosed", "output", "policy"] {
            shell.history.append(command)
            shell.history.ran(command)
        }
        #expect(await shell.run(source: "policy", file: "prompt") == 0, "\(console.stderr)")
        #expect(console.stdout.contains("ssm:SendCommand") && console.stdout.contains("ssm:GetCommandInvocation"))
        #expect(!console.stdout.contains("ssm:StartSession"), "an earlier session's forward is not this session's")
        #expect(console.stderr.contains("for the 3 commands typed at the prompt in this session"), "\(console.stderr)")
        #expect(console.stderr.contains("left out, as they do not parse: echo \"unclosed"), "\(console.stderr)")
        // Nothing typed (a script, -c): say what to give.
        let (fresh, freshConsole) = self.shell()
        #expect(await fresh.run(source: "policy", file: "-c") == 2)
        #expect(freshConsole.stderr.contains("policy FILE"))
    }

    @Test func helpAndTheOverviewListExactlyTheRegistrysCommands() async {
        let (shell, console) = shell()
        #expect(await shell.run(source: "help", file: "t") == 0)
        // The commands, up to the control flow's part after a blank line.
        let commands = console.stdout.split(separator: "\n\n", maxSplits: 1)[0]
        let listed = commands.split(separator: "\n").dropFirst().map { String($0.dropFirst(2).prefix { $0 != " " }) }
        #expect(listed == CommandRegistry.names)
        for command in CommandRegistry.all {
            let (shell, console) = self.shell()
            #expect(await shell.run(source: "help '\(command.name)'", file: "t") == 0)
            #expect(console.stdout == command.help)
        }
        // `ssm-shell --help` names every command, and the words it runs alone.
        let inUsage = HelpText.commandList.dropFirst("Commands: ".count).split(whereSeparator: { $0 == " " || $0 == "\n" }).map { String($0.dropLast()) }
        #expect(inUsage == CommandRegistry.names)
        #expect(HelpText.usage.contains("\n" + HelpText.commandList + " Type 'help'"))
        #expect(HelpText.usage.contains("ssm-shell [OPTIONS] proxy|doctor|policy|console ..."))
    }

    @Test func everyCommandAnswersDashDashHelpWithItsHelp() async {
        // `try` is the interpreter's keyword: `try --help` is `--help`, an unknown command.
        for command in CommandRegistry.all where command.name != "try" {
            let (shell, console) = shell()
            #expect(await shell.run(source: "\(command.name) --help", file: "t") == 0, "\(command.name)")
            #expect(console.stdout == command.help, "\(command.name)")
        }
    }

    /// Dispatch accepts a here-document exactly where the registry says; no second list.
    @Test func hereDocumentsAreTakenExactlyByTheCommandsThatSaySo() async throws {
        #expect(CommandRegistry.all.filter(\.takesHereDocument).map(\.name) == ["run", "attach", "echo"])
        for command in CommandRegistry.all {
            let (shell, _) = shell()
            let parsed = try Parser.parse("\(command.name) <<EOF\nbody\nEOF\n", file: "t").commands[0]
            let text: String? = PassThrough.valuedOptions[command.name] != nil ? "" : nil
            var refusal: ShellError?
            do { _ = try await shell.dispatch(name: command.name, arguments: [], command: parsed, text: text) } catch let error as ShellError {
                refusal = error
            } catch {}
            if command.takesHereDocument {
                #expect(refusal?.message.contains("here-document") != true, "\(command.name): \(String(describing: refusal))")
            } else {
                #expect(refusal == ShellError.usage("'\(command.name)' takes no here-document"), "\(command.name)")
            }
        }
    }

    @Test func unknownCommandsAreRefusedWithTheClosestName() async throws {
        let (shell, _) = shell()
        let parsed = try Parser.parse("rnu x", file: "t").commands[0]
        await #expect(throws: ShellError.usage("unknown command 'rnu'; did you mean 'run'?")) {
            try await shell.dispatch(name: "rnu", arguments: ["x"], command: parsed)
        }
    }

    /// AccessDenied advice names actions through IAMActions; `policy` must name the same ones.
    @Test func everyActionPolicyPrintsIsOneTheAccessDeniedAdviceKnows() {
        let known = Set(IAMActions.byOperation.values)
        for command in CommandRegistry.all {
            for words in Self.sampleWords {
                var state = PolicyBuilder.State()
                for action in command.policyActions(words, state: &state) { #expect(known.contains(action), "\(command.name): \(action)") }
            }
        }
    }

    @Test func theTextAndCodeOptionTablesComeFromTheRegistry() {
        #expect(PassThrough.valuedOptions == ["run": PassThrough.runValuedOptions, "!": []])
        #expect(OptionText.options.keys.sorted() == ["connect"])
        #expect(OptionText.options["connect"]?.option == "command")
        // connect's scanner takes the same valued options its usage names.
        #expect(OptionText.options["connect"]?.valued == Set(ConnectCommand().options.map { String($0.dropFirst(2)) }))
    }

    /// Tab offers the options a usage line names: each must be one the command reads.
    @Test func everyOptionAUsageNamesIsOneTheCommandTakes() async {
        for command in CommandRegistry.all {
            for option in command.options {
                let (shell, console) = shell()
                _ = await shell.run(source: "\(command.name) \(option)=x", file: "t")
                #expect(!console.stderr.contains("has no option"), "\(command.name) \(option): \(console.stderr)")
            }
        }
        let (shell, console) = shell()
        _ = await shell.run(source: "wait --tiemout=1", file: "t")
        #expect(console.stderr.contains("wait has no option --tiemout; did you mean --timeout?"), "the check above can fail")
    }

    @Test func onlyOutputReportsARemoteFailureAsData() async {
        #expect(CommandRegistry.all.filter(\.remoteFailureIsData).map(\.name) == ["output"])
        let fleet = InterpreterTests.fleet()
        fleet.outcome = { _ in ("Failed", 5, "", "broken\n") }
        let (shell, _) = shell(fleet)
        #expect(await shell.run(source: "use web-1\nrun false\noutput\nset after yes", file: "t") == 0)
        #expect(shell.variables["after"] == "yes", "the script went on after output's status 3")
    }

    /// A command listed before it is built says so in help and the overview.
    struct ComingCommand: ShellCommand {
        let name = "soon"
        let usage = "soon [X]"
        let summary = "a command still to come"
        let availability = CommandAvailability.comingIn("issue 99")
        func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 { 0 }
    }

    @Test func aCommandNotBuiltYetIsMarkedInHelpAndTheOverview() {
        #expect(ComingCommand().help == "soon [X]\n  a command still to come\n  (not available yet: issue 99)\n")
        #expect(CommandRegistry.overview(of: [ComingCommand()]).hasSuffix("\n  soon         a command still to come (coming: issue 99)\n"))
        #expect(CommandRegistry.all.allSatisfy { $0.comingIn == nil }, "every listed command is built")
    }

    @Test func theLauncherRunsAloneTheCommandsThatSaySo() {
        #expect(CommandRegistry.runAlone == ["proxy", "doctor", "policy", "console"])
    }

    @Test func completionOffersTheRegistrysCommandsThenEachCommandsOwnWords() async {
        let (shell, _) = shell()
        shell.nodeDirectory.learn([Node(id: "i-1", name: "web-1", platform: "Linux", pingStatus: "Online")])
        shell.ledger.record("cmd-1", nodes: [], executionTimeout: nil, deliveryTimeout: nil)
        let completion = Completion(directories: shell.services.directories)
        completion.refresh(from: shell)
        let first = CommandRegistry.names + ["if", "for", "def", "return", "break", "continue", "elif", "else", "end"]
        #expect(completion.candidates("") == first)
        #expect(completion.candidates("ru") == first, "the line editor filters by the prefix")
        #expect(completion.candidates("wait ") == ["cmd-1"])
        #expect(completion.candidates("invocations ") == ["cmd-1"])
        #expect(completion.candidates("output ") == ["cmd-1", "i-1", "web-1", "all"])
        #expect(completion.candidates("cancel x ") == ["cmd-1", "i-1", "web-1", "all"])
        #expect(completion.candidates("run --on ") == ["i-1", "web-1", "all"])
        #expect(completion.candidates("run uptime ") == [])
        let filters = ["online", "offline", "platform:linux", "platform:windows", "platform:macos", "agent<"]
        #expect(completion.candidates("instances ") == ["i-1", "web-1", "all"] + filters)
        #expect(completion.candidates("use ") == ["profile", "region", "context", "i-1", "web-1", "all"] + filters)
        #expect(completion.candidates("use region ") == Prompt.regions)
        #expect(completion.candidates("use web-1 ") == ["i-1", "web-1", "all"] + filters, "target words compose")
        #expect(completion.candidates("output --") == ["--stdout", "--stderr", "--no-group", "--save", "--follow", "--help"])
        #expect(completion.candidates("wait -") == ["--timeout", "--help"])
        #expect(completion.candidates("echo --") == ["--help"])
        #expect(completion.candidates("bogus ") == [])
        #expect(completion.candidates("set ") == ["cloudwatch", "color", "keep-going", "output", "output-bucket"])
        #expect(completion.candidates("set output-bucket ") == ["off"])
        #expect(completion.candidates("set cloudwatch ") == ["on", "off"])
        #expect(completion.candidates("set output ") == ["table", "text", "json"])
        #expect(completion.candidates("set x ") == [])
        // `output --save DIR` completes paths (a shadowed case of the old switch offered command ids).
        #expect(completion.candidates("output --save /") == Completion.paths("/", in: shell.services.directories))
        #expect(completion.candidates("output --save /").contains("/tmp/"))
        #expect(completion.candidates("status ") == [])
        // put's words are local paths but its last; get's first word is the node's path, its second a local one.
        #expect(GetCommand().completions(CompletionRequest(words: ["get", "web-1:/tmp/x", "/"], snapshot: .init())) == .paths)
        #expect(GetCommand().completions(CompletionRequest(words: ["get", "/"], snapshot: .init())) == .none)
        for command in CommandRegistry.all {
            let offer = command.completions(CompletionRequest(words: [command.name, ""], snapshot: .init()))
            #expect(offer == .paths ? ["source", "!", "put"].contains(command.name) : true, "\(command.name) completes paths")
        }
    }
}
