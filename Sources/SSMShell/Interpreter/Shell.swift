public import AWSCore
public import ShellLanguage
public import SSMCore
import SystemIO

/// The interpreter: the loop that expands and runs commands, over the session's parts: its
/// context (profile, region, options), variables and settings, history and exit state, the
/// targets and the commands sent. One per process; not shared across tasks.
public final class Shell {
    public let console: any Console
    /// Profile, region and the other global options, and the environment (ShellContext.swift).
    public var context: ShellContext
    let fleetFactory: (GlobalOptions) throws -> any FleetAPI
    /// One client per account and region pair, their account ids, and the pairs skipped by the
    /// command running (ContextFleets.swift).
    var pairFleets = PairFleets()

    /// `set NAME VALUE`, `$1`... (ShellVariables.swift).
    public var variables = ShellVariables()
    /// Output format, colours, keep-going (ShellSettings.swift).
    public var settings: ShellSettings
    /// `$status` and `exit` (ExitState.swift).
    var exit = ExitState()
    public var targets: [Node] = []
    /// The commands sent through Run Command: `$cmd`, their nodes and timeouts.
    var ledger = CommandLedger()
    /// Nodes seen so far and recent resolutions of target words.
    var nodeDirectory = NodeDirectory()
    /// Running forwards by id.
    var forwards = ForwardRegistry()
    /// Interactive: errors do not stop anything, unknown variables still are errors.
    public var interactive = false
    /// How many `source`s are running inside each other (SourceCommand's limit).
    var sourceDepth = 0
    /// The prompt's lines, for `history` and `policy` (PromptHistory.swift).
    public var history = PromptHistory()
    /// Clocks, files, processes and the terminal, made once at start and passed in.
    public var services: SystemServices
    /// Time for `sleep` and `wait`, passed in so their arithmetic can be tested.
    public var clock: any WallClock {
        get { services.wallClock }
        set { services.wallClock = newValue }
    }
    /// Set by SIGINT while a long command (wait, sleep) runs.
    public var interrupted: @Sendable () -> Bool = { false }

    public init(
        console: any Console, options: GlobalOptions, environment: Environment, services: SystemServices,
        fleetFactory: @escaping (GlobalOptions) throws -> any FleetAPI
    ) {
        self.console = console
        self.services = services
        context = ShellContext(options: options, environment: environment)
        self.fleetFactory = fleetFactory
        settings = ShellSettings(options: options, stdoutIsTerminal: console.stdoutIsTerminal, environment: environment)
    }

    // MARK: shorthands for the context's options and environment, and what they resolve to

    public var options: GlobalOptions {
        get { context.options }
        set { context.options = newValue }
    }
    public var environment: Environment { context.environment }
    var currentProfile: String { context.profile }
    var currentRegion: String? { context.region(fileSystem: services.fileSystem) }

    /// The settings the AWS side would use (for `use` and the prompt), without network.
    func fleetSettings() throws -> AWSSettings { try context.settings(fileSystem: services.fileSystem) }

    /// A table in the output format the settings say, coloured when they say so.
    func print(_ table: Table) {
        console.out(table.render(settings.outputFormat, color: settings.color))
    }

    /// The AWS side of the context's first pair (the only one, unless several are in use),
    /// built on first use (ContextFleets.swift has the others).
    func fleet() throws -> any FleetAPI { try fleet(for: nil) }

    /// After `use profile` / `use region` / `use context`: the same words mean other nodes.
    /// The clients are kept by pair, so going back to a pair asks for no MFA code again.
    func resetFleet() {
        pairFleets.forgetSinglePair()
        nodeDirectory.forgetResolutions()
    }

    // MARK: running

    /// Runs a script; returns its exit status. Stops at the first failure unless keep-going.
    @discardableResult
    public func run(_ script: Script) async -> Int32 {
        var remoteFailure = false
        for command in script.commands {
            let status = await execute(command)
            if status == ExitRequest.marker { return exit.exitStatus }
            // Standard output was closed (a pipe to `head` that exited): stop here, as SIGPIPE
            // would have, but cleanly (forwards stopped, sessions terminated).
            if console.isOutputClosed {
                console.err("ssm-shell: standard output was closed; the script stops here\n")
                return 1
            }
            // A remote failure reported by wait or output is data the script goes on to show
            // (run; wait; output shows who failed); the script still ends with status 3
            // (ShellCommand.remoteFailureIsData).
            if status == ExitStatus.remoteFailure, let name = command.name, CommandRegistry.command(named: name)?.remoteFailureIsData == true {
                remoteFailure = true
                continue
            }
            // `try` goes on whatever its command's status (kept in $status).
            if status != 0 && !settings.keepGoing && !interactive && command.name != "try" { return status }
        }
        return remoteFailure && exit.lastStatus == 0 ? ExitStatus.remoteFailure : exit.lastStatus
    }

    /// Parses and runs source text (a file, `-c`, a prompt line).
    public func run(source: String, file: String) async -> Int32 {
        let script: Script
        do {
            script = try Parser.parse(source, file: file)
        } catch {
            console.err("\(error)\n")
            exit.lastStatus = 2
            return 2
        }
        return await run(script)
    }

    /// Runs one command and records `$status`.
    func execute(_ command: Command) async -> Int32 {
        // `try COMMAND`: the inner command is expanded (and may fail) on its own.
        if command.name == "try" {
            guard command.words.count > 1 else {
                exit.lastStatus = report(ShellError.usage("try needs a command, as in: try run false"), at: command.location)
                return exit.lastStatus
            }
            var inner = command
            inner.words.removeFirst()
            inner.location = command.words[1].location
            return await execute(inner)
        }
        let status: Int32
        do {
            // `run` and `!` expand only their options; the rest is text for another shell. So is
            // the value of `connect --command`, which stands as a placeholder until connect reads it.
            let passThrough = PassThrough(command)
            let argv = try expand(passThrough?.optionWords ?? OptionText(command)?.words ?? command.words)
            guard let name = argv.first else { return 0 }
            status = try await dispatch(name: name, arguments: Array(argv.dropFirst()), command: command, text: passThrough?.text)
        } catch let request as ExitRequest {
            exit.requestExit(request.status)
            return ExitRequest.marker
        } catch {
            status = report(error, at: command.location)
        }
        // A command passes on a node's status (connect), which may be anything (ExitStatus.byte).
        exit.lastStatus = ExitStatus.byte(status)
        return exit.lastStatus
    }
}
