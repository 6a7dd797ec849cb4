/// Where a profile's credentials come from, worked out from the files alone (no I/O): a base
/// source, then zero or more roles to assume in order. Follows the SDK-shared rules that
/// smithy-rs' assume-role-tests.json encode (Tests/Fixtures/credentials).
public struct ProfileChainPlan: Sendable, Equatable {
    public enum Base: Sendable, Equatable {
        case accessKey(Credentials)
        case webIdentity(roleArn: String, tokenFile: String, sessionName: String?)
        /// `credential_source`: Environment, Ec2InstanceMetadata or EcsContainer.
        case namedSource(String)
        case sso(SSOSettings)
        case process(command: String, accountId: String?, profile: String)
    }

    public struct Role: Sendable, Equatable {
        public var roleArn: String
        public var externalId: String?
        public var sessionName: String?
        public var mfaSerial: String?
        public var durationSeconds: Int?
        public var profile: String
    }

    public var base: Base
    public var roles: [Role]
}

/// The SSO settings of a profile (legacy form or through an `[sso-session]`).
public struct SSOSettings: Sendable, Equatable {
    public var sessionName: String?
    public var startURL: String
    public var region: String
    public var accountId: String?
    public var roleName: String?
    public var profile: String
}

public enum ProfileChainPlanner {
    public static func plan(profiles: ProfileSet, selected: String) throws(CredentialsError) -> ProfileChainPlan {
        guard !profiles.profiles.isEmpty else { throw CredentialsError(message: "No profiles were defined; run aws configure or set AWS_ACCESS_KEY_ID.") }
        guard profiles.profiles[selected] != nil else {
            throw CredentialsError(message: "The profile \(selected) is not defined in the config or credentials file. Check --profile or AWS_PROFILE.")
        }
        var visited: [String] = []
        return try resolve(selected, referencedFrom: nil, profiles: profiles, visited: &visited)
    }

    static func resolve(_ name: String, referencedFrom: String?, profiles: ProfileSet, visited: inout [String]) throws(CredentialsError) -> ProfileChainPlan {
        guard let profile = profiles.profiles[name] else {
            throw CredentialsError(
                message: "could not find source profile \(name) referenced from \(referencedFrom ?? name); define [profile \(name)] or fix source_profile.")
        }
        if visited.contains(name) {
            throw CredentialsError(
                message: "profile formed an infinite loop: \((visited + [name]).joined(separator: " -> ")). Point one source_profile at a profile with keys.")
        }
        visited.append(name)
        let isTop = referencedFrom == nil
        // A source profile with keys uses them, even if it also has a role_arn.
        if !isTop, hasKeys(profile) { return ProfileChainPlan(base: .accessKey(try staticKeys(profile)), roles: []) }

        if let roleArn = profile.nonEmpty("role_arn") {
            if let tokenFile = profile.nonEmpty("web_identity_token_file") {
                return ProfileChainPlan(
                    base: .webIdentity(roleArn: roleArn, tokenFile: tokenFile, sessionName: profile.nonEmpty("role_session_name")), roles: [])
            }
            let role = ProfileChainPlan.Role(
                roleArn: roleArn, externalId: profile.nonEmpty("external_id"), sessionName: profile.nonEmpty("role_session_name"),
                mfaSerial: profile.nonEmpty("mfa_serial"), durationSeconds: profile.nonEmpty("duration_seconds").flatMap { Int($0) },
                profile: name)
            let source = profile.nonEmpty("source_profile")
            let named = profile.nonEmpty("credential_source")
            if source != nil && named != nil {
                throw CredentialsError(message: "profile \(name) contained both source_profile and credential_source; keep only one.")
            }
            if let source {
                var plan: ProfileChainPlan
                if source == name {
                    // A profile that names itself uses its own static keys.
                    plan = ProfileChainPlan(base: .accessKey(try staticKeys(profile)), roles: [])
                } else {
                    plan = try resolve(source, referencedFrom: name, profiles: profiles, visited: &visited)
                }
                plan.roles.append(role)
                return plan
            }
            if let named {
                guard ["Environment", "Ec2InstanceMetadata", "EcsContainer"].contains(named) else {
                    throw CredentialsError(
                        message: "credential_source \(named) in profile \(name) is not one of Environment, Ec2InstanceMetadata or EcsContainer.")
                }
                return ProfileChainPlan(base: .namedSource(named), roles: [role])
            }
            throw CredentialsError(message: "profile \(name) has role_arn, so the profile must contain `source_profile` or `credential_source`.")
        }
        if profile.nonEmpty("web_identity_token_file") != nil {
            throw CredentialsError(message: "In profile \(name), `web_identity_token_file` was specified but `role_arn` was missing; add role_arn.")
        }
        if let sso = try ssoSettings(profile, profiles: profiles) {
            return ProfileChainPlan(base: .sso(sso), roles: [])
        }
        if let command = profile.nonEmpty("credential_process") {
            return ProfileChainPlan(base: .process(command: command, accountId: profile.nonEmpty("aws_account_id"), profile: name), roles: [])
        }
        if hasKeys(profile) || profile.nonEmpty("aws_secret_access_key") != nil {
            return ProfileChainPlan(base: .accessKey(try staticKeys(profile)), roles: [])
        }
        throw CredentialsError(message: "profile `\(name)` did not contain credential information; add keys, a role, SSO settings or credential_process.")
    }

