import AWSCore
import SSMCore
@testable import SSMShell
import Testing

/// `instances` and `use` take the same target words (issue 14, "Targets that compose"): one
/// kind adds up, kinds narrow each other, `!` takes out, and what the service can filter is sent.
@Suite struct InstancesFilterTests {
    /// The ids `instances` lists, else those `use` chose.
    func ids(_ line: String) async -> (status: Int32, ids: [String], calls: [String], stderr: String) {
        let fleet = InterpreterTests.fleet()
        let (shell, console) = InterpreterTests().shell(fleet)
        shell.settings.outputFormat = .text
        let status = await shell.run(source: line, file: "t")
        let ids = line.hasPrefix("use") ? shell.targets.map(\.id) : console.stdout.split(separator: "\n").map { String($0.prefix { $0 != "\t" }) }
        return (status, ids, fleet.calls, console.stderr)
    }

    @Test func wordsOfOneKindAddUpAndKindsNarrow() async {
        #expect(await ids("instances web-1,web-2 tag:Role=web").ids == ["i-00000000000000001", "i-00000000000000002"])
        #expect(await ids("instances web-1,web-2 web-2").ids == ["i-00000000000000001", "i-00000000000000002"])
        let none = await ids("instances web-1 tag:Role=ad")
        #expect(none.status == 1 && none.stderr.contains("no managed node matches 'web-1 tag:Role=ad'"), "\(none.stderr)")
    }

    @Test func filtersAreSystemsManagersAndTakeAnyCase() async {
        let result = await ids("instances Offline")
        #expect(result.ids == ["i-000000000000lost"])
        #expect(result.calls.contains("DescribeInstanceInformation PingStatus=ConnectionLost,Inactive"))
        #expect(await ids("instances platform:windows online").ids == ["i-0000000000000win"])
        #expect(await ids("instances platform:macos").status == 0, "filters alone that match nothing are an empty list")
    }

    @Test func theServiceNarrowsATagByPlatformAndPingInOneCall() async {
        let result = await ids("use tag:Role=web platform:linux online")
        #expect(result.calls.contains("DescribeInstanceInformation tag:Role=web PingStatus=Online PlatformTypes=Linux"), "\(result.calls)")
        #expect(result.ids == ["i-00000000000000001", "i-00000000000000002", "i-00000000000000003"])
        #expect(result.calls.filter { $0.hasPrefix("DescribeInstanceInformation") }.count == 1)
    }

    @Test func aTagKeyIsTheServicesTagKeyFilter() async {
        let result = await ids("instances tag:Role")
        #expect(result.calls.contains("DescribeInstanceInformation tag-key=Role"), "\(result.calls)")
        #expect(result.ids.count == 5)
    }

    @Test func bangTakesOutAndWarnsWhenItTakesOutNothing() async {
        let result = await ids("use web-* !web-3 !web-9")
        #expect(result.ids == ["i-00000000000000001", "i-00000000000000002"])
        #expect(result.stderr.contains("warning: !web-9 takes out nothing"), "\(result.stderr)")
        let all = await ids("use web-1 web-2 !web-*")
        #expect(all.status == 1)
        #expect(all.stderr.contains("t:1: the ! words of 'web-1 web-2 !web-*' take out all 2 nodes it matches: nothing is left"), "\(all.stderr)")
    }

    @Test func aBadWordIsAUsageErrorBeforeAnyCall() async {
        for line in ["instances web-1 tag:", "use platform:bsd", "instances agent<new", "use !"] {
            let result = await ids(line)
            #expect(result.status == 2, "\(line)")
            #expect(!result.calls.contains { $0.hasPrefix("DescribeInstanceInformation") }, "\(line)")
        }
    }
}
