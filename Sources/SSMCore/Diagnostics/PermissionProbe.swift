public import AWSCore

/// A call made only to learn whether IAM allows an action. Each is harmless: a read, or a
/// write aimed at an id that cannot exist, so an allowed call fails with a not-found or
/// validation error and changes nothing. IAM is evaluated before those checks, so an
/// AccessDenied means the action itself is refused.
public struct PermissionProbe: Sendable {
    public let action: String
    public let service: ServiceDescriptor
    public let operation: String
    public let input: JSONValue
    /// What the shell cannot do without it.
    public let needed: String

    /// An instance id of the right shape that no account has (17 zeros), and a command id likewise.
    public static let noInstance = "i-00000000000000000"
    public static let noCommand = "00000000-0000-0000-0000-000000000000"

    public static let all: [PermissionProbe] = [
        PermissionProbe(
            action: "ssm:DescribeInstanceInformation", service: .ssm, operation: "DescribeInstanceInformation",
            input: ["MaxResults": 5], needed: "use, instances and every target name"),
        PermissionProbe(
            action: "ssm:GetConnectionStatus", service: .ssm, operation: "GetConnectionStatus",
            input: ["Target": .string(noInstance)], needed: "status, and connect's check before a session"),
        PermissionProbe(
            action: "ssm:StartSession", service: .ssm, operation: "StartSession",
            input: ["Target": .string(noInstance)], needed: "connect, forward and proxy"),
        PermissionProbe(
            action: "ssm:TerminateSession", service: .ssm, operation: "TerminateSession",
            input: ["SessionId": "ssm-shell-doctor-probe"], needed: "ending sessions cleanly, terminate and stop"),
        PermissionProbe(
            action: "ssm:ResumeSession", service: .ssm, operation: "ResumeSession",
            input: ["SessionId": "ssm-shell-doctor-probe"], needed: "reconnecting a dropped session instead of starting afresh"),
        PermissionProbe(
            action: "ssm:DescribeSessions", service: .ssm, operation: "DescribeSessions",
            input: ["State": "Active", "MaxResults": 1], needed: "sessions"),
        PermissionProbe(
            action: "ssm:SendCommand", service: .ssm, operation: "SendCommand",
            input: [
                "DocumentName": "AWS-RunShellScript", "InstanceIds": [.string(noInstance)],
                "Parameters": ["commands": ["true"]],
            ], needed: "run"),
        PermissionProbe(
            action: "ssm:ListCommandInvocations", service: .ssm, operation: "ListCommandInvocations",
            input: ["MaxResults": 1], needed: "wait, invocations and run --wait"),
        PermissionProbe(
            action: "ssm:GetCommandInvocation", service: .ssm, operation: "GetCommandInvocation",
            input: ["CommandId": .string(noCommand), "InstanceId": .string(noInstance)], needed: "output"),
        PermissionProbe(
            action: "ssm:CancelCommand", service: .ssm, operation: "CancelCommand",
            input: ["CommandId": .string(noCommand)], needed: "cancel"),
        PermissionProbe(
            action: "ssm:ListCommands", service: .ssm, operation: "ListCommands",
            input: ["MaxResults": 1], needed: "commands"),
        PermissionProbe(
            action: "ec2:DescribeInstances", service: .ec2, operation: "DescribeInstances",
            input: ["MaxResults": 5], needed: "Name globs (use web-*), the Name column, and doctor on unmanaged instances"),
    ]

    /// How a probe came out.
    public enum Outcome: Sendable, Equatable {
        case allowed
        case denied(String)
        /// The call did not get an answer from IAM (network, credentials): says why.
        case unknown(String)
    }

    /// Classifies a probe's error; `nil` (the call succeeded) is allowed.
    public static func outcome(of error: (any Error)?) -> Outcome {
        guard let error else { return .allowed }
        if let service = error as? AWSServiceError {
            return service.isAccessDenied ? .denied(service.message) : .allowed
        }
        return .unknown(String(describing: error))
    }
}
