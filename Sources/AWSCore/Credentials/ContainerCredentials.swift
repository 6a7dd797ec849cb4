/// ECS and EKS Pod Identity container credentials (aws-client spec section 2, step 10).
public enum ContainerCredentials {
    static let allowedHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "[fd00:ec2::23]", "fd00:ec2::23", "localhost"]

    /// The credentials URI: the relative URI (on 169.254.170.2) beats the full URI, which must
    /// be https or point at loopback or the ECS/EKS link-local hosts.
    public static func uri(_ environment: Environment) throws(CredentialsError) -> EndpointURL? {
        if let relative = environment.nonEmpty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            do { return try EndpointURL(parsing: "http://169.254.170.2" + relative) } catch {
                throw CredentialsError(message: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not a valid path: \(relative)")
            }
        }
        guard let full = environment.nonEmpty("AWS_CONTAINER_CREDENTIALS_FULL_URI") else { return nil }
        let url: EndpointURL
        do { url = try EndpointURL(parsing: full) } catch {
            throw CredentialsError(message: "AWS_CONTAINER_CREDENTIALS_FULL_URI is invalid: the URI did not specify a host (\(full)).")
        }
        if url.scheme == "https" { return url }
        if allowedHosts.contains(url.host) || isLoopback(url.host) { return url }
        throw CredentialsError(
            message: "AWS_CONTAINER_CREDENTIALS_FULL_URI must use https or a loopback or ECS/EKS address, not \(url.host); the URI is not allowed.")
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "[::1]" || host == "::1" { return true }
        let parts = host.split(separator: ".")
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    static func fetch(client: AWSClient, fileSystem: any FileSystem) async throws -> Credentials? {
        let environment = client.settings.environment
        guard let url = try uri(environment) else { return nil }
        var request = HTTPRequest(method: "GET", url: url)
        if let tokenFile = environment.nonEmpty("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
            let token = try readCredentialFile(
                tokenFile, what: "the container authorization token file",
                advice: "Check AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE.", fileSystem: fileSystem)
            request.headers.add("Authorization", String(decoding: token, as: UTF8.self).trimmingWhitespace())
        } else if let token = environment.nonEmpty("AWS_CONTAINER_AUTHORIZATION_TOKEN") {
            request.headers.add("Authorization", token)
        }
        let response = try await client.with(credentials: nil).send(
            request, service: ServiceDescriptor(name: "container", serviceId: "Container", wireProtocol: .json, targetPrefix: "", apiVersion: ""),
            operation: "GetContainerCredentials", signingRegion: "", signingName: "", signed: false)
        guard let json = try? JSONValue(parsing: response.body), let key = json["AccessKeyId"]?.string,
            let secret = json["SecretAccessKey"]?.string
        else {
            throw CredentialsError(message: "The container credentials endpoint \(url.redactedDescription) answered without credentials.")
        }
        return Credentials(
            accessKeyId: key, secretAccessKey: secret, sessionToken: json["Token"]?.string,
            expiration: json["Expiration"]?.string.flatMap(CivilTime.parseISO8601), accountId: json["AccountId"]?.string,
            source: "container credentials")
    }
}
