import SessionProtocol
import Testing

/// connect and proxy as a state machine: events in, actions out, no I/O.
@Suite struct StreamSessionTests {
    typealias Agent = ScriptedAgent

    static func started(_ configuration: StreamSession.Configuration, _ agent: inout Agent, at now: Double = 0) -> (StreamSession, [SessionAction]) {
        var session = StreamSession(configuration: configuration)
        let actions = session.feed(.connected, at: now, &agent)
        return (session, actions)
    }

    @Test func inputWaitsForHandshakeCompleteAndTheSizeIsSentAgainAfterIt() {
        var agent = Agent()
        var (session, actions) = Self.started(.init(interactive: true, terminalSize: TerminalSize(columns: 111, rows: 33)), &agent)
        #expect(Agent.sentText(actions, .size) == [#"{"cols":111,"rows":33}"#], "the size goes out at once")
        #expect(!session.interest.input)
        actions = session.feed(agent.handshake(), at: 1, &agent)
        #expect(Agent.sentText(actions, .handshakeResponse).count == 1)
        // A handshake that has begun holds the input past the silent-agent delay.
        _ = session.feed(.tick, at: 30, &agent)
        #expect(!session.interest.input)
        actions = session.feed(agent.handshakeComplete("Hello"), at: 31, &agent)
        #expect(Agent.stderr(actions) == "Hello\r\n")
        #expect(session.interest.input)
        // The size sent during the handshake was discarded by the agent: it goes out again (a new
        // message, not a resend: both earlier ones were acked).
        _ = session.feed(Agent.ack(0), at: 31, &agent)
        _ = session.feed(Agent.ack(1), at: 31, &agent)
        actions = session.feed(.tick, at: 31.1, &agent)
        #expect(Agent.sentText(actions, .size) == [#"{"cols":111,"rows":33}"#])
        actions = session.feed(.tick, at: 31.2, &agent)
        #expect(Agent.sentText(actions, .size).isEmpty, "once")
    }

    @Test func agentOutputOrSilenceOpensTheInputOfAnAgentThatSkipsTheHandshake() {
        var agent = Agent()
        var (session, _) = Self.started(.init(interactive: false), &agent)
        _ = session.feed(agent.message(.output, "$ "), at: 1, &agent)
        #expect(session.interest.input)
        var (silent, _) = Self.started(.init(interactive: false), &agent, at: 100)
        _ = silent.feed(.tick, at: 104, &agent)
        #expect(!silent.interest.input)
        _ = silent.feed(.tick, at: 105.5, &agent)
        #expect(silent.interest.input)
    }

    @Test func escapesLeaveOnlyInteractiveSessions() {
        var agent = Agent()
        var (session, _) = Self.started(.init(interactive: true), &agent)
        _ = session.feed(agent.handshakeComplete(), at: 0, &agent)
        var actions = session.feed(.input(Array("ls\r".utf8)), at: 1, &agent)
        #expect(Agent.sentText(actions, .output) == ["ls\r"])
        actions = session.feed(.input(Array("~?".utf8)), at: 1, &agent)
        #expect(Agent.stderr(actions).contains("~.  - leave the session"))
        #expect(Agent.sent(actions).isEmpty)
        actions = session.feed(.input(Array("x\r~.".utf8)), at: 2, &agent)
        #expect(Agent.sentText(actions, .output) == ["x\r"])
        #expect(Agent.stderr(actions).contains("leaving the session"))
        #expect(Agent.end(actions) == .ended)
        #expect(session.ended)
        #expect(Agent.end(session.feed(.tick, at: 3, &agent)) == .ended, "after the end every event says so")

        var (piped, _) = Self.started(.init(interactive: false), &agent)
        _ = piped.feed(agent.handshakeComplete(), at: 0, &agent)
        actions = piped.feed(.input(Array("\r~.".utf8)), at: 1, &agent)
        #expect(Agent.sentText(actions, .output) == ["\r~."], "piped input is data")
        #expect(Agent.end(actions) == nil)
    }

    @Test func theEndOfPipedInputSendsControlD() {
        var agent = Agent()
        var (session, _) = Self.started(.init(interactive: false), &agent)
        _ = session.feed(agent.handshakeComplete(), at: 0, &agent)
        let actions = session.feed(.inputEnded, at: 1, &agent)
        #expect(Agent.sent(actions).map(\.1) == [[0x04]])
        #expect(!session.interest.input)
        #expect(Agent.end(actions) == nil, "the session goes on until the agent closes it")
    }

