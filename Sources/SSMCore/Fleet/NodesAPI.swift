/// The lookups that turn target words into managed nodes: Systems Manager's node inventory and
/// EC2's (for Name globs, names, and instances that are not managed yet). A seam: the real one
/// wraps the typed clients, tests pass a fake fleet.
public protocol NodesAPI: Sendable {
    /// DescribeInstanceInformation, every page.
    func describeNodes(filters: [(key: String, values: [String])]) async throws -> [ManagedNode]
    /// EC2 DescribeInstances, every page (its filters take wildcards; SSM's do not).
    func describeEC2(filters: [(name: String, values: [String])]) async throws -> [EC2Client.Instance]
}
