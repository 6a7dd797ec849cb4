/// EC2 instance-role credentials through IMDSv2 (aws-client spec section 2, step 11).
public enum IMDSCredentials {
    /// The IMDS base URL: the endpoint setting (environment, then profile), else by mode.
    public static func baseURL(environment: Environment, profile: Profile) throws(CredentialsError) -> String {
        if let endpoint = environment.nonEmpty("AWS_EC2_METADATA_SERVICE_ENDPOINT") ?? profile.nonEmpty("ec2_metadata_service_endpoint") {
            do { _ = try EndpointURL(parsing: endpoint) } catch {
                throw CredentialsError(message: "The IMDS endpoint \(endpoint) is not a valid URI; use http://host[:port].")
            }
            return endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        }
        let mode = environment.nonEmpty("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE") ?? profile.nonEmpty("ec2_metadata_service_endpoint_mode") ?? "IPv4"
        switch mode.lowercased() {
        case "ipv4": return "http://169.254.169.254"
        case "ipv6": return "http://[fd00:ec2::254]"
        default: throw CredentialsError(message: "ec2_metadata_service_endpoint_mode \(mode) is invalid: use IPv4 or IPv6.")
        }
    }

    static func isDisabled(_ environment: Environment) -> Bool {
        environment.bool("AWS_EC2_METADATA_DISABLED") == true
    }

    static let service = ServiceDescriptor(name: "imds", serviceId: "IMDS", wireProtocol: .json, targetPrefix: "", apiVersion: "")

    /// `AWS_METADATA_SERVICE_TIMEOUT` in seconds, botocore's default 1. A value that is not a
    /// number above 0 and at most an hour (`inf`, `nan`, `-1`) is a mistake to report, not a wait
    /// of forever or a trap when it becomes curl's milliseconds.
    static func timeout(environment: Environment) throws -> Double {
        guard let text = environment.nonEmpty("AWS_METADATA_SERVICE_TIMEOUT") else { return 1 }
        guard let seconds = Double(text.trimmingWhitespace()), seconds > 0, seconds <= 3600 else {
            throw CredentialsError(
                message: "AWS_METADATA_SERVICE_TIMEOUT is '\(text)': set it to a number of seconds above 0 and at most 3600 (the default is 1).")
        }
        return seconds
    }

    /// Returns nil when there is no instance role (IMDS answers 404) or IMDS cannot be reached.
    static func fetch(client: AWSClient) async throws -> Credentials? {
        let environment = client.settings.environment
        guard !isDisabled(environment) else { return nil }
        let base = try baseURL(environment: environment, profile: client.settings.profile)
        // botocore's 1 s default timeout; HTTP 5xx answers are retried (a server is there), a
        // missing server is not, so machines off EC2 do not wait.
        var options = client.options
        options.maxAttempts = 1
        let limit = try Self.timeout(environment: environment)
        options.timeouts = HTTPTimeouts(connect: limit, total: limit * 2)
        let imds = AWSClient(settings: client.settings, transport: client.transport, clock: client.clock, credentials: nil, log: client.log, options: options)

        func call(_ method: String, _ path: String, headers: [(String, String)]) async throws -> HTTPResponse? {
            var request = HTTPRequest(method: method, url: try EndpointURL(parsing: base + path))
            for (k, v) in headers { request.headers.add(k, v) }
            for attempt in 1...3 {
                do {
                    return try await imds.send(
                        request, service: service, operation: "IMDS \(method) \(path)", signingRegion: "", signingName: "", signed: false)
                } catch let error as AWSServiceError {
                    if error.status >= 500 && attempt < 3 { continue }
                    return HTTPResponse(status: error.status)
                } catch is TransportError {
                    return nil
                }
            }
            return nil
        }

        var tokenHeader: [(String, String)] = []
        guard let tokenResponse = try await call("PUT", "/latest/api/token", headers: [("x-aws-ec2-metadata-token-ttl-seconds", "21600")]) else { return nil }
        switch tokenResponse.status {
        case 200: tokenHeader = [("x-aws-ec2-metadata-token", tokenResponse.bodyText.trimmingWhitespace())]
        case 403, 404, 405:
            // IMDSv1 fallback, unless v1 is switched off.
            if environment.bool("AWS_EC2_METADATA_V1_DISABLED") == true || client.settings.profile.bool("ec2_metadata_v1_disabled") == true {
                throw CredentialsError(message: "IMDS refused a session token (HTTP \(tokenResponse.status)) and IMDSv1 is disabled: request forbidden.")
            }
        default:
            throw CredentialsError(message: "IMDS answered the token request with HTTP \(tokenResponse.status).")
        }
        guard let roleResponse = try await call("GET", "/latest/meta-data/iam/security-credentials/", headers: tokenHeader),
            roleResponse.status == 200
        else { return nil }
        guard let role = roleResponse.bodyText.split(separator: "\n").first.map({ String($0).trimmingWhitespace() }), !role.isEmpty else { return nil }
        guard let credentialResponse = try await call("GET", "/latest/meta-data/iam/security-credentials/\(role)", headers: tokenHeader),
            credentialResponse.status == 200
        else {
            throw CredentialsError(message: "IMDS did not return credentials for the instance role \(role).")
        }
        guard let json = try? JSONValue(parsing: credentialResponse.body), let key = json["AccessKeyId"]?.string,
            let secret = json["SecretAccessKey"]?.string
        else {
            throw CredentialsError(message: "IMDS returned credentials for \(role) that could not be read.")
        }
        return Credentials(
            accessKeyId: key, secretAccessKey: secret, sessionToken: json["Token"]?.string,
            expiration: json["Expiration"]?.string.flatMap(CivilTime.parseISO8601), source: "EC2 instance role \(role)")
    }
}
