/// A managed node as the shell knows it after resolving targets.
public struct Node: Sendable, Equatable {
    public var id: String
    public var name: String?
    public var platform: String
    public var pingStatus: String

    public init(id: String, name: String?, platform: String, pingStatus: String) {
        self.id = id
        self.name = name
        self.platform = platform
        self.pingStatus = pingStatus
    }

    /// A node as DescribeInstanceInformation describes it, under the name known for it.
    public init(_ info: ManagedNode, name: String?) {
        self.init(id: info.instanceId, name: name, platform: info.platformType ?? "Linux", pingStatus: info.pingStatus)
    }

    public var label: String { name.map { "\($0) (\(id))" } ?? id }
    public var shortLabel: String { name ?? id }
}
