/// The IAM action behind each AWS operation the shell calls (language page, section 4), for the
/// AccessDenied advice. What a command needs is its own (ShellCommand.iamActions and
/// policyActions); CommandRegistryTests checks that every action `policy` prints is one of these.
public enum IAMActions {
    public static let byOperation: [String: String] = [
        "DescribeInstanceInformation": "ssm:DescribeInstanceInformation", "SendCommand": "ssm:SendCommand",
        "ListCommandInvocations": "ssm:ListCommandInvocations", "GetCommandInvocation": "ssm:GetCommandInvocation",
        "CancelCommand": "ssm:CancelCommand", "ListCommands": "ssm:ListCommands", "StartSession": "ssm:StartSession",
        "TerminateSession": "ssm:TerminateSession", "ResumeSession": "ssm:ResumeSession", "DescribeSessions": "ssm:DescribeSessions",
        "GetConnectionStatus": "ssm:GetConnectionStatus", "DescribeInstances": "ec2:DescribeInstances",
        "GetCallerIdentity": "sts:GetCallerIdentity", "AssumeRole": "sts:AssumeRole",
        // S3's own names differ from the operations' (Service Authorization Reference, Amazon S3).
        "GetObject": "s3:GetObject", "HeadObject": "s3:GetObject", "ListObjectsV2": "s3:ListBucket",
    ]

    /// The statement to add to the identity's policy, ready to paste.
    public static func statement(for action: String) -> String {
        """
        {
          "Effect": "Allow",
          "Action": ["\(action)"],
          "Resource": "*"
        }
        """
    }
}
