import Crypto

/// IAM Identity Center credentials from the AWS CLI's token cache (`aws sso login` writes it).
enum SSOCredentials {
    /// `~/.aws/sso/cache/<sha1 of the session name, or of the start URL in the legacy form>.json`.
    static func cachePath(_ sso: SSOSettings, home: String) -> String {
        let key = sso.sessionName ?? sso.startURL
        return "\(home)/.aws/sso/cache/\(Hex.encode(Digest.sha1(key))).json"
    }

    static func fetch(_ sso: SSOSettings, client: AWSClient, fileSystem: any FileSystem) async throws -> Credentials {
        guard let account = sso.accountId, let role = sso.roleName else {
            throw CredentialsError(
                message:
                    "Profile \(sso.profile) has an sso-session but no sso_account_id and sso_role_name, so the selected profile will resolve an access token instead of credentials. Add both settings."
            )
        }
        let home = client.settings.home ?? ""
        let path = cachePath(sso, home: home)
        let login = "aws sso login --profile \(sso.profile)"
        let bytes = try readCredentialFile(path, what: "the SSO token cache", advice: "Run \(login).", fileSystem: fileSystem)
        let token: JSONValue
        do { token = try JSONValue(parsing: bytes) } catch {
            throw CredentialsError(message: "The SSO token cache \(path) is not valid JSON (line \(error.line), column \(error.column)). Run \(login).")
        }
        guard let accessToken = token["accessToken"]?.string else {
            throw CredentialsError(message: "The SSO token cache \(path) is not valid. Run \(login).")
        }
        if let expires = token["expiresAt"]?.string.flatMap(CivilTime.parseISO8601), expires <= client.clock.now() {
            throw CredentialsError(message: "The SSO session for profile \(sso.profile) has expired. Run \(login).")
        }
        // The portal's endpoint follows the usual rules for service "portal.sso" in the SSO region.
        var settings = client.settings
        settings.regionOverride = sso.region
        let endpoint = try settings.endpoint(service: "portal.sso", serviceId: "SSO")
        var url = endpoint.url
        url.path = (url.path == "/" ? "" : url.path) + "/federation/credentials"
        url.query = [(name: "account_id", value: account), (name: "role_name", value: role)]
        var request = HTTPRequest(method: "GET", url: url)
        request.headers.add("x-amz-sso_bearer_token", accessToken)
        let response = try await client.with(credentials: nil)
            .send(
                request, service: ServiceDescriptor(name: "portal.sso", serviceId: "SSO", wireProtocol: .json, targetPrefix: "", apiVersion: ""),
                operation: "GetRoleCredentials", signingRegion: sso.region, signingName: "awsssoportal", signed: false)
        guard let body = try? JSONValue(parsing: response.body), let creds = body["roleCredentials"],
            let key = creds["accessKeyId"]?.string, let secret = creds["secretAccessKey"]?.string
        else {
            throw CredentialsError(message: "The SSO portal answered without role credentials for profile \(sso.profile).")
        }
        // `expiration` is epoch milliseconds (aws-client spec section 2, SSO).
        return Credentials(
            accessKeyId: key, secretAccessKey: secret, sessionToken: creds["sessionToken"]?.string,
            expiration: creds["expiration"]?.double.map { $0 / 1000 }, accountId: account,
            source: "SSO (profile \(sso.profile), role \(role))")
    }
}
