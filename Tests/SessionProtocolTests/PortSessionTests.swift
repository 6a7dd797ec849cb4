import SessionProtocol
import Testing

/// forward as a state machine: local connections in, smux or basic frames out, no I/O.
@Suite struct PortSessionTests {
    typealias Agent = ScriptedAgent
    static let a = LocalConnection(1), b = LocalConnection(2)

    static func started(agentVersion: String = "3.3.1142.0", _ agent: inout Agent) -> PortSession {
        var session = PortSession(configuration: .init(remote: "localhost:80", name: "forward 1", localAddress: "127.0.0.1:8080"))
        _ = session.feed(.connected, at: 0, &agent)
        #expect(!session.interest.accept, "no local connection before the handshake")
        _ = session.feed(
            agent.handshake(type: "Port", properties: #"{"portNumber":"80","type":"LocalPortForwarding"}"#, agentVersion: agentVersion), at: 0, &agent)
        _ = session.feed(agent.handshakeComplete(), at: 0, &agent)
        #expect(session.interest.accept)
        return session
    }

    /// smux frames in the client's Output payloads.
    static func smuxFrames(_ actions: [SessionAction]) -> [(SmuxSession.Command?, UInt32, [UInt8])] {
        Agent.sent(actions).filter { $0.0 == .output }.flatMap { _, payload -> [(SmuxSession.Command?, UInt32, [UInt8])] in
            var frames: [(SmuxSession.Command?, UInt32, [UInt8])] = []
            var rest = payload[...]
            while rest.count >= 8 {
                let bytes = Array(rest.prefix(8))
                let length = Int(bytes[2]) | Int(bytes[3]) << 8
                let stream = UInt32(bytes[4]) | UInt32(bytes[5]) << 8 | UInt32(bytes[6]) << 16 | UInt32(bytes[7]) << 24
                frames.append((SmuxSession.Command(rawValue: bytes[1]), stream, Array(rest.dropFirst(8).prefix(length))))
                rest = rest.dropFirst(8 + length)
            }
            return frames
        }
    }

    @Test func muxOpensAStreamPerConnectionAndClosesItWhenBothSidesEnded() {
        var agent = Agent()
        var session = Self.started(&agent)
        #expect(session.mode == .mux)
        var actions = session.feed(.accepted(Self.a), at: 1, &agent)
        #expect(Self.smuxFrames(actions).map(\.0) == [.syn])
        let stream = Self.smuxFrames(actions)[0].1
        #expect(session.interest.localReads == [Self.a])
        actions = session.feed(.localInput(Self.a, Array("GET /".utf8)), at: 1, &agent)
        #expect(Self.smuxFrames(actions).map(\.2) == [Array("GET /".utf8)])
        // The node answers and closes its side: written, then half-closed.
        actions = session.feed(
            agent.message(
                .output,
                SmuxSession.frame(.psh, stream: stream, data: Array("200".utf8))
                    + SmuxSession.frame(.fin, stream: stream)), at: 2, &agent)
        #expect(actions.contains(.writeLocal(Self.a, Array("200".utf8))))
        #expect(!actions.contains(.shutdownLocal(Self.a)), "not before the bytes are written")
        actions = session.feed(.localWrote(Self.a, count: 3), at: 2, &agent)
        #expect(actions == [.shutdownLocal(Self.a)])
        actions = session.feed(.localInputEnded(Self.a), at: 3, &agent)
        #expect(Self.smuxFrames(actions).map(\.0) == [.fin])
        #expect(actions.contains(.closeLocal(Self.a, reset: false)))
        #expect(
            session.statistics
                == {
                    var s = PortSession.Statistics(); s.connections = 1; s.bytesIn = 3; s.bytesOut = 5; return s
                }())
    }

    @Test func aPartialWriteKeepsTheRestForWhenTheClientCanTakeMore() {
        var agent = Agent()
        var session = Self.started(&agent)
        let stream = Self.smuxFrames(session.feed(.accepted(Self.a), at: 1, &agent))[0].1
        _ = session.feed(agent.message(.output, SmuxSession.frame(.psh, stream: stream, data: Array("abcdef".utf8))), at: 1, &agent)
        #expect(session.feed(.localWrote(Self.a, count: 2), at: 1, &agent).isEmpty)
        #expect(session.interest.localWrites == [Self.a])
        #expect(session.feed(.localWritable(Self.a), at: 1, &agent) == [.writeLocal(Self.a, Array("cdef".utf8))])
        _ = session.feed(.localWrote(Self.a, count: 4), at: 1, &agent)
        #expect(session.interest.localWrites.isEmpty)
    }

    @Test func basicModeCarriesOneConnectionAtATime() {
        var agent = Agent()
        var session = Self.started(agentVersion: "3.0.196.0", &agent)
        #expect(session.mode == .basic, "mux only above 3.0.196.0")
        #expect(session.feed(.accepted(Self.a), at: 1, &agent).isEmpty)
        #expect(session.feed(.accepted(Self.b), at: 1, &agent) == [.closeLocal(Self.b, reset: false)])
        var actions = session.feed(.localInput(Self.a, [1, 2]), at: 1, &agent)
        #expect(Agent.sent(actions).map(\.1) == [[1, 2]], "raw bytes, no smux")
        actions = session.feed(agent.message(.output, [9]), at: 1, &agent)
        #expect(actions.contains(.writeLocal(Self.a, [9])))
        actions = session.feed(.localInputEnded(Self.a), at: 2, &agent)
        #expect(Agent.sent(actions).map(\.1) == [SessionFlag.disconnectToPort.payload])
        #expect(actions.contains(.closeLocal(Self.a, reset: false)))
        #expect(session.feed(.accepted(Self.b), at: 3, &agent).isEmpty, "the next connection may come")
        #expect(session.statistics.openConnections == 1)
    }

    @Test func aConnectToPortErrorIsTheReasonAndTheChannelsTextReplacesIt() {
        var agent = Agent()
        var session = Self.started(&agent)
        _ = session.feed(agent.message(.flag, SessionFlag.connectToPortError.payload), at: 1, &agent)
        #expect(session.endReason == "the node could not connect to localhost:80 (ConnectToPortError)")
        session.noteEndReason("later")
        #expect(session.endReason == "the node could not connect to localhost:80 (ConnectToPortError)", "the first cause wins")
        let actions = session.feed(Agent.channelClosed("closed by the agent"), at: 2, &agent)
        #expect(Agent.end(actions) == .ended)
        #expect(session.endReason == "closed by the agent")
    }

    @Test func aBackloggedClientStopsTheChannelAndIsResetAfterTwentySecondsWithoutProgress() {
        var agent = Agent()
        var session = Self.started(&agent)
        let stream = Self.smuxFrames(session.feed(.accepted(Self.a), at: 0, &agent))[0].1
        for seq in 0...1 { _ = session.feed(Agent.ack(Int64(seq)), at: 0, &agent) }  // the handshake response and the SYN
        let chunk = [UInt8](repeating: 7, count: SmuxSession.maxFrameData)
        for _ in 0..<(PortSession.pendingLimit / chunk.count) {
            _ = session.feed(agent.message(.output, SmuxSession.frame(.psh, stream: stream, data: chunk)), at: 1, &agent)
            _ = session.feed(.localWrote(Self.a, count: 0), at: 1, &agent)
        }
        #expect(session.backlogged)
        #expect(!session.interest.webSocket, "the agent's writes block instead of our memory growing")
        // Our own silence is not the service's: no liveness end while we do not read.
        #expect(Agent.end(session.feed(.tick, at: 15, &agent)) == nil)
        #expect(Agent.end(session.feed(.tick, at: 20.9, &agent)) == nil)
        let actions = session.feed(.tick, at: 21.1, &agent)
        #expect(Agent.stderr(actions).contains("forward 1: a local client of 127.0.0.1:8080 stopped reading (nothing taken for 20 s, 1024 KiB waiting)"))
        #expect(Self.smuxFrames(actions).map(\.0) == [.fin])
        #expect(actions.contains(.closeLocal(Self.a, reset: true)))
        #expect(session.interest.webSocket)
        #expect(Agent.end(actions) == nil, "the forward goes on")
    }

    @Test func stopSendsTerminateSessionAndEnds() {
        var agent = Agent()
        var session = Self.started(&agent)
        _ = session.feed(.accepted(Self.a), at: 0, &agent)
        let actions = session.feed(.stop, at: 1, &agent)
        #expect(Agent.sent(actions).last?.1 == SessionFlag.terminateSession.payload)
        #expect(Agent.end(actions) == .ended)
        #expect(session.finish() == [.closeLocal(Self.a, reset: false)])
        #expect(session.connections.isEmpty)
    }

    @Test func portSessionsRefuseEncryption() {
        var agent = Agent()
        var session = PortSession(configuration: .init(remote: "localhost:80", name: "forward 1", localAddress: "127.0.0.1:1"))
        _ = session.feed(.connected, at: 0, &agent)
        let request = #"{"AgentVersion":"3.3.1142.0","RequestedClientActions":[{"ActionType":"KMSEncryption","ActionParameters":{"KMSKeyId":"k"}}]}"#
        let actions = session.feed(agent.message(.handshakeRequest, request), at: 0, &agent)
        #expect(
            !actions.contains {
                if case .requestDataKey = $0 { return true }; return false
            })
        #expect(Agent.sentText(actions, .handshakeResponse).first?.contains("port sessions are never encrypted") == true)
    }

