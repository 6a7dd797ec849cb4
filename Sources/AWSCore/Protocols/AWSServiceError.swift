/// An error response from an AWS service, with what a user needs to act on it.
public struct AWSServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The cleaned error code (`AccessDeniedException`, `InvalidInstanceId`, ...).
    public var code: String
    public var message: String
    public var status: Int
    public var requestId: String?
    public var service: String
    public var operation: String
    /// Any modeled members of the error (JSON protocol), for callers that need them.
    public var fields: JSONValue

    public init(
        code: String, message: String, status: Int, requestId: String? = nil,
        service: String = "", operation: String = "", fields: JSONValue = .object([:])
    ) {
        self.code = code
        self.message = message
        self.status = status
        self.requestId = requestId
        self.service = service
        self.operation = operation
        self.fields = fields
    }

    /// As the AWS CLI prints it, plus the request id for support cases.
    public var description: String {
        var text = "An error occurred (\(code)) when calling the \(operation) operation"
        if !message.isEmpty { text += ": \(message)" }
        if let requestId, !requestId.isEmpty { text += " (request id \(requestId))" }
        return text
    }

    /// Cleans a raw code per aws-client spec section 5: drop everything from the first `:`,
    /// then everything up to the last `#`.
    public static func cleanCode(_ raw: String) -> String {
        var code = Substring(raw.trimmingWhitespace())
        if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
        if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
        return String(code)
    }

    public var isThrottling: Bool { RetryClassifier.throttlingCodes.contains(code) || status == 429 }
    public var isAccessDenied: Bool {
        ["AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "NotAuthorized"].contains(code)
    }
}
