/// The AWS CLI v2 credential chain (aws-client spec section 2): the first provider that yields
/// credentials wins; a provider that is configured but broken raises instead of falling through.
///
/// 1 environment keys (not with an explicit --profile) · 2 assume role from the profile ·
/// 3 web identity (profile, then environment) · 4 SSO · 5 credentials-file keys ·
/// 6 credential_process · 7 config-file keys · 8 container · 9 IMDS.
public struct DefaultCredentialChain: CredentialProvider {
    public let client: AWSClient
    public let fileSystem: any FileSystem
    public let processRunner: any ProcessRunner
    public let mfaPrompt: (@Sendable (String) async throws -> String)?
    /// Shared by the chains of several profiles so that one code serves every role assumed from
    /// the same keys and device (nil: the code goes in each AssumeRole, as the AWS CLI sends it).
    public var mfaSessions: MFASessions?
    /// The profile provider alone: no environment keys, environment web identity, container or IMDS.
    var skipEnvironmentAndHost = false

    public init(
        client: AWSClient, fileSystem: any FileSystem, processRunner: any ProcessRunner,
        mfaPrompt: (@Sendable (String) async throws -> String)? = nil
    ) {
        self.client = client
        self.fileSystem = fileSystem
        self.processRunner = processRunner
        self.mfaPrompt = mfaPrompt
    }

    var settings: AWSSettings { client.settings }

    public func credentials() async throws -> Credentials {
        let environment = settings.environment
        let profile = settings.profile
        let profiles = settings.profiles

        // 1. Environment keys.
        if !settings.profileIsExplicit, !skipEnvironmentAndHost, let credentials = try EnvironmentCredentials.load(environment) { return credentials }

        // 2. Assume role from the profile.
        if profile.nonEmpty("role_arn") != nil, profile.nonEmpty("web_identity_token_file") == nil {
            return try await run(try ProfileChainPlanner.plan(profiles: profiles, selected: settings.profileName))
        }

        // 3. Web identity: the profile's, else the environment's (unless --profile was given).
        if let roleArn = profile.nonEmpty("role_arn"), let tokenFile = profile.nonEmpty("web_identity_token_file") {
            return try await STSCredentials.assumeRoleWithWebIdentity(
                roleArn: roleArn, tokenFile: tokenFile, sessionName: profile.nonEmpty("role_session_name"),
                client: client, fileSystem: fileSystem)
        }
        if profile.nonEmpty("web_identity_token_file") != nil {
            throw CredentialsError(
                message: "In profile \(settings.profileName), `web_identity_token_file` was specified but `role_arn` was missing; add role_arn.")
        }
        if !settings.profileIsExplicit, !skipEnvironmentAndHost, let tokenFile = environment.nonEmpty("AWS_WEB_IDENTITY_TOKEN_FILE"),
            let roleArn = environment.nonEmpty("AWS_ROLE_ARN")
        {
            return try await STSCredentials.assumeRoleWithWebIdentity(
                roleArn: roleArn, tokenFile: tokenFile, sessionName: environment.nonEmpty("AWS_ROLE_SESSION_NAME"),
                client: client, fileSystem: fileSystem)
        }

        // 4. SSO.
        if let sso = try ProfileChainPlanner.ssoSettings(profile, profiles: profiles) {
            return try await SSOCredentials.fetch(sso, client: client, fileSystem: fileSystem)
        }

        // 5-7. Keys from the credentials file, then credential_process, then keys from the config file.
        let keysOrigin = profile.origins["aws_access_key_id"] ?? profile.origins["aws_secret_access_key"]
        let keysFromCredentialsFile = keysOrigin != nil && keysOrigin == settings.credentialsFilePath && !settings.credentialsFilePath.isEmpty
        if keysFromCredentialsFile { return try ProfileChainPlanner.staticKeys(profile) }
        if let command = profile.nonEmpty("credential_process") {
            return try await ProcessCredentials.fetch(
                command: command, accountId: profile.nonEmpty("aws_account_id"), profile: settings.profileName,
                runner: processRunner, environment: environment)
        }
        if keysOrigin != nil { return try ProfileChainPlanner.staticKeys(profile) }

        // 8. Container, 9. IMDS.
        if skipEnvironmentAndHost {
            throw CredentialsError(
                message: "profile `\(settings.profileName)` did not contain credential information, so the credential provider was not enabled.")
        }
        if let credentials = try await ContainerCredentials.fetch(client: client, fileSystem: fileSystem) { return credentials }
        if let credentials = try await IMDSCredentials.fetch(client: client) { return credentials }

        if settings.profileIsExplicit && profiles.profiles[settings.profileName] == nil {
            throw CredentialsError(message: "The config profile (\(settings.profileName)) could not be found. Check --profile and \(settings.configFilePath).")
        }
        throw CredentialsError(
            message:
                "Unable to locate credentials: the credential provider was not enabled by anything in the environment, \(settings.configFilePath) or \(settings.credentialsFilePath). Run aws configure, aws sso login, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."
        )
    }

