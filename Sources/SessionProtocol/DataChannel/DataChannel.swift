import Crypto

/// The client side of the data channel's reliability layer and handshake (data-channel spec
/// sections 5 and 6), as a pure state machine: events in (frames, data to send, clock ticks,
/// reconnects), actions out (frames to write, data to deliver, session facts). Time and message
/// ids are passed in.
///
/// Improvements the spec allows (11.1): duplicates are re-acked, expired messages are resent oldest
/// first, up to 64 per 100 ms tick (not only the oldest), and `lastSent` is updated on resend.
public struct DataChannel: Sendable {
    public struct Configuration: Sendable {
        public var clientVersion: String
        public var initialRTO: Double = 0.2
        public var maxRTO: Double = 1.0
        /// Resends run at most once per `resendInterval` (the spec's 100 ms scheduler, 5.1) and send
        /// at most `maxResendPerTick` expired messages: while the agent acknowledges nothing, a full
        /// window is not sent again on every loop turn.
        public var resendInterval = 0.1
        public var maxResendPerTick = 64
        /// The send window: while this many messages, or this many frame bytes, wait for an ack,
        /// the caller stops reading local input (`sendWindowOpen`). The plugin has no window and
        /// evicts the oldest unacked message past 10,000 (spec 5.1, 5.8): we never drop unacked data.
        /// 1024 messages (1.1 MiB of 1 KiB frames) keep an upload's memory small (issue 17: 4096
        /// held 5 MB more while the emulator was slower than the local sender) and still allow
        /// 10 MB/s at 100 ms between a message and its ack.
        public var sendWindowMessages = 1024
        public var sendWindowBytes = 2 << 20
        /// The out-of-order buffer (spec 5.4), bounded by messages and by bytes; a frame past either
        /// bound is dropped without an ack, and the agent sends it again.
        public var incomingCapacity = 10_000
        public var incomingCapacityBytes = 16 << 20
        public init(clientVersion: String) { self.clientVersion = clientVersion }
    }

    public enum Event: Sendable {
        /// A binary WebSocket message from the gateway.
        case frame([UInt8])
        /// Stream data for the agent (keystrokes, Size JSON, a Flag, TCP bytes).
        case send(payloadType: ClientMessage.PayloadType, payload: [UInt8])
        case tick
        /// A new WebSocket after a reconnect: everything unacked goes out again as it was.
        case reconnected
        /// The answer to `.dataKeyNeeded`: KMS GenerateDataKey's 64-byte plaintext and blob.
        case dataKey(plaintext: [UInt8], ciphertextBlob: [UInt8])
        case dataKeyFailed(String)
    }

    public enum Action: Sendable, Equatable {
        case write([UInt8])
        /// In-order stream data from the agent: Output, StdErr, ExitCode, Flag.
        case deliver(payloadType: ClientMessage.PayloadType, payload: [UInt8])
        /// The agent's HandshakeRequest, already answered.
        case handshake(sessionType: String, properties: [String: String], agentVersion: String)
        case handshakeComplete(customerMessage: String)
        /// The agent asks for KMS encryption: call GenerateDataKey (64 bytes) with this key id and
        /// the context {aws:ssm:SessionId, aws:ssm:TargetId}, plus aws:ssm:RandomChallenge when the
        /// agent sent a challenge (older agents send none and decrypt without it), then feed
        /// `.dataKey` (spec 6.5).
        case dataKeyNeeded(keyId: String, challenge: String?)
        case channelClosed(output: String, sessionId: String)
        /// A frame that could not be used (malformed, bad digest); dropped without an ack.
        case dropped(String)
    }

    public let configuration: Configuration
    public private(set) var nextSequence: Int64 = 0
    public private(set) var expectedSequence: Int64 = 0
    /// Sent and not acknowledged yet: seq → (frame, last sent).
    public private(set) var outgoing: [Int64: (frame: [UInt8], lastSent: Double)] = [:]
    private var incoming: [Int64: ClientMessage] = [:]
    /// Frame bytes held in `outgoing`, payload bytes held in `incoming`.
    public private(set) var outgoingBytes = 0
    private var lastResendTick = -Double.infinity
    /// CreatedDate for the frames of the event being handled (set by `handle(_:now:wall:messageId:)`).
    private var createdDate: UInt64?
    public private(set) var incomingBytes = 0
    public private(set) var rtt = 0.1
    public private(set) var rttVariance = 0.0
    public private(set) var rto: Double
    public private(set) var handshakeDone = false
    /// KMS session keys (spec 6.5): the agent encrypts with bytes 0-31, the client with 32-63.
    private var agentKey: [UInt8]?
    private var clientKey: [UInt8]?
    private var pendingResponse: [String]?
    /// Whether the pending KMS action came with a challenge: only then is it acknowledged (spec 6.3).
    private var pendingChallenged = false
    public var encrypted: Bool { clientKey != nil }

