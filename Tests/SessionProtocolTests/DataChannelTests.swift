import Crypto
import SessionProtocol
import Testing

/// The client state machine driven by a manual clock and a scripted agent: in-order delivery,
/// loss, duplication, reordering, a lost ack, a reconnect, and the handshake.
@Suite struct DataChannelTests {
    var ids = 0
    mutating func nextId() -> [UInt8] { ids += 1; return (0..<16).map { UInt8(truncatingIfNeeded: ids + $0) } }

    static func agentFrame(_ seq: Int64, _ ptype: UInt32 = 1, _ payload: String) -> [UInt8] {
        try! ClientMessage(
            type: "output_stream_data", sequenceNumber: seq, flags: seq == 0 ? 1 : 0, payloadType: ptype,
            payload: Array(payload.utf8), messageId: [UInt8](repeating: UInt8(seq & 0xff), count: 16), createdDate: 1
        ).encode()
    }

    static func agentAck(_ seq: Int64) -> [UInt8] {
        let body =
            "{\"AcknowledgedMessageType\":\"input_stream_data\",\"AcknowledgedMessageId\":\"x\",\"AcknowledgedMessageSequenceNumber\":\(seq),\"IsSequentialMessage\":true}"
        return try! ClientMessage(
            type: "acknowledge", flags: 3, payloadType: 0, payload: Array(body.utf8), messageId: [UInt8](repeating: 9, count: 16), createdDate: 1
        ).encode()
    }

    /// The client's writes, decoded: (type, seq, payload) of each.
    static func writes(_ actions: [DataChannel.Action]) -> [(String, Int64, String)] {
        actions.compactMap { action in
            guard case .write(let bytes) = action, let m = try? ClientMessage.decode(bytes) else { return nil }
            return (m.messageType, m.sequenceNumber, String(decoding: m.payload, as: UTF8.self))
        }
    }

    static func delivered(_ actions: [DataChannel.Action]) -> String {
        actions.compactMap {
            if case .deliver(_, let p) = $0 { return String(decoding: p, as: UTF8.self) }; return nil
        }.joined()
    }

    @Test mutating func inOrderOutOfOrderAndDuplicates() {
        var channel = DataChannel(configuration: .init(clientVersion: "1.2.707.0"))
        var a = channel.handle(.frame(Self.agentFrame(0, 1, "a")), now: 0, messageId: { nextId() })
        #expect(Self.delivered(a) == "a")
        #expect(Self.writes(a).map(\.0) == ["acknowledge"])
        // 2 before 1: buffered and acked, delivered in order once 1 arrives.
        a = channel.handle(.frame(Self.agentFrame(2, 1, "c")), now: 0, messageId: { nextId() })
        #expect(Self.delivered(a) == "")
        #expect(Self.writes(a).first?.2.contains("\"AcknowledgedMessageSequenceNumber\":2") == true)
        a = channel.handle(.frame(Self.agentFrame(1, 1, "b")), now: 0, messageId: { nextId() })
        #expect(Self.delivered(a) == "bc")
        #expect(channel.expectedSequence == 3)
        // A duplicate is re-acked (the plugin would not), never delivered twice.
        a = channel.handle(.frame(Self.agentFrame(1, 1, "b")), now: 0, messageId: { nextId() })
        #expect(Self.delivered(a) == "")
        #expect(Self.writes(a).count == 1)
        // A bad digest is dropped without an ack.
        var corrupt = Self.agentFrame(3, 1, "d")
        corrupt[90] ^= 1
        a = channel.handle(.frame(corrupt), now: 0, messageId: { nextId() })
        #expect(Self.writes(a).isEmpty)
        #expect(channel.expectedSequence == 3)
    }

