import AWSCore
import Glibc
@testable import SSMShell
import SystemIO
import Testing

/// The parts `Shell` holds, as values: settings, variables, exit state, history and context.
@Suite struct ShellSettingsTests {
    @Test func aTerminalGetsATableAndColoursUnlessNoColorOrTheOptionSaysNot() {
        let terminal = ShellSettings(options: GlobalOptions(), stdoutIsTerminal: true, environment: Environment())
        #expect(terminal.outputFormat == .table && terminal.color && !terminal.keepGoing)
        let piped = ShellSettings(options: GlobalOptions(), stdoutIsTerminal: false, environment: Environment())
        #expect(piped.outputFormat == .text && !piped.color)
        #expect(!ShellSettings(options: GlobalOptions(), stdoutIsTerminal: true, environment: Environment(["NO_COLOR": ""])).color)
        var noColor = GlobalOptions()
        noColor.noColor = true
        noColor.output = .json
        let given = ShellSettings(options: noColor, stdoutIsTerminal: true, environment: Environment())
        #expect(!given.color && given.outputFormat == .json)
    }

    @Test func setReadsOnOffAndTheFormatsAndRefusesAnythingElse() throws {
        var settings = ShellSettings(options: GlobalOptions(), stdoutIsTerminal: false, environment: Environment())
        try settings.set("keep-going", to: "yes")
        try settings.set("color", to: "true")
        try settings.set("output", to: "json")
        #expect(settings.listing == "output=json\ncolor=on\nkeep-going=on\ncloudwatch=off\noutput-bucket=off\n")
        try settings.set("keep-going", to: "off")
        #expect(!settings.keepGoing)
        #expect(throws: ShellError.usage("set color takes on or off, not 'maybe'")) { try settings.set("color", to: "maybe") }
        #expect(throws: ShellError.usage("set output takes table, text or json, not 'yaml'")) { try settings.set("output", to: "yaml") }
        #expect(settings.listing == "output=json\ncolor=on\nkeep-going=off\ncloudwatch=off\noutput-bucket=off\n", "a refused value changes nothing")
    }

    @Test func setCloudWatchTakesOnOffOrAGroupName() throws {
        var settings = ShellSettings(options: GlobalOptions(), stdoutIsTerminal: false, environment: Environment())
        try settings.set("cloudwatch", to: "on")
        #expect(settings.cloudWatch == "", "on: the document's default group")
        try settings.set("cloudwatch", to: "/team/ssm#1")
        #expect(settings.cloudWatch == "/team/ssm#1" && settings.listing.contains("cloudwatch=/team/ssm#1\n"))
        #expect(throws: ShellError.usage("'a b' is not a CloudWatch Logs group name: 1 to 512 letters, digits and _ - / . #")) {
            try settings.set("cloudwatch", to: "a b")
        }
        #expect(settings.cloudWatch == "/team/ssm#1", "a refused name changes nothing")
        try settings.set("cloudwatch", to: "off")
        #expect(settings.cloudWatch == nil)
    }
}

@Suite struct ShellVariablesTests {
    @Test func setTakesVariableNamesOnlyAndNotTheShellsOwn() throws {
        var variables = ShellVariables()
        try variables.set("x_1", to: "a b")
        #expect(variables["x_1"] == "a b")
        #expect(throws: ShellError.usage("'1x' is not a variable name; use letters, digits and _")) { try variables.set("1x", to: "v") }
        #expect(throws: ShellError.usage("'é' is not a variable name; use letters, digits and _")) { try variables.set("é", to: "v") }
        #expect(throws: ShellError.usage("$region is set by the shell; use use region NAME")) { try variables.set("region", to: "v") }
        #expect(throws: ShellError.usage("$status is set by the shell; use another name")) { try variables.set("status", to: "v") }
        // `connect` sets $session itself, as a command may.
        variables["session"] = "s-1"
        #expect(variables.listing == "session=s-1\nx_1=a b\n")
    }

    @Test func positionalNamesReadTheArgumentsAndZeroIsTheScript() throws {
        var variables = ShellVariables()
        variables.arguments = ["a", "b"]
        #expect(try variables.positional("1") == "a")
        #expect(try variables.positional("2") == "b")
        #expect(try variables.positional("0") == "ssm-shell")
        variables["0"] = "deploy.ssm"
        #expect(try variables.positional("0") == "deploy.ssm")
        #expect(try variables.positional("name") == nil)
        #expect(throws: ShellError.usage("$3 is not set: the script has 2 arguments")) { try variables.positional("3") }
        variables.arguments = ["only"]
        #expect(throws: ShellError.usage("$2 is not set: the script has 1 argument")) { try variables.positional("2") }
        #expect(throws: ShellError.usage("$-1 is not set: the script has 1 argument")) { try variables.positional("-1") }
    }

    @Test func knownNamesIncludeTheShellsAndTheCommandsOwn() {
        var variables = ShellVariables()
        variables["mine"] = "1"
        #expect(Set(variables.knownNames) == ["mine", "status", "cmd", "targets", "target", "profile", "region", "session", "port"])
    }
}

@Suite struct ExitStateTests {
    @Test func exitIsRequestedOnceAndSetsStatus() {
        var exit = ExitState()
        #expect(!exit.exitRequested && exit.exitStatus == 0)
        exit.lastStatus = 3
        #expect(!exit.exitRequested)
        exit.requestExit(7)
        #expect(exit.exitRequested && exit.exitStatus == 7 && exit.lastStatus == 7)
    }

    @Test func exitInsideSourceEndsTheWholeScriptWithItsStatus() async throws {
        let path = AsciicastRecorderTests.temporaryPath()
        defer { unlink(path) }
        try LocalFileSystem().write(Array("echo inner\nexit 4\necho never\n".utf8), to: path, permissions: 0o600)
        let console = CapturingConsole()
        let shell = Shell(
            console: console, options: GlobalOptions(), environment: Environment(["HOME": "/nonexistent", "AWS_REGION": "us-east-1"]),
            services: .system()
        ) { _ in InterpreterTests.fleet() }
        #expect(await shell.run(source: "source \(path)\necho after", file: "t") == 4)
        #expect(console.stdout == "inner\n")
        #expect(shell.exit.exitRequested && shell.exit.lastStatus == 4)
    }
}

@Suite struct PromptHistoryTests {
    @Test func historyListsNumberedLinesAndKeepsThisSessionsCommands() {
        var history = PromptHistory()
        #expect(history.listing == "" && history.sessionCommands.isEmpty)
        history.append("use web-1")
        history.append("run uptime")
        history.ran("run uptime")
        #expect(history.listing == "    1  use web-1\n    2  run uptime\n")
        #expect(history.sessionCommands == ["run uptime"])
    }
}

@Suite struct ShellContextTests {
    @Test func theProfileFallsBackAsTheAWSCLIs() {
        #expect(ShellContext(options: GlobalOptions(), environment: Environment()).profile == "default")
        #expect(ShellContext(options: GlobalOptions(), environment: Environment(["AWS_DEFAULT_PROFILE": "d"])).profile == "d")
        #expect(ShellContext(options: GlobalOptions(), environment: Environment(["AWS_PROFILE": "p", "AWS_DEFAULT_PROFILE": "d"])).profile == "p")
        #expect(ShellContext(options: GlobalOptions(), environment: Environment(["AWS_PROFILE": ""])).profile == "default", "empty is unset")
        var options = GlobalOptions()
        options.profile = "given"
        #expect(ShellContext(options: options, environment: Environment(["AWS_PROFILE": "p"])).profile == "given")
    }
}