    public init(configuration: Configuration) {
        self.configuration = configuration
        rto = configuration.initialRTO
    }

    public var unacknowledged: Int { outgoing.count }

    /// Whether messages wait for an earlier one that has not arrived (a gap in the sequence).
    public var holding: Bool { !incoming.isEmpty }

    /// Whether local input may be read: false while the send window is full. The machine itself
    /// accepts every `.send` (handshake answers, Flags) and never drops unacked data.
    public var sendWindowOpen: Bool {
        outgoing.count < configuration.sendWindowMessages && outgoingBytes < configuration.sendWindowBytes
    }

    /// `now` measures intervals (RTO, resends) and may be monotonic; the frames' CreatedDate is
    /// wall-clock milliseconds since 1970 (spec 3), taken from `wall`.
    public mutating func handle(_ event: Event, now: Double, wall: Double, messageId: () -> [UInt8]) -> [Action] {
        createdDate = UInt64(max(0, wall) * 1000)
        return handle(event, now: now, messageId: messageId)
    }

    /// The same, with `now` as the wall clock too (tests, and callers whose `now` is wall time).
    public mutating func handle(_ event: Event, now: Double, messageId: () -> [UInt8]) -> [Action] {
        defer { createdDate = nil }
        switch event {
        case .frame(let bytes): return receive(bytes, now: now, messageId: messageId)
        case .send(let type, let payload): return send(type, payload, now: now, messageId: messageId)
        case .tick: return resendExpired(now: now)
        case .reconnected:
            return outgoing.keys.sorted().map { seq in
                outgoing[seq]!.lastSent = now
                return .write(outgoing[seq]!.frame)
            }
        case .dataKey(let plaintext, let blob):
            guard plaintext.count == 64, var processed = pendingResponse else { return [.dropped("an unusable data key")] }
            pendingResponse = nil
            agentKey = Array(plaintext[0..<32])
            clientKey = Array(plaintext[32..<64])
            let acknowledgement = pendingChallenged ? ",\"ChallengeAcknowledgement\":true" : ""
            processed.append(
                "{\"ActionType\":\"KMSEncryption\",\"ActionStatus\":1,\"ActionResult\":{\"KMSCipherTextKey\":\"\(Base64.encode(blob))\",\"KMSCipherTextHash\":null\(acknowledgement)},\"Error\":\"\"}"
            )
            return sendHandshakeResponse(processed, now: now, messageId: messageId)
        case .dataKeyFailed(let message):
            guard var processed = pendingResponse else { return [] }
            pendingResponse = nil
            let error = JSONText.escape("Failed to process action KMSEncryption: \(message)")
            processed.append("{\"ActionType\":\"KMSEncryption\",\"ActionStatus\":2,\"ActionResult\":null,\"Error\":\"\(error)\"}")
            return sendHandshakeResponse(processed, now: now, messageId: messageId)
        }
    }

    // MARK: sending (spec 5.3)

    mutating func send(_ type: ClientMessage.PayloadType, _ payload: [UInt8], now: Double, messageId: () -> [UInt8]) -> [Action] {
        guard !payload.isEmpty else { return [] }  // never an empty payload (spec 3)
        var payload = payload
        // With KMS only Output is encrypted client → agent (spec 6.5, point 5).
        if type == .output, let clientKey {
            guard let sealed = Self.seal(payload, key: clientKey, nonce: Array(messageId().prefix(12))) else { return [.dropped("encryption failed")] }
            payload = sealed
        }
        let message = ClientMessage(
            type: ClientMessage.MessageType.inputStreamData.rawValue, sequenceNumber: nextSequence, flags: 0,
            payloadType: type.rawValue, payload: payload, messageId: messageId(), createdDate: createdDate ?? UInt64(max(0, now) * 1000))
        guard let frame = try? message.encode() else { return [] }
        outgoing[nextSequence] = (frame, now)
        outgoingBytes += frame.count
        nextSequence += 1
        return [.write(frame)]
    }

