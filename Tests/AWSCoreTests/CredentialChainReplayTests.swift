import AWSCore
import Testing
import TestSupport

/// Replays the smithy-rs credential cases (Tests/Fixtures/credentials/smithy-rs): environment +
/// files + recorded HTTP traffic in, credentials or an error out. `default-credential-provider-chain`
/// runs through the CLI's chain; `profile-provider` through the profile steps alone (as the Rust
/// harness does). Error wording is the Rust SDK's, so an error case only has to fail.
///
/// Cases that differ because the AWS CLI's behaviour differs from the Rust SDK's are listed in
/// `cliDifferences` with the reason, and check what the CLI does instead.
@Suite struct CredentialChainReplayTests {
    static let recordingTime = 1_600_000_000.0  // 2020-09-13, before every recorded expiry

    /// Case → why the CLI gives another result, and what it gives.
    static let cliDifferences: [String: (reason: String, cliSucceeds: Bool)] = [
        "profile-provider/credential_process": (
            "the command pipes through `base64 --decode`; the CLI runs credential_process without a shell, so `|` is an argument to echo and the output is not JSON",
            false
        ),
        "profile-provider/credential_process_account_id_fallback": (
            "same pipe as credential_process: no shell in the CLI, so the output is not JSON", false
        ),
        "default-credential-provider-chain/imds_token_fail": (
            "a 403 on the IMDSv2 token makes botocore fall back to IMDSv1; the recording has no v1 requests, so the chain ends with no credentials (an error either way)",
            false
        ),
    ]

    struct Case: Sendable, CustomTestStringConvertible {
        let folder: String
        var testDescription: String { folder }
    }

    static let cases: [Case] = ["default-credential-provider-chain", "profile-provider"].flatMap { group in
        Fixtures.list("credentials/smithy-rs/\(group)").filter { Fixtures.exists("credentials/smithy-rs/\(group)/\($0)/test-case.json") }
            .map { Case(folder: "\(group)/\($0)") }
    }

    /// The case's fs/ folder as an in-memory file system mounted at /.
    static func fileSystem(_ base: String) throws -> InMemoryFileSystem {
        var files: [String: [UInt8]] = [:]
        func walk(_ relative: String, _ absolute: String) throws {
            for entry in Fixtures.list(relative) {
                if Fixtures.isDirectory("\(relative)/\(entry)") {
                    try walk("\(relative)/\(entry)", "\(absolute)/\(entry)")
                } else {
                    files["\(absolute)/\(entry)"] = try Fixtures.bytes("\(relative)/\(entry)")
                }
            }
        }
        if Fixtures.isDirectory("\(base)/fs") { try walk("\(base)/fs", "") }
        return InMemoryFileSystem(files)
    }

    @Test(arguments: cases)
    func replay(_ c: Case) async throws {
        let base = "credentials/smithy-rs/\(c.folder)"
        let testCase = try JSONValue(parsing: Fixtures.bytes("\(base)/test-case.json"))
        let environment = Environment(try JSONValue(parsing: Fixtures.bytes("\(base)/env.json")).object!.mapValues { $0.string ?? "" })
        let fileSystem = try Self.fileSystem(base)
        let recording = Fixtures.exists("\(base)/http-traffic.json") ? try JSONValue(parsing: Fixtures.bytes("\(base)/http-traffic.json")) : .object([:])
        let transport = ReplayTransport(recording: recording)
        let clock = ManualClock(now: Self.recordingTime)
        var options = AWSClient.Options(userAgent: "ssm-shell-test")
        options.jitter = { 0 }

        let outcome: Result<Credentials, any Error>
        do {
            let settings = try ConfigLoader.load(environment: environment, fileSystem: fileSystem)
            let client = AWSClient(settings: settings, transport: transport, clock: clock, credentials: nil, options: options)
            let chain = DefaultCredentialChain(client: client, fileSystem: fileSystem, processRunner: NoShellProcessRunner())
            outcome = .success(try await c.folder.hasPrefix("profile-provider") ? chain.profileCredentials() : chain.credentials())
        } catch {
            outcome = .failure(error)
        }

        if let difference = Self.cliDifferences[c.folder] {
            switch outcome {
            case .success(let credentials): #expect(difference.cliSucceeds, "CLI behaviour: \(difference.reason); got \(credentials)")
            case .failure: #expect(!difference.cliSucceeds, "CLI behaviour: \(difference.reason)")
            }
            return
        }
        let expected = testCase["result"]!
        if let ok = expected["Ok"] {
            let credentials = try outcome.get()
            #expect(credentials.accessKeyId == ok["access_key_id"]!.string!)
            #expect(credentials.secretAccessKey == ok["secret_access_key"]!.string!)
            #expect(credentials.sessionToken == ok["session_token"]?.string)
            if let account = ok["account_id"]?.string { #expect(credentials.accountId == account) }
            if let expiry = ok["expiry"]?.double { #expect(credentials.expiration == expiry) }
            #expect(transport.mismatches.isEmpty, "\(transport.mismatches)")
            #expect(transport.remaining == 0, "requests left unsent in the recording")
        } else {
            guard case .failure = outcome else {
                Issue.record("expected an error containing \(expected["ErrorContains"]?.string ?? "?"), got credentials")
                return
            }
        }
    }

    @Test func caseCount() { #expect(Self.cases.count == 47) }
}
