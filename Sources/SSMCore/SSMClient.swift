public import AWSCore

/// Typed Systems Manager operations (JSON 1.1, `AmazonSSM.<Operation>`), following the model
/// subset in Tests/Fixtures/models/ssm-subset.json.
public struct SSMClient: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) { self.client = client }

    /// Whether a call may be resent comes from OperationIdempotency (SendCommand and StartSession may not).
    func call(_ operation: String, _ input: [String: JSONValue], idempotent: Bool? = nil) async throws -> JSONValue {
        try await client.callJSON(.ssm, operation, .object(input), idempotent: idempotent)
    }

    func call(_ operation: String, _ input: JSONValue, idempotent: Bool? = nil) async throws -> JSONValue {
        try await client.callJSON(.ssm, operation, input, idempotent: idempotent)
    }
}

/// STS in the Query protocol: who am I, and AssumeRole.
public struct STSClient: Sendable {
    public let client: AWSClient
    public init(client: AWSClient) { self.client = client }

    public struct CallerIdentity: Sendable, Equatable {
        public var account: String
        public var arn: String
        public var userId: String

        public init(account: String, arn: String, userId: String) {
            self.account = account
            self.arn = arn
            self.userId = userId
        }
    }

    public func getCallerIdentity() async throws -> CallerIdentity {
        let result = try await client.callQuery(.sts, "GetCallerIdentity", .object([:]))
        return CallerIdentity(account: result.string("Account") ?? "", arn: result.string("Arn") ?? "", userId: result.string("UserId") ?? "")
    }

    /// AssumeRole with the client's credentials; the result's secrets stay out of descriptions.
    public func assumeRole(roleArn: String, sessionName: String, durationSeconds: Int? = nil, externalId: String? = nil) async throws -> Credentials {
        var parameters: [String: JSONValue] = ["RoleArn": .string(roleArn), "RoleSessionName": .string(sessionName)]
        if let durationSeconds { parameters["DurationSeconds"] = .number(Double(durationSeconds)) }
        if let externalId { parameters["ExternalId"] = .string(externalId) }
        let result = try await client.callQuery(.sts, "AssumeRole", .object(parameters))
        guard let key = result.string("Credentials", "AccessKeyId"), let secret = result.string("Credentials", "SecretAccessKey") else {
            throw AWSServiceError(
                code: "InvalidResponse", message: "AssumeRole answered without credentials.", status: 200, service: "sts", operation: "AssumeRole")
        }
        return Credentials(
            accessKeyId: key, secretAccessKey: secret, sessionToken: result.string("Credentials", "SessionToken"),
            expiration: result.string("Credentials", "Expiration").flatMap(CivilTime.parseISO8601), source: "role \(roleArn)")
    }
}

/// EC2 in its own Query flavour: DescribeInstances for Name tags and states.
public struct EC2Client: Sendable {
    public let client: AWSClient
    public init(client: AWSClient) { self.client = client }

    public struct Instance: Sendable, Equatable {
        public var instanceId: String
        public var state: String?
        public var tags: [String: String]
        public var privateIpAddress: String?
        public var vpcId: String?
        public var subnetId: String?
        public var iamInstanceProfileArn: String?
        public var platform: String?
        public var name: String? { tags["Name"] }

        public init(
            instanceId: String, state: String?, tags: [String: String], privateIpAddress: String? = nil, vpcId: String? = nil,
            subnetId: String? = nil, iamInstanceProfileArn: String? = nil, platform: String? = nil
        ) {
            self.instanceId = instanceId
            self.state = state
            self.tags = tags
            self.privateIpAddress = privateIpAddress
            self.vpcId = vpcId
            self.subnetId = subnetId
            self.iamInstanceProfileArn = iamInstanceProfileArn
            self.platform = platform
        }
    }

    /// DescribeInstances, every page. Filters use EC2's names (`tag:Name`, `instance-state-name`).
    public func describeInstances(instanceIds: [String] = [], filters: [(name: String, values: [String])] = []) async throws -> [Instance] {
        // EC2 answers an empty nextToken on the last page.
        try await Pagination.collect { token in
            var instances: [Instance] = []
            var parameters: [String: JSONValue] = [:]
            if !instanceIds.isEmpty { parameters["InstanceId"] = .array(instanceIds.map(JSONValue.string)) }
            if !filters.isEmpty {
                parameters["Filter"] = .array(filters.map { ["Name": .string($0.name), "Value": .array($0.values.map(JSONValue.string))] })
            }
            if let token { parameters["NextToken"] = .string(token) }
            if instanceIds.isEmpty { parameters["MaxResults"] = 1000 }
            let root = try await client.callQuery(.ec2, "DescribeInstances", .object(parameters))
            for reservation in root["reservationSet"]?.all("item") ?? [] {
                for item in reservation["instancesSet"]?.all("item") ?? [] {
                    var tags: [String: String] = [:]
                    for tag in item["tagSet"]?.all("item") ?? [] {
                        if let key = tag.string("key") { tags[key] = tag.string("value") ?? "" }
                    }
                    instances.append(
                        Instance(
                            instanceId: item.string("instanceId") ?? "", state: item.string("instanceState", "name"), tags: tags,
                            privateIpAddress: item.string("privateIpAddress"), vpcId: item.string("vpcId"),
                            subnetId: item.string("subnetId"), iamInstanceProfileArn: item.string("iamInstanceProfile", "arn"),
                            platform: item.string("platform")))
                }
            }
            return (instances, root.string("nextToken"))
        }
    }
}
