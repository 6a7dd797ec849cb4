import JSON

/// The JSON bodies of the agent's messages that the data channel reads (agent
/// session/contracts/model.go), read from a `JSONValue` with the rules Codable applied to them
/// before: a required member must be there with its type; an optional one may be absent or null;
/// a member of another type makes the whole body unreadable (nil).
enum AgentMessageBodies {
    struct Acknowledgement {
        let AcknowledgedMessageSequenceNumber: Int64
        init?(_ payload: [UInt8]) {
            guard let body = Members(payload), let sequence = body.int64("AcknowledgedMessageSequenceNumber") else { return nil }
            AcknowledgedMessageSequenceNumber = sequence
        }
    }

    struct ChannelClosed {
        let Output: String?
        let SessionId: String?
        init?(_ payload: [UInt8]) {
            guard let body = Members(payload), let output = body.optionalString("Output"), let sessionId = body.optionalString("SessionId") else { return nil }
            (Output, SessionId) = (output, sessionId)
        }
    }

    struct HandshakeComplete {
        let CustomerMessage: String?
        init?(_ payload: [UInt8]) {
            guard let body = Members(payload), let message = body.optionalString("CustomerMessage") else { return nil }
            CustomerMessage = message
        }
    }

    struct Challenge {
        let Challenge: String
        init?(_ payload: [UInt8]) {
            guard let body = Members(payload), let challenge = body.members["Challenge"]?.string else { return nil }
            Challenge = challenge
        }
    }

    struct HandshakeRequest {
        struct RequestedAction {
            struct Parameters {
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

        init?(_ payload: [UInt8]) {
            guard let body = Members(payload), let version = body.members["AgentVersion"]?.string,
                let actions = body.members["RequestedClientActions"]?.array
            else { return nil }
            var requested: [RequestedAction] = []
            for action in actions {
                guard let action = Members(action), let type = action.members["ActionType"]?.string else { return nil }
                var parameters: RequestedAction.Parameters?
                switch action.members["ActionParameters"] {
                case nil, .null?: parameters = nil
                case let value?:
                    guard let fields = Members(value), let sessionType = fields.optionalString("SessionType"),
                        let properties = fields.optionalStringMap("Properties"), let keyId = fields.optionalString("KMSKeyId"),
                        let challenge = fields.optionalString("Challenge")
                    else { return nil }
                    parameters = .init(SessionType: sessionType, Properties: properties, KMSKeyId: keyId, Challenge: challenge)
                }
                requested.append(.init(ActionType: type, ActionParameters: parameters))
            }
            (AgentVersion, RequestedClientActions) = (version, requested)
        }
    }

    /// An object's members, and Codable's reading of optional ones: `.some(nil)` for absent or null,
    /// nil (unreadable) for another type.
    struct Members {
        let members: [String: JSONValue]

        init?(_ payload: [UInt8]) {
            guard let value = try? JSONValue(parsing: payload) else { return nil }
            self.init(value)
        }

        init?(_ value: JSONValue) {
            guard let members = value.object else { return nil }
            self.members = members
        }

        func optionalString(_ name: String) -> String?? {
            switch members[name] {
            case nil, .null?: return .some(nil)
            case .string(let s)?: return .some(s)
            default: return nil
            }
        }

        func optionalStringMap(_ name: String) -> [String: String]?? {
            switch members[name] {
            case nil, .null?: return .some(nil)
            case .object(let fields)?:
                var map: [String: String] = [:]
                for (key, value) in fields {
                    guard let s = value.string else { return nil }
                    map[key] = s
                }
                return .some(map)
            default: return nil
            }
        }

        /// A whole number that fits an Int64 (Codable refused a fraction or a number out of range).
        func int64(_ name: String) -> Int64? {
            guard let n = members[name]?.double, n == n.rounded(), n >= -0x1p63, n < 0x1p63 else { return nil }
            return Int64(n)
        }
    }
}
