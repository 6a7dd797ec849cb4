import AWSCore
import SSMCore
import SystemIO

/// Entry point of the executable: global options, then `api`, a script, `-c`, stdin, or the prompt.
public enum Launcher {
    /// - Parameter services: the machine (clocks, files, processes, terminal), made once by main.
    public static func run(arguments: [String], services: SystemServices) async -> Int32 {
        BrokenPipe.ignoreSignal()
        let options: GlobalOptions
        do {
            options = try GlobalOptions.parse(arguments)
        } catch {
            StandardStreams.writeError("ssm-shell: \(error)\nRun 'ssm-shell --help' for usage.\n")
            return ExitStatus.usage
        }
        if options.showVersion {
            StandardStreams.writeOutput(Version.line())
            return ExitStatus.success
        }
        if options.showHelp {
            StandardStreams.writeOutput(HelpText.usage)
            return ExitStatus.success
        }
        if options.showManual {
            StandardStreams.writeOutput(ManualPage.text)
            return ExitStatus.success
        }
        if let shell = options.completionShell.flatMap(CompletionScript.Shell.init(rawValue:)) {
            StandardStreams.writeOutput(CompletionScript.text(for: shell))
            return ExitStatus.success
        }
        let environment = ProcessEnvironment.current()
        if options.listProfiles {
            // What Tab offers after --profile: the files and the environment the shell reads.
            do {
                let profiles = try CompletionScript.profiles(environment: environment, fileSystem: services.fileSystem)
                StandardStreams.writeOutput(profiles.map { $0 + "\n" }.joined())
                return ExitStatus.success
            } catch {
                return report(error)
            }
        }
        let log: (any WireLog)? = options.debug ? StandardErrorLog() : nil
        if options.commands == nil, options.rest.first == "api" {
            do {
                let service = options.rest.dropFirst().first.flatMap { APICommand.services[$0.lowercased()] }
                let context = try AWSContext.make(
                    options: options, environment: environment, services: services, log: log,
                    endpointService: service?.serviceId ?? "SSM")
                let output = try await APICommand.run(Array(options.rest.dropFirst()), context: context)
                StandardStreams.writeOutput(output.serialized + "\n")
                return ExitStatus.success
            } catch {
                return report(error)
            }
        }

        let credentials = ProfileCredentials(questions: QuestionGate(terminal: services.terminal))
        let shell = Shell(
            console: ProcessConsole(terminal: services.terminal), options: options, environment: environment,
            services: services
        ) { options in
            AWSFleetAPI(client: try AWSContext.make(options: options, environment: environment, services: services, log: log, shared: credentials).client)
        }
        Interrupts.install()
        shell.interrupted = { Interrupts.take() }

        // `ssm-shell proxy TARGET [PORT]` (ssh's ProxyCommand), `ssm-shell policy FILE`, `doctor`,
        // `console`: one command without a script around it. These words are always the commands,
        // even when the current directory has a file of that name: ssh runs ProxyCommand wherever
        // the user is, and a file in an untrusted checkout must not run. Such a script runs as `./proxy`.
        if options.commands == nil, let first = options.rest.first, CommandRegistry.runAlone.contains(first) {
            let words = options.rest.map { "'" + $0.replacing("'", with: "'\\''") + "'" }.joined(separator: " ")
            return await finish(await shell.run(source: words, file: "proxy"), shell)
        }
        // init.ssm before a script only when asked (--init): a script should not depend on one
        // person's set-up. One that fails stops ssm-shell before the script: it may have been
        // meant to choose the profile the script acts in.
        if options.runInit, let status = await InitScript.run(in: shell), status != 0 || shell.exit.exitRequested {
            return await finish(status, shell)
        }
        if let commands = options.commands {
            shell.variables.arguments = options.rest
            return await finish(await shell.run(source: commands, file: "-c"), shell)
        }
        if let file = options.rest.first, file != "-" {
            shell.variables.arguments = Array(options.rest.dropFirst())
            shell.variables["0"] = file
            let bytes: [UInt8]?
            do { bytes = try services.fileSystem.contents(of: file) } catch {
                StandardStreams.writeError("ssm-shell: cannot read \(file): \(error)\n")
                return ExitStatus.usage
            }
            guard let bytes else {
                StandardStreams.writeError("ssm-shell: \(file): no such file. Give a script file, -c 'COMMANDS', or no argument for the prompt.\n")
                return ExitStatus.usage
            }
            return await finish(await shell.run(source: String(decoding: bytes, as: UTF8.self), file: file), shell)
        }
        if options.rest.first == "-" || !services.terminal.isTerminal(.input) {
            shell.variables.arguments = Array(options.rest.dropFirst())
            let bytes = await onDedicatedThread { StandardStreams.readAllInput() }
            return await finish(await shell.run(source: String(decoding: bytes, as: UTF8.self), file: "-"), shell)
        }
        // Before the prompt, unless --no-init; an error in it is reported and the prompt starts.
        if !options.noInit && !options.runInit {
            _ = await InitScript.run(in: shell)
            if shell.exit.exitRequested { return await finish(shell.exit.exitStatus, shell) }
        }
        let status = await Prompt(shell: shell).run()
        await shell.stopAllForwards()
        return status
    }

    static func finish(_ status: Int32, _ shell: Shell) async -> Int32 {
        await shell.stopAllForwards()
        if shell.exit.exitRequested { return shell.exit.exitStatus }
        return status
    }

    /// Prints an error as a sentence and picks the exit status the AWS CLI would use (`api`).
    static func report(_ error: any Error) -> Int32 {
        StandardStreams.writeError("ssm-shell: \(error)\n")
        switch error {
        case is AWSServiceError: return ExitStatus.serviceError
        case is ConfigurationError, is CredentialsError: return ExitStatus.configError
        case is APICommand.UsageError: return ExitStatus.usage
        default: return ExitStatus.failure
        }
    }

    /// Process-wide set-up that must come before anything else: main.swift's first call.
    public static func prepareProcess() { ProcessEnvironment.prepare() }

    public static func exit(_ status: Int32) -> Never { ProcessEnvironment.exit(status) }

    /// main.swift's body after `prepareProcess`: `program` runs on the concurrency pool and the
    /// process exits with its status while the main thread waits. Not a top-level `await`: an async
    /// main parks the main thread in dispatch_main(), whose pthread_exit unwinds the main stack
    /// through the binary's unwind tables, half a megabyte made resident in every session (issue 17,
    /// docs/benchmarks.md "Where an idle session's memory goes").
    public static func runToExit(_ program: @escaping @Sendable () async -> Int32) -> Never {
        Task.detached { Self.exit(await program()) }
        ProcessEnvironment.waitForExit()
    }

}

/// Exit statuses: the language page's for the shell, the AWS CLI's for `api`.
public enum ExitStatus {
    public static let success: Int32 = 0
    public static let failure: Int32 = 1
    public static let usage: Int32 = 2
    public static let remoteFailure: Int32 = 3
    public static let interrupted: Int32 = 130
    public static let serviceError: Int32 = 254
    public static let configError: Int32 = 253

    /// A process status is one byte. A node's status beyond it (a Windows NTSTATUS code, a
    /// forged exit marker) is a failure: never the 0 that `exit(256)` would leave.
    public static func byte(_ status: Int32) -> Int32 { (0...255).contains(status) ? status : 255 }
}