    mutating func resendExpired(now: Double) -> [Action] {
        guard now - lastResendTick >= configuration.resendInterval - 1e-9 else { return [] }
        lastResendTick = now
        var actions: [Action] = []
        for seq in outgoing.keys.sorted() where now - outgoing[seq]!.lastSent > rto {
            outgoing[seq]!.lastSent = now
            actions.append(.write(outgoing[seq]!.frame))
            if actions.count >= configuration.maxResendPerTick { break }
        }
        return actions
    }

    // MARK: receiving (spec 5.4)

    mutating func receive(_ bytes: [UInt8], now: Double, messageId: () -> [UInt8]) -> [Action] {
        let message: ClientMessage
        do { message = try ClientMessage.decode(bytes) } catch { return [.dropped(error.description)] }
        guard message.isValid else { return [.dropped("the payload does not match its digest")] }
        // Output first: it is nearly every message, and each case tried is a string comparison.
        switch message.messageType {
        case ClientMessage.MessageType.outputStreamData.rawValue:
            return sequenced(message, now: now, messageId: messageId)
        case ClientMessage.MessageType.acknowledge.rawValue:
            acknowledged(message, now: now)
            return []
        case ClientMessage.MessageType.channelClosed.rawValue:
            let body = AgentMessageBodies.ChannelClosed(message.payload)
            return [.channelClosed(output: body?.Output ?? "", sessionId: body?.SessionId ?? "")]
        default:
            return []  // start/pause publication and unknown types: accepted and ignored
        }
    }

    mutating func acknowledged(_ message: ClientMessage, now: Double) {
        guard let content = AgentMessageBodies.Acknowledgement(message.payload),
            let entry = outgoing.removeValue(forKey: content.AcknowledgedMessageSequenceNumber)
        else { return }
        outgoingBytes -= entry.frame.count
        // RFC 6298-style estimate (spec 5.3): RTTVAR is updated with the old RTT.
        let sample = max(0, now - entry.lastSent)
        rttVariance = 0.75 * rttVariance + 0.25 * abs(rtt - sample)
        rtt = 0.875 * rtt + 0.125 * sample
        rto = min(rtt + max(0.01, 4 * rttVariance), configuration.maxRTO)
    }

    mutating func sequenced(_ message: ClientMessage, now: Double, messageId: () -> [UInt8]) -> [Action] {
        let s = message.sequenceNumber
        var actions: [Action] = []
        if s == expectedSequence {
            actions.append(ack(message, now: now, messageId: messageId))
            actions += process(message, now: now, messageId: messageId)
            expectedSequence += 1
            while let next = incoming.removeValue(forKey: expectedSequence) {
                incomingBytes -= next.payload.count
                actions += process(next, now: now, messageId: messageId)
                expectedSequence += 1
            }
        } else if s > expectedSequence {
            if incoming[s] != nil {
                actions.append(ack(message, now: now, messageId: messageId))  // held already: re-ack
            } else if incoming.count < configuration.incomingCapacity,
                incomingBytes + message.payload.count <= configuration.incomingCapacityBytes
            {
                incoming[s] = message
                incomingBytes += message.payload.count
                actions.append(ack(message, now: now, messageId: messageId))
            }
        } else {
            actions.append(ack(message, now: now, messageId: messageId))  // a duplicate: re-ack so the agent stops resending
        }
        return actions
    }

    func ack(_ message: ClientMessage, now: Double, messageId: () -> [UInt8]) -> Action {
        // One buffer, no ClientMessage between: one ack per message is the download's hottest path.
        .write(ClientMessage.acknowledgementFrame(of: message, messageId: messageId(), createdDate: createdDate ?? UInt64(max(0, now) * 1000)))
    }

