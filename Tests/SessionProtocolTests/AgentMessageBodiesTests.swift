import Foundation
import Testing

@testable import SessionProtocol

/// The agent's message bodies read through JSONParser as the Decodable structs read them through
/// JSONDecoder before: the same fields, and unreadable in the same cases.
@Suite struct AgentMessageBodiesTests {
    struct Acknowledgement: Decodable { let AcknowledgedMessageSequenceNumber: Int64 }
    struct ChannelClosed: Decodable { let Output: String?; let SessionId: String? }
    struct HandshakeRequest: Decodable {
        struct RequestedAction: Decodable {
            struct Parameters: Decodable {
                let SessionType: String?
                let Properties: [String: String]?
                let KMSKeyId: String?
                let Challenge: String?
            }
            let ActionType: String
            let ActionParameters: Parameters?
        }
        let AgentVersion: String
        let RequestedClientActions: [RequestedAction]
    }

    static func decoded<T: Decodable>(_ type: T.Type, _ text: String) -> T? { try? JSONDecoder().decode(type, from: Data(text.utf8)) }

    @Test func acknowledgementsAsBefore() {
        for text in [
            #"{"AcknowledgedMessageType":"output_stream_data","AcknowledgedMessageId":"x","AcknowledgedMessageSequenceNumber":7,"IsSequentialMessage":true}"#,
            #"{"AcknowledgedMessageSequenceNumber":0}"#, #"{"AcknowledgedMessageSequenceNumber":-3}"#,
            #"{"AcknowledgedMessageSequenceNumber":"7"}"#, #"{"AcknowledgedMessageSequenceNumber":7.5}"#,
            #"{"AcknowledgedMessageSequenceNumber":null}"#, #"{"AcknowledgedMessageSequenceNumber":1e30}"#, "{}", "[]", "7", "{",
        ] {
            let old = Self.decoded(Acknowledgement.self, text)?.AcknowledgedMessageSequenceNumber
            #expect(AgentMessageBodies.Acknowledgement(Array(text.utf8))?.AcknowledgedMessageSequenceNumber == old, "\(text)")
        }
    }

    @Test func channelClosedAsBefore() {
        for text in [
            #"{"MessageId":"m","Output":"bye","SessionId":"s-1"}"#, #"{"Output":null}"#, "{}", #"{"Output":1,"SessionId":"s"}"#,
            #"{"Output":"o","SessionId":[]}"#, "null", "",
        ] {
            let old = Self.decoded(ChannelClosed.self, text)
            let new = AgentMessageBodies.ChannelClosed(Array(text.utf8))
            #expect(new?.Output == old?.Output && new?.SessionId == old?.SessionId && (new == nil) == (old == nil), "\(text)")
        }
    }

    @Test func handshakeRequestsAsBefore() {
        for text in [
            #"{"AgentVersion":"3.3.1142.0","RequestedClientActions":[{"ActionType":"SessionType","ActionParameters":{"SessionType":"Port","Properties":{"portNumber":"22","type":"LocalPortForwarding"}}},{"ActionType":"KMSEncryption","ActionParameters":{"KMSKeyId":"k","Challenge":"c"}}]}"#,
            #"{"AgentVersion":"1","RequestedClientActions":[{"ActionType":"X"},{"ActionType":"Y","ActionParameters":null}]}"#,
            #"{"AgentVersion":"1","RequestedClientActions":[]}"#,
            #"{"AgentVersion":"1","RequestedClientActions":[{"ActionType":"SessionType","ActionParameters":{"Properties":{"portNumber":22}}}]}"#,
            #"{"AgentVersion":"1","RequestedClientActions":[{"ActionType":"SessionType","ActionParameters":{"Properties":null}}]}"#,
            #"{"AgentVersion":"1","RequestedClientActions":[{"ActionType":"SessionType","ActionParameters":"x"}]}"#,
            #"{"AgentVersion":"1","RequestedClientActions":[{"ActionParameters":{}}]}"#,
            #"{"AgentVersion":1,"RequestedClientActions":[]}"#, #"{"RequestedClientActions":[]}"#, #"{"AgentVersion":"1"}"#,
        ] {
            let old = Self.decoded(HandshakeRequest.self, text)
            let new = AgentMessageBodies.HandshakeRequest(Array(text.utf8))
            #expect((new == nil) == (old == nil), "\(text)")
            #expect(new?.AgentVersion == old?.AgentVersion)
            #expect(new?.RequestedClientActions.map(\.ActionType) == old?.RequestedClientActions.map(\.ActionType))
            for (n, o) in zip(new?.RequestedClientActions ?? [], old?.RequestedClientActions ?? []) {
                let (np, op) = (n.ActionParameters, o.ActionParameters)
                #expect(np?.SessionType == op?.SessionType && np?.Properties == op?.Properties && np?.KMSKeyId == op?.KMSKeyId)
                #expect(np?.Challenge == op?.Challenge && (np == nil) == (op == nil), "\(text)")
            }
        }
    }

    @Test func challengeAndHandshakeCompleteAsBefore() {
        #expect(AgentMessageBodies.Challenge(Array(#"{"Challenge":"abc"}"#.utf8))?.Challenge == "abc")
        #expect(AgentMessageBodies.Challenge(Array(#"{"Challenge":null}"#.utf8)) == nil)
        #expect(AgentMessageBodies.HandshakeComplete(Array(#"{"HandshakeTimeToComplete":1,"CustomerMessage":"hi"}"#.utf8))?.CustomerMessage == "hi")
        #expect(AgentMessageBodies.HandshakeComplete(Array("{}".utf8))?.CustomerMessage == nil)
        #expect(AgentMessageBodies.HandshakeComplete(Array(#"{"CustomerMessage":2}"#.utf8)) == nil)
    }
}
