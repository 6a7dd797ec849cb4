import AWSCore
import Testing
import TestSupport

/// The built binary with `--debug` against a loopback server that echoes every request header
/// back: stderr shows the exchange, and no secret key, session token or signature, even though
/// the echoed reply carries them.
@Suite(.serialized) struct DebugLogEndToEndTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let token = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN0123456789"

    @Test func debugLogHasNoSecrets() async throws {
        let server = try LoopbackServer(["echo"])
        let run = try await BuiltBinary.run(
            ["--debug", "--endpoint-url", "http://127.0.0.1:\(server.port)", "api", "ssm", "StartSession", #"{"Target":"i-0123456789abcdef0"}"#],
            environment: [
                "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": Self.secret, "AWS_SESSION_TOKEN": Self.token,
                "AWS_REGION": "us-east-1", "HOME": "/nonexistent", "PATH": "/usr/bin:/bin",
            ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains(">>> StartSession attempt 1: POST http://127.0.0.1:\(server.port)/"))
        #expect(run.stderr.contains("X-Amz-Target: AmazonSSM.StartSession"))
        #expect(run.stderr.contains("<<< StartSession: HTTP 200"))
        // The server echoed the real signature and token: they must be in stdout and not in the log.
        let echoed = try JSONValue(parsing: run.stdout)
        let signature = try #require(echoed["headers"]?["authorization"]?.string?.split(separator: "=").last.map(String.init))
        #expect(echoed["headers"]?["x-amz-security-token"]?.string == Self.token)
        for secret in [Self.secret, Self.token, signature] {
            #expect(!run.stderr.contains(secret), "the --debug log shows a secret")
        }
    }

    @Test func errorsAreSentencesWithAWSCLIExitCodes() async throws {
        let noRegion = try await BuiltBinary.run(
            ["api", "ssm", "DescribeInstanceInformation"],
            environment: ["HOME": "/nonexistent", "AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "B"])
        #expect(noRegion.status == 253)
        #expect(noRegion.stderr.contains("No region is set. Pass --region"))
        let badJSON = try await BuiltBinary.run(["--region", "us-east-1", "api", "ssm", "X", "{nope"], environment: ["HOME": "/nonexistent"])
        #expect(badJSON.status == 2)
        #expect(badJSON.stderr.contains("is not JSON"))
        let badOption = try await BuiltBinary.run(["--regoin", "x"], environment: [:])
        #expect(badOption.status == 2)
        #expect(badOption.stderr.contains("Did you mean --region?"))
        let version = try await BuiltBinary.run(["--version"], environment: [:])
        #expect(version.stdout.hasPrefix("ssm-shell "))
    }

    @Test func serviceErrorsExitWith254AndNameTheOperation() async throws {
        let server = try LoopbackServer(["echo"])
        let run = try await BuiltBinary.run(
            ["--endpoint-url", "http://127.0.0.1:\(server.port)/status/400", "api", "ssm", "SendCommand", #"{"DocumentName":"AWS-RunShellScript"}"#],
            environment: ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": Self.secret, "AWS_REGION": "us-east-1", "HOME": "/nonexistent"])
        #expect(run.status == 254)
        #expect(run.stderr.contains("when calling the SendCommand operation"))
        #expect(!run.stderr.contains(Self.secret))
    }
}
