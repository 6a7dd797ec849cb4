import AWSCore
import SSMCore
import Synchronization
import Testing

/// Target terms to nodes through the nodes seam: which calls each form makes, and the names
/// the nodes come out with.
@Suite struct NodeResolverTests {
    final class FakeNodes: NodesAPI {
        struct Entry { var id: String; var name: String; var managed: Bool; var tags: [String: String] = [:] }
        let entries: [Entry]
        let ec2Denied: Bool
        let log = Mutex<[String]>([])

        init(_ entries: [Entry], ec2Denied: Bool = false) {
            self.entries = entries
            self.ec2Denied = ec2Denied
        }

        var calls: [String] { log.withLock { $0 } }

        func describeNodes(filters: [(key: String, values: [String])]) async throws -> [ManagedNode] {
            log.withLock {
                $0.append("ssm \(filters.map { "\($0.key)=\($0.values.count == 1 ? $0.values[0] : String($0.values.count))" }.joined(separator: " "))")
            }
            return entries.filter { e in
                e.managed
                    && filters.allSatisfy { f in
                        switch f.key {
                        case "InstanceIds": f.values.contains(e.id)
                        case "PingStatus": f.values.contains("Online")
                        case "tag:Name": f.values.contains(e.name)
                        default: f.key.hasPrefix("tag:") && f.values.contains(e.tags[String(f.key.dropFirst(4))] ?? "\u{0}")
                        }
                    }
            }.map { ManagedNode(.object(["InstanceId": .string($0.id), "PingStatus": "Online", "PlatformType": "Linux"])) }
        }

        func describeEC2(filters: [(name: String, values: [String])]) async throws -> [EC2Client.Instance] {
            log.withLock { $0.append("ec2") }
            if ec2Denied {
                throw AWSServiceError(
                    code: "UnauthorizedOperation", message: "not authorized to perform: ec2:DescribeInstances", status: 403, operation: "DescribeInstances")
            }
            let prefix = filters.first?.values.first.map { String($0.prefix { $0 != "*" }) }
            return entries.filter { prefix == nil || $0.name.hasPrefix(prefix!) }
                .map { EC2Client.Instance(instanceId: $0.id, state: "running", tags: ["Name": $0.name]) }
        }
    }

    static func id(_ n: Int) -> String {
        let hex = String(n, radix: 16)
        return "i-" + String(repeating: "0", count: 17 - hex.count) + hex
    }

    @Test func anIdKeepsTheNameItWasKnownBy() async throws {
        let api = FakeNodes([.init(id: "i-01234567", name: "web-1", managed: true)])
        let nodes = try await NodeResolver(api).resolve(.instanceId("i-01234567"), names: ["i-01234567": "front"])
        #expect(nodes == [Node(id: "i-01234567", name: "front", platform: "Linux", pingStatus: "Online")])
        #expect(api.calls == ["ssm InstanceIds=i-01234567"])
    }

    @Test func aNameIsTheNodesName() async throws {
        let api = FakeNodes([.init(id: "i-01234567", name: "web-1", managed: true)])
        #expect(try await NodeResolver(api).resolve(.name("web-1"), names: [:]).map(\.name) == ["web-1"])
        #expect(api.calls == ["ssm tag:Name=web-1"])
    }

    @Test func allAndTagAskSystemsManagerOnly() async throws {
        let api = FakeNodes([.init(id: "i-01234567", name: "web-1", managed: true, tags: ["Role": "web"])])
        let resolver = NodeResolver(api)
        #expect(try await resolver.resolve(.all, names: [:]).count == 1)
        #expect(try await resolver.resolve(.tag(key: "Role", value: "web"), names: [:]).count == 1)
        #expect(try await resolver.resolve(.tag(key: "Role", value: "db"), names: [:]).isEmpty)
        #expect(api.calls == ["ssm PingStatus=Online", "ssm tag:Role=web", "ssm tag:Role=db"])
    }

    /// EC2 finds the names (its filters take wildcards), Systems Manager says which are managed,
    /// 50 ids a call; the nodes come out sorted by name.
    @Test func aGlobGoesThroughEC2AndAsksFiftyIdsAtATime() async throws {
        let entries = (1...120).map { FakeNodes.Entry(id: Self.id($0), name: "web-\(1000 - $0)", managed: $0 != 7) }
        let api = FakeNodes(entries)
        let nodes = try await NodeResolver(api).resolve(.nameGlob("web-*"), names: [:])
        #expect(nodes.count == 119)
        #expect(nodes.map { $0.name! } == nodes.map { $0.name! }.sorted())
        #expect(api.calls == ["ec2", "ssm InstanceIds=50", "ssm InstanceIds=50", "ssm InstanceIds=20"])
    }

    @Test func aGlobMatchingNoInstanceAsksNoMore() async throws {
        let api = FakeNodes([.init(id: "i-01234567", name: "web-1", managed: true)])
        #expect(try await NodeResolver(api).resolve(.nameGlob("db-*"), names: [:]).isEmpty)
        #expect(api.calls == ["ec2"])
    }

    @Test func aGlobWithoutEC2SaysWhatToDo() async {
        let api = FakeNodes([], ec2Denied: true)
        await #expect(throws: TargetError.globNeedsEC2("web-*")) { try await NodeResolver(api).resolve(.nameGlob("web-*"), names: [:]) }
        #expect(await NodeResolver(api).allNames() == [])
    }

    @Test func batchesAreTheServicesLimits() {
        #expect(Array(0..<5).batches(of: 2) == [[0, 1], [2, 3], [4]])
        #expect([Int]().batches(of: 50) == [])
    }
}