    @Test func aBrokenSmuxStreamLosesTheConnectionNotTheSession() {
        var agent = Agent()
        var session = Self.started(&agent)
        let actions = session.feed(agent.message(.output, [9, 9, 0, 0, 0, 0, 0, 0]), at: 1, &agent)
        guard case .disconnected? = Agent.end(actions) else { Issue.record("not a disconnect: \(actions)"); return }
        #expect(!session.ended)
    }

    /// Acts as the loop does: performs each `.writeLocal` (the client takes everything) and answers
    /// it before the next action, then writes what still waits once poll says the client is
    /// writable; returns what the client received.
    static func drive(_ actions: [SessionAction], _ session: inout PortSession, _ agent: inout Agent, at now: Double) -> [UInt8] {
        var received: [UInt8] = []
        func perform(_ actions: [SessionAction]) {
            for case .writeLocal(let connection, let bytes) in actions {
                received += bytes
                perform(session.feed(.localWrote(connection, count: bytes.count), at: now, &agent))
            }
        }
        perform(actions)
        var rounds = 0
        while let connection = session.interest.localWrites.min(), rounds < 10 {
            rounds += 1
            perform(session.feed(.localWritable(connection), at: now, &agent))
        }
        return received
    }

    /// Review finding 1: two chunks for one connection in one event were written as A, A+B.
    @Test func twoChunksInOneMessageReachTheClientOnce() {
        var agent = Agent()
        var session = Self.started(&agent)
        let stream = Self.smuxFrames(session.feed(.accepted(Self.a), at: 1, &agent))[0].1
        let actions = session.feed(
            agent.message(
                .output,
                SmuxSession.frame(.psh, stream: stream, data: Array("ab".utf8))
                    + SmuxSession.frame(.psh, stream: stream, data: Array("cd".utf8))), at: 1, &agent)
        #expect(String(decoding: Self.drive(actions, &session, &agent, at: 1), as: UTF8.self) == "abcd")
        #expect(session.statistics.bytesIn == 4)
    }

