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
    /// The words `use` resolved `targets` from (`run` sends only-tag words by Targets).
    var targetWords: [String] = []
    /// The commands sent through Run Command: `$cmd`, their nodes and timeouts.
    var ledger = CommandLedger()
    /// Nodes seen so far and recent resolutions of target words.
    var nodeDirectory = NodeDirectory()
    /// Running forwards by id.
    var forwards = ForwardRegistry()
    /// What `def` made (Procedures.swift).
    var procedures = Procedures()
    /// Interactive: errors do not stop anything, unknown variables still are errors.
    public var interactive = false
    /// How many commands that look at a failure rather than stop on it (`try`) are running
    /// around the current one: a failing `wait` stops the script only at 0 (FailureStop.swift).
    var failureHandled = 0
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

    /// Runs a script; returns its exit status. Stops at the first failure unless keep-going
    /// (the statements' rules are in Shell+Statements.swift).
    @discardableResult
    public func run(_ script: Script) async -> Int32 {
        if procedures.depth == 0 && sourceDepth == 0 { procedures.runaway = false }
        var progress = BlockRun()
        switch await run(script.statements, &progress) {
        case .exited: return exit.exitStatus
        case .stopped(let status): return status
        // The parser keeps break, continue and return inside their blocks.
        case .finished, .broke, .continued, .returned:
            return progress.endStatus(exit.lastStatus)
        }
    }

    /// Parses and runs source text (a file, `-c`, a prompt line).
    public func run(source: String, file: String) async -> Int32 {
        let script: Script
        do {
            script = try Parser.parse(source, file: file, commandNames: Set(CommandRegistry.names))
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
                exit.lastRefused = true
                return exit.lastStatus
            }
            var inner = command
            inner.words.removeFirst()
            inner.location = command.words[1].location
            failureHandled += 1
            defer { failureHandled -= 1 }
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
            exit.lastRefused = (error as? ShellError)?.status == ExitStatus.usage || error is Diagnostic
            exit.lastStatus = ExitStatus.byte(status)
            return exit.lastStatus
        }
        exit.lastRefused = false
        // A command passes on a node's status (connect), which may be anything (ExitStatus.byte).
        exit.lastStatus = ExitStatus.byte(status)
        return exit.lastStatus
    }
}
