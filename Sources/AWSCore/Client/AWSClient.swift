import Synchronization

/// Produces credentials for signing; the default chain, a cache, or fixed keys.
public protocol CredentialProvider: Sendable {
    func credentials() async throws -> Credentials
}

/// Fixed credentials (the source of an AssumeRole, tests).
public struct StaticCredentialProvider: CredentialProvider {
    public let value: Credentials
    public init(_ value: Credentials) { self.value = value }
    public func credentials() async throws -> Credentials { value }
}

/// Signs, sends and retries AWS requests. One per shell: its retry quota is client-wide,
/// as botocore's is. Pure of I/O itself: the transport, clock and log are passed in.
public final class AWSClient: Sendable {
    public struct Options: Sendable {
        public var retryMode: RetryMode = .classic
        public var maxAttempts: Int = 3
        public var timeouts = HTTPTimeouts()
        /// Measures the connect budget (ConnectBudget) and the adaptive rate limit; nil: the wall clock.
        public var monotonic: (any MonotonicClock)?
        public var userAgent: String
        /// Uniform in [0, 1): the retry jitter. Tests pin it.
        public var jitter: @Sendable () -> Double = { Double.random(in: 0..<1) }
        /// AWS's adaptive retry mode: a client-side rate limit from the first throttle on
        /// (`ClientRateLimiter`), kept per client.
        public var adaptive = false

        public init(userAgent: String) { self.userAgent = userAgent }
    }

    public let settings: AWSSettings
    public let transport: any HTTPTransport
    public let clock: any WallClock
    public let log: (any WireLog)?
    public let options: Options
    public let credentialProvider: (any CredentialProvider)?
    private let quota = Mutex(RetryQuota())
    /// Made at the first request, so its clock starts then.
    private let limiter = Mutex<ClientRateLimiter?>(nil)

    public init(
        settings: AWSSettings, transport: any HTTPTransport, clock: any WallClock, credentials: (any CredentialProvider)?,
        log: (any WireLog)? = nil, options: Options
    ) {
        self.settings = settings
        self.transport = transport
        self.clock = clock
        self.credentialProvider = credentials
        self.log = log
        self.options = options
    }

    /// The same client with other credentials (an AssumeRole's source) and the same quota rules.
    public func with(credentials: (any CredentialProvider)?) -> AWSClient {
        AWSClient(settings: settings, transport: transport, clock: clock, credentials: credentials, log: log, options: options)
    }

    public var retryQuotaAvailable: Int { quota.withLock { $0.available } }

    public func endpoint(for service: ServiceDescriptor) throws(ConfigurationError) -> ResolvedEndpoint {
        try settings.endpoint(service: service.name, serviceId: service.serviceId)
    }

    // MARK: protocols

    /// Calls a JSON 1.1 operation and returns its output. `idempotent` defaults to what
    /// OperationIdempotency says of the operation.
    public func callJSON(_ service: ServiceDescriptor, _ operation: String, _ input: JSONValue, idempotent: Bool? = nil) async throws -> JSONValue {
        let endpoint = try endpoint(for: service)
        let request = JSONProtocol.request(endpoint: endpoint.url, targetPrefix: service.targetPrefix, operation: operation, input: input)
        let response = try await send(
            request, service: service, operation: operation, signingRegion: endpoint.signingRegion,
            signingName: endpoint.signingName, idempotent: idempotent ?? OperationIdempotency.isIdempotent(operation))
        return try JSONProtocol.parseOutput(response, service: service.name, operation: operation)
    }

    /// Calls a Query (or EC2) action and returns its `<ActionResult>` element.
    public func callQuery(
        _ service: ServiceDescriptor, _ action: String, _ parameters: JSONValue, idempotent: Bool? = nil,
        endpoint explicitEndpoint: ResolvedEndpoint? = nil, signed: Bool = true
    ) async throws -> XMLElement {
        let endpoint = try explicitEndpoint ?? endpoint(for: service)
        let request = QueryProtocol.request(
            endpoint: endpoint.url, action: action, version: service.apiVersion, parameters: parameters,
            flavor: service.wireProtocol == .ec2 ? .ec2 : .query)
        let response = try await send(
            request, service: service, operation: action, signingRegion: endpoint.signingRegion,
            signingName: endpoint.signingName, idempotent: idempotent ?? OperationIdempotency.isIdempotent(action),
            signed: signed)
        return try QueryProtocol.parseOutput(response, action: action, service: service.name)
    }

