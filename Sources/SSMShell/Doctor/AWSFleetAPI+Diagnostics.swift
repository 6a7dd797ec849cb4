public import AWSCore
public import SSMCore

/// The diagnostics seam of the real fleet: STS, IAM, EC2's network view and the endpoints.
extension AWSFleetAPI {
    public func callerIdentity() async throws -> STSClient.CallerIdentity { try await sts.getCallerIdentity() }

    public func credentialSource() async throws -> String {
        guard let provider = ssm.client.credentialProvider else { throw CredentialsError(message: "No credential provider is configured.") }
        return try await provider.credentials().source
    }

    /// One unsigned GET of the endpoint's root: any HTTP answer means DNS, TCP and TLS worked.
    public func reach(service: ServiceDescriptor, timeout: Double) async -> Reachability {
        let endpoint: ResolvedEndpoint
        do { endpoint = try ssm.client.endpoint(for: service) } catch {
            return Reachability(url: "", configurationError: error.description)
        }
        let url = endpoint.url.description
        var request = HTTPRequest(method: "GET", url: endpoint.url)
        request.headers.add("Host", endpoint.url.hostHeader)
        do {
            _ = try await ssm.client.transport.send(request, timeouts: HTTPTimeouts(connect: timeout, total: timeout))
            return Reachability(url: url)
        } catch let error as TransportError {
            return Reachability(url: url, failure: error)
        } catch {
            return Reachability(url: url, failure: TransportError(kind: .other, connected: false, detail: String(describing: error), url: url))
        }
    }

    public func probe(_ probe: PermissionProbe) async -> PermissionProbe.Outcome {
        do {
            switch probe.service.wireProtocol {
            case .json: _ = try await ssm.client.callJSON(probe.service, probe.operation, probe.input)
            case .query, .ec2: _ = try await ssm.client.callQuery(probe.service, probe.operation, probe.input)
            }
            return .allowed
        } catch {
            return PermissionProbe.outcome(of: error)
        }
    }

    public func instanceProfileRoles(_ name: String) async throws -> [String] { try await IAMClient(client: ssm.client).instanceProfileRoles(name: name) }
    public func attachedPolicies(role: String) async throws -> [String] { try await IAMClient(client: ssm.client).attachedPolicies(roleName: role) }
    public func vpcAttribute(_ vpcId: String, _ attribute: String) async throws -> Bool { try await ec2.vpcAttribute(vpcId: vpcId, attribute: attribute) }
    public func vpcEndpointServices(_ vpcId: String) async throws -> [String] { try await ec2.vpcEndpointServices(vpcId: vpcId) }
    public func routes(_ vpcId: String) async throws -> [EC2Client.Route] { try await ec2.routes(vpcId: vpcId) }
}