    /// Review finding 1, basic mode: messages held for a gap are released by one event.
    @Test func messagesReleasedTogetherAfterAGapReachTheClientOnce() {
        var agent = Agent()
        var session = Self.started(agentVersion: "3.0.196.0", &agent)
        _ = session.feed(.accepted(Self.a), at: 1, &agent)
        let second = agent.message(.output, "ab")
        let third = agent.message(.output, "cd")
        #expect(Self.drive(session.feed(third, at: 1, &agent), &session, &agent, at: 1).isEmpty, "held behind the gap")
        let received = Self.drive(session.feed(second, at: 1, &agent), &session, &agent, at: 1)
        #expect(String(decoding: received, as: UTF8.self) == "abcd")
    }

    /// Review finding 2: port sessions always handshake (spec 7.2); a connection accepted before
    /// the handshake would be taken for basic mode and break the tunnel when smux is chosen.
    @Test func noConnectionIsAcceptedBeforeHandshakeCompleteHoweverLongItTakes() {
        var agent = Agent()
        var session = PortSession(configuration: .init(remote: "localhost:80", name: "forward 1", localAddress: "127.0.0.1:8080"))
        _ = session.feed(.connected, at: 0, &agent)
        _ = session.feed(.tick, at: 5.1, &agent)
        #expect(!session.interest.accept, "the silent-agent delay is for stream sessions")
        _ = session.feed(agent.handshake(type: "Port", properties: #"{"portNumber":"80","type":"LocalPortForwarding"}"#), at: 6, &agent)
        _ = session.feed(.tick, at: 30, &agent)
        #expect(!session.interest.accept)
        _ = session.feed(agent.handshakeComplete(), at: 31, &agent)
        #expect(session.interest.accept)
        #expect(session.mode == .mux)
    }

    /// After a resume the silent-agent delay must not count from the first connection.
    @Test func aResumeBeforeTheHandshakeDoesNotOpenTheListener() {
        var agent = Agent()
        var session = PortSession(configuration: .init(remote: "localhost:80", name: "forward 1", localAddress: "127.0.0.1:8080"))
        _ = session.feed(.connected, at: 0, &agent)
        _ = session.feed(.connectionLost("reset"), at: 1, &agent)
        _ = session.feed(.connected, at: 100, &agent)
        _ = session.feed(.tick, at: 100.1, &agent)
        #expect(!session.interest.accept)
    }

    /// An agent that never sends a HandshakeRequest left `forward` waiting without end or word:
    /// the session ends with a reason once `handshakeRequestDeadline` passed on one connection.
    @Test func anAgentThatNeverBeginsTheHandshakeEndsTheSessionWithAReason() {
        var agent = Agent()
        var session = PortSession(configuration: .init(remote: "localhost:80", name: "forward 1", localAddress: "127.0.0.1:8080"))
        _ = session.feed(.connected, at: 0, &agent)
        _ = session.feed(.connectionLost("reset"), at: 15, &agent)
        _ = session.feed(.connected, at: 100, &agent)
        #expect(Agent.end(session.feed(.tick, at: 119, &agent)) == nil, "counted from the resumed connection")
        let actions = session.feed(.tick, at: 120.5, &agent)
        #expect(Agent.end(actions) == .ended)
        #expect(Agent.sent(actions).contains { $0.0 == .flag && $0.1 == SessionFlag.terminateSession.payload })
        #expect(session.endReason?.hasPrefix("the agent did not begin the port session's handshake within 20 s") == true)
        #expect(!session.interest.accept)
    }

    @Test func aHandshakeThatBeganIsNeverCutByTheRequestDeadline() {
        var agent = Agent()
        var session = PortSession(configuration: .init(remote: "localhost:80", name: "forward 1", localAddress: "127.0.0.1:8080"))
        _ = session.feed(.connected, at: 0, &agent)
        _ = session.feed(agent.handshake(type: "Port", properties: #"{"portNumber":"80","type":"LocalPortForwarding"}"#), at: 19, &agent)
        #expect(Agent.end(session.feed(.tick, at: 60, &agent)) == nil)
        #expect(session.endReason == nil)
    }

    /// The agent's failure comes after iohandler's separator line; the reason is the sentence alone.
    @Test func theAgentsFailureIsTheEndReasonWithoutTheSeparatorLine() {
        var agent = Agent()
        var session = Self.started(&agent)
        // JSON escapes: the fixture puts the text into the ChannelClosed body as it is.
        _ = session.feed(Agent.channelClosed(#"\n----------ERROR-------\nHandshake timed out.\n"#), at: 1, &agent)
        #expect(session.endReason == "Handshake timed out.")
    }

    @Test func versionsCompareNumerically() {
        #expect(PortSession.version("3.0.196.1", isAbove: "3.0.196.0"))
        #expect(PortSession.version("3.10.0.0", isAbove: "3.9.999.0"))
        #expect(!PortSession.version("3.0.196.0", isAbove: "3.0.196.0"))
        #expect(!PortSession.version("3.0.x.1", isAbove: "3.0.196.0"))
        #expect(!PortSession.version("4.0", isAbove: "3.0.196.0"))
    }
}