    /// Sends one S3 request (GetObject, HeadObject, ListObjectsV2) for a bucket and key, to the
    /// configured S3 endpoint (path-style) or AWS's (`S3Endpoint`), signed with S3's rules.
    /// `region` is the bucket's region when known (a command's OutputS3Region), else the client's.
    public func callS3(
        _ operation: String, method: String = "GET", bucket: String, key: String?, query: [(String, String)] = [],
        headers: HTTPHeaders = HTTPHeaders(), region: String? = nil
    ) async throws -> HTTPResponse {
        let configured = try settings.configuredEndpoint(serviceId: ServiceDescriptor.s3.serviceId)
        let endpoint: ResolvedEndpoint
        do {
            endpoint = try S3Endpoint.resolve(
                bucket: bucket, key: key, region: region ?? settings.region, configured: configured,
                useFIPS: configured == nil && settings.useFIPS, useDualStack: configured == nil && settings.useDualStack)
        } catch {
            throw ConfigurationError(description: error.description)
        }
        var url = endpoint.url
        url.query = query.map { (name: $0.0, value: $0.1) }
        return try await send(
            HTTPRequest(method: method, url: url, headers: headers), service: .s3, operation: operation,
            signingRegion: endpoint.signingRegion, signingName: endpoint.signingName, idempotent: true, signerOptions: .s3())
    }

    // MARK: the send loop

    /// Signs (afresh for every attempt), sends, and retries per standard mode. A non-idempotent
    /// call is retried only when the service provably did not take it: a throttling answer, or
    /// a transport failure before a byte of the request was written. When such a call loses its
    /// connection after that, the error says it may have been processed (UncertainOutcomeError).
    public func send(
        _ request: HTTPRequest, service: ServiceDescriptor, operation: String, signingRegion: String,
        signingName: String, idempotent: Bool = true, signed: Bool = true, signerOptions: SigV4Signer.Options = SigV4Signer.Options()
    ) async throws -> HTTPResponse {
        var state = RetryState(mode: options.retryMode, maxAttempts: options.maxAttempts)
        let elapsedClock: @Sendable () -> Double = { [options, clock] in options.monotonic?.seconds() ?? clock.now() }
        var budget = ConnectBudget(limit: options.timeouts.connect, start: elapsedClock())
        while true {
            // Time spent waiting for the rate limit's token is not time spent reaching the
            // endpoint: the connect budget starts that much later (facts21, review of 3999691).
            let waited = try await waitForRateLimit(operation)
            if waited > 0 && !budget.reachedEndpoint { budget = ConnectBudget(limit: budget.limit, start: budget.start + waited) }
            var attempt = request
            attempt.idempotent = idempotent
            attempt.headers.set("User-Agent", options.userAgent)
            var secrets: [String] = []
            if signed {
                guard let provider = credentialProvider else {
                    throw CredentialsError(message: "No credentials are available to sign \(service.name) \(operation).")
                }
                // Nor is resolving credentials (an MFA question, SSO, AssumeRole, a
                // credential_process): typing a code takes longer than the 2 s budget.
                let asked = elapsedClock()
                let credentials = try await provider.credentials()
                let resolving = elapsedClock() - asked
                if resolving > 0 && !budget.reachedEndpoint { budget = ConnectBudget(limit: budget.limit, start: budget.start + resolving) }
                secrets = [credentials.secretAccessKey, credentials.sessionToken].compactMap { $0 }
                SigV4Signer(region: signingRegion, service: signingName, options: signerOptions)
                    .sign(&attempt, credentials: credentials, date: AmzDate(secondsSince1970: clock.now()))
            }
            logRequest(attempt, operation: operation, attemptNumber: state.attempt)
            let started = clock.now()
            let failure: RetryFailure?
            let finalError: any Error
            var retryAfter: Double?
            do {
                var timeouts = options.timeouts
                timeouts.connect = budget.connectTimeout(now: elapsedClock())
                let response = try await transport.send(attempt, timeouts: timeouts)
                budget.answered()
                logResponse(response, operation: operation, seconds: clock.now() - started, bodyIsSecret: Redactor.isTokenRequest(attempt.headers))
                if (200..<300).contains(response.status) {
                    answered(throttled: false)
                    quota.withLock { state.succeeded(quota: &$0) }
                    return response
                }
                let error =
                    service.name == ServiceDescriptor.s3.name
                    ? S3Protocol.parseError(response, operation: operation)
                    : service.wireProtocol == .json
                        ? JSONProtocol.parseError(response, service: service.name, operation: operation)
                        : QueryProtocol.parseError(response, service: service.name, operation: operation)
                let kind = RetryClassifier.classify(status: response.status, code: error.code)
                answered(throttled: kind == .throttling)
                failure = (idempotent || kind == .throttling) ? kind : nil
                retryAfter = response.headers["x-amz-retry-after"].flatMap(Double.init).map { $0 / 1000 }
                var scrubbed = error
                scrubbed.message = Redactor.scrub(error.message, secrets: secrets)
                finalError = scrubbed
            } catch let error as TransportError {
                log?.log("<<< \(operation) failed: \(error)")
                // A TCP connect that completed means the endpoint is there: a slow TLS handshake
                // or proxy gets standard retries, each with the whole connect timeout.
                budget.attemptFailed(connected: error.reachedHost)
                answered(throttled: false)
                if error.kind == .responseTooLarge {
                    // The same answer would come again: never resent.
                    failure = nil
                    finalError = error
                } else {
                    failure = (idempotent || !error.connected) ? RetryClassifier.classify(error) : nil
                    var error = error
                    if error.kind == .timedOut && !error.connected && budget.limit > 0 {
                        // The user's figure, not what was left of it for the last attempt, and
                        // where curl was when the time ran out.
                        let limit = Self.seconds(budget.limit)
                        if error.reachedHost {
                            error.detail = "connected, but \(error.phase ?? "the connection") did not finish within \(limit) s"
                        } else {
                            error.detail = error.phase.map { "\($0) did not finish within \(limit) s" } ?? "no connection within \(limit) s"
                        }
                    }
                    finalError = failure == nil ? UncertainOutcomeError(service: service.name, operation: operation, cause: error) : error
                }
            }
            let decision = quota.withLock { state.failed(failure, quota: &$0, jitter: options.jitter(), retryAfter: retryAfter) }
            guard case .retry(let delay) = decision, budget.allowsRetry(after: delay, now: elapsedClock()) else { throw finalError }
            log?.log("--- \(operation): retrying in \(formatSeconds(delay)) (attempt \(state.attempt) of \(state.maxAttempts))")
            try await clock.sleep(seconds: delay)
        }
    }

