import SSMCore
import Testing

/// What `run` sends: documents by platform, batches of 50, and the limits of the service and the agent.
@Suite struct RunPlanTests {
    static func nodes(_ linux: Int, windows: Int = 0) -> [Node] {
        (0..<linux).map { Node(id: "i-\(String(repeating: "0", count: 12))\(String($0 + 10000))", name: "web-\($0)", platform: "Linux", pingStatus: "Online") }
            + (0..<windows).map { Node(id: "i-0000000000009\($0 + 1000)", name: "win-\($0)", platform: "Windows", pingStatus: "Online") }
    }

    @Test func linuxAndMacGetTheShellScriptWindowsPowerShell() {
        var nodes = Self.nodes(2, windows: 1)
        nodes[1].platform = "MacOS"
        let groups = RunPlan.groups(nodes, document: nil)
        #expect(groups.map(\.document) == ["AWS-RunShellScript", "AWS-RunPowerShellScript"])
        #expect(groups.map(\.nodes.count) == [2, 1])
        #expect(groups.map(\.powerShell) == [false, true])
        #expect(RunPlan.groups(Self.nodes(0, windows: 2), document: nil).map(\.document) == ["AWS-RunPowerShellScript"])
    }

    @Test func aNamedDocumentTakesEveryNodeAndIsPowerShellWhenItOrEveryNodeIs() {
        #expect(RunPlan.groups(Self.nodes(1, windows: 1), document: "Custom").map(\.powerShell) == [false])
        #expect(RunPlan.groups(Self.nodes(0, windows: 2), document: "Custom").map(\.powerShell) == [true])
        #expect(RunPlan.groups(Self.nodes(2), document: "AWS-RunPowerShellScript").map(\.powerShell) == [true])
        #expect(RunPlan.groups(Self.nodes(3, windows: 1), document: "Custom").map(\.nodes.count) == [4])
    }

    @Test func batchesOfFiftyShareTheirOptions() {
        var options = RunPlan.Options()
        options.parameters = ["executionTimeout": ["300"]]
        options.deliveryTimeout = 600
        options.maxConcurrency = "10%"
        options.maxErrors = "1"
        let group = RunPlan.groups(Self.nodes(120), document: nil)[0]
        let requests = RunPlan.requests(group, lines: ["uptime", "df"], options: options)
        #expect(requests.map(\.nodes.count) == [50, 50, 20])
        #expect(requests.map { $0.input.instanceIds?.count } == [50, 50, 20])
        #expect(requests[2].input.instanceIds == requests[2].nodes.map(\.id))
        #expect(requests.allSatisfy { $0.input.parameters == ["commands": ["uptime", "df"], "executionTimeout": ["300"]] })
        #expect(
            requests.allSatisfy {
                $0.input.comment == "uptime" && $0.input.timeoutSeconds == 600 && $0.input.maxConcurrency == "10%" && $0.input.maxErrors == "1"
            })
    }

    @Test func theCommentIsTheFirstLineCutTo100UnlessGiven() {
        let group = RunPlan.groups(Self.nodes(1), document: nil)[0]
        #expect(RunPlan.requests(group, lines: [String(repeating: "a", count: 150)], options: .init())[0].input.comment == String(repeating: "a", count: 100))
        #expect(RunPlan.requests(group, lines: [], options: .init())[0].input.comment == "")
        #expect(RunPlan.requests(group, lines: [], options: .init())[0].input.parameters == [:], "a document run without text sends no commands")
        var options = RunPlan.Options()
        options.comment = "nightly"
        #expect(RunPlan.requests(group, lines: ["x"], options: options)[0].input.comment == "nightly")
    }

    @Test func aHereDocumentLosesOnlyItsTrailingBlankLines() {
        #expect(RunPlan.scriptLines("a\n\nb\n\n\n") == ["a", "", "b"])
        #expect(RunPlan.scriptLines("") == [])
    }

    /// amazon-ssm-agent runs an executionTimeout outside 5...172800 for 3600 s without a word (issue 19).
    @Test func executionTimeoutIsWholeSecondsFrom5To48Hours() throws {
        #expect(try RunPlan.executionTimeout(4.2) == 5)
        #expect(try RunPlan.executionTimeout(172_800) == 172_800)
        #expect(throws: RunPlanError.executionTimeoutOutOfRange(4)) { try RunPlan.executionTimeout(4) }
        #expect(throws: RunPlanError.executionTimeoutOutOfRange(172_801)) { try RunPlan.executionTimeout(172_800.5) }
        #expect(RunPlanError.executionTimeoutOutOfRange(2).description.contains("from 5s to 48h (172800 s), not 2s"))
    }

    @Test func deliveryTimeoutIsRaisedTo30AndAtMost30Days() throws {
        #expect(try RunPlan.deliveryTimeout(1) == 30)
        #expect(try RunPlan.deliveryTimeout(2_592_000) == 2_592_000)
        #expect(throws: RunPlanError.deliveryTimeoutTooLong(2_592_001)) { try RunPlan.deliveryTimeout(2_592_001) }
    }

    @Test func aParameterIsKeyEqualsValue() throws {
        #expect(try RunPlan.parameter("a=b=c") == ("a", "b=c"))
        #expect(try RunPlan.parameter("a=") == ("a", ""))
        #expect(throws: RunPlanError.malformedParameter("=b")) { try RunPlan.parameter("=b") }
        #expect(throws: RunPlanError.malformedParameter("ab")) { try RunPlan.parameter("ab") }
    }
}
