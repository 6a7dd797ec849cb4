/// A managed node as the shell knows it after resolving targets.
public struct Node: Sendable, Equatable {
    public var id: String
    public var name: String?
    public var platform: String
    public var pingStatus: String
    /// The account and region it was found in, when the shell works in several (nil: the one
    /// context there is).
    public var pair: ContextPair?

    public init(id: String, name: String?, platform: String, pingStatus: String, pair: ContextPair? = nil) {
        self.id = id
        self.name = name
        self.platform = platform
        self.pingStatus = pingStatus
        self.pair = pair
    }

    /// A node as DescribeInstanceInformation describes it, under the name known for it.
    public init(_ info: ManagedNode, name: String?, pair: ContextPair? = nil) {
        self.init(id: info.instanceId, name: name, platform: info.platformType ?? "Linux", pingStatus: info.pingStatus, pair: pair)
    }

    public var label: String { name.map { "\($0) (\(id))" } ?? id }
    public var shortLabel: String { name ?? id }
}
