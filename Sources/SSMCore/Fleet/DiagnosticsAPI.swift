public import AWSCore

/// What `doctor` looks at beyond the nodes, as a seam: the identity, the endpoints, what IAM
/// allows, and the instance's role and network.
public protocol DiagnosticsAPI: Sendable {
    func callerIdentity() async throws -> STSClient.CallerIdentity
    /// Where the credentials come from: environment, profile NAME, SSO, role ARN, ...
    func credentialSource() async throws -> String
    /// The effective endpoint of a service (`ssm`, `ssmmessages`), and whether a connection to
    /// it (name resolution, TCP, TLS) is made within `timeout` seconds.
    func reach(service: ServiceDescriptor, timeout: Double) async -> Reachability
    func probe(_ probe: PermissionProbe) async -> PermissionProbe.Outcome
    func instanceProfileRoles(_ name: String) async throws -> [String]
    func attachedPolicies(role: String) async throws -> [String]
    func vpcAttribute(_ vpcId: String, _ attribute: String) async throws -> Bool
    func vpcEndpointServices(_ vpcId: String) async throws -> [String]
    func routes(_ vpcId: String) async throws -> [EC2Client.Route]
}

/// Whether an endpoint could be reached: its URL and, when it could not, why.
public struct Reachability: Sendable, Equatable {
    public var url: String
    public var failure: TransportError?
    public var configurationError: String?

    public init(url: String, failure: TransportError? = nil, configurationError: String? = nil) {
        self.url = url
        self.failure = failure
        self.configurationError = configurationError
    }
}
