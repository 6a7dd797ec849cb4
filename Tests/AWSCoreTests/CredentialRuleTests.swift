import AWSCore
import Testing
import TestSupport

/// The smithy-rs rule tables: assume-role chain plans (28), container URIs (11), IMDS endpoints (14).
@Suite struct CredentialRuleTests {
    static let assumeRole: [JSONValue] = (try? JSONValue(parsing: Fixtures.bytes("credentials/smithy-rs/assume-role-tests.json")))?.array ?? []

    @Test(arguments: Array(assumeRole.indices))
    func assumeRolePlan(_ index: Int) throws {
        let test = Self.assumeRole[index]
        var profiles = ProfileSet()
        for (name, properties) in test["input"]!["profiles"]!.object! {
            profiles.profiles[name] = Profile(name: name, properties: properties.object!.mapValues { $0.string! })
        }
        for (name, properties) in test["input"]?["sso_sessions"]?.object ?? [:] {
            profiles.ssoSessions[name] = Profile(name: name, properties: properties.object!.mapValues { $0.string! })
        }
        let selected = test["input"]!["selected_profile"]!.string!
        let output = test["output"]!
        do {
            let plan = try ProfileChainPlanner.plan(profiles: profiles, selected: selected)
            let chain = try #require(output["ProfileChain"]?.array, "expected error \(output["Error"]?.string ?? "")")
            #expect(Self.render(plan) == chain, "\(test["docs"]!.string!)")
        } catch let error as CredentialsError {
            let expected = try #require(output["Error"]?.string, "unexpected error \(error)")
            // The suite's phrase, where our sentence carries it; every error must say what to fix.
            let phrases = [
                "`source_profile`", "both source_profile and credential_source", "missing aws_secret_access_key", "missing aws_access_key_id",
                "did not contain credential information", "could not find source profile", "No profiles were defined",
                "infinite loop", "`role_arn` was missing", "must also be set", "was not found", "`sso_region` can only be specified",
            ]
            if let phrase = phrases.first(where: { expected.contains($0) }) {
                #expect(error.message.contains(phrase), "\(error.message) vs \(expected)")
            }
        }
    }

    /// Our plan in the suite's JSON shape.
    static func render(_ plan: ProfileChainPlan) -> [JSONValue] {
        var out: [JSONValue] = []
        switch plan.base {
        case .accessKey(let c):
            var o: [String: JSONValue] = ["access_key_id": .string(c.accessKeyId), "secret_access_key": .string(c.secretAccessKey)]
            if let account = c.accountId { o["account_id"] = .string(account) }
            out.append(["AccessKey": .object(o)])
        case .webIdentity(let roleArn, let tokenFile, let sessionName):
            var o: [String: JSONValue] = ["role_arn": .string(roleArn), "web_identity_token_file": .string(tokenFile)]
            if let sessionName { o["role_session_name"] = .string(sessionName) }
            out.append(["WebIdentityToken": .object(o)])
        case .namedSource(let name): out.append(["NamedSource": .string(name)])
        case .sso(let sso):
            var o: [String: JSONValue] = ["sso_region": .string(sso.region), "sso_start_url": .string(sso.startURL)]
            if let s = sso.sessionName { o["sso_session"] = .string(s) }
            if let a = sso.accountId { o["sso_account_id"] = .string(a) }
            if let r = sso.roleName { o["sso_role_name"] = .string(r) }
            out.append(["Sso": .object(o)])
        case .process(let command, _, _): out.append(["CredentialProcess": .string(command)])
        }
        for role in plan.roles {
            var o: [String: JSONValue] = ["role_arn": .string(role.roleArn)]
            if let e = role.externalId { o["external_id"] = .string(e) }
            if let s = role.sessionName { o["role_session_name"] = .string(s) }
            out.append(["AssumeRole": .object(o)])
        }
        return out
    }

    @Test func assumeRoleCount() { #expect(Self.assumeRole.count == 28) }

    static let ecs: [JSONValue] = (try? JSONValue(parsing: Fixtures.bytes("credentials/smithy-rs/ecs-tests.json")))?["tests"]?.array ?? []

    @Test(arguments: Array(ecs.indices))
    func containerURI(_ index: Int) throws {
        let test = Self.ecs[index]
        let environment = Environment(test["env"]!.object!.mapValues { $0.string! })
        let result = test["result"]!
        do {
            let uri = try ContainerCredentials.uri(environment)
            if let expected = result["Ok"]?.string {
                #expect(uri?.description == (try EndpointURL(parsing: expected)).description, "\(test["docs"]!.string!)")
            } else {
                // "not enabled" is nil for us: the chain moves on to IMDS.
                #expect(uri == nil, "expected \(result["ErrorContains"]?.string ?? ""), got \(String(describing: uri))")
            }
        } catch {
            #expect(result["ErrorContains"] != nil, "unexpected error \(error)")
        }
    }

    static let imds: [JSONValue] =
        (try? JSONValue(parsing: Fixtures.bytes("credentials/smithy-rs/imds-config/imds-endpoint-tests.json")))?["tests"]?.array ?? []

    @Test(arguments: Array(imds.indices))
    func imdsEndpoint(_ index: Int) throws {
        let test = Self.imds[index]
        var env = test["env"]!.object!.mapValues { $0.string! }
        if let endpoint = test["endpoint_override"]?.string { env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = endpoint }
        if let mode = test["mode_override"]?.string { env["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"] = mode }
        var files: [String: [UInt8]] = [:]
        for (path, text) in test["fs"]?.object ?? [:] { files[path] = Array(text.string!.utf8) }
        let settings = try ConfigLoader.load(environment: Environment(env), fileSystem: InMemoryFileSystem(files))
        let result = test["result"]!
        do {
            let base = try IMDSCredentials.baseURL(environment: Environment(env), profile: settings.profile)
            let expected = try #require(result["Ok"]?.string, "expected error \(result["Err"]?.string ?? "")")
            #expect(base + "/latest/api/token" == expected, "\(test["docs"]!.string!)")
        } catch let error as CredentialsError {
            #expect(result["Err"] != nil, "unexpected error \(error)")
        }
    }

    @Test func counts() {
        #expect(Self.ecs.count == 11)
        #expect(Self.imds.count == 14)
    }
}
