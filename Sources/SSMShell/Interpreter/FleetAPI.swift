public import AWSCore
import Crypto
public import SSMCore

/// The AWS calls the interpreter makes, as a seam: the real one wraps the typed clients, tests
/// pass a fake fleet.
public protocol FleetAPI: Sendable {
    func describeNodes(filters: [(key: String, values: [String])]) async throws -> [ManagedNode]
    func describeEC2(filters: [(name: String, values: [String])]) async throws -> [EC2Client.Instance]
    func sendCommand(_ input: SendCommandInput) async throws -> CommandSummary
    func listInvocations(commandId: String, nextToken: String?) async throws -> (invocations: [CommandInvocation], nextToken: String?)
    func getInvocation(commandId: String, instanceId: String) async throws -> InvocationResult
    func cancel(commandId: String, instanceIds: [String]?) async throws
    func listCommands(limit: Int) async throws -> [CommandSummary]
    func callerIdentity() async throws -> STSClient.CallerIdentity
    func startSession(target: String, document: String?, reason: String?, parameters: [String: [String]]?) async throws -> SessionStream
    func resumeSession(_ sessionId: String) async throws -> SessionStream?
    func terminateSession(_ sessionId: String) async throws
    func describeSessions(history: Bool) async throws -> [SessionSummary]
    func connectionStatus(_ target: String) async throws -> String
    /// KMS GenerateDataKey: (plaintext, ciphertext blob).
    func generateDataKey(keyId: String, bytes: Int, context: [String: String]) async throws -> ([UInt8], [UInt8])
    /// Headers for the data-channel upgrade: SigV4 for `ssmmessages`, as current clients send.
    func streamHeaders(for url: EndpointURL) async throws -> [(String, String)]
    /// CA bundle and proxies for the data channel's connection.
    var streamTransport: (caBundle: String?, environment: Environment) { get }

    // For `doctor`.
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

/// The real fleet, over one AWSClient.
public struct AWSFleetAPI: FleetAPI {
    let ssm: SSMClient
    let ec2: EC2Client
    let sts: STSClient

    public init(client: AWSClient) {
        ssm = SSMClient(client: client)
        ec2 = EC2Client(client: client)
        sts = STSClient(client: client)
    }

    public func describeNodes(filters: [(key: String, values: [String])]) async throws -> [ManagedNode] {
        try await ssm.describeInstanceInformation(filters: filters)
    }
    public func describeEC2(filters: [(name: String, values: [String])]) async throws -> [EC2Client.Instance] {
        try await ec2.describeInstances(filters: filters)
    }
    public func sendCommand(_ input: SendCommandInput) async throws -> CommandSummary { try await ssm.sendCommand(input) }
    public func listInvocations(commandId: String, nextToken: String?) async throws -> (invocations: [CommandInvocation], nextToken: String?) {
        try await ssm.listCommandInvocations(commandId: commandId, details: false, maxResults: 50, nextToken: nextToken)
    }
    public func getInvocation(commandId: String, instanceId: String) async throws -> InvocationResult {
        try await ssm.getCommandInvocation(commandId: commandId, instanceId: instanceId)
    }
    public func cancel(commandId: String, instanceIds: [String]?) async throws {
        try await ssm.cancelCommand(commandId: commandId, instanceIds: instanceIds)
    }
    public func listCommands(limit: Int) async throws -> [CommandSummary] { try await ssm.listCommands(limit: limit) }
    public func callerIdentity() async throws -> STSClient.CallerIdentity { try await sts.getCallerIdentity() }

    public func startSession(target: String, document: String?, reason: String?, parameters: [String: [String]]?) async throws -> SessionStream {
        try await ssm.startSession(target: target, documentName: document, reason: reason, parameters: parameters)
    }

    /// nil when the service says the session cannot be resumed (a null token).
    public func resumeSession(_ sessionId: String) async throws -> SessionStream? {
        do { return try await ssm.resumeSession(sessionId: sessionId) } catch let error as AWSServiceError where error.code == "InvalidResponse" { return nil }
    }

    public func terminateSession(_ sessionId: String) async throws { try await ssm.terminateSession(sessionId: sessionId) }
    public func describeSessions(history: Bool) async throws -> [SessionSummary] {
        try await ssm.describeSessions(state: history ? "History" : "Active")
    }
    public func connectionStatus(_ target: String) async throws -> String { try await ssm.connectionStatus(target: target) }

    public func generateDataKey(keyId: String, bytes: Int, context: [String: String]) async throws -> ([UInt8], [UInt8]) {
        let output = try await ssm.client.callJSON(.kms, "GenerateDataKey", [
            "KeyId": .string(keyId), "NumberOfBytes": .number(Double(bytes)),
            "EncryptionContext": .object(context.mapValues { JSONValue.string($0) }),
        ])
        guard let plaintext = output["Plaintext"]?.string.flatMap(Base64.decode),
              let blob = output["CiphertextBlob"]?.string.flatMap(Base64.decode) else {
            throw AWSServiceError(code: "InvalidResponse", message: "GenerateDataKey answered without Plaintext and CiphertextBlob.", status: 200,
                                  service: "kms", operation: "GenerateDataKey")
        }
        return (plaintext, blob)
    }

    public func streamHeaders(for url: EndpointURL) async throws -> [(String, String)] {
        let client = ssm.client
        // Every data-channel dial signs here first: a ws:// URL is refused before anything is sent.
        if let refusal = StreamURLPolicy.refusal(stream: url, apiEndpoint: try client.endpoint(for: .ssm).url) { throw UnusableStreamURL(description: refusal) }
        guard let provider = client.credentialProvider, let region = client.settings.region else { return [] }
        var request = HTTPRequest(method: "GET", url: url)
        request.headers.add("Host", url.hostHeader)
        SigV4Signer(region: region, service: "ssmmessages")
            .sign(&request, credentials: try await provider.credentials(), date: AmzDate(secondsSince1970: client.clock.now()))
        return request.headers.fields.filter { $0.name != "Host" }.map { ($0.name, $0.value) }
    }

    public var streamTransport: (caBundle: String?, environment: Environment) { (ssm.client.settings.caBundle, ssm.client.settings.environment) }

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
