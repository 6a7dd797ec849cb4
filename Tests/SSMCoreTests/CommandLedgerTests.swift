import SSMCore
import Testing

/// What the shell remembers of the commands it sent, and the outcomes it reads from it.
@Suite struct CommandLedgerTests {
    let node = Node(id: "i-01234567", name: "web-1", platform: "Linux", pingStatus: "Online")

    @Test func dollarCmdIsTheLastRunsIds() throws {
        var ledger = CommandLedger()
        #expect(throws: LedgerError.noCommandYet) { try ledger.commandIds(nil) }
        ledger.record("a", nodes: [node], executionTimeout: 5, deliveryTimeout: nil)
        ledger.record("b", nodes: [node], executionTimeout: 5, deliveryTimeout: nil)
        ledger.finishRun(["a", "b"])
        #expect(try ledger.commandIds(nil) == ["a", "b"])
        #expect(try ledger.commandIds("x,y z") == ["x", "y", "z"])
        #expect(throws: LedgerError.noIdGiven) { try ledger.commandIds(", ") }
        #expect(ledger.targets["a"] == [node])
    }

    /// The agent's 137 and 1 are not the script's exit codes (issue 19); an undelivered command
    /// has none. Unset timeouts are the defaults: 3600 s each.
    @Test func outcomesSayWhatHappened() {
        var ledger = CommandLedger()
        ledger.record("run", nodes: [node], executionTimeout: 5, deliveryTimeout: 600)
        ledger.record("document", nodes: [node], executionTimeout: nil, deliveryTimeout: nil)
        #expect(ledger.outcome("run", status: "TimedOut", details: "ExecutionTimedOut") == .timedOut(after: 5))
        #expect(ledger.outcome("document", status: "TimedOut", details: "ExecutionTimedOut") == .timedOut(after: 3600))
        #expect(ledger.outcome("run", status: "TimedOut", details: "DeliveryTimedOut") == .notDelivered(within: 600))
        #expect(ledger.outcome("document", status: "TimedOut", details: "DeliveryTimedOut") == .notDelivered(within: 3600))
        #expect(ledger.outcome("elsewhere", status: "TimedOut", details: "ExecutionTimedOut") == .timedOut(after: nil))
        #expect(ledger.outcome("run", status: "Cancelled", details: "Cancelled") == .cancelled)
        #expect(ledger.outcome("run", status: "Failed", details: "Failed") == nil)
        #expect(ledger.outcome("run", status: "Success", details: "Success") == nil)
    }

    @Test func commandIdsAreThirtySixCharactersWithFourDashes() {
        #expect(CommandLedger.looksLikeCommandId("00000000-0000-0000-0000-000000000001"))
        #expect(CommandLedger.looksLikeCommandId("00000000-0000-0000-0000-000000000001,00000000-0000-0000-0000-000000000002"))
        #expect(!CommandLedger.looksLikeCommandId("web-1"))
        #expect(!CommandLedger.looksLikeCommandId("00000000-0000-0000-0000-00000000000-"))
        #expect(CommandLedger.looksLikeCommandId("prod@eu-west-1:0A1b2C3d-4e5f-6789-abcd-ef0123456789"))
    }

    /// No hex check and no empty-word check: `,`, an empty word, and 36 characters of
    /// non-hex with four dashes (a target named so) were taken for command ids.
    @Test func onlyUUIDsAreCommandIds() {
        for word in [
            "", ",", ",,", "00000000-0000-0000-0000-000000000001,", ",00000000-0000-0000-0000-000000000001",
            "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "web-node-in-the-prod-fleet-number-01", "0000000000000-0000-0000-0000-0000000",
            "00000000-0000-0000-0000-00000000000g", "prod@eu-west-1:", "00000000-0000-0000-0000-000000000001,web-1",
        ] {
            #expect(!CommandLedger.looksLikeCommandId(word), "\(word)")
        }
    }
}
