public import AWSCore
import Glibc
public import ShellLanguage
public import SSMCore
import SystemIO

/// The interpreter: the context of the session (profile, region, targets, variables, settings)
/// and the loop that expands and runs commands. One per process; not shared across tasks.
public final class Shell {
    public let console: any Console
    public var options: GlobalOptions
    public let environment: Environment
    let fleetFactory: (GlobalOptions) throws -> any FleetAPI
    private var cachedFleet: (any FleetAPI)?

    public var variables: [String: String] = [:]
    public var arguments: [String] = []
    public var outputFormat: OutputFormat
    public var color: Bool
    public var keepGoing = false
    public var lastStatus: Int32 = 0
    public var targets: [Node] = []
    /// `$cmd`: the ids of the last `run` (several when it was split by platform or in batches of 50).
    public var lastCommands: [String] = []
    /// What each command was sent to, for `wait` and `output`.
    var commandTargets: [String: [Node]] = [:]
    /// The executionTimeout each command was sent with, for "timed out after N".
    var executionTimeouts: [String: Int] = [:]
    /// Nodes seen so far and recent resolutions of target words.
    var nodeDirectory = NodeDirectory()
    /// Running forwards by id.
    var forwards: [Int: RunningForward] = [:]
    var nextForwardId = 1
    /// Interactive: errors do not stop anything, unknown variables still are errors.
    public var interactive = false
    public var history: [String] = []
    /// Time for `sleep` and `wait`, passed in so their arithmetic can be tested.
    public var clock: any WallClock = SystemClock()
    /// Set by SIGINT while a long command (wait, sleep) runs.
    public var interrupted: @Sendable () -> Bool = { false }

    public init(console: any Console, options: GlobalOptions, environment: Environment,
                fleetFactory: @escaping (GlobalOptions) throws -> any FleetAPI) {
        self.console = console
        self.options = options
        self.environment = environment
        self.fleetFactory = fleetFactory
        outputFormat = options.output ?? (console.stdoutIsTerminal ? .table : .text)
        color = console.stdoutIsTerminal && environment["NO_COLOR"] == nil && !options.noColor
    }

    /// The AWS side, built on first use and again after `use profile` / `use region`.
    func fleet() throws -> any FleetAPI {
        if let cachedFleet { return cachedFleet }
        let fleet = try fleetFactory(options)
        cachedFleet = fleet
        return fleet
    }

    func resetFleet() {
        cachedFleet = nil
        nodeDirectory.forgetResolutions()
    }

    // MARK: running

    /// Runs a script; returns its exit status. Stops at the first failure unless keep-going.
    @discardableResult
    public func run(_ script: Script) async -> Int32 {
        var remoteFailure = false
        for command in script.commands {
            let status = await execute(command)
            if status == ExitRequest.marker { return exitStatus }
            // Standard output was closed (a pipe to `head` that exited): stop here, as SIGPIPE
            // would have, but cleanly (forwards stopped, sessions terminated).
            if Output.isStandardOutputClosed {
                console.err("ssm-shell: standard output was closed; the script stops here\n")
                return 1
            }
            // A remote failure reported by wait or output is data the script goes on to show
            // (run; wait; output shows who failed); the script still ends with status 3.
            if status == ExitStatus.remoteFailure && ["wait", "output"].contains(command.name) {
                remoteFailure = true
                continue
            }
            // `try` goes on whatever its command's status (kept in $status).
            if status != 0 && !keepGoing && !interactive && command.name != "try" { return status }
        }
        return remoteFailure && lastStatus == 0 ? ExitStatus.remoteFailure : lastStatus
    }

    /// Parses and runs source text (a file, `-c`, a prompt line).
    public func run(source: String, file: String) async -> Int32 {
        let script: Script
        do {
            script = try Parser.parse(source, file: file)
        } catch {
            console.err("\(error)\n")
            lastStatus = 2
            return 2
        }
        return await run(script)
    }

    var exitStatus: Int32 = 0
    var exitRequested = false