    static func hasKeys(_ profile: Profile) -> Bool { profile.nonEmpty("aws_access_key_id") != nil }

    /// `aws_access_key_id` + `aws_secret_access_key` (+ token, legacy `aws_security_token`, account id).
    static func staticKeys(_ profile: Profile) throws(CredentialsError) -> Credentials {
        guard let key = profile.nonEmpty("aws_access_key_id") else {
            throw CredentialsError(message: "profile \(profile.name) is missing aws_access_key_id; add it next to aws_secret_access_key.")
        }
        guard let secret = profile.nonEmpty("aws_secret_access_key") else {
            throw CredentialsError(message: "profile \(profile.name) is missing aws_secret_access_key; add it next to aws_access_key_id.")
        }
        let origin = profile.origins["aws_access_key_id"].map { " (\($0))" } ?? ""
        return Credentials(
            accessKeyId: key, secretAccessKey: secret,
            sessionToken: profile.nonEmpty("aws_session_token") ?? profile.nonEmpty("aws_security_token"),
            accountId: profile.nonEmpty("aws_account_id"), source: "profile \(profile.name)\(origin)")
    }

    /// SSO settings, or nil when the profile has none. Half-configured SSO is an error.
    public static func ssoSettings(_ profile: Profile, profiles: ProfileSet) throws(CredentialsError) -> SSOSettings? {
        let account = profile.nonEmpty("sso_account_id")
        let role = profile.nonEmpty("sso_role_name")
        let sessionName = profile.nonEmpty("sso_session")
        guard account != nil || role != nil || sessionName != nil || profile.nonEmpty("sso_start_url") != nil else { return nil }
        if role != nil && account == nil {
            throw CredentialsError(message: "In profile \(profile.name), if `sso_role_name` is set, then `sso_account_id` must also be set.")
        }
        if account != nil && role == nil {
            throw CredentialsError(message: "In profile \(profile.name), if `sso_account_id` is set, then `sso_role_name` must also be set.")
        }
        if let sessionName {
            guard let session = profiles.ssoSessions[sessionName] else {
                throw CredentialsError(
                    message:
                        "sso-session named `\(sessionName)` (referenced by profile `\(profile.name)`) was not found; add [sso-session \(sessionName)] to the config file."
                )
            }
            if profile.nonEmpty("sso_region") != nil {
                throw CredentialsError(
                    message: "In profile \(profile.name), `sso_region` can only be specified in the [sso-session] config when a session name is given.")
            }
            guard let url = session.nonEmpty("sso_start_url"), let region = session.nonEmpty("sso_region") else {
                throw CredentialsError(message: "[sso-session \(sessionName)] needs sso_start_url and sso_region.")
            }
            return SSOSettings(sessionName: sessionName, startURL: url, region: region, accountId: account, roleName: role, profile: profile.name)
        }
        guard let url = profile.nonEmpty("sso_start_url"), let region = profile.nonEmpty("sso_region") else {
            throw CredentialsError(message: "Profile \(profile.name) has SSO settings but not sso_start_url and sso_region; run aws configure sso.")
        }
        return SSOSettings(sessionName: nil, startURL: url, region: region, accountId: account, roleName: role, profile: profile.name)
    }
}
