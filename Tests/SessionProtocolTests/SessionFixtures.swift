import SessionProtocol

/// A scripted agent for the session machines' tests: its frames, and the client's frames decoded.
struct ScriptedAgent {
    private(set) var sequence: Int64 = 0
    var ids = 0

    mutating func messageId() -> [UInt8] {
        ids += 1
        return (0..<16).map { UInt8(truncatingIfNeeded: ids + $0) }
    }

    /// The next in-order output_stream_data message from the agent, as the WebSocket delivers it.
    mutating func message(_ type: ClientMessage.PayloadType, _ payload: [UInt8]) -> SessionEvent {
        defer { sequence += 1 }
        let frame = try! ClientMessage(
            type: "output_stream_data", sequenceNumber: sequence, flags: sequence == 0 ? 1 : 0,
            payloadType: type.rawValue, payload: payload,
            messageId: [UInt8](repeating: UInt8(truncatingIfNeeded: sequence), count: 16), createdDate: 1
        ).encode()
        return .received(.binary(frame))
    }

    mutating func message(_ type: ClientMessage.PayloadType, _ text: String) -> SessionEvent { message(type, Array(text.utf8)) }

    mutating func handshake(type: String = "Standard_Stream", properties: String = "null", agentVersion: String = "3.3.1142.0") -> SessionEvent {
        message(
            .handshakeRequest,
            #"{"AgentVersion":"\#(agentVersion)","RequestedClientActions":[{"ActionType":"SessionType","ActionParameters":{"SessionType":"\#(type)","Properties":\#(properties)}}]}"#
        )
    }

    mutating func handshakeComplete(_ customerMessage: String = "") -> SessionEvent {
        message(.handshakeComplete, #"{"HandshakeTimeToComplete":1,"CustomerMessage":"\#(customerMessage)"}"#)
    }

    static func ack(_ seq: Int64) -> SessionEvent {
        let body =
            "{\"AcknowledgedMessageType\":\"input_stream_data\",\"AcknowledgedMessageId\":\"x\",\"AcknowledgedMessageSequenceNumber\":\(seq),\"IsSequentialMessage\":true}"
        return .received(
            .binary(
                try! ClientMessage(
                    type: "acknowledge", flags: 3, payloadType: 0, payload: Array(body.utf8),
                    messageId: [UInt8](repeating: 9, count: 16), createdDate: 1
                ).encode()))
    }

    static func channelClosed(_ output: String) -> SessionEvent {
        let body = "{\"MessageType\":\"channel_closed\",\"SessionId\":\"s-1\",\"Output\":\"\(output)\"}"
        return .received(
            .binary(
                try! ClientMessage(
                    type: "channel_closed", flags: 3, payloadType: 0, payload: Array(body.utf8),
                    messageId: [UInt8](repeating: 3, count: 16), createdDate: 1
                ).encode()))
    }

    /// The stream data the client sent (acks left out): payload type and payload of each.
    static func sent(_ actions: [SessionAction]) -> [(ClientMessage.PayloadType?, [UInt8])] {
        actions.compactMap { action in
            guard case .send(.binary, let frame) = action, let message = try? ClientMessage.decode(frame),
                message.messageType == "input_stream_data"
            else { return nil }
            return (ClientMessage.PayloadType(rawValue: message.payloadType), message.payload)
        }
    }

    static func sentText(_ actions: [SessionAction], _ type: ClientMessage.PayloadType) -> [String] {
        sent(actions).filter { $0.0 == type }.map { String(decoding: $0.1, as: UTF8.self) }
    }

    static func stdout(_ actions: [SessionAction]) -> String {
        actions.compactMap {
            if case .stdout(let bytes) = $0 { return String(decoding: bytes, as: UTF8.self) }; return nil
        }.joined()
    }

    static func stderr(_ actions: [SessionAction]) -> String {
        actions.compactMap {
            if case .stderr(let bytes) = $0 { return String(decoding: bytes, as: UTF8.self) }; return nil
        }.joined()
    }

    static func end(_ actions: [SessionAction]) -> SessionOutcome? {
        actions.lazy.compactMap {
            if case .end(let outcome) = $0 { return outcome }; return nil
        }.first
    }
}

extension SessionMachine {
    /// Feeds an event at monotonic time `now` (the wall clock a fixed distance ahead).
    mutating func feed(_ event: SessionEvent, at now: Double, _ agent: inout ScriptedAgent) -> [SessionAction] {
        handle(event, at: SessionTime(now: now, wall: 1_700_000_000 + now), messageId: { agent.messageId() })
    }
}