    @Test mutating func lossIsRepairedByRetransmissionAndAcksUpdateTheRTO() {
        var channel = DataChannel(configuration: .init(clientVersion: "1.2.707.0"))
        let first = channel.handle(.send(payloadType: .output, payload: Array("ls\r".utf8)), now: 10, messageId: { nextId() })
        #expect(Self.writes(first).map { $0.1 } == [0])
        _ = channel.handle(.send(payloadType: .output, payload: Array("x".utf8)), now: 10.05, messageId: { nextId() })
        // Nothing is resent before the RTO (200 ms at first)...
        #expect(channel.handle(.tick, now: 10.15, messageId: { nextId() }).isEmpty)
        // ...then every expired message is, with its original bytes.
        let resent = channel.handle(.tick, now: 10.26, messageId: { nextId() })
        guard case .write(let again) = resent.first else { Issue.record("no resend"); return }
        guard case .write(let original) = first.first else { return }
        #expect(again == original)
        #expect(Self.writes(resent).map { $0.1 } == [0, 1])
        // Acks clear them; the RTO follows the measured round trips.
        _ = channel.handle(.frame(Self.agentAck(0)), now: 10.27, messageId: { nextId() })
        _ = channel.handle(.frame(Self.agentAck(1)), now: 10.27, messageId: { nextId() })
        #expect(channel.unacknowledged == 0)
        // Two 10 ms samples from RTT 100 ms / RTTVAR 0 (spec 5.3): RTO = 0.07890625 + 4 × 0.0365625.
        #expect(abs(channel.rto - 0.22515625) < 1e-9)
        #expect(channel.handle(.tick, now: 20, messageId: { nextId() }).isEmpty)
    }

    @Test mutating func aLostAckMeansAResendThatTheAgentReacks() {
        var channel = DataChannel(configuration: .init(clientVersion: "1.2.707.0"))
        _ = channel.handle(.send(payloadType: .output, payload: [0x61]), now: 0, messageId: { nextId() })
        // The agent's ack is lost: the client resends after the RTO until an ack arrives.
        #expect(Self.writes(channel.handle(.tick, now: 0.3, messageId: { nextId() })).count == 1)
        #expect(Self.writes(channel.handle(.tick, now: 0.4, messageId: { nextId() })).isEmpty, "lastSent moves on each resend")
        #expect(Self.writes(channel.handle(.tick, now: 0.55, messageId: { nextId() })).count == 1)
        _ = channel.handle(.frame(Self.agentAck(0)), now: 0.56, messageId: { nextId() })
        #expect(channel.unacknowledged == 0)
    }

    @Test mutating func reconnectResendsEverythingUnackedAndKeepsSequenceState() {
        var channel = DataChannel(configuration: .init(clientVersion: "1.2.707.0"))
        for i in 0..<5 { _ = channel.handle(.send(payloadType: .output, payload: [UInt8(65 + i)]), now: 0, messageId: { nextId() }) }
        _ = channel.handle(.frame(Self.agentAck(1)), now: 0.01, messageId: { nextId() })
        _ = channel.handle(.frame(Self.agentFrame(0, 1, "p")), now: 0.01, messageId: { nextId() })
        let resent = channel.handle(.reconnected, now: 5, messageId: { nextId() })
        #expect(Self.writes(resent).map { $0.1 } == [0, 2, 3, 4])
        #expect(channel.nextSequence == 5)
        #expect(channel.expectedSequence == 1)
        let next = channel.handle(.send(payloadType: .output, payload: [0x5a]), now: 5, messageId: { nextId() })
        #expect(Self.writes(next).map { $0.1 } == [5])
    }

