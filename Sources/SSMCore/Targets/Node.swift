/// A managed node as the shell knows it after resolving targets.
public struct Node: Sendable, Equatable {
    public var id: String
    public var name: String?
    public var platform: String
    public var pingStatus: String
    /// The account and region it was found in, when the shell works in several (nil: the one
    /// context there is).
    public var pair: ContextPair?
    /// The agent's version, for `agent<VERSION` (nil when not known).
    public var agentVersion: String?
    /// The host name the agent reports (DescribeInstanceInformation's ComputerName).
    public var computerName: String?

    public init(
        id: String, name: String?, platform: String, pingStatus: String, pair: ContextPair? = nil, agentVersion: String? = nil,
        computerName: String? = nil
    ) {
        self.id = id
        self.name = name
        self.platform = platform
        self.pingStatus = pingStatus
        self.pair = pair
        self.agentVersion = agentVersion
        self.computerName = computerName
    }

    /// A node as DescribeInstanceInformation describes it, under the name known for it.
    public init(_ info: ManagedNode, name: String?, pair: ContextPair? = nil) {
        self.init(
            id: info.instanceId, name: name, platform: info.platformType ?? "Linux", pingStatus: info.pingStatus, pair: pair,
            agentVersion: info.agentVersion, computerName: info.computerName)
    }

    /// The name a person reads wherever nodes are shown (issue 14): the Name tag when known,
    /// else the first label of the computer name (`web-1` of `web-1.ec2.internal`), else the id.
    public var displayName: String { name ?? computerName.flatMap(Self.firstLabel) ?? id }

    /// `web-1 (i-0123...)`, or the id when there is no name to show.
    public var label: String { displayName == id ? id : "\(displayName) (\(id))" }
    /// `web-1`, or the id.
    public var shortLabel: String { displayName }

    /// A host name's first label; nil when empty or holding what a terminal would act on (the
    /// agent reports it: anyone's text).
    static func firstLabel(_ host: String) -> String? {
        let label = host.prefix { $0 != "." }
        guard !label.isEmpty, label.count <= 63, label.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else { return nil }
        return String(label)
    }
}
