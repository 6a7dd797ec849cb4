import SessionProtocol
import Testing

/// The agent's failure as the service passes it on, and the sentence the user is shown.
@Suite struct ChannelClosedReasonTests {
    @Test func theErrorSeparatorIsNoPartOfTheSentence() {
        // agent_task_complete's Output from amazon-ssm-agent 3.3.1142.0 when it refused uid 0.
        #expect(
            ChannelClosedReason.sentence("\n----------ERROR-------\nUnable to start command: invalid uid and gid\n")
                == "Unable to start command: invalid uid and gid")
    }

    @Test func outputBeforeTheSeparatorStaysAndBlankEndsGo() {
        #expect(ChannelClosedReason.sentence("partial\n----------ERROR-------\nfailed\r\n\n") == "partial\nfailed")
        #expect(ChannelClosedReason.sentence("Session terminated by the user") == "Session terminated by the user")
        #expect(ChannelClosedReason.sentence("\n----------ERROR-------\n") == "")
        #expect(ChannelClosedReason.sentence("") == "")
    }
}
