/// What the AWS CLI reads from its command line, environment and files, resolved once:
/// the profile, region, configured endpoints, FIPS/dual-stack flags, retry settings and CA bundle.
/// Pure: built from values; `ConfigLoader` (below) does the reading through a FileSystem.
public struct AWSSettings: Sendable {
    public var environment: Environment
    public var profiles: ProfileSet
    /// The selected profile's name: `--profile`, AWS_PROFILE, AWS_DEFAULT_PROFILE, "default".
    public var profileName: String
    /// True when `--profile` was given: that switches off the environment-key provider.
    public var profileIsExplicit: Bool
    /// `--region` and `--endpoint-url`.
    public var regionOverride: String?
    public var endpointOverride: String?
    /// The service id `--endpoint-url` is for: as in the AWS CLI, the flag sets the command's own
    /// service only (SSM for the shell, SERVICE for `api SERVICE`); the credential providers' SSO and
    /// STS calls, KMS and the others keep their configured endpoints.
    public var endpointOverrideServiceId: String
    public var configFilePath: String
    public var credentialsFilePath: String
    public var home: String?

    public init(
        environment: Environment, profiles: ProfileSet = ProfileSet(), profileOverride: String? = nil,
        regionOverride: String? = nil, endpointOverride: String? = nil, endpointOverrideServiceId: String = "SSM",
        configFilePath: String = "", credentialsFilePath: String = "", home: String? = nil
    ) {
        self.environment = environment
        self.profiles = profiles
        if let profileOverride {
            profileName = profileOverride
            profileIsExplicit = true
        } else {
            profileName = environment.nonEmpty("AWS_PROFILE") ?? environment.nonEmpty("AWS_DEFAULT_PROFILE") ?? "default"
            profileIsExplicit = false
        }
        self.regionOverride = regionOverride
        self.endpointOverride = endpointOverride
        self.endpointOverrideServiceId = endpointOverrideServiceId
        self.configFilePath = configFilePath
        self.credentialsFilePath = credentialsFilePath
        self.home = home
    }

    /// The selected profile, or an empty one when it is not defined.
    public var profile: Profile { profiles.profiles[profileName] ?? Profile(name: profileName) }

    /// `--region`, AWS_REGION, AWS_DEFAULT_REGION, the profile's `region` (aws-client spec section 3).
    public var region: String? {
        regionOverride ?? environment.nonEmpty("AWS_REGION") ?? environment.nonEmpty("AWS_DEFAULT_REGION") ?? profile.nonEmpty("region")
    }

    /// Where the region came from, for `doctor` and error messages.
    public var regionSource: String {
        if regionOverride != nil { return "--region" }
        if environment.nonEmpty("AWS_REGION") != nil { return "AWS_REGION" }
        if environment.nonEmpty("AWS_DEFAULT_REGION") != nil { return "AWS_DEFAULT_REGION" }
        if profile.nonEmpty("region") != nil { return "profile \(profileName)" }
        return "nowhere"
    }

    public var useFIPS: Bool { environment.bool("AWS_USE_FIPS_ENDPOINT") ?? profile.bool("use_fips_endpoint") ?? false }
    public var useDualStack: Bool { environment.bool("AWS_USE_DUALSTACK_ENDPOINT") ?? profile.bool("use_dualstack_endpoint") ?? false }

    /// AWS_CA_BUNDLE, then the profile's `ca_bundle`.
    public var caBundle: String? { environment.nonEmpty("AWS_CA_BUNDLE") ?? profile.nonEmpty("ca_bundle") }

    public var ignoresConfiguredEndpoints: Bool {
        environment.bool("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") ?? profile.bool("ignore_configured_endpoint_urls") ?? false
    }

    /// The configured endpoint URL for a service, first match wins (aws-client spec section 4):
    /// `--endpoint-url` (for its own service only), AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's services
    /// section, the profile's `endpoint_url`. Levels 2-5 are off when configured endpoints are ignored.
    /// - Parameter serviceId: the model's service id ("SSM", "STS", "EC2", "DynamoDB", "S3").
    public func configuredEndpoint(serviceId: String, explicit: String? = nil) throws(ConfigurationError) -> String? {
        if let explicit { return explicit }
        if let endpointOverride, serviceId.lowercased() == endpointOverrideServiceId.lowercased() { return endpointOverride }
        if ignoresConfiguredEndpoints { return nil }
        let envName = "AWS_ENDPOINT_URL_" + serviceId.uppercased().replacing(" ", with: "_")
        if let value = environment.nonEmpty(envName) { return value }
        if let value = environment.nonEmpty("AWS_ENDPOINT_URL") { return value }
        if let sectionName = profile.nonEmpty("services") {
            guard let section = profiles.services[sectionName] else {
                throw ConfigurationError(
                    description:
                        "Profile \(profileName) names services section \"\(sectionName)\", which \(configFilePath.isEmpty ? "the config file" : configFilePath) does not define. Add [services \(sectionName)] or remove the services setting."
                )
            }
            let key = serviceId.lowercased().replacing(" ", with: "_")
            if let url = section.subProperties(key)?["endpoint_url"], !url.isEmpty { return url }
        }
        return profile.nonEmpty("endpoint_url")
    }

