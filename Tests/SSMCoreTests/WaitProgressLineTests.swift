import AWSCore
import SSMCore
import Testing

/// `wait`'s progress line names the nodes left and those that did not succeed (issue 14).
@Suite struct WaitProgressLineTests {
    static func invocation(_ node: String, _ status: String) -> CommandInvocation {
        CommandInvocation(.object(["CommandId": "c", "InstanceId": .string(node), "Status": .string(status)]))
    }

    @Test func namesThePendingAndTheUnsuccessfulInTheOrderSent() {
        let latest = ["c": ["a": Self.invocation("a", "Success"), "b": Self.invocation("b", "Failed"), "c": Self.invocation("c", "InProgress")]]
        let nodes = WaitProgressLine.nodes(["c"], sentTo: ["c": ["a", "b", "c", "d"]], latest: latest)
        #expect(nodes.pending == ["c", "d"], "a node not listed yet is pending")
        #expect(nodes.unsuccessful == ["b"])
        let progress = WaitProgress(["c"], sentTo: ["c": 4], latest: latest)
        #expect(
            WaitProgressLine.text(progress, pending: ["web-3", "web-4"], unsuccessful: ["web-2"], elapsed: "3s")
                == "waiting: 2/4 done, 1 not successful (web-2) · left: web-3, web-4 · 3s")
    }

    @Test func longListsAreCut() {
        let progress = WaitProgress(["c"], sentTo: ["c": 5], latest: [:])
        #expect(
            WaitProgressLine.text(progress, pending: ["n1", "n2", "n3", "n4", "n5"], unsuccessful: [], elapsed: "0s")
                == "waiting: 0/5 done · left: n1, n2, n3 +2 · 0s")
    }
}