    @Test func theEndOfProxyInputDrainsTheAcksThenEndsQuietly() {
        var agent = Agent()
        var (session, _) = Self.started(.init(interactive: false, proxy: true), &agent)
        _ = session.feed(agent.handshake(type: "Port"), at: 0, &agent)  // our response is seq 0
        _ = session.feed(agent.handshakeComplete(), at: 0, &agent)
        _ = session.feed(Agent.ack(0), at: 0.1, &agent)
        _ = session.feed(.input(Array("SSH-2.0-x\r\n".utf8)), at: 1, &agent)  // seq 1
        var actions = session.feed(.inputEnded, at: 1, &agent)
        #expect(Agent.sent(actions).isEmpty, "no Ctrl-D into ssh's byte stream")
        #expect(Agent.end(session.feed(.tick, at: 2, &agent)) == nil, "seq 1 is not acked yet")
        _ = session.feed(Agent.ack(1), at: 2.5, &agent)
        actions = session.feed(.tick, at: 2.6, &agent)
        #expect(Agent.end(actions) == .ended)
        #expect(Agent.stderr(actions).isEmpty)

        var (unacked, _) = Self.started(.init(interactive: false, proxy: true), &agent)
        _ = unacked.feed(agent.message(.output, "x"), at: 0, &agent)
        _ = unacked.feed(.input([1, 2, 3]), at: 0, &agent)
        _ = unacked.feed(.inputEnded, at: 10, &agent)
        #expect(Agent.end(unacked.feed(.tick, at: 14.9, &agent)) == nil)
        #expect(Agent.end(unacked.feed(.tick, at: 15.1, &agent)) == .ended, "at most 5 s")
    }

    @Test func outputStdErrAndTheExitCodeGoWhereTheyBelong() {
        var agent = Agent()
        var (session, _) = Self.started(.init(interactive: false), &agent)
        var actions = session.feed(agent.message(.output, "out\n"), at: 0, &agent)
        #expect(actions.contains(.stdout(Array("out\n".utf8))))
        #expect(actions.contains(.record(Array("out\n".utf8))))
        actions = session.feed(agent.message(.stdErr, "err\n"), at: 0, &agent)
        #expect(Agent.stderr(actions) == "err\n")
        _ = session.feed(agent.message(.exitCode, "EXIT_CODE: 3"), at: 0, &agent)
        #expect(session.exitCode == 3)
        _ = session.feed(agent.message(.exitCode, "garbage"), at: 0, &agent)
        #expect(session.exitCode == 3, "an unreadable ExitCode changes nothing")
        actions = session.feed(Agent.channelClosed("Exiting session"), at: 1, &agent)
        #expect(Agent.end(actions) == .ended)
        #expect(session.closedMessage == "Exiting session")
    }