    /// The endpoint for a service: the configured one, else the rule set's.
    public func endpoint(service: String, serviceId: String, explicit: String? = nil) throws(ConfigurationError) -> ResolvedEndpoint {
        let configured = try configuredEndpoint(serviceId: serviceId, explicit: explicit)
        // With no region at all, botocore sends STS to the global endpoint, signed for us-east-1.
        if service == "sts", region == nil, configured == nil {
            return ResolvedEndpoint(url: EndpointURL(scheme: "https", host: "sts.amazonaws.com"), signingRegion: "us-east-1", signingName: "sts")
        }
        do {
            // A configured URL is used verbatim; botocore then drops the FIPS/dual-stack flags.
            return try EndpointResolver.resolve(
                service: service, region: region, useFIPS: configured == nil && useFIPS,
                useDualStack: configured == nil && useDualStack, endpoint: configured)
        } catch {
            if region == nil {
                throw ConfigurationError(
                    description:
                        "No region is set. Pass --region, set AWS_REGION, or add region = ... to profile \(profileName) in \(configFilePath.isEmpty ? "~/.aws/config" : configFilePath)."
                )
            }
            throw ConfigurationError(description: error.description)
        }
    }

    /// AWS_RETRY_MODE, else the profile's retry_mode, as botocore reads them (config provider
    /// `retry_mode`): `legacy`, `standard` or `adaptive`; nil when neither is set. Another word
    /// is an error, as it is for the AWS CLI.
    public func retryMode() throws(ConfigurationError) -> RetryModeSetting? {
        let fromEnvironment = environment.nonEmpty("AWS_RETRY_MODE")
        guard let text = fromEnvironment ?? profile.nonEmpty("retry_mode") else { return nil }
        guard let mode = RetryModeSetting(rawValue: text.trimmingWhitespace()) else {
            let source = fromEnvironment != nil ? "AWS_RETRY_MODE" : "retry_mode in profile \(profileName)"
            throw ConfigurationError(
                description: "\(source) is '\(text)': it must be legacy, standard or adaptive (adaptive adds a client-side rate limit after throttling).")
        }
        return mode
    }

    /// Standard-mode retries: AWS_MAX_ATTEMPTS / max_attempts (default 3), AWS_RETRY_MODE / retry_mode.
    public var maxAttempts: Int {
        if let text = environment.nonEmpty("AWS_MAX_ATTEMPTS") ?? profile.nonEmpty("max_attempts"), let n = Int(text.trimmingWhitespace()), n >= 1 {
            return n
        }
        return 3
    }
}

/// The retry modes the SDKs name (retry_mode, AWS_RETRY_MODE). This client's retries are the
/// standard mode's for `legacy` and `standard` alike; `adaptive` adds `ClientRateLimiter`.
public enum RetryModeSetting: String, Sendable, Equatable {
    case legacy, standard, adaptive
}

/// A configuration problem the user must fix in a file or the environment.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// Finds and reads the config and credentials files as the SDKs do (file-location suites).
public enum ConfigLoader {
    public enum Platform: Sendable { case linux, windows }

    /// The home directory: $HOME; on Windows also USERPROFILE, then HOMEDRIVE+HOMEPATH.
    public static func home(environment: Environment, platform: Platform = .linux, fallback: String? = nil) -> String? {
        if let home = environment.nonEmpty("HOME") { return home }
        if platform == .windows {
            if let profile = environment.nonEmpty("USERPROFILE") { return profile }
            if let drive = environment.nonEmpty("HOMEDRIVE"), let path = environment.nonEmpty("HOMEPATH") { return drive + path }
        }
        return fallback
    }

    /// (config path, credentials path): AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, else under ~/.aws.
    public static func paths(environment: Environment, platform: Platform = .linux, fallbackHome: String? = nil) -> (config: String, credentials: String) {
        let home = self.home(environment: environment, platform: platform, fallback: fallbackHome) ?? ""
        let separator = platform == .windows ? "\\" : "/"
        func expand(_ path: String) -> String {
            if path == "~" { return home }
            if path.hasPrefix("~/") || path.hasPrefix("~\\") { return home + separator + path.dropFirst(2) }
            return path
        }
        let config = environment.nonEmpty("AWS_CONFIG_FILE").map(expand) ?? [home, ".aws", "config"].joined(separator: separator)
        let credentials = environment.nonEmpty("AWS_SHARED_CREDENTIALS_FILE").map(expand) ?? [home, ".aws", "credentials"].joined(separator: separator)
        return (config, credentials)
    }

    /// Reads both files (missing files are empty) and builds the settings.
    public static func load(
        environment: Environment, fileSystem: any FileSystem, profile: String? = nil,
        region: String? = nil, endpointURL: String? = nil,
        endpointService: String = "SSM"
    ) throws(ConfigurationError) -> AWSSettings {
        let (configPath, credentialsPath) = paths(environment: environment)
        func read(_ path: String) throws(ConfigurationError) -> (name: String, text: String)? {
            do {
                guard let bytes = try fileSystem.contents(of: path) else { return nil }
                return (path, String(decoding: bytes, as: UTF8.self))
            } catch {
                throw ConfigurationError(
                    description: "Could not read \(path): \(error). Check its permissions, or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE elsewhere.")
            }
        }
        let profiles: ProfileSet
        do {
            profiles = try ProfileSet.parse(config: try read(configPath), credentials: try read(credentialsPath))
        } catch let error as ConfigFileParser.ParseError {
            throw ConfigurationError(description: "\(error.file):\(error.line): \(error.message) Fix that line of the file.")
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError(description: "\(error)")
        }
        return AWSSettings(
            environment: environment, profiles: profiles, profileOverride: profile, regionOverride: region,
            endpointOverride: endpointURL, endpointOverrideServiceId: endpointService, configFilePath: configPath, credentialsFilePath: credentialsPath,
            home: home(environment: environment))
    }
}
