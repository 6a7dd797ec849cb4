/// What the client needs to know about a service to call it.
public struct ServiceDescriptor: Sendable, Equatable {
    public enum WireProtocol: Sendable, Equatable { case json, query, ec2 }

    /// The endpoint prefix and signing name (`ssm`, `sts`, `ec2`).
    public let name: String
    /// The model's service id, for AWS_ENDPOINT_URL_<ID> and the services section.
    public let serviceId: String
    public let wireProtocol: WireProtocol
    /// JSON: the X-Amz-Target prefix. Query: unused.
    public let targetPrefix: String
    /// Query: the Version field.
    public let apiVersion: String

    public static let ssm = ServiceDescriptor(name: "ssm", serviceId: "SSM", wireProtocol: .json, targetPrefix: "AmazonSSM", apiVersion: "2014-11-06")
    public static let sts = ServiceDescriptor(name: "sts", serviceId: "STS", wireProtocol: .query, targetPrefix: "", apiVersion: "2011-06-15")
    public static let ec2 = ServiceDescriptor(name: "ec2", serviceId: "EC2", wireProtocol: .ec2, targetPrefix: "", apiVersion: "2016-11-15")
    public static let kms = ServiceDescriptor(name: "kms", serviceId: "KMS", wireProtocol: .json, targetPrefix: "TrentService", apiVersion: "2014-11-01")
    /// The data channel's service: only its endpoint is resolved here (`doctor`); sessions use the StreamUrl.
    public static let ssmMessages = ServiceDescriptor(
        name: "ssmmessages", serviceId: "SSMMessages", wireProtocol: .json, targetPrefix: "",
        apiVersion: "2017-10-17")
    /// CloudWatch Logs: Run Command output (`run --cloudwatch`, `--follow`).
    public static let logs = ServiceDescriptor(
        name: "logs", serviceId: "CloudWatch Logs", wireProtocol: .json, targetPrefix: "Logs_20140328", apiVersion: "2014-03-28")
    /// S3 (REST-XML): called through `AWSClient.callS3`, signed with S3's rules. Only the name
    /// and service id (AWS_ENDPOINT_URL_S3) are used.
    public static let s3 = ServiceDescriptor(name: "s3", serviceId: "S3", wireProtocol: .query, targetPrefix: "", apiVersion: "2006-03-01")
    public static let iam = ServiceDescriptor(name: "iam", serviceId: "IAM", wireProtocol: .query, targetPrefix: "", apiVersion: "2010-05-08")
}
