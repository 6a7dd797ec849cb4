/// The two STS calls the credential chain makes, in the Query protocol.
enum STSCredentials {
    /// The STS endpoint for the resolved region and configured endpoints; with no region at all,
    /// botocore falls back to the global endpoint signed for us-east-1 (aws-client spec section 3).
    static func endpoint(_ client: AWSClient) throws -> ResolvedEndpoint {
        try client.settings.endpoint(service: "sts", serviceId: "STS")
    }

    /// With `mfaSessions` and long-term source keys, a role that asks for MFA is assumed with the
    /// keys' MFA session (one code for every role of those keys); else the code goes in the
    /// AssumeRole call itself, as the AWS CLI sends it.
    static func assumeRole(
        _ role: ProfileChainPlan.Role, source: Credentials, client: AWSClient,
        mfaPrompt: (@Sendable (String) async throws -> String)?, mfaSessions: MFASessions? = nil
    ) async throws -> Credentials {
        var signer = source
        var parameters: [String: JSONValue] = [
            "RoleArn": .string(role.roleArn),
            "RoleSessionName": .string(role.sessionName ?? "botocore-session-\(Int(client.clock.now()))"),
        ]
        if let externalId = role.externalId { parameters["ExternalId"] = .string(externalId) }
        if let duration = role.durationSeconds { parameters["DurationSeconds"] = .number(Double(duration)) }
        if let serial = role.mfaSerial {
            guard let mfaPrompt else {
                throw CredentialsError(message: "Profile \(role.profile) needs an MFA code for \(serial), and there is no terminal to ask for one.")
            }
            let ask = { @Sendable in try await mfaPrompt("Enter MFA code for \(serial): ").trimmingWhitespace() }
            // GetSessionToken takes long-term keys only (STS API reference): keys that are already
            // a session send the code with the AssumeRole.
            if let mfaSessions, source.sessionToken == nil {
                let key = MFASessions.Key(accessKeyId: source.accessKeyId, serialNumber: serial)
                signer = try await mfaSessions.session(for: key, now: client.clock.now()) {
                    try await getSessionToken(serial: serial, code: try await ask(), source: source, client: client)
                }
                if let duration = roleSeconds(requested: role.durationSeconds, mfaSessionEnds: signer.expiration, now: client.clock.now()) {
                    parameters["DurationSeconds"] = .number(Double(duration))
                }
            } else {
                parameters["SerialNumber"] = .string(serial)
                parameters["TokenCode"] = .string(try await ask())
            }
        }
        let result = try await client.with(credentials: StaticCredentialProvider(signer))
            .callQuery(.sts, "AssumeRole", .object(parameters), endpoint: endpoint(client))
        return try credentials(from: result, source: "role \(role.roleArn) (profile \(role.profile))")
    }

    /// An MFA session of long-term keys, signed with the keys. An hour, not STS's default 12: a
    /// role's trust policy may ask `aws:MultiFactorAuthAge` under 3600 (break-glass roles), and
    /// each role assumed with the session carries its age; MFASessions stops reusing it 15
    /// minutes before its end, so a code is asked again after 45 minutes of use.
    static let mfaSessionSeconds = 3600

    /// AssumeRole's default and the shortest it grants (STS API reference, AssumeRole
    /// DurationSeconds: 900 to the role's maximum, 3600 when not given).
    static let defaultRoleSeconds = 3600
    static let minimumRoleSeconds = 900

    /// The DurationSeconds of a role assumed with an MFA session: never past the session's end,
    /// so the role's credentials never outlive the MFA age a policy may check
    /// (`aws:MultiFactorAuthAge`): a session from minute 0 gives a role assumed at minute 44 its
    /// last 16 minutes, not an hour. Nil when the profile's own figure (or STS's default) already
    /// ends in time. MFASessions starts a new session, with a new code, once less than 15
    /// minutes (`CredentialCache.advisoryRefresh`) of one is left, so what is left here is never
    /// below STS's minimum of 900; it is kept at that minimum if a slow answer took it lower.
    static func roleSeconds(requested: Int?, mfaSessionEnds: Double?, now: Double) -> Int? {
        guard let ends = mfaSessionEnds else { return nil }
        let left = Int((ends - now).rounded(.down))
        let wanted = requested ?? defaultRoleSeconds
        return left < wanted ? max(left, minimumRoleSeconds) : nil
    }

    static func getSessionToken(serial: String, code: String, source: Credentials, client: AWSClient) async throws -> Credentials {
        let parameters: JSONValue = [
            "SerialNumber": .string(serial), "TokenCode": .string(code), "DurationSeconds": .number(Double(mfaSessionSeconds)),
        ]
        let result = try await client.with(credentials: StaticCredentialProvider(source))
            .callQuery(.sts, "GetSessionToken", parameters, endpoint: endpoint(client))
        var session = try credentials(from: result, source: "MFA session of \(serial)")
        session.accountId = source.accountId
        return session
    }

    /// Unsigned, reading the token file afresh each time.
    static func assumeRoleWithWebIdentity(
        roleArn: String, tokenFile: String, sessionName: String?, client: AWSClient,
        fileSystem: any FileSystem
    ) async throws -> Credentials {
        let token = try readCredentialFile(
            tokenFile, what: "the web identity token file",
            advice: "Check web_identity_token_file or AWS_WEB_IDENTITY_TOKEN_FILE.", fileSystem: fileSystem)
        let parameters: JSONValue = [
            "RoleArn": .string(roleArn),
            "RoleSessionName": .string(sessionName ?? "botocore-session-\(Int(client.clock.now()))"),
            "WebIdentityToken": .string(String(decoding: token, as: UTF8.self).trimmingWhitespace()),
        ]
        let result = try await client.with(credentials: nil)
            .callQuery(.sts, "AssumeRoleWithWebIdentity", parameters, endpoint: endpoint(client), signed: false)
        return try credentials(from: result, source: "web identity \(roleArn)")
    }

    static func credentials(from result: XMLElement, source: String) throws -> Credentials {
        guard let key = result.string("Credentials", "AccessKeyId"), let secret = result.string("Credentials", "SecretAccessKey") else {
            throw CredentialsError(message: "STS answered without credentials for \(source).")
        }
        // The account is the fifth field of the assumed-role ARN: arn:aws:sts::ACCOUNT:assumed-role/...
        let account = result.string("AssumedRoleUser", "Arn").flatMap { arn -> String? in
            let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
            return parts.count > 4 && !parts[4].isEmpty ? String(parts[4]) : nil
        }
        return Credentials(
            accessKeyId: key, secretAccessKey: secret, sessionToken: result.string("Credentials", "SessionToken"),
            expiration: result.string("Credentials", "Expiration").flatMap(CivilTime.parseISO8601),
            accountId: account, source: source)
    }
}
