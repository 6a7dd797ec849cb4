@testable import AWSCore
import Synchronization
import Testing
import TestSupport

/// MFA asked once per source keys and device (issue 14): the profiles of several pairs that
/// assume roles from one source profile share one MFA session (sts:GetSessionToken).
@Suite struct MFASessionTests {
    static let config = """
        [profile prod]
        role_arn = arn:aws:iam::222222222222:role/breakglass
        source_profile = base
        mfa_serial = arn:aws:iam::111111111111:mfa/me
        [profile staging]
        role_arn = arn:aws:iam::333333333333:role/breakglass
        source_profile = base
        mfa_serial = arn:aws:iam::111111111111:mfa/me
        [profile chained]
        role_arn = arn:aws:iam::333333333333:role/breakglass
        source_profile = temporary
        mfa_serial = arn:aws:iam::111111111111:mfa/me
        """
    static let credentials = """
        [base]
        aws_access_key_id = AKIDBASE
        aws_secret_access_key = basesecret
        [temporary]
        aws_access_key_id = ASIATEMP
        aws_secret_access_key = tempsecret
        aws_session_token = temptoken
        """

    static func reply(_ xml: String) -> ScriptedTransport.Step { .respond(HTTPResponse(status: 200, body: Array(xml.utf8))) }
    static let sessionReply = reply(
        """
        <GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetSessionTokenResult>
        <Credentials><AccessKeyId>ASIASESSION</AccessKeyId><SecretAccessKey>sessionsecret</SecretAccessKey>
        <SessionToken>sessiontoken</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>
        </GetSessionTokenResult></GetSessionTokenResponse>
        """)
    static let roleReply = reply(CredentialChainOrderTests.stsReply)

    /// Counts the questions; answers 123456.
    final class Questions: Sendable {
        let asked = Mutex(0)
        func ask(_ prompt: String) async throws -> String {
            asked.withLock { $0 += 1 }
            return "123456\n"
        }
    }

    func chain(
        _ profile: String, transport: ScriptedTransport, questions: Questions, sessions: MFASessions?,
        clock: ManualClock = ManualClock(now: 1_700_000_000)
    ) throws -> DefaultCredentialChain {
        let fs = InMemoryFileSystem(["/h/.aws/config": Array(Self.config.utf8), "/h/.aws/credentials": Array(Self.credentials.utf8)])
        let settings = try ConfigLoader.load(environment: Environment(["HOME": "/h", "AWS_REGION": "us-east-1"]), fileSystem: fs, profile: profile)
        let client = AWSClient(
            settings: settings, transport: transport, clock: clock, credentials: nil,
            options: AWSClient.Options(userAgent: "t"))
        var chain = DefaultCredentialChain(client: client, fileSystem: fs, processRunner: NoShellProcessRunner()) { try await questions.ask($0) }
        chain.mfaSessions = sessions
        return chain
    }

    static func form(_ request: HTTPRequest) -> String { String(decoding: request.body, as: UTF8.self) }

    @Test func twoProfilesOfOneSourceAskOnceAndAssumeTheirRolesWithTheSession() async throws {
        let transport = ScriptedTransport([Self.sessionReply, Self.roleReply, Self.roleReply])
        let questions = Questions()
        let sessions = MFASessions()
        let prod = try chain("prod", transport: transport, questions: questions, sessions: sessions)
        let staging = try chain("staging", transport: transport, questions: questions, sessions: sessions)
        // At once, as two pairs start.
        async let first = prod.credentials()
        async let second = staging.credentials()
        #expect(try await [first.accessKeyId, second.accessKeyId] == ["ASIAROLE", "ASIAROLE"])
        #expect(questions.asked.withLock { $0 } == 1)
        let sent = transport.sent
        try #require(sent.count == 3)
        let session = Self.form(sent[0])
        #expect(session.contains("Action=GetSessionToken") && session.contains("TokenCode=123456"))
        #expect(session.contains("SerialNumber=arn%3Aaws%3Aiam%3A%3A111111111111%3Amfa%2Fme"))
        // An hour: a role may check aws:MultiFactorAuthAge < 3600 (review, facts21).
        #expect(session.contains("DurationSeconds=3600"))
        #expect(sent[0].headers["Authorization"]?.contains("Credential=AKIDBASE/") == true)
        let roles = sent[1...].map(Self.form)
        #expect(roles.contains { $0.contains("role%2Fbreakglass") && $0.contains("222222222222") })
        #expect(roles.contains { $0.contains("role%2Fbreakglass") && $0.contains("333333333333") })
        for request in sent[1...] {
            #expect(!Self.form(request).contains("TokenCode") && !Self.form(request).contains("SerialNumber"))
            #expect(request.headers["Authorization"]?.contains("Credential=ASIASESSION/") == true)
            #expect(request.headers["X-Amz-Security-Token"] == "sessiontoken")
        }
    }

