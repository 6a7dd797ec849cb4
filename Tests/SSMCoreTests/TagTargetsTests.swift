import AWSCore
import SSMCore
import Testing

/// A target expression of tags only goes as SendCommand Targets, one call a pair (issue 14,
/// "Scale"); `output` reads the listing's plugin Output where the agent did not cut it.
@Suite struct TagTargetsTests {
    func targets(_ words: String) throws -> [String]? {
        try TagTargets.targets(for: TargetExpression.parse(words.split(separator: " ").map(String.init)))?.map {
            "\($0.key)=\($0.values.joined(separator: ","))"
        }
    }

    @Test func tagsOfOneKeyAreOneTargetsEntryTheirValuesOred() throws {
        #expect(try targets("tag:Fleet=scale") == ["tag:Fleet=scale"])
        #expect(try targets("tag:Role=web tag:Role=api,tag:Role=web") == ["tag:Role=web,api"])
        #expect(try targets("tag:Role tag:Env") == ["tag-key=Role,Env"])
    }

    @Test func anythingThatNarrowsOrAddsOtherwiseGoesById() throws {
        for words in [
            "tag:Role=web tag:Env=prod", "tag:Role=web platform:linux", "tag:Role=web online", "tag:Role=web !web-3", "tag:Role=web web-1",
            "tag:Role=web tag:Env", "tag:Role=web*", "tag:Role=w?b", "tag:Rol*", "tag:R?le", "all", "web-*", "i-0123456789abcdef0",
        ] {
            #expect(try targets(words) == nil, "\(words)")
        }
        #expect(try TagTargets.targets(for: TargetExpression.parse([])) == nil)
        let many = (0...TagTargets.maxValues).map { "tag:Role=r\($0)" }
        #expect(try TagTargets.targets(for: TargetExpression.parse(many)) == nil, "more values than Targets takes")
    }

    @Test func theLargestGroupGoesByTargetsAndTheOthersById() {
        let groups = RunPlan.groups(RunPlanTests.nodes(3, windows: 1), document: nil)
        #expect(TagTargets.targetedGroup(groups) == 0)
        #expect(TagTargets.targetedGroup(RunPlan.groups(RunPlanTests.nodes(1, windows: 2), document: nil)) == 1)
        #expect(TagTargets.targetedGroup(RunPlan.groups(RunPlanTests.nodes(1, windows: 1), document: nil)) == 0, "the first of equals")
        #expect(TagTargets.targetedGroup([]) == nil)
        var options = RunPlan.Options()
        options.comment = "c"
        let request = RunPlan.targetedRequest(groups[0], targets: [(key: "tag:Fleet", values: ["scale"])], lines: ["uptime"], options: options)
        #expect(request.input.instanceIds == nil && request.nodes.count == 3)
        #expect(request.input.targets?.map { "\($0.key)=\($0.values)" } == ["tag:Fleet=[\"scale\"]"])
        #expect(request.input.parameters == ["commands": ["uptime"]] && request.input.comment == "c")
    }

    @Test func theLedgerExpectsTheTargetCountAndLeavesOutTheOtherDocumentsNodes() {
        var ledger = CommandLedger()
        let nodes = RunPlanTests.nodes(2)
        ledger.record("t", nodes: nodes, executionTimeout: nil, deliveryTimeout: nil)
        ledger.record("w", nodes: RunPlanTests.nodes(0, windows: 1), executionTimeout: nil, deliveryTimeout: nil)
        ledger.recordTargets("t", targetCount: 3, leftOut: ["i-win"])
        #expect(ledger.expectedCounts == ["t": 3, "w": 1])
        let listed = ["i-late", nodes[1].id, "i-win", nodes[0].id].map { CommandInvocation(["InstanceId": .string($0), "Status": "Success"]) }
        #expect(ledger.own("t", listed).map(\.instanceId) == ["i-late", nodes[1].id, nodes[0].id])
        #expect(ledger.own("w", listed).count == 4)
        #expect(ledger.order("t", listed: ["i-late", nodes[1].id, nodes[0].id]) == [nodes[0].id, nodes[1].id, "i-late"])
        ledger.recordTargets("u", targetCount: 0, leftOut: [])
        #expect(ledger.expectedCounts["u"] == nil, "a TargetCount of 0 is not known yet")
    }