    @Test mutating func handshakeIsAnsweredWithTheClientVersion() throws {
        var channel = DataChannel(configuration: .init(clientVersion: "1.2.707.0"))
        let request =
            #"{"AgentVersion":"3.3.1142.0","RequestedClientActions":[{"ActionType":"SessionType","ActionParameters":{"SessionType":"Port","Properties":{"portNumber":"80","type":"LocalPortForwarding"}}}]}"#
        let actions = channel.handle(.frame(Self.agentFrame(0, 5, request)), now: 0, messageId: { nextId() })
        #expect(actions.contains(.handshake(sessionType: "Port", properties: ["portNumber": "80", "type": "LocalPortForwarding"], agentVersion: "3.3.1142.0")))
        let writes = Self.writes(actions)
        #expect(writes.map(\.0) == ["acknowledge", "input_stream_data"], "ack first, then the response")
        #expect(
            writes[1].2
                == #"{"ClientVersion":"1.2.707.0","ProcessedClientActions":[{"ActionType":"SessionType","ActionStatus":1,"ActionResult":null,"Error":""}],"Errors":null}"#
        )
        let complete = channel.handle(
            .frame(Self.agentFrame(1, 7, #"{"HandshakeTimeToComplete":1500000000,"CustomerMessage":"hi"}"#)), now: 0, messageId: { nextId() })
        #expect(complete.contains(.handshakeComplete(customerMessage: "hi")))
        #expect(channel.handshakeDone)
    }

    @Test mutating func channelClosedEndsTheSession() throws {
        var channel = DataChannel(configuration: .init(clientVersion: "1.2.707.0"))
        let body = #"{"MessageId":"m","CreatedDate":"d","DestinationId":"i-1","SessionId":"s-1","MessageType":"channel_closed","SchemaVersion":1,"Output":""}"#
        let frame = try ClientMessage(
            type: "channel_closed", flags: 3, payloadType: 0, payload: Array(body.utf8), messageId: [UInt8](repeating: 3, count: 16), createdDate: 1
        ).encode()
        #expect(channel.handle(.frame(frame), now: 0, messageId: { nextId() }) == [.channelClosed(output: "", sessionId: "s-1")])
        #expect(channel.handle(.send(payloadType: .output, payload: []), now: 0, messageId: { nextId() }).isEmpty, "never an empty payload")
    }
}

extension DataChannelTests {
    static func agentFrameBytes(_ seq: Int64, _ ptype: UInt32, _ payload: [UInt8]) -> [UInt8] {
        try! ClientMessage(
            type: "output_stream_data", sequenceNumber: seq, flags: seq == 0 ? 1 : 0, payloadType: ptype,
            payload: payload, messageId: [UInt8](repeating: UInt8(seq & 0xff), count: 16), createdDate: 1
        ).encode()
    }

    static func seal(_ plain: [UInt8], _ key: [UInt8], nonce: UInt8) throws -> [UInt8] {
        let n = [UInt8](repeating: nonce, count: 12)
        let sealed = try AESGCM.seal(plain, key: key, nonce: n)
        return n + sealed.ciphertext + sealed.tag
    }

    static func open(_ envelope: [UInt8], _ key: [UInt8]) throws -> [UInt8] {
        try AESGCM.open(
            AESGCM.Sealed(ciphertext: Array(envelope[12..<(envelope.count - 16)]), tag: Array(envelope.suffix(16))),
            key: key, nonce: Array(envelope.prefix(12)))
    }

    /// Spec 6.5: data key split (agent 0-31, client 32-63), the challenge, then encrypted Output
    /// both ways and StdErr/ExitCode decrypted; Size stays in clear.
    @Test mutating func kmsHandshakeChallengeAndEnvelopes() throws {
        var channel = DataChannel(configuration: .init(clientVersion: "1.2.707.0"))
        let request =
            #"{"AgentVersion":"3.3.1142.0","RequestedClientActions":[{"ActionType":"SessionType","ActionParameters":{"SessionType":"Standard_Stream","Properties":null}},{"ActionType":"KMSEncryption","ActionParameters":{"KMSKeyId":"arn:aws:kms:us-east-1:1:key/k","Challenge":"Y2hhbGxlbmdl"}}]}"#
        var actions = channel.handle(.frame(Self.agentFrame(0, 5, request)), now: 0, messageId: { nextId() })
        #expect(actions.contains(.dataKeyNeeded(keyId: "arn:aws:kms:us-east-1:1:key/k", challenge: "Y2hhbGxlbmdl")))
        #expect(Self.writes(actions).map(\.0) == ["acknowledge"], "the response waits for the data key")
        let key = (0..<64).map { UInt8($0) }
        actions = channel.handle(.dataKey(plaintext: key, ciphertextBlob: [9, 9, 9]), now: 0, messageId: { nextId() })
        let response = try #require(Self.writes(actions).first)
        #expect(
            response.2.contains(
                #""ActionType":"KMSEncryption","ActionStatus":1,"ActionResult":{"KMSCipherTextKey":"CQkJ","KMSCipherTextHash":null,"ChallengeAcknowledgement":true}"#
            ))
        let agentKey = Array(key[0..<32])
        let clientKey = Array(key[32..<64])
        let challenge = (0..<64).map { UInt8(255 - $0) }
        let challengeBody = "{\"Challenge\":\"\(Base64.encode(try Self.seal(challenge, agentKey, nonce: 1)))\"}"
        actions = channel.handle(.frame(Self.agentFrameBytes(1, 8, Array(challengeBody.utf8))), now: 0, messageId: { nextId() })
        let answer = try #require(Self.writes(actions).last)
        #expect(answer.0 == "input_stream_data")
        let answered = try #require(Base64.decode(String(answer.2.dropFirst(14).dropLast(2))))
        #expect(try Self.open(answered, clientKey) == challenge)
        actions = channel.handle(
            .frame(Self.agentFrame(2, 7, #"{"HandshakeTimeToComplete":1,"CustomerMessage":"This session is encrypted using AWS KMS."}"#)), now: 0,
            messageId: { nextId() })
        #expect(actions.contains(.handshakeComplete(customerMessage: "This session is encrypted using AWS KMS.")))
        // Agent output arrives sealed with the agent key and is delivered in clear.
        actions = channel.handle(.frame(Self.agentFrameBytes(3, 1, try Self.seal(Array("$ ".utf8), agentKey, nonce: 2))), now: 0, messageId: { nextId() })
        #expect(actions.contains(.deliver(payloadType: .output, payload: Array("$ ".utf8))))
        actions = channel.handle(
            .frame(Self.agentFrameBytes(4, 12, try Self.seal(Array("EXIT_CODE: 3".utf8), agentKey, nonce: 3))), now: 0, messageId: { nextId() })
        #expect(actions.contains(.deliver(payloadType: .exitCode, payload: Array("EXIT_CODE: 3".utf8))))
        // A forged payload does not authenticate and is dropped.
        actions = channel.handle(.frame(Self.agentFrameBytes(5, 1, try Self.seal(Array("x".utf8), clientKey, nonce: 4))), now: 0, messageId: { nextId() })
        #expect(
            !actions.contains {
                if case .deliver = $0 { return true }; return false
            })
        // Keystrokes go out sealed with the client key; Size goes out in clear.
        actions = channel.handle(.send(payloadType: .output, payload: Array("ls\r".utf8)), now: 0, messageId: { nextId() })
        guard case .write(let frame) = actions.first else { Issue.record("nothing written"); return }
        #expect(try Self.open(ClientMessage.decode(frame).payload, clientKey) == Array("ls\r".utf8))
        actions = channel.handle(.send(payloadType: .size, payload: Array(#"{"cols":80,"rows":24}"#.utf8)), now: 0, messageId: { nextId() })
        #expect(Self.writes(actions).first?.2 == #"{"cols":80,"rows":24}"#)
    }

    /// Agents from before the KMS challenge send none and know nothing of ChallengeAcknowledgement:
    /// the response carries only the ciphertext key (spec 6.3, 6.5), so the agent's Decrypt uses
    /// the same context as the client's GenerateDataKey.
    @Test mutating func anAgentWithoutAChallengeGetsNoAcknowledgement() throws {
        var channel = DataChannel(configuration: .init(clientVersion: "1.2.707.0"))
        let request =
            #"{"AgentVersion":"3.0.222.0","RequestedClientActions":[{"ActionType":"SessionType","ActionParameters":{"SessionType":"Standard_Stream","Properties":null}},{"ActionType":"KMSEncryption","ActionParameters":{"KMSKeyId":"k"}}]}"#
        let actions = channel.handle(.frame(Self.agentFrame(0, 5, request)), now: 0, messageId: { nextId() })
        let needed = actions.compactMap {
            if case .dataKeyNeeded(let keyId, let challenge) = $0 { return (keyId, challenge) }; return nil
        }
        #expect(needed.count == 1 && needed.first?.0 == "k" && needed.first?.1 == nil, "no challenge to put in the encryption context")
        let response = try #require(
            Self.writes(
                channel.handle(
                    .dataKey(plaintext: Array(repeating: 7, count: 64), ciphertextBlob: [9, 9, 9]),
                    now: 0, messageId: { nextId() })
            ).first)
        #expect(
            response.2.contains(
                #""ActionType":"KMSEncryption","ActionStatus":1,"ActionResult":{"KMSCipherTextKey":"CQkJ","KMSCipherTextHash":null},"Error":"""#))
        #expect(!response.2.contains("ChallengeAcknowledgement"))
        #expect(channel.encrypted)
    }

    @Test mutating func aFailedDataKeyIsReportedToTheAgent() {
        var channel = DataChannel(configuration: .init(clientVersion: "1.2.707.0"))
        let request =
            #"{"AgentVersion":"3.3.1142.0","RequestedClientActions":[{"ActionType":"SessionType","ActionParameters":{"SessionType":"Standard_Stream"}},{"ActionType":"KMSEncryption","ActionParameters":{"KMSKeyId":"k","Challenge":"c"}}]}"#
        _ = channel.handle(.frame(Self.agentFrame(0, 5, request)), now: 0, messageId: { nextId() })
        let actions = channel.handle(.dataKeyFailed("AccessDeniedException"), now: 0, messageId: { nextId() })
        #expect(
            Self.writes(actions).first?.2.contains(
                #""ActionType":"KMSEncryption","ActionStatus":2,"ActionResult":null,"Error":"Failed to process action KMSEncryption: AccessDeniedException""#)
                == true)
        #expect(!channel.encrypted)
    }

    /// Issue 11 item 7: past 10,000 unacknowledged messages the oldest was evicted and never sent
    /// again, so one lost message corrupted the stream. Unacknowledged data is never dropped.
    @Test mutating func unacknowledgedDataIsNeverEvicted() {
        var channel = DataChannel(configuration: .init(clientVersion: "1.2.707.0"))
        for i in 0..<10_050 { _ = channel.handle(.send(payloadType: .output, payload: [UInt8(65 + i % 26)]), now: 0, messageId: { nextId() }) }
        #expect(channel.unacknowledged == 10_050)
        let resent = Self.writes(channel.handle(.reconnected, now: 1, messageId: { nextId() }))
        #expect(resent.count == 10_050)
        #expect(resent.first?.1 == 0, "the oldest message is still there to resend")
    }

    /// Issue 11 item 8: the out-of-order buffer is bounded in bytes (16 MiB), not only in messages;
    /// a frame past the bound is dropped without an ack, so the agent sends it again later.
    @Test mutating func theOutOfOrderBufferIsBoundedInBytes() {
        var channel = DataChannel(configuration: .init(clientVersion: "1.2.707.0"))
        let payload = String(repeating: "x", count: 65_536)
        var acked = 0
        for seq in 1...400 {
            acked += Self.writes(channel.handle(.frame(Self.agentFrame(Int64(seq), 1, payload)), now: 0, messageId: { nextId() })).count
        }
        #expect(acked * 65_536 <= 16 << 20, "held out of order: \(acked) frames of 64 KiB")
        #expect(acked > 0)
        // The gap filled: what was held is delivered in order, and the rest is accepted when resent.
        let filled = channel.handle(.frame(Self.agentFrame(0, 1, "a")), now: 0, messageId: { nextId() })
        #expect(Self.delivered(filled).count == 1 + acked * 65_536)
        #expect(channel.expectedSequence == Int64(acked + 1))
        let next = channel.handle(.frame(Self.agentFrame(Int64(acked + 1), 1, payload)), now: 0, messageId: { nextId() })
        #expect(Self.delivered(next).count == 65_536)
    }

    /// The send window closes at its message or byte bound and opens again with the acks; the
    /// machine still takes what it is given while closed (the caller stops reading input).
    @Test mutating func theSendWindowClosesByMessagesAndByBytes() {
        var configuration = DataChannel.Configuration(clientVersion: "1.2.707.0")
        configuration.sendWindowMessages = 3
        var channel = DataChannel(configuration: configuration)
        for i in 0..<3 {
            #expect(channel.sendWindowOpen, "message \(i)")
            _ = channel.handle(.send(payloadType: .output, payload: [0x61]), now: 0, messageId: { nextId() })
        }
        #expect(!channel.sendWindowOpen)
        #expect(Self.writes(channel.handle(.send(payloadType: .flag, payload: [0, 0, 0, 2]), now: 0, messageId: { nextId() })).count == 1)
        _ = channel.handle(.frame(Self.agentAck(0)), now: 0.01, messageId: { nextId() })
        _ = channel.handle(.frame(Self.agentAck(1)), now: 0.01, messageId: { nextId() })
        #expect(channel.sendWindowOpen)

        configuration.sendWindowMessages = 100
        configuration.sendWindowBytes = 3000
        channel = DataChannel(configuration: configuration)
        _ = channel.handle(.send(payloadType: .output, payload: [UInt8](repeating: 1, count: 1024)), now: 0, messageId: { nextId() })
        _ = channel.handle(.send(payloadType: .output, payload: [UInt8](repeating: 2, count: 1024)), now: 0, messageId: { nextId() })
        #expect(channel.sendWindowOpen, "2 × 1144 frame bytes")
        _ = channel.handle(.send(payloadType: .output, payload: [UInt8](repeating: 3, count: 1024)), now: 0, messageId: { nextId() })
        #expect(!channel.sendWindowOpen)
        #expect(channel.outgoingBytes == 3 * (1024 + 120))
        _ = channel.handle(.frame(Self.agentAck(1)), now: 0.01, messageId: { nextId() })
        #expect(channel.sendWindowOpen)
        #expect(channel.outgoingBytes == 2 * (1024 + 120))
    }

    /// By default an upload holds at most 1024 unacked 1 KiB messages (about 1.1 MiB): its memory,
    /// not only its throughput, is bounded while the agent is slower than the local sender (issue 17).
    @Test mutating func theDefaultSendWindowHoldsAboutOneMebibyte() {
        var channel = DataChannel(configuration: .init(clientVersion: "1.2.707.0"))
        var sent = 0
        while channel.sendWindowOpen && sent < 5000 {
            _ = channel.handle(.send(payloadType: .output, payload: [UInt8](repeating: 1, count: 1024)), now: 0, messageId: { nextId() })
            sent += 1
        }
        #expect(sent == 1024)
        #expect(channel.outgoingBytes == 1024 * (1024 + 120))
    }

    /// While the agent acknowledges nothing, a full window is not sent again on every loop turn:
    /// at most `maxResendPerTick` expired messages per `resendInterval`, oldest first.
    @Test mutating func resendsAreRateLimitedPerTick() {
        var channel = DataChannel(configuration: .init(clientVersion: "1.2.707.0"))
        for _ in 0..<200 { _ = channel.handle(.send(payloadType: .output, payload: [0x61]), now: 0, messageId: { nextId() }) }
        let first = Self.writes(channel.handle(.tick, now: 0.5, messageId: { nextId() }))
        #expect(first.map(\.1) == Array(0..<64))
        #expect(Self.writes(channel.handle(.tick, now: 0.55, messageId: { nextId() })).isEmpty, "within the same 100 ms tick")
        #expect(Self.writes(channel.handle(.tick, now: 0.6, messageId: { nextId() })).map(\.1) == Array(64..<128))
    }
}

/// The Flag payload's values (spec 4.2) as the agent reads them: a big-endian UInt32.
@Suite struct SessionFlagTests {
    @Test func flagsRoundTripAsBigEndianWords() {
        #expect(SessionFlag.disconnectToPort.payload == [0, 0, 0, 1])
        #expect(SessionFlag.terminateSession.payload == [0, 0, 0, 2])
        #expect(SessionFlag(payload: [0, 0, 0, 3]) == .connectToPortError)
        #expect(SessionFlag(payload: [0, 0, 3]) == nil, "a short payload is no flag")
        #expect(SessionFlag(payload: [0, 0, 0, 9]) == nil, "an unknown value is no flag")
        #expect(SessionFlag(payload: [1, 0, 0, 3]) == nil)
    }
}

extension DataChannelTests {
    /// A payload type the client does not know is acknowledged (the agent must not resend it)
    /// and not delivered.
    @Test mutating func anUnknownPayloadTypeIsAckedAndNotDelivered() {
        var channel = DataChannel(configuration: .init(clientVersion: "1.2.707.0"))
        let actions = channel.handle(.frame(Self.agentFrame(0, 99, "x")), now: 0, messageId: { nextId() })
        #expect(Self.writes(actions).map(\.0) == ["acknowledge"])
        #expect(Self.delivered(actions) == "")
        #expect(channel.expectedSequence == 1)
    }
}
