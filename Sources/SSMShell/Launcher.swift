import AWSCore
import Glibc
import SystemIO

/// Entry point of the executable: parses the global options and runs what they ask for.
public enum Launcher {
    public static func run(arguments: [String]) async -> Int32 {
        let options: GlobalOptions
        do {
            options = try GlobalOptions.parse(arguments)
        } catch {
            Output.standardError("ssm-shell: \(error)\nRun 'ssm-shell --help' for usage.\n")
            return ExitStatus.usage
        }
        if options.showVersion {
            Output.standardOutput("ssm-shell \(Version.current)\n")
            return ExitStatus.success
        }
        if options.showHelp {
            Output.standardOutput(HelpText.usage)
            return ExitStatus.success
        }
        guard options.rest.first == "api" else {
            Output.standardError("ssm-shell: the command language arrives with issue 4; this build answers --help, --version and 'api' only.\n")
            return ExitStatus.usage
        }
        let environment = ProcessEnvironment.current()
        do {
            let context = try AWSContext.make(options: options, environment: environment, log: options.debug ? StandardErrorLog() : nil)
            let output = try await APICommand.run(Array(options.rest.dropFirst()), context: context)
            Output.standardOutput(output.serialized + "\n")
            return ExitStatus.success
        } catch {
            return report(error)
        }
    }

    /// Prints an error as a sentence and picks the exit status the AWS CLI would use.
    static func report(_ error: any Error) -> Int32 {
        Output.standardError("ssm-shell: \(error)\n")
        switch error {
        case is AWSServiceError: return ExitStatus.serviceError
        case is ConfigurationError, is CredentialsError: return ExitStatus.configError
        case is APICommand.UsageError: return ExitStatus.usage
        default: return ExitStatus.failure
        }
    }

    public static func exit(_ status: Int32) -> Never { Glibc.exit(status) }
}

/// Exit statuses, following the AWS CLI where they overlap (language page, "Exit status").
public enum ExitStatus {
    public static let success: Int32 = 0
    public static let failure: Int32 = 1
    public static let usage: Int32 = 2
    public static let serviceError: Int32 = 254
    public static let configError: Int32 = 253
}

/// Writes straight to the file descriptors: no buffering surprises when the process exits.
enum Output {
    static func standardOutput(_ text: String) { write(fd: 1, text) }
    static func standardError(_ text: String) { write(fd: 2, text) }

    private static func write(fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}
