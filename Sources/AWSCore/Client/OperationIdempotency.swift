/// Which operations may run twice without harm, so that a request whose answer was lost can be
/// sent again. Reads (Describe, List, Get) may; so may the few writes below whose second run
/// changes nothing. Everything else (SendCommand, StartSession, StartAutomationExecution,
/// Create*, Put*, ...) is sent again only when it provably never left this machine (aws-client
/// spec section 7; the AWS SDKs' idempotency tokens exist for the same reason).
public enum OperationIdempotency {
    static let readPrefixes = ["Describe", "List", "Get"]

    /// Writes whose repetition has the effect of one: ending or resuming a session, cancelling a
    /// command, temporary credentials, a data key (an unused one is simply discarded).
    static let repeatableWrites: Set<String> = [
        "TerminateSession", "ResumeSession", "CancelCommand",
        "AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML",
        "GenerateDataKey", "Decrypt",
    ]

    public static func isIdempotent(_ operation: String) -> Bool {
        readPrefixes.contains { operation.hasPrefix($0) } || repeatableWrites.contains(operation)
    }
}

/// A call that is not idempotent lost its connection after the request was sent: the service may
/// have carried it out. It is not sent again (that could run a command twice); the message says
/// how to find out.
public struct UncertainOutcomeError: Error, Sendable, Equatable, CustomStringConvertible {
    public let service: String
    public let operation: String
    public let cause: TransportError

    public init(service: String, operation: String, cause: TransportError) {
        self.service = service
        self.operation = operation
        self.cause = cause
    }

    public var description: String {
        "\(operation) may have been processed: the connection to \(cause.url) was lost after the request was sent (\(cause.detail)). "
            + "It was not sent again, so that it cannot take effect twice. " + howToCheck
    }

    private var howToCheck: String {
        switch operation {
        case "SendCommand":
            return "Check with 'ssm-shell api ssm ListCommands' (or 'commands' at the prompt) before running it again."
        case "StartSession":
            return "Check with 'ssm-shell -c sessions' (or 'sessions' at the prompt) and end a stray session with 'terminate SESSION' before connecting again."
        case "StartAutomationExecution":
            return "Check with 'ssm-shell api ssm DescribeAutomationExecutions' before starting it again."
        default:
            return "Check with the matching Describe, List or Get call ('ssm-shell api \(service) ...') before calling it again."
        }
    }
}
