import SessionProtocol
import Testing

/// The WebSocket Close the client sends before it hangs up (issue 18, item 6).
@Suite struct SessionOutcomeTests {
    @Test func anEndedSessionClosesWithNormalClosure() {
        #expect(SessionOutcome.ended.closePayload == [0x03, 0xE8])  // 1000, big-endian (RFC 6455 5.5.1)
    }

    @Test func aLostConnectionSendsNoClose() {
        #expect(SessionOutcome.disconnected("the connection was closed").closePayload == nil)
    }
}