    /// In-order delivery: handshake messages are answered here; the rest goes to the session.
    mutating func process(_ message: ClientMessage, now: Double, messageId: () -> [UInt8]) -> [Action] {
        switch ClientMessage.PayloadType(rawValue: message.payloadType) {
        case .handshakeRequest:
            guard let request = AgentMessageBodies.HandshakeRequest(message.payload) else {
                return [.dropped("an unreadable HandshakeRequest")]
            }
            var processed: [String] = []
            var sessionType = ""
            var properties: [String: String] = [:]
            var kms: (keyId: String, challenge: String?)?
            for action in request.RequestedClientActions {
                if action.ActionType == "SessionType" {
                    sessionType = action.ActionParameters?.SessionType ?? ""
                    properties = action.ActionParameters?.Properties ?? [:]
                    processed.append("{\"ActionType\":\"SessionType\",\"ActionStatus\":1,\"ActionResult\":null,\"Error\":\"\"}")
                } else if action.ActionType == "KMSEncryption", let keyId = action.ActionParameters?.KMSKeyId {
                    kms = (keyId, action.ActionParameters?.Challenge.flatMap { $0.isEmpty ? nil : $0 })
                } else {
                    processed.append(
                        "{\"ActionType\":\"\(JSONText.escape(action.ActionType))\",\"ActionStatus\":3,\"ActionResult\":null,\"Error\":\"unsupported action\"}")
                }
            }
            let handshake = Action.handshake(sessionType: sessionType, properties: properties, agentVersion: request.AgentVersion)
            if let kms {
                // The response waits for the data key (GenerateDataKey is the caller's I/O).
                pendingResponse = processed
                pendingChallenged = kms.challenge != nil
                return [handshake, .dataKeyNeeded(keyId: kms.keyId, challenge: kms.challenge)]
            }
            return [handshake] + sendHandshakeResponse(processed, now: now, messageId: messageId)
        case .encChallengeRequest:
            guard let agentKey, let clientKey,
                let request = AgentMessageBodies.Challenge(message.payload),
                let sealed = Base64.decode(request.Challenge), let plain = Self.open(sealed, key: agentKey),
                let answer = Self.seal(plain, key: clientKey, nonce: Array(messageId().prefix(12)))
            else {
                return [.dropped("an encryption challenge that does not decrypt")]
            }
            let body = "{\"Challenge\":\"\(Base64.encode(answer))\"}"
            return send(.encChallengeResponse, Array(body.utf8), now: now, messageId: messageId)
        case .handshakeComplete:
            handshakeDone = true
            let body = AgentMessageBodies.HandshakeComplete(message.payload)
            return [.handshakeComplete(customerMessage: body?.CustomerMessage ?? "")]
        case nil:
            return []  // a payload type this client does not know: acknowledged and ignored
        case let type?:
            // Output, StdErr and ExitCode arrive encrypted once KMS is on.
            if let agentKey, [.output, .stdErr, .exitCode].contains(type) {
                guard let plain = Self.open(message.payload, key: agentKey) else { return [.dropped("a payload that does not authenticate")] }
                return [.deliver(payloadType: type, payload: plain)]
            }
            return [.deliver(payloadType: type, payload: message.payload)]
        }
    }

    mutating func sendHandshakeResponse(_ processed: [String], now: Double, messageId: () -> [UInt8]) -> [Action] {
        let response = "{\"ClientVersion\":\"\(configuration.clientVersion)\",\"ProcessedClientActions\":[\(processed.joined(separator: ","))],\"Errors\":null}"
        return send(.handshakeResponse, Array(response.utf8), now: now, messageId: messageId)
    }

    /// The envelope: nonce (12) ‖ ciphertext ‖ tag (16), AES-256-GCM without AAD (spec 6.5).
    static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8]) -> [UInt8]? {
        guard let sealed = try? AESGCM.seal(plaintext, key: key, nonce: nonce) else { return nil }
        return nonce + sealed.ciphertext + sealed.tag
    }

    static func open(_ envelope: [UInt8], key: [UInt8]) -> [UInt8]? {
        guard envelope.count >= 28 else { return nil }
        let sealed = AESGCM.Sealed(ciphertext: Array(envelope[12..<(envelope.count - 16)]), tag: Array(envelope.suffix(16)))
        return try? AESGCM.open(sealed, key: key, nonce: Array(envelope.prefix(12)))
    }
}

enum JSONText {
    /// Escapes text for a JSON string body.
    static func escape(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
