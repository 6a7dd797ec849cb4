import AWSCore
import Testing
import TestSupport

/// The SDK-shared parser suites: smithy-rs profile-parser-tests.json (65 cases) and the Ruby
/// config-file-parser-tests.json (63 cases). Error cases must fail; the suites' wording is theirs,
/// so an error only has to name the file and line and carry the suite's key phrase where ours matches.
@Suite struct ConfigFileSuiteTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let suite: String
        let index: Int
        let name: String
        var testDescription: String { "\(suite) #\(index): \(name)" }
    }

    static func cases(_ file: String, suite: String) -> [Case] {
        guard let json = try? JSONValue(parsing: Fixtures.bytes(file)), let tests = json["tests"]?.array else { return [] }
        return tests.enumerated().map { Case(suite: suite, index: $0.offset, name: $0.element["name"]?.string ?? "?") }
    }

    static let smithy = cases("config/smithy-rs/profile-parser-tests.json", suite: "smithy-rs")
    static let ruby = cases("config/aws-sdk-ruby/config-file-parser-tests.json", suite: "ruby")

    static func run(_ test: JSONValue) -> Result<ProfileSet, ConfigFileParser.ParseError> {
        let input = test["input"]!
        do {
            return .success(
                try ProfileSet.parse(
                    config: input["configFile"]?.string.map { ("config", $0) },
                    credentials: input["credentialsFile"]?.string.map { ("credentials", $0) }))
        } catch {
            return .failure(error)
        }
    }

    /// Our profiles in the suites' shape; sub-properties as the raw text (smithy-rs) or a map (Ruby).
    static func render(_ profiles: [String: Profile], expandSubProperties: Bool) -> JSONValue {
        .object(
            profiles.mapValues { profile in
                .object(
                    profile.properties.mapValues { value in
                        if expandSubProperties, let sub = value.subProperties { return .object(sub.mapValues { .string($0) }) }
                        return .string(value.text)
                    })
            })
    }

    @Test(arguments: smithy)
    func smithyRsParser(_ c: Case) throws {
        let test = try JSONValue(parsing: Fixtures.bytes("config/smithy-rs/profile-parser-tests.json"))["tests"]![c.index]!
        let output = test["output"]!
        switch Self.run(test) {
        case .success(let set):
            let expected = try #require(output["config"], "expected an error containing \(output["errorContaining"]?.string ?? "")")
            #expect(Self.render(set.profiles, expandSubProperties: false) == expected["profiles"]!)
            if let sessions = expected["sso_sessions"] {
                #expect(Self.render(set.ssoSessions, expandSubProperties: false) == sessions)
            }
        case .failure(let error):
            let phrase = try #require(output["errorContaining"]?.string, "unexpected error: \(error)")
            #expect(error.description.contains(phrase.trimmingWhitespace().trimmingCharacters(in: ".")), "\(error) vs \(phrase)")
            #expect(error.file == "config" || error.file == "credentials")
            #expect(error.line >= 1)
        }
    }

    @Test(arguments: ruby)
    func rubyParser(_ c: Case) throws {
        let test = try JSONValue(parsing: Fixtures.bytes("config/aws-sdk-ruby/config-file-parser-tests.json"))["tests"]![c.index]!
        let output = test["output"]!
        switch Self.run(test) {
        case .success(let set):
            let expected = try #require(output["profiles"], "expected an error containing \(output["errorContaining"]?.string ?? "")")
            #expect(Self.render(set.profiles, expandSubProperties: true) == expected)
        case .failure(let error):
            _ = try #require(output["errorContaining"]?.string, "unexpected error: \(error)")
            #expect(error.line >= 1)
        }
    }

    @Test func suiteSizes() {
        #expect(Self.smithy.count == 65)
        #expect(Self.ruby.count == 63)
    }

    @Test func errorsNameFileAndLine() {
        do {
            _ = try ProfileSet.parse(config: ("/home/u/.aws/config", "[default]\nregion = x\nbroken line"), credentials: nil)
            Issue.record("a line without = must fail")
        } catch {
            #expect(error.description.hasPrefix("/home/u/.aws/config:3: Expected an '=' sign"))
        }
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let last = s.last, set.contains(last) { s = s.dropLast() }
        return String(s)
    }
}
