import AWSCore
import SSMCore
import Testing

/// Times in replies are epoch seconds (JSON 1.1); one outside the four-digit years that ISO-8601
/// can show is treated as a mistyped field (nil), so no renderer ever sees it (issue 11 item 4).
@Suite struct ReplyTimeTests {
    @Test(arguments: [1e300, -1e300, 1e20, 253_402_300_800])
    func timesOutsideFourDigitYearsAreNil(_ seconds: Double) {
        #expect(ManagedNode(.object(["LastPingDateTime": .number(seconds)])).lastPing == nil)
        #expect(SessionSummary(.object(["StartDate": .number(seconds), "EndDate": .number(seconds)])).startDate == nil)
        #expect(CommandSummary(.object(["RequestedDateTime": .number(seconds)])).requestedAt == nil)
        #expect(CommandInvocation(.object(["RequestedDateTime": .number(seconds)])).requestedAt == nil)
    }

    @Test func aNumberBeyondDoubleIsNotJSONTheReaderAccepts() {
        // 1e400 overflows a Double: the reader refuses the reply rather than making it infinity.
        #expect(throws: (any Error).self) { try JSONValue(parsing: Array(#"{"LastPingDateTime": 1e400}"#.utf8)) }
    }

    @Test func ordinaryTimesAreKept() {
        #expect(ManagedNode(.object(["LastPingDateTime": .number(1_700_000_000.25)])).lastPing == 1_700_000_000.25)
    }
}