    /// A role assumed with an MFA session lasts no longer than the session: one assumed at
    /// minute 44 of a session from minute 0 asks for the 16 minutes left, not an hour, so its
    /// credentials never carry an MFA age past the hour (closing note of session 7). Below 15
    /// minutes left a new code is asked, and the role gets its full hour again.
    @Test func aRoleAssumedWithAnMFASessionEndsWithTheSession() async throws {
        let clock = ManualClock(now: 1_700_000_000)  // 2023-11-14T22:13:20Z
        func session(ending: String) -> ScriptedTransport.Step {
            Self.reply(
                """
                <GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetSessionTokenResult>
                <Credentials><AccessKeyId>ASIASESSION</AccessKeyId><SecretAccessKey>sessionsecret</SecretAccessKey>
                <SessionToken>sessiontoken</SessionToken><Expiration>\(ending)</Expiration></Credentials>
                </GetSessionTokenResult></GetSessionTokenResponse>
                """)
        }
        let transport = ScriptedTransport([
            session(ending: "2023-11-14T23:13:20Z"), Self.roleReply, Self.roleReply, session(ending: "2023-11-15T00:00:00Z"), Self.roleReply,
        ])
        let questions = Questions()
        let sessions = MFASessions()
        _ = try await chain("prod", transport: transport, questions: questions, sessions: sessions, clock: clock).credentials()
        clock.advance(by: 44 * 60)
        _ = try await chain("staging", transport: transport, questions: questions, sessions: sessions, clock: clock).credentials()
        clock.advance(by: 2 * 60)
        _ = try await chain("prod", transport: transport, questions: questions, sessions: sessions, clock: clock).credentials()
        let forms = transport.sent.map(Self.form)
        try #require(forms.count == 5)
        #expect(forms[1].contains("Action=AssumeRole") && !forms[1].contains("DurationSeconds"), "a full hour left: STS's default")
        #expect(forms[2].contains("Action=AssumeRole") && forms[2].contains("DurationSeconds=960"), "16 minutes left: \(forms[2])")
        #expect(forms[3].contains("Action=GetSessionToken"), "14 minutes left: a new code")
        #expect(questions.asked.withLock { $0 } == 2)
        #expect(forms[4].contains("Action=AssumeRole") && !forms[4].contains("DurationSeconds"))
        #expect(STSCredentials.roleSeconds(requested: 7200, mfaSessionEnds: 5000, now: 1000) == 4000, "a profile's duration_seconds is capped too")
        #expect(STSCredentials.roleSeconds(requested: 1200, mfaSessionEnds: 5000, now: 1000) == nil, "one that ends in time is left")
        #expect(STSCredentials.roleSeconds(requested: nil, mfaSessionEnds: 1800, now: 1000) == 900, "never below STS's minimum")
    }

    @Test func aSessionIsReusedUntil15MinutesBeforeItsEndThenAskedAgain() async throws {
        let sessions = MFASessions()
        let asked = Mutex(0)
        let key = MFASessions.Key(accessKeyId: "AKIDBASE", serialNumber: "arn:aws:iam::111111111111:mfa/me")
        let start = { @Sendable in
            let number = asked.withLock { count in
                count += 1
                return count
            }
            return Credentials(accessKeyId: "ASIA\(number)", secretAccessKey: "s", sessionToken: "t", expiration: 1000 + 3600)
        }
        #expect(try await sessions.session(for: key, now: 1000, start: start).accessKeyId == "ASIA1")
        #expect(try await sessions.session(for: key, now: 1000 + 44 * 60, start: start).accessKeyId == "ASIA1")
        #expect(try await sessions.session(for: key, now: 1000 + 46 * 60, start: start).accessKeyId == "ASIA2")
        #expect(asked.withLock { $0 } == 2)
    }

    @Test func aRefusedCodeIsNotKeptSoTheNextTryAsksAgain() async throws {
        let refused = ScriptedTransport.Step.respond(
            HTTPResponse(
                status: 403,
                body: Array(
                    "<ErrorResponse><Error><Code>AccessDenied</Code><Message>MultiFactorAuthentication failed with invalid MFA one time pass code.</Message></Error></ErrorResponse>"
                        .utf8)))
        let transport = ScriptedTransport([refused, Self.sessionReply, Self.roleReply])
        let questions = Questions()
        let prod = try chain("prod", transport: transport, questions: questions, sessions: MFASessions())
        await #expect(throws: AWSServiceError.self) { try await prod.credentials() }
        #expect(try await prod.credentials().accessKeyId == "ASIAROLE")
        #expect(questions.asked.withLock { $0 } == 2)
    }

    @Test func sourceKeysThatAreASessionSendTheCodeWithTheAssumeRole() async throws {
        // GetSessionToken takes long-term keys only.
        let transport = ScriptedTransport([Self.roleReply])
        let questions = Questions()
        #expect(try await chain("chained", transport: transport, questions: questions, sessions: MFASessions()).credentials().accessKeyId == "ASIAROLE")
        let form = try Self.form(#require(transport.sent.first))
        #expect(form.contains("Action=AssumeRole") && form.contains("TokenCode=123456"))
        #expect(questions.asked.withLock { $0 } == 1)
    }
}
