import AWSCore
import Testing
import TestSupport

/// Where the AWS CLI's order matters, and the chain's cache and MFA prompt.
@Suite struct CredentialChainOrderTests {
    static let stsReply = """
        <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
        <AssumedRoleUser><Arn>arn:aws:sts::111122223333:assumed-role/R/s</Arn></AssumedRoleUser>
        <Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>rolesecret</SecretAccessKey>
        <SessionToken>roletoken</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>
        </AssumeRoleResult></AssumeRoleResponse>
        """

    func chain(
        env: [String: String], config: String = "", credentials: String = "", profile: String? = nil,
        transport: any HTTPTransport = ScriptedTransport([]), prompt: (@Sendable (String) async throws -> String)? = nil
    ) throws -> DefaultCredentialChain {
        let fs = InMemoryFileSystem(["/h/.aws/config": Array(config.utf8), "/h/.aws/credentials": Array(credentials.utf8)])
        var environment = env
        environment["HOME"] = "/h"
        let settings = try ConfigLoader.load(environment: Environment(environment), fileSystem: fs, profile: profile)
        var options = AWSClient.Options(userAgent: "t")
        options.jitter = { 0 }
        let client = AWSClient(settings: settings, transport: transport, clock: ManualClock(now: 1_700_000_000), credentials: nil, options: options)
        return DefaultCredentialChain(client: client, fileSystem: fs, processRunner: NoShellProcessRunner(), mfaPrompt: prompt)
    }

    @Test func environmentBeatsAWSProfileButNotExplicitProfile() async throws {
        let config = "[profile dev]\nregion = us-east-1\n"
        let credentials = "[dev]\naws_access_key_id = AKIDFILE\naws_secret_access_key = filesecret\n"
        let env = ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_PROFILE": "dev"]
        #expect(try await chain(env: env, config: config, credentials: credentials).credentials().accessKeyId == "AKIDENV")
        let explicit = try await chain(env: env, config: config, credentials: credentials, profile: "dev").credentials()
        #expect(explicit.accessKeyId == "AKIDFILE")
        #expect(explicit.source.contains("profile dev"))
    }

    @Test func partialEnvironmentKeysAreAnError() async throws {
        await #expect(throws: CredentialsError.self) { try await chain(env: ["AWS_ACCESS_KEY_ID": "AKID"]).credentials() }
    }

    @Test func credentialsFileKeysBeatCredentialProcessWhichBeatsConfigKeys() async throws {
        let process = "credential_process = echo '{\"Version\":1,\"AccessKeyId\":\"AKIDPROC\",\"SecretAccessKey\":\"s\"}'\n"
        let fromCredentials = try await chain(
            env: [:], config: "[default]\n" + process,
            credentials: "[default]\naws_access_key_id = AKIDCRED\naws_secret_access_key = s\n"
        ).credentials()
        #expect(fromCredentials.accessKeyId == "AKIDCRED")
        let fromProcess = try await chain(env: [:], config: "[default]\n" + process + "aws_access_key_id = AKIDCONF\naws_secret_access_key = s\n").credentials()
        #expect(fromProcess.accessKeyId == "AKIDPROC")
    }

    /// Where a credential_process's output stops being JSON (here a trailing comma, which the
    /// Foundation parser accepted and botocore's json.loads refuses): line and column, no text of it.
    @Test func invalidProcessJSONSaysWhere() async throws {
        let process = "credential_process = echo '{\"Version\":1,\"AccessKeyId\":\"AKIDPROC\",\"SecretAccessKey\":\"s\",}'\n"
        do {
            _ = try await chain(env: [:], config: "[default]\n" + process).credentials()
            Issue.record("a trailing comma was accepted")
        } catch {
            #expect("\(error)".contains("invalid JSON in response from the credential_process of profile default (line 1, column 61)"), "\(error)")
        }
    }

    @Test func assumeRoleWithMFAPromptsAndSignsWithTheSource() async throws {
        let transport = ScriptedTransport([.respond(HTTPResponse(status: 200, body: Array(Self.stsReply.utf8)))])
        let config = """
            [profile admin]
            role_arn = arn:aws:iam::111122223333:role/R
            source_profile = base
            mfa_serial = arn:aws:iam::111122223333:mfa/me
            role_session_name = me
            region = eu-west-1
            """
        let creds = "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = basesecret\n"
        let asked = ManualClock(now: 0)  // used as a flag holder: advanced when the prompt runs
        let result = try await chain(env: [:], config: config, credentials: creds, profile: "admin", transport: transport) { prompt in
            #expect(prompt.contains("arn:aws:iam::111122223333:mfa/me"))
            asked.advance(by: 1)
            return "123456\n"
        }.credentials()
        #expect(result.accessKeyId == "ASIAROLE")
        #expect(result.accountId == "111122223333")
        #expect(result.expiration == 1_893_456_000)
        #expect(asked.now() == 1)
        let request = try #require(transport.sent.first)
        #expect(request.url.host == "sts.eu-west-1.amazonaws.com")
        let body = String(decoding: request.body, as: UTF8.self)
        #expect(
            body.contains("Action=AssumeRole") && body.contains("SerialNumber=arn%3Aaws%3Aiam%3A%3A111122223333%3Amfa%2Fme")
                && body.contains("TokenCode=123456"))
        #expect(request.headers["Authorization"]?.contains("Credential=AKIDBASE/") == true)
    }

    @Test func noCredentialsAnywhereSaysWhatToDo() async throws {
        let error = await #expect(throws: CredentialsError.self) {
            try await chain(env: ["AWS_EC2_METADATA_DISABLED": "true"]).credentials()
        }
        #expect(error?.message.contains("aws configure") == true)
    }

    /// A counting provider whose credentials expire `lifetime` seconds after each fetch.
    final class CountingProvider: CredentialProvider, @unchecked Sendable {
        let clock: ManualClock
        let lifetime: Double
        var fetches = 0
        var failNext = false
        init(clock: ManualClock, lifetime: Double) { self.clock = clock; self.lifetime = lifetime }
        func credentials() async throws -> Credentials {
            if failNext { failNext = false; throw CredentialsError(message: "refresh failed") }
            fetches += 1
            return Credentials(accessKeyId: "AKID\(fetches)", secretAccessKey: "s", sessionToken: "t", expiration: clock.now() + lifetime)
        }
    }

    @Test func cacheRefreshesAheadOfExpiry() async throws {
        let clock = ManualClock(now: 1000)
        let source = CountingProvider(clock: clock, lifetime: 3600)
        let cache = CredentialCache(source: source, clock: clock)
        #expect(try await cache.credentials().accessKeyId == "AKID1")
        clock.advance(by: 3600 - 16 * 60)
        #expect(try await cache.credentials().accessKeyId == "AKID1")  // 16 min left: cached
        clock.advance(by: 2 * 60)
        source.failNext = true
        #expect(try await cache.credentials().accessKeyId == "AKID1")  // advisory window: a failed refresh keeps the old ones
        #expect(try await cache.credentials().accessKeyId == "AKID2")  // advisory window: refreshed
        clock.advance(by: 3600 - 9 * 60)
        source.failNext = true
        await #expect(throws: CredentialsError.self) { try await cache.credentials() }  // mandatory window: must refresh
        #expect(try await cache.credentials().accessKeyId == "AKID3")
    }
}