    @Test func thePluginOutputSplitsIntoStdoutAndStderrWhenWhole() {
        #expect(PluginOutput.streams("hello\n")! == ("hello\n", ""))
        #expect(
            PluginOutput.streams("out\n\n----------ERROR-------\nerr\nfailed to run commands: exit status 2", hasStderr: true)! == (
                "out\n", "err\nfailed to run commands: exit status 2"
            ))
        #expect(PluginOutput.streams("")! == ("", ""))
        #expect(PluginOutput.streams(String(repeating: "x", count: 2400) + "\n---Output truncated---") == nil)
        #expect(PluginOutput.streams("o\n----------ERROR-------\n" + String(repeating: "e", count: 2000) + "\n---Error truncated----") == nil)
        #expect(PluginOutput.streams("a\n----------ERROR-------\nb\n----------ERROR-------\nc") == nil, "which title is the agent's?")
        #expect(PluginOutput.streams(String(repeating: "é", count: 1300)) == nil, "2,600 bytes: not what the agent leaves whole")
        // The agent joins bytes: a stdout ending in "\r" (Windows) puts it in one Character with the
        // title's "\n", and a Character search found no title there.
        #expect(PluginOutput.streams("a\r\n----------ERROR-------\nerr", hasStderr: true)! == ("a\r", "err"))
        #expect(
            PluginOutput.streams("a\n----------ERROR-------\n----------ERROR-------\nc", hasStderr: true)! == ("a", "----------ERROR-------\nc"),
            "titles sharing a line feed are one title, as before")
    }

    /// The agent writes its error title exactly when stderr is not empty, so one title with text
    /// after it is split there for every status: a successful node that wrote to stderr (`apt-get
    /// update`'s warnings) costs no GetCommandInvocation (issue 14, "Scale"). The one misreading,
    /// a stdout that prints the title itself with no stderr, is documented in docs/language.md.
    @Test func oneTitleIsSplitForEveryStatusSoStderrCostsNoCall() {
        let written = "Reading package lists...\n\n----------ERROR-------\nW: some index files failed\n"
        #expect(PluginOutput.streams(written)! == ("Reading package lists...\n", "W: some index files failed\n"))
        #expect(PluginOutput.streams("tail\n----------ERROR-------\n")! == ("tail\n----------ERROR-------\n", ""), "the agent's title has a stderr after it")
        #expect(PluginOutput.streams("o\n----------ERROR-------\ne", hasStderr: true)! == ("o", "e"))
        #expect(PluginOutput.streams("no title", hasStderr: true) == nil, "a failed script's stderr is missing: not what the agent writes")
        func listed(_ status: String, plugin: String = "aws:runShellScript") -> CommandInvocation {
            CommandInvocation([
                "CommandId": "c", "InstanceId": "i-1", "Status": .string(status), "DocumentName": "AWS-RunShellScript",
                "CommandPlugins": [["Name": .string(plugin), "ResponseCode": 0, "Output": .string(written)]],
            ])
        }
        #expect(PluginOutput.result(listed("Success"))?.standardError == "W: some index files failed\n", "no GetCommandInvocation for a stderr")
        #expect(PluginOutput.result(listed("Failed"))?.standardError == "W: some index files failed\n")
        #expect(PluginOutput.result(listed("Success", plugin: "aws:runDocument"))?.standardOutput == "Reading package lists...\n")
    }

    @Test func aListedInvocationIsGetCommandInvocationsAnswerWhenWhole() {
        func invocation(_ plugins: [JSONValue]) -> CommandInvocation {
            CommandInvocation([
                "CommandId": "c", "InstanceId": "i-1", "Status": "Failed", "StatusDetails": "Failed", "DocumentName": "AWS-RunShellScript",
                "CommandPlugins": .array(plugins), "CloudWatchOutputConfig": ["CloudWatchOutputEnabled": false],
            ])
        }
        let plugin: JSONValue = ["Name": "aws:runShellScript", "ResponseCode": 2, "Output": "out\n\n----------ERROR-------\nerr\n"]
        let result = PluginOutput.result(invocation([plugin]))!
        #expect(result.standardOutput == "out\n" && result.standardError == "err\n" && result.responseCode == 2)
        #expect(result.status == "Failed" && result.pluginName == "aws:runShellScript" && result.cloudWatchGroup == nil)
        #expect(PluginOutput.result(invocation([["Name": "aws:runShellScript", "ResponseCode": 0, "Output": "x\n---Output truncated---"]])) == nil)
        #expect(PluginOutput.result(invocation([plugin, plugin])) == nil, "several plugins: GetCommandInvocation names one")
        #expect(PluginOutput.result(invocation([["Name": "aws:runShellScript"]])) == nil, "no Output given")
        let pending = PluginOutput.result(invocation([]))!
        #expect(pending.standardOutput.isEmpty && pending.responseCode == -1)
        #expect(PluginOutput.result(CommandInvocation(["InstanceId": "i-1", "Status": "Pending"])) == nil, "listed without details")
    }
}