    @Test func theExitMarkerIsTakenOutAndAPayloadOfOnlyTheMarkerShowsNothing() {
        var agent = Agent()
        var (session, _) = Self.started(.init(interactive: true, exitMarker: true), &agent)
        var actions = session.feed(agent.message(.output, "done\r\n\u{1B}]7777;ssm-"), at: 0, &agent)
        #expect(Agent.stdout(actions) == "done\r\n")
        actions = session.feed(agent.message(.output, "shell-exit=7\u{07}"), at: 0, &agent)
        #expect(
            actions.filter {
                if case .stdout = $0 { return true }; return false
            }.isEmpty)
        #expect(
            actions.filter {
                if case .record = $0 { return true }; return false
            }.isEmpty)
        #expect(session.exitCode == 7)
    }

    @Test func aFullSendWindowPausesTheInputUntilAcksCome() {
        var agent = Agent()
        var channel = DataChannel.Configuration(clientVersion: SessionClient.version)
        channel.sendWindowMessages = 3
        var (session, _) = Self.started(.init(interactive: false, channel: channel), &agent)
        _ = session.feed(agent.handshakeComplete(), at: 0, &agent)
        for key in 0..<3 { _ = session.feed(.input([UInt8(65 + key)]), at: 0, &agent) }
        #expect(!session.interest.input)
        _ = session.feed(Agent.ack(0), at: 0.1, &agent)
        #expect(session.interest.input)
    }

    @Test func resizesAreSentOnceEachAndRecorded() {
        var agent = Agent()
        var (session, _) = Self.started(.init(interactive: true, terminalSize: TerminalSize(columns: 80, rows: 24)), &agent)
        var actions = session.feed(.resized(columns: 120, rows: 40), at: 1, &agent)
        #expect(Agent.sentText(actions, .size) == [#"{"cols":120,"rows":40}"#])
        #expect(actions.contains(.recordResize(columns: 120, rows: 40)))
        actions = session.feed(.resized(columns: 120, rows: 40), at: 2, &agent)
        #expect(Agent.sentText(actions, .size).isEmpty)
        var (piped, _) = Self.started(.init(interactive: false), &agent)
        #expect(piped.feed(.resized(columns: 1, rows: 1), at: 0, &agent).isEmpty, "no terminal, no size")
    }

    @Test func connectionEventsEndTheConnectionNotTheSession() {
        var agent = Agent()
        var (session, _) = Self.started(.init(interactive: false), &agent)
        #expect(
            Agent.end(session.feed(.received(.close(code: 1001, reason: "going away")), at: 0, &agent))
                == .disconnected("the service closed the connection (1001 going away)"))
        #expect(Agent.end(session.feed(.connectionClosed, at: 0, &agent)) == .disconnected("the connection was closed"))
        #expect(Agent.end(session.feed(.connectionLost("reset"), at: 0, &agent)) == .disconnected("reset"))
        #expect(!session.ended)
        #expect(session.feed(.received(.ping([1])), at: 0, &agent) == [.send(.pong, [1])])
        _ = session.feed(.tick, at: 0, &agent)  // the first ping
        // Over the limit, the first tick asks again; the next, with nothing read between, ends it.
        #expect(Agent.end(session.feed(.tick, at: 61, &agent)) == nil)
        #expect(Agent.end(session.feed(.tick, at: 61.05, &agent)) == .disconnected("nothing heard from the service for 60 s"))
        // A closed channel makes a lost connection the end.
        _ = session.feed(Agent.channelClosed(""), at: 62, &agent)
        #expect(Agent.end(session.feed(.connectionLost("reset"), at: 63, &agent)) == .ended)
    }

    /// Review finding 3: while the loop's write to standard output blocks (ssh not reading),
    /// nothing is read; that silence is ours, and must not end a healthy connection.
    @Test func aBlockedStandardOutputIsOurSilenceNotTheServices() {
        var agent = Agent()
        var (session, _) = Self.started(.init(interactive: false, proxy: true), &agent)
        _ = session.feed(.tick, at: 0, &agent)  // the first ping
        let actions = session.feed(agent.message(.output, "data"), at: 1, &agent)
        #expect(actions.contains(.stdout(Array("data".utf8))))
        // The write of it took 70 s; the loop's next event is its tick, before the socket is read.
        #expect(Agent.end(session.feed(.tick, at: 71, &agent)) == nil)
        // Liveness counts from when we could read again (and ends a read after it is over).
        #expect(Agent.end(session.feed(.tick, at: 131.5, &agent)) == nil)
        #expect(Agent.end(session.feed(.tick, at: 131.55, &agent)) == .disconnected("nothing heard from the service for 60 s"))
    }

    /// A client suspended for 60 s or more (Ctrl-Z, a laptop lid) comes back to a tick before the
    /// socket is read: the messages waiting there count before the silence does (closing8, "Open":
    /// the session was resumed on a new connection it did not need).
    @Test func aClientSuspendedForAMinuteReadsBeforeItJudgesTheConnection() {
        var agent = Agent()
        var (session, _) = Self.started(.init(interactive: false), &agent)
        _ = session.feed(.tick, at: 0, &agent)  // the first ping
        // Suspended from 1 to 75: the tick comes first, and asks again.
        let resumed = session.feed(.tick, at: 75, &agent)
        #expect(Agent.end(resumed) == nil)
        #expect(resumed.contains(.send(.ping, Array("keepalive".utf8))))
        // The poll then reads what waited: the connection is alive.
        _ = session.feed(agent.message(.output, "waited"), at: 75.01, &agent)
        #expect(Agent.end(session.feed(.tick, at: 75.06, &agent)) == nil)
        // A connection that really went quiet still ends, a read later.
        #expect(Agent.end(session.feed(.tick, at: 136, &agent)) == nil)
        #expect(Agent.end(session.feed(.tick, at: 136.05, &agent)) == .disconnected("nothing heard from the service for 60 s"))
    }

    /// Review finding 5: ChannelClosed is unsequenced; Output and ExitCode held behind a gap
    /// still arrive after it.
    @Test func outputHeldBehindAGapIsShownWhenChannelClosedOvertakesIt() {
        var agent = Agent()
        var (session, _) = Self.started(.init(interactive: false), &agent)
        let first = agent.message(.output, "one\n")
        let second = agent.message(.output, "two\n")
        let exit = agent.message(.exitCode, "EXIT_CODE: 4")
        var shown = Agent.stdout(session.feed(second, at: 0, &agent))
        _ = session.feed(exit, at: 0, &agent)
        var actions = session.feed(Agent.channelClosed("Exiting session"), at: 0.1, &agent)
        #expect(Agent.end(actions) == nil, "held messages are waited for")
        #expect(!session.interest.input)
        #expect(Agent.end(session.feed(.tick, at: 0.2, &agent)) == nil)
        actions = session.feed(first, at: 0.3, &agent)
        shown += Agent.stdout(actions)
        #expect(shown == "one\ntwo\n")
        #expect(session.exitCode == 4)
        #expect(Agent.end(actions) == .ended)
        #expect(session.closedMessage == "Exiting session")
    }

    @Test func aGapNeverFilledAfterChannelClosedEndsTheSessionAtTheDrainLimit() {
        var agent = Agent()
        var (session, _) = Self.started(.init(interactive: false), &agent)
        _ = agent.message(.output, "lost")
        _ = session.feed(agent.message(.output, "held"), at: 0, &agent)
        _ = session.feed(Agent.channelClosed(""), at: 1, &agent)
        #expect(Agent.end(session.feed(.tick, at: 1 + StreamSession.closeDrainLimit - 0.1, &agent)) == nil)
        #expect(
            Agent.end(session.feed(.connectionLost("reset"), at: 1 + StreamSession.closeDrainLimit - 0.05, &agent)) == .ended,
            "the agent closed the channel: nothing to resume")
        #expect(Agent.end(session.feed(.tick, at: 1 + StreamSession.closeDrainLimit + 0.1, &agent)) == .ended)
        #expect(session.ended)
    }

    /// Review (session 4): after channel_closed, with a message still held behind a gap, the service's
    /// Close (it hangs up after channel_closed) ends the session; it used to read as a lost
    /// connection, and the client resumed a session that was over.
    @Test func theServicesCloseAfterChannelClosedEndsTheSessionEvenWithAGap() {
        var agent = Agent()
        var (session, _) = Self.started(.init(interactive: false), &agent)
        _ = agent.message(.output, "lost")
        _ = session.feed(agent.message(.output, "held"), at: 0, &agent)
        _ = session.feed(Agent.channelClosed("Exiting session"), at: 1, &agent)
        #expect(Agent.end(session.feed(.received(.close(code: 1000, reason: "")), at: 1.1, &agent)) == .ended)
    }

    @Test func aReconnectResendsWhatWasNotAcked() {
        var agent = Agent()
        var (session, _) = Self.started(.init(interactive: false), &agent)
        _ = session.feed(agent.handshakeComplete(), at: 0, &agent)
        _ = session.feed(.input(Array("abc".utf8)), at: 0, &agent)
        let actions = session.feed(.connected, at: 5, &agent)
        #expect(Agent.sentText(actions, .output) == ["abc"])
    }

    @Test func outputThatNobodyReadsEndsTheSession() {
        var agent = Agent()
        var (session, _) = Self.started(.init(interactive: false), &agent)
        #expect(Agent.end(session.feed(.outputClosed, at: 0, &agent)) == .ended)
        #expect(session.outputClosed)
    }

    /// The driver writes a round's output after the round: the output that came with
    /// channel_closed is written after the end, and its failure still counts.
    @Test func outputLostAfterTheEndStillCounts() {
        var agent = Agent()
        var (session, _) = Self.started(.init(interactive: false), &agent)
        _ = session.feed(agent.handshakeComplete(), at: 0, &agent)
        _ = session.feed(Agent.channelClosed("Exiting session"), at: 1, &agent)
        #expect(!session.outputClosed)
        #expect(Agent.end(session.feed(.outputClosed, at: 1, &agent)) == .ended)
        #expect(session.outputClosed)
    }

    @Test func anEncryptedHandshakeAsksForTheDataKey() {
        var agent = Agent()
        var (session, _) = Self.started(.init(interactive: false), &agent)
        let request =
            #"{"AgentVersion":"3.3.1142.0","RequestedClientActions":[{"ActionType":"KMSEncryption","ActionParameters":{"KMSKeyId":"k","Challenge":"c"}}]}"#
        var actions = session.feed(agent.message(.handshakeRequest, request), at: 0, &agent)
        #expect(actions.contains(.requestDataKey(keyId: "k", challenge: "c")))
        actions = session.feed(.dataKeyFailed("denied"), at: 0, &agent)
        #expect(Agent.sentText(actions, .handshakeResponse).first?.contains("Failed to process action KMSEncryption: denied") == true)
    }

    @Test func framesCarryTheWallClockWhileTimersRunOnTheMonotonicOne() throws {
        var agent = Agent()
        var session = StreamSession(configuration: .init(interactive: false))
        let first = session.handle(.input([0x61]), at: SessionTime(now: 5, wall: 1_700_000_000.25), messageId: { agent.messageId() })
        guard case .send(.binary, let firstFrame) = try #require(first.first) else { Issue.record("nothing sent"); return }
        #expect(try ClientMessage.decode(firstFrame).createdDate == 1_700_000_000_250)
        let sent = session.handle(.input([0x62]), at: SessionTime(now: 6, wall: 1_700_000_001.5), messageId: { agent.messageId() })
        guard case .send(.binary, let frame) = try #require(sent.first) else { Issue.record("nothing sent"); return }
        #expect(try ClientMessage.decode(frame).createdDate == 1_700_000_001_500)
    }
}
