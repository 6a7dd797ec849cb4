@testable import AWSCore
import Testing
import TestSupport

/// `--debug` (issue 11, item 13): no token, key or secret-looking value reaches the wire log,
/// whatever its shape: plain-text IMDS tokens, arrays and objects under secret names, form fields,
/// SecureString parameters, and the session's stream token and URL.
@Suite struct WireLogRedactionTests {
    static let imdsToken = "AQAEAIMDSv2TokenSecretValue0123456789abcdef=="

    func client(_ transport: ScriptedTransport, log: CapturingLog) -> AWSClient {
        var profiles = ProfileSet()
        profiles.profiles["default"] = Profile(name: "default", properties: ["region": "eu-west-1"])
        return AWSClient(
            settings: AWSSettings(environment: Environment(), profiles: profiles), transport: transport,
            clock: ManualClock(now: 1_700_000_000), credentials: nil, log: log, options: AWSClient.Options(userAgent: "t"))
    }

    @Test func imdsTokenAnswerAndTokenHeaderAreMasked() async throws {
        let tokenReply = HTTPResponse(
            status: 200,
            headers: HTTPHeaders([
                ("x-aws-ec2-metadata-token-ttl-seconds", "21600"),
                ("Content-Type", "text/plain"),
            ]), body: Array(Self.imdsToken.utf8))
        let transport = ScriptedTransport([.respond(tokenReply), .respond(HTTPResponse(status: 200, body: Array("role-a\n".utf8)))])
        let log = CapturingLog()
        let imds = client(transport, log: log)
        var put = HTTPRequest(method: "PUT", url: try EndpointURL(parsing: "http://169.254.169.254/latest/api/token"))
        put.headers.add("x-aws-ec2-metadata-token-ttl-seconds", "21600")
        _ = try await imds.send(
            put, service: IMDSCredentials.service, operation: "IMDS PUT /latest/api/token", signingRegion: "",
            signingName: "", signed: false)
        var get = HTTPRequest(method: "GET", url: try EndpointURL(parsing: "http://169.254.169.254/latest/meta-data/iam/security-credentials/"))
        get.headers.add("x-aws-ec2-metadata-token", Self.imdsToken)
        _ = try await imds.send(get, service: IMDSCredentials.service, operation: "IMDS GET", signingRegion: "", signingName: "", signed: false)
        #expect(!log.text.contains(Self.imdsToken), "the IMDSv2 token is in the log:\n\(log.text)")
        #expect(!log.text.contains("AQAEAIMDSv2"))
        #expect(log.text.contains("x-aws-ec2-metadata-token: ****"))
        #expect(log.text.contains("role-a"), "a role name is not secret and helps debugging")
    }

    @Test func valuesUnderSecretNamesAreMaskedWhateverTheirShape() {
        let body =
            #"{"DocumentName":"AWS-RunShellScript","Parameters":{"commands":["uptime"],"Password":["hunter2-secret"],"dbPassword":["pw-two"],"apiKey":["k-three"],"privateKey":{"pem":"-----BEGIN"}},"Nested":[{"Credentials":{"SessionToken":"tok-four","SecretAccessKey":["sk-five"]}}],"Token":12345678901}"#
        let text = Redactor.body(Array(body.utf8), contentType: "application/x-amz-json-1.1")
        for secret in ["hunter2-secret", "pw-two", "k-three", "BEGIN", "tok-four", "sk-five", "12345678901"] {
            #expect(!text.contains(secret), "\(secret) is in \(text)")
        }
        #expect(text.contains("uptime") && text.contains("AWS-RunShellScript"), "ordinary values stay readable: \(text)")
    }

    @Test func secureStringParameterValuesAreMasked() {
        let reply =
            #"{"Parameters":[{"Name":"/db/url","Type":"String","Value":"db.internal"},{"Name":"/db/pw","Type":"SecureString","Value":"s3cr3t-value"}],"Parameter":{"Name":"/x","Type":"SecureString","Value":"another-secret"}}"#
        let text = Redactor.body(Array(reply.utf8), contentType: "application/x-amz-json-1.1")
        #expect(!text.contains("s3cr3t-value") && !text.contains("another-secret"), Comment(rawValue: text))
        #expect(text.contains("db.internal"))
    }

    @Test func queryBodiesMaskSecretFieldsInEveryPosition() {
        let request =
            "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr&SerialNumber=arn-mfa&TokenCode=123456"
            + "&Credentials.SessionToken=tok%2Bsecret&Credentials.SecretAccessKey=sk%2Fsecret&Password=p%20w"
        let text = Redactor.body(Array(request.utf8), contentType: "application/x-www-form-urlencoded; charset=utf-8")
        for secret in ["123456", "tok%2Bsecret", "sk%2Fsecret", "p%20w"] { #expect(!text.contains(secret), "\(secret) in \(text)" as Comment) }
        #expect(text.contains("Action=AssumeRole"))
        // Without a content type the form is still recognised, even with encoded spaces.
        let bare = Redactor.body(Array("Action=GetSessionToken&SessionToken=abc%20def".utf8), contentType: nil)
        #expect(!bare.contains("abc%20def"), Comment(rawValue: bare))
    }

    @Test func startSessionTokenAndStreamURLSignaturesAreMasked() {
        let reply =
            #"{"SessionId":"u-0a1","TokenValue":"AAEAAStreamTokenSecret0123456789","StreamUrl":"wss://ssmmessages.eu-west-1.amazonaws.com/v1/data-channel/u-0a1?role=publish_subscribe&cell-number=AAEAAcellnumber&X-Amz-Signature=sig-secret&X-Amz-Security-Token=tok-secret"}"#
        let text = Redactor.body(Array(reply.utf8), contentType: "application/x-amz-json-1.1")
        for secret in ["AAEAAStreamTokenSecret0123456789", "sig-secret", "tok-secret", "AAEAAcellnumber"] {
            #expect(!text.contains(secret), "\(secret) in \(text)" as Comment)
        }
        #expect(text.contains("wss://ssmmessages.eu-west-1.amazonaws.com/v1/data-channel/u-0a1"), "the host and session stay readable: \(text)")
    }
}