    /// Runs a planned chain: the base credentials, then each AssumeRole with the previous ones.
    public func run(_ plan: ProfileChainPlan) async throws -> Credentials {
        var credentials: Credentials
        switch plan.base {
        case .accessKey(let keys): credentials = keys
        case .webIdentity(let roleArn, let tokenFile, let sessionName):
            credentials = try await STSCredentials.assumeRoleWithWebIdentity(
                roleArn: roleArn, tokenFile: tokenFile, sessionName: sessionName,
                client: client, fileSystem: fileSystem)
        case .namedSource(let name):
            switch name {
            case "Environment":
                guard let keys = try EnvironmentCredentials.load(settings.environment) else {
                    throw CredentialsError(
                        message: "credential_source = Environment, but the Environment provider was not enabled: AWS_ACCESS_KEY_ID is not set.")
                }
                credentials = keys
            case "EcsContainer":
                guard let keys = try await ContainerCredentials.fetch(client: client, fileSystem: fileSystem) else {
                    throw CredentialsError(
                        message:
                            "credential_source = EcsContainer, but the container provider was not enabled: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set."
                    )
                }
                credentials = keys
            default:
                guard let keys = try await IMDSCredentials.fetch(client: client) else {
                    throw CredentialsError(
                        message:
                            "credential_source = Ec2InstanceMetadata, but the credential provider was not enabled: no instance role was found through IMDS.")
                }
                credentials = keys
            }
        case .sso(let sso): credentials = try await SSOCredentials.fetch(sso, client: client, fileSystem: fileSystem)
        case .process(let command, let accountId, let profile):
            credentials = try await ProcessCredentials.fetch(
                command: command, accountId: accountId, profile: profile,
                runner: processRunner, environment: settings.environment)
        }
        for role in plan.roles {
            credentials = try await STSCredentials.assumeRole(
                role, source: credentials, client: client, mfaPrompt: mfaPrompt, mfaSessions: mfaSessions)
        }
        return credentials
    }
}

/// Step 1: AWS_ACCESS_KEY_ID (+ secret, token, expiration, account).
public enum EnvironmentCredentials {
    public static func load(_ environment: Environment) throws(CredentialsError) -> Credentials? {
        guard let key = environment.nonEmpty("AWS_ACCESS_KEY_ID") else { return nil }
        guard let secret = environment.nonEmpty("AWS_SECRET_ACCESS_KEY") else {
            throw CredentialsError(message: "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both, or unset AWS_ACCESS_KEY_ID.")
        }
        var expiration: Double?
        if let text = environment.nonEmpty("AWS_CREDENTIAL_EXPIRATION") {
            guard let parsed = CivilTime.parseISO8601(text) else {
                throw CredentialsError(message: "AWS_CREDENTIAL_EXPIRATION is not an ISO-8601 time: \(text)")
            }
            expiration = parsed
        }
        return Credentials(
            accessKeyId: key, secretAccessKey: secret,
            sessionToken: environment.nonEmpty("AWS_SECURITY_TOKEN") ?? environment.nonEmpty("AWS_SESSION_TOKEN"),
            expiration: expiration, accountId: environment.nonEmpty("AWS_ACCOUNT_ID"), source: "environment")
    }
}

extension DefaultCredentialChain {
    /// The profile's own providers (steps 2 to 7) without the environment, container or IMDS:
    /// what the SDKs call the profile provider.
    public func profileCredentials() async throws -> Credentials {
        guard settings.profiles.profiles[settings.profileName] != nil else {
            throw CredentialsError(message: "The profile \(settings.profileName) is not defined, so the credential provider was not enabled.")
        }
        var profileOnly = self
        profileOnly.skipEnvironmentAndHost = true
        return try await profileOnly.credentials()
    }
}
