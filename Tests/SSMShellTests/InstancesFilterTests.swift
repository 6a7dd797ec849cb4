import AWSCore
import SSMCore
@testable import SSMShell
import Testing

/// `instances` keeps a node only when every word has it: a word's comma-joined targets are
/// one choice, the words narrow each other, and the filters ask Systems Manager directly.
@Suite struct InstancesFilterTests {
    func ids(_ line: String) async -> (status: Int32, ids: [String], calls: [String]) {
        let fleet = InterpreterTests.fleet()
        let (shell, console) = InterpreterTests().shell(fleet)
        shell.settings.outputFormat = .text
        let status = await shell.run(source: line, file: "t")
        let ids = console.stdout.split(separator: "\n").map { String($0.prefix { $0 != "\t" }) }
        return (status, ids, fleet.calls)
    }

    @Test func commasJoinAndWordsNarrow() async {
        #expect(await ids("instances web-1,web-2 tag:Role=web").ids == ["i-00000000000000001", "i-00000000000000002"])
        #expect(await ids("instances web-1,web-2 web-2").ids == ["i-00000000000000002"])
        #expect(await ids("instances web-1 tag:Role=ad").ids == [])
    }

    @Test func filtersAreSystemsManagersAndTakeAnyCase() async {
        let result = await ids("instances Offline")
        #expect(result.ids == ["i-000000000000lost"])
        #expect(result.calls.contains("DescribeInstanceInformation PingStatus=ConnectionLost,Inactive"))
        #expect(await ids("instances platform:windows online").ids == ["i-0000000000000win"])
    }

    @Test func aBadTagIsAUsageErrorBeforeAnyCall() async {
        let result = await ids("instances web-1 tag:Role")
        #expect(result.status == 2)
        #expect(!result.calls.contains { $0.hasPrefix("DescribeInstanceInformation") })
    }
}
