public import AWSCore
public import SSMCore

/// Who and where the shell works as (language page, `use`): the global options, as `use profile`
/// and `use region` change them, and the environment they fall back on, as the AWS CLI's do.
public struct ShellContext: Sendable {
    public var options: GlobalOptions
    public let environment: Environment
    /// The pairs of `use profile A,B`, `use region R1,R2` or `use context P@R ...` when there
    /// are two or more; nil: the one pair the options name, as before.
    public var pairs: [ContextPair]?

    public init(options: GlobalOptions, environment: Environment) {
        self.options = options
        self.environment = environment
    }

    /// --profile (or `use profile`), else AWS_PROFILE, AWS_DEFAULT_PROFILE, else "default".
    public var profile: String {
        options.profile ?? environment.nonEmpty("AWS_PROFILE") ?? environment.nonEmpty("AWS_DEFAULT_PROFILE") ?? "default"
    }

    /// The settings the AWS side would use (for `use` and the prompt), read without network.
    public func settings(fileSystem: any FileSystem) throws -> AWSSettings {
        try ConfigLoader.load(
            environment: environment, fileSystem: fileSystem, profile: options.profile,
            region: options.region, endpointURL: options.endpointURL)
    }

    /// --region (or `use region`), else the one the settings name; nil when none is configured.
    public func region(fileSystem: any FileSystem) -> String? {
        options.region ?? (try? settings(fileSystem: fileSystem))?.region
    }
}
