import AWSCore
import SSMCore
import SystemIO

/// Everything a command needs to call AWS, built once from argv, the environment and ~/.aws:
/// the settings, one curl transport, the credential chain behind a refreshing cache, one client.
struct AWSContext {
    let settings: AWSSettings
    let client: AWSClient

    /// - Parameter endpointService: the service id `--endpoint-url` applies to (the AWS CLI's rule:
    ///   the command's own service); the shell's is SSM.
    static func make(
        options: GlobalOptions, environment: Environment, services: SystemServices, log: (any WireLog)?,
        endpointService: String = "SSM", shared: ProfileCredentials? = nil
    ) throws -> AWSContext {
        let fileSystem = services.fileSystem
        let settings = try ConfigLoader.load(
            environment: environment, fileSystem: fileSystem, profile: options.profile,
            region: options.region, endpointURL: options.endpointURL, endpointService: endpointService)
        let transport = CurlHTTPTransport(configuration: .init(caBundle: settings.caBundle, proxy: ProxySettings(environment: environment)))
        var clientOptions = AWSClient.Options(userAgent: "ssm-shell/\(Version.current)")
        clientOptions.maxAttempts = settings.maxAttempts
        clientOptions.monotonic = services.monotonicClock
        clientOptions.timeouts = Self.timeouts(options)
        clientOptions.retryMode = environment.bool("AWS_NEW_RETRIES_2026") == true ? .standard2026 : .classic
        // Adaptive unless retry_mode (AWS_RETRY_MODE) says standard or legacy: the rate limit
        // costs nothing until a throttle, then keeps each pair's client under the rate it was
        // throttled at, so a fan-out of hundreds of calls does not spend its retries in a storm
        // (docs/aws-client.md, "Protocols, errors, retries"). The AWS CLI's default is standard: it makes one call.
        clientOptions.adaptive = (try settings.retryMode() ?? .adaptive) == .adaptive
        let clock = services.wallClock
        let base = AWSClient(settings: settings, transport: transport, clock: clock, credentials: nil, log: log, options: clientOptions)
        // The question is read on a thread of its own, one at a time (QuestionGate).
        let questions = shared?.questions ?? QuestionGate(terminal: services.terminal)
        var chain = DefaultCredentialChain(
            client: base, fileSystem: fileSystem, processRunner: services.processRunner,
            mfaPrompt: { prompt in try await questions.ask(prompt) })
        chain.mfaSessions = shared?.mfaSessions
        // Several regions of one profile share its credentials (`use region R1,R2`).
        let cache = shared?.cache(for: settings.profileName) { CredentialCache(source: chain, clock: clock) } ?? CredentialCache(source: chain, clock: clock)
        return AWSContext(settings: settings, client: base.with(credentials: cache))
    }

    /// `--cli-connect-timeout` and `--cli-read-timeout` over the defaults; the total limit never
    /// cuts what they allow (0 is none, as in the AWS CLI).
    static func timeouts(_ options: GlobalOptions) -> HTTPTimeouts {
        var timeouts = HTTPTimeouts()
        guard options.connectTimeout != nil || options.readTimeout != nil else { return timeouts }
        timeouts.connect = options.connectTimeout ?? timeouts.connect
        timeouts.read = options.readTimeout ?? timeouts.read
        timeouts.total = timeouts.connect == 0 || timeouts.read == 0 ? 0 : max(timeouts.total, timeouts.connect + timeouts.read)
        return timeouts
    }
}
