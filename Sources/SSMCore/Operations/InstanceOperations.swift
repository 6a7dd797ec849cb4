public import AWSCore

/// A managed node as DescribeInstanceInformation reports it.
public struct ManagedNode: Sendable, Equatable {
    public var instanceId: String
    public var pingStatus: String
    public var lastPing: Double?
    public var agentVersion: String?
    public var isLatestVersion: Bool?
    public var platformType: String?
    public var platformName: String?
    public var platformVersion: String?
    public var resourceType: String?
    public var name: String?
    public var ipAddress: String?
    public var computerName: String?
    public var iamRole: String?

    /// From the reply's JSON (also how fakes build replies).
    public init(_ json: JSONValue) {
        instanceId = json.text("InstanceId") ?? ""
        pingStatus = json.text("PingStatus") ?? ""
        lastPing = json.time("LastPingDateTime")
        agentVersion = json.text("AgentVersion")
        isLatestVersion = json["IsLatestVersion"]?.bool
        platformType = json.text("PlatformType")
        platformName = json.text("PlatformName")
        platformVersion = json.text("PlatformVersion")
        resourceType = json.text("ResourceType")
        name = json.text("Name")
        ipAddress = json.text("IPAddress")
        computerName = json.text("ComputerName")
        iamRole = json.text("IamRole")
    }
}

extension SSMClient {
    /// DescribeInstanceInformation, every page, with the newer `Filters` form
    /// (`InstanceIds`, `PingStatus`, `PlatformTypes`, `tag:Name`, `tag-key`, ...).
    public func describeInstanceInformation(filters: [(key: String, values: [String])] = [], pageSize: Int = 50) async throws -> [ManagedNode] {
        try await Pagination.collect { token in
            var input: [String: JSONValue] = ["MaxResults": .number(Double(min(50, max(5, pageSize))))]
            if !filters.isEmpty {
                input["Filters"] = .array(filters.map { ["Key": .string($0.key), "Values": .array($0.values.map(JSONValue.string))] })
            }
            input.set("NextToken", token)
            let page = try await call("DescribeInstanceInformation", input)
            return (page.list("InstanceInformationList").map(ManagedNode.init), page.text("NextToken"))
        }
    }
}
