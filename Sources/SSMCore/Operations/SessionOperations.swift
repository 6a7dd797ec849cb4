public import AWSCore

/// StartSession and ResumeSession answer with a stream URL and a short-lived token. The token
/// opens the data channel, so it is kept out of every description.
public struct SessionStream: Sendable, Equatable, CustomStringConvertible {
    public var sessionId: String
    public var streamURL: String
    public var tokenValue: String

    public var description: String { "session \(sessionId) at \(streamURL.split(separator: "?").first ?? "")" }
}

public struct SessionSummary: Sendable, Equatable {
    public var sessionId: String
    public var target: String
    public var status: String
    public var startDate: Double?
    public var endDate: Double?
    public var documentName: String?
    public var owner: String?
    public var reason: String?

    /// From the reply's JSON (also how fakes build replies).
    public init(_ json: JSONValue) {
        sessionId = json.text("SessionId") ?? ""
        target = json.text("Target") ?? ""
        status = json.text("Status") ?? ""
        startDate = json.time("StartDate")
        endDate = json.time("EndDate")
        documentName = json.text("DocumentName")
        owner = json.text("Owner")
        reason = json.text("Reason")
    }
}

extension SSMClient {
    /// StartSession: `documentName` nil is the standard shell.
    public func startSession(
        target: String, documentName: String? = nil, reason: String? = nil,
        parameters: [String: [String]]? = nil
    ) async throws -> SessionStream {
        var input: [String: JSONValue] = ["Target": .string(target)]
        input.set("DocumentName", documentName)
        input.set("Reason", reason)
        input.set("Parameters", parameters)
        return try stream(await call("StartSession", input), operation: "StartSession")
    }

    /// ResumeSession: a new stream URL and token for a disconnected session.
    public func resumeSession(sessionId: String) async throws -> SessionStream {
        try stream(await call("ResumeSession", ["SessionId": .string(sessionId)]), operation: "ResumeSession")
    }

    @discardableResult
    public func terminateSession(sessionId: String) async throws -> String {
        try await call("TerminateSession", ["SessionId": .string(sessionId)]).text("SessionId") ?? sessionId
    }

    /// "connected" or "notconnected".
    public func connectionStatus(target: String) async throws -> String {
        try await call("GetConnectionStatus", ["Target": .string(target)]).text("Status") ?? "notconnected"
    }

    /// DescribeSessions, every page. `state` is Active or History.
    public func describeSessions(state: String, filters: [(key: String, value: String)] = [], limit: Int = 1000) async throws -> [SessionSummary] {
        try await Pagination.collect(limit: limit) { token in
            var input: [String: JSONValue] = ["State": .string(state), "MaxResults": 200]
            if !filters.isEmpty { input["Filters"] = .array(filters.map { ["key": .string($0.key), "value": .string($0.value)] }) }
            input.set("NextToken", token)
            let page = try await call("DescribeSessions", input)
            return (page.list("Sessions").map(SessionSummary.init), page.text("NextToken"))
        }
    }

    private func stream(_ output: JSONValue, operation: String) throws -> SessionStream {
        guard let id = output.text("SessionId"), let url = output.text("StreamUrl"), let token = output.text("TokenValue") else {
            throw AWSServiceError(
                code: "InvalidResponse", message: "The reply has no SessionId, StreamUrl or TokenValue.", status: 200,
                service: "ssm", operation: operation)
        }
        return SessionStream(sessionId: id, streamURL: url, tokenValue: token)
    }
}