    /// Runs one command and records `$status`.
    func execute(_ command: Command) async -> Int32 {
        // `try COMMAND`: the inner command is expanded (and may fail) on its own.
        if command.name == "try" {
            guard command.words.count > 1 else {
                lastStatus = report(ShellError.usage("try needs a command, as in: try run false"), at: command.location)
                return lastStatus
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
            exitRequested = true
            exitStatus = request.status
            lastStatus = request.status
            return ExitRequest.marker
        } catch {
            status = report(error, at: command.location)
        }
        // A command passes on a node's status (connect), which may be anything (ExitStatus.byte).
        lastStatus = ExitStatus.byte(status)
        return lastStatus
    }

    /// Prints an error as the language page says: `FILE:LINE: message` in scripts.
    func report(_ error: any Error, at location: SourceLocation) -> Int32 {
        let (message, status) = describe(error)
        let prefix = interactive ? "" : "\(location.file):\(location.line): "
        console.err(prefix + message + "\n")
        return status
    }

    func describe(_ error: any Error) -> (String, Int32) {
        switch error {
        case let e as ShellError: return (e.message, e.status)
        case let e as Diagnostic: return (e.description, 2)
        case let e as AWSServiceError:
            if e.isAccessDenied {
                let action = Self.refusedAction(e)
                return ("\(e.description)\nssm-shell needs \(action) for this. Add this statement to your IAM policy:\n\(IAMActions.statement(for: action))", 1)
            }
            return (e.description, 1)
        default: return ("\(error)", 1)
        }
    }

    /// The IAM action named in an AccessDenied message, else the operation's.
    static func refusedAction(_ error: AWSServiceError) -> String {
        if let range = error.message.firstRange(of: "perform: ") {
            let rest = error.message[range.upperBound...]
            let action = rest.prefix { !$0.isWhitespace }
            if action.contains(":") { return String(action) }
        }
        return IAMActions.byOperation[error.operation] ?? "ssm:\(error.operation)"
    }

    // MARK: expansion (language page, section 2)

    func expand(_ words: [Word]) throws -> [String] {
        var argv: [String] = []
        for word in words {
            if word.parts == [.allArguments] {
                argv += arguments
                continue
            }
            argv.append(try expand(word.parts, at: word.location))
        }
        return argv
    }

    func expandHereDocument(_ doc: HereDocument) throws -> String { try expand(doc.body, at: doc.location) }

    /// Word parts to text: `$@` inside a larger word joins the arguments with spaces.
    func expand(_ parts: [WordPart], at location: SourceLocation) throws -> String {
        var text = ""
        for part in parts {
            switch part {
            case .literal(let s): text += s
            case .variable(let name): text += try value(of: name, at: location)
            case .allArguments: text += arguments.joined(separator: " ")
            case .argumentCount: text += String(arguments.count)
            }
        }
        return text
    }

    func value(of name: String, at location: SourceLocation) throws -> String {
        if let value = try ownValue(of: name) { return value }
        if let value = environment[name] { return value }
        let known = Array(variables.keys) + Self.readOnlyVariables + Self.commandSetVariables
        let hint = Suggest.closest(name, in: known).map { "; did you mean $\($0)?" } ?? ""
        throw ShellError.usage("$\(name) is not set\(hint)")
    }

    /// The shell's own value for a name (`set` names, `$1`..., `$status`, `$targets`...), nil
    /// when the shell has none; an argument number beyond the script's is an error.
    /// Computed from the shell's state on every read; `set` refuses them (docs/language.md, Variables).
    static let readOnlyVariables = ["status", "cmd", "targets", "target", "profile", "region"]
    /// Set by commands as they run: `connect` and `forward` set $session, `forward` sets $port.
    static let commandSetVariables = ["session", "port"]

    func ownValue(of name: String) throws -> String? {
        if let n = Int(name) {
            guard n >= 1, n <= arguments.count else {
                if n == 0 { return variables["0"] ?? "ssm-shell" }
                throw ShellError.usage("$\(name) is not set: the script has \(arguments.count) argument\(arguments.count == 1 ? "" : "s")")
            }
            return arguments[n - 1]
        }
        switch name {
        case "status": return String(lastStatus)
        case "cmd": return lastCommands.joined(separator: ",")
        case "profile": return currentProfile
        case "region": return currentRegion ?? ""
        case "targets": return targets.map(\.shortLabel).joined(separator: " ")
        case "target": return targets.first.map(\.id) ?? ""
        default: break
        }
        return variables[name]
    }

    var currentProfile: String {
        options.profile ?? environment.nonEmpty("AWS_PROFILE") ?? environment.nonEmpty("AWS_DEFAULT_PROFILE") ?? "default"
    }

    var currentRegion: String? {
        options.region ?? (try? fleetSettings())?.region
    }

    /// The settings the AWS side would use (for `use` and the prompt), without network.
    func fleetSettings() throws -> AWSSettings {
        try ConfigLoader.load(environment: environment, fileSystem: LocalFileSystem(), profile: options.profile,
                              region: options.region, endpointURL: options.endpointURL)
    }
}

/// `exit` unwinds to the top with its status.
struct ExitRequest: Error {
    static let marker: Int32 = -999
    let status: Int32
}

/// "Did you mean": the closest candidate within a small edit distance.
public enum Suggest {
    public static func closest(_ word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance($0, word)) }.filter { $0.1 <= max(2, word.count / 3) }
        return scored.min { $0.1 < $1.1 }?.0
    }
}