    /// "2", "0.5": a limit as the user wrote it.
    static func seconds(_ value: Double) -> String {
        value == value.rounded() && value < 1e9 ? String(Int(value)) : String(value)
    }

    // MARK: adaptive mode

    private func rateClockNow() -> Double { options.monotonic?.seconds() ?? clock.now() }

    /// In adaptive mode, once throttled: waits for the rate limit's token before an attempt.
    /// Returns the seconds waited.
    private func waitForRateLimit(_ operation: String) async throws -> Double {
        guard options.adaptive else { return 0 }
        let now = rateClockNow()
        let delay = limiter.withLock { limiter in
            if limiter == nil { limiter = ClientRateLimiter(now: now) }
            return limiter!.beforeSending(now: now)
        }
        guard delay > 0 else { return 0 }
        log?.log("--- \(operation): waiting \(formatSeconds(delay)) for the client's rate limit (adaptive retry mode)")
        do {
            try await clock.sleep(seconds: delay)
        } catch {
            // Cancelled while waiting: the token it was owed goes back (ClientTokenBucket.refund).
            let now = rateClockNow()
            limiter.withLock { $0?.cancelledWhileWaiting(now: now) }
            throw error
        }
        return delay
    }

    /// In adaptive mode: every answer sets the rate limit (a throttle cuts it).
    private func answered(throttled: Bool) {
        guard options.adaptive else { return }
        let now = rateClockNow()
        limiter.withLock { limiter in
            if limiter == nil { limiter = ClientRateLimiter(now: now) }
            limiter!.answered(throttled: throttled, now: now)
        }
    }

    /// The rate limit's state (adaptive mode; nil before the first request), for tests and `--debug`.
    public var rateLimiter: ClientRateLimiter? { limiter.withLock { $0 } }

    private func logRequest(_ request: HTTPRequest, operation: String, attemptNumber: Int) {
        logMessage(">>> \(operation) attempt \(attemptNumber): \(request.method) \(Redactor.url(request.url))", request.headers, request.body)
    }

    private func logResponse(_ response: HTTPResponse, operation: String, seconds: Double, bodyIsSecret: Bool) {
        logMessage(
            "<<< \(operation): HTTP \(response.status) in \(formatSeconds(seconds))", response.headers, response.body,
            bodyIsSecret: bodyIsSecret && (200..<300).contains(response.status))
    }

    /// One wire-log entry: the first line, then every header and the body, redacted. The first line
    /// is built only when there is a log: without `--debug` no request pays for the URL's redaction.
    private func logMessage(
        _ firstLine: @autoclosure () -> String, _ headers: HTTPHeaders, _ body: [UInt8], bodyIsSecret: Bool = false
    ) {
        guard let log else { return }
        var lines = [firstLine()]
        for field in headers { lines.append("    " + Redactor.header(field.name, field.value)) }
        let text = bodyIsSecret ? (body.isEmpty ? "" : "\(Redactor.mask) (\(body.count) bytes)") : Redactor.body(body, contentType: headers["Content-Type"])
        if !text.isEmpty { lines.append("    " + text) }
        log.log(lines.joined(separator: "\n"))
    }
}

func formatSeconds(_ seconds: Double) -> String {
    // Clock differences and retry delays: never negative, NaN or beyond a year in practice, but
    // a log line must not trap if one is.
    let ms = seconds > 0 ? Int((min(seconds, 31_536_000) * 1000).rounded()) : 0
    return ms < 1000 ? "\(ms) ms" : "\(ms / 1000).\(String(ms % 1000 / 100)) s"
}

/// Credentials could not be found or fetched. The message says what to do.
public struct CredentialsError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
