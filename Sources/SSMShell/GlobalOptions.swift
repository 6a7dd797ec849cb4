/// The options that come before a script, `-c` or a built-in, as `aws` spells them where they
/// overlap (language page, section 1).
public struct GlobalOptions: Sendable, Equatable {
    public var profile: String?
    public var region: String?
    public var endpointURL: String?
    public var output: OutputFormat?
    /// `--cli-connect-timeout` / `--cli-read-timeout`, seconds, 0 for none (the AWS CLI's global
    /// options; nil: HTTPTimeouts' defaults, 2 s to connect and 60 s to read).
    public var connectTimeout: Double?
    public var readTimeout: Double?
    public var noColor = false
    public var quiet = false
    public var debug = false
    public var showHelp = false
    public var showVersion = false
    /// `--man`, `--completion SHELL`, `--list-profiles`: the install's pieces, printed (Install/).
    public var showManual = false
    public var completionShell: String?
    public var listProfiles = false
    /// `--init`: run init.ssm before a script or `-c` too; `--no-init`: not before the prompt
    /// either (InitScript.swift).
    public var runInit = false
    public var noInit = false
    /// `-c 'COMMANDS'`.
    public var commands: String?
    /// What is left after the options: a script file (or `-`) and its arguments, or `api ...`.
    public var rest: [String] = []

    public init() {}

    public struct UsageError: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    static let valued = [
        "--profile", "--region", "--endpoint-url", "--output", "--cli-connect-timeout", "--cli-read-timeout", "--completion",
    ]
    static let flags = ["--help", "-h", "--version", "--debug", "--no-color", "--quiet", "--init", "--no-init", "-c", "--man", "--list-profiles"]

    public static func parse(_ arguments: [String]) throws(UsageError) -> GlobalOptions {
        var options = GlobalOptions()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            var name = argument
            var inlineValue: String?
            if argument.hasPrefix("--"), let eq = argument.firstIndex(of: "=") {
                name = String(argument[..<eq])
                inlineValue = String(argument[argument.index(after: eq)...])
            }
            func take() throws(UsageError) -> String {
                if let inlineValue {
                    guard !inlineValue.isEmpty else { throw UsageError(description: "\(name) needs a value") }
                    return inlineValue
                }
                index += 1
                guard index < arguments.count, !arguments[index].isEmpty else { throw UsageError(description: "\(name) needs a value") }
                return arguments[index]
            }
            switch name {
            case "--help", "-h": options.showHelp = true
            case "--version": options.showVersion = true
            case "--man": options.showManual = true
            case "--list-profiles": options.listProfiles = true
            case "--completion":
                let value = try take()
                guard CompletionScript.Shell(rawValue: value) != nil else {
                    throw UsageError(description: "--completion takes bash, zsh or fish, not \(value)")
                }
                options.completionShell = value
            case "--debug": options.debug = true
            case "--no-color": options.noColor = true
            case "--quiet": options.quiet = true
            case "--init", "--no-init":
                if name == "--init" { options.runInit = true } else { options.noInit = true }
                guard !(options.runInit && options.noInit) else { throw UsageError(description: "--init and --no-init contradict each other; give one") }
            case "--profile": options.profile = try take()
            case "--region": options.region = try take()
            case "--endpoint-url": options.endpointURL = try take()
            case "--cli-connect-timeout", "--cli-read-timeout":
                let value = try take()
                guard let seconds = Double(value), seconds.isFinite, (0...86_400).contains(seconds) else {
                    throw UsageError(description: "\(name) takes seconds from 0 (no limit) to 86400, not \(value)")
                }
                if name == "--cli-connect-timeout" { options.connectTimeout = seconds } else { options.readTimeout = seconds }
            case "--output":
                let value = try take()
                guard let format = OutputFormat(rawValue: value) else { throw UsageError(description: "--output takes table, text or json, not \(value)") }
                options.output = format
            case "-c":
                index += 1
                guard index < arguments.count else { throw UsageError(description: "-c needs the commands to run, as in -c 'use all; instances'") }
                options.commands = arguments[index]
                options.rest = Array(arguments[(index + 1)...])
                return options
            case "--":
                options.rest = Array(arguments[(index + 1)...])
                return options
            default:
                if argument.hasPrefix("-") && argument != "-" {
                    let hint = (valued + flags).min { editDistance($0, name) < editDistance($1, name) }.map { " Did you mean \($0)?" } ?? ""
                    throw UsageError(description: "unknown option \(name).\(hint)")
                }
                options.rest = Array(arguments[index...])
                return options
            }
            index += 1
        }
        return options
    }
}
