import AWSCore
import Testing
import TestSupport

/// botocore's configured-endpoint-URL suite (39 cases) and the SDK file-location suites.
@Suite struct ConfiguredEndpointTests {
    static let suite: JSONValue? = try? JSONValue(parsing: Fixtures.bytes("config/botocore/configured-endpoint-urls-profile-tests.json"))["testSuites"]?[0]
    static let names: [String] = suite?["endpointUrlTests"]?.array?.compactMap { $0["name"]?.string } ?? []

    /// botocore's model service ids for the services in the suite.
    static let serviceIds = ["s3": "S3", "dynamodb": "DynamoDB", "ssm": "SSM", "sts": "STS"]

    @Test(arguments: names)
    func configuredEndpoint(_ name: String) throws {
        let suite = try #require(Self.suite)
        let test = try #require(suite["endpointUrlTests"]!.array!.first { $0["name"]?.string == name })
        var profiles = ProfileSet()
        for (profileName, properties) in suite["profiles"]!.object! {
            profiles.profiles[profileName] = Profile(name: profileName, properties: properties.object!.mapValues { $0.string! })
        }
        for (sectionName, services) in suite["services"]!.object! {
            var section = Profile(name: sectionName)
            for (service, settings) in services.object! {
                section.properties[service] = ConfigValue(text: "", subProperties: settings.object!.mapValues { $0.string! })
            }
            profiles.services[sectionName] = section
        }
        let client = suite["client_configs"]![test["client_config"]!.string!]!
        var environment = suite["environments"]![test["environment"]!.string!]!.object!.mapValues { $0.string! }
        if client["ignore_configured_endpoint_urls"]?.bool == true { environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true" }
        let settings = AWSSettings(
            environment: Environment(environment), profiles: profiles,
            profileOverride: test["profile"]!.string!, endpointOverride: client["endpoint_url"]?.string,
            endpointOverrideServiceId: Self.serviceIds[test["service"]!.string!]!)
        let service = test["service"]!.string!
        let endpoint = try settings.endpoint(service: service, serviceId: Self.serviceIds[service]!)
        #expect(endpoint.url.description.trimmingSuffix("/") == test["output"]!["endpointUrl"]!.string!)
    }

    @Test func caseCount() { #expect(Self.names.count == 39) }

    @Test func missingServicesSectionIsAnError() throws {
        var profiles = ProfileSet()
        profiles.profiles["default"] = Profile(name: "default", properties: ["services": "nope", "region": "us-east-1"])
        let settings = AWSSettings(environment: Environment(), profiles: profiles)
        #expect(throws: ConfigurationError.self) { try settings.endpoint(service: "ssm", serviceId: "SSM") }
    }

    /// A service id with spaces names its variable and services-section key with underscores
    /// (AWS SDKs and Tools reference guide, "Service-specific endpoints").
    @Test func spacesInAServiceIdBecomeUnderscores() throws {
        let fromEnvironment = AWSSettings(environment: Environment(["AWS_ENDPOINT_URL_SECRETS_MANAGER": "https://env.example"]))
        #expect(try fromEnvironment.configuredEndpoint(serviceId: "Secrets Manager") == "https://env.example")
        var profiles = ProfileSet()
        profiles.profiles["default"] = Profile(name: "default", properties: ["services": "mine"])
        var section = Profile(name: "mine")
        section.properties["secrets_manager"] = ConfigValue(text: "", subProperties: ["endpoint_url": "https://file.example"])
        profiles.services["mine"] = section
        let fromFile = AWSSettings(environment: Environment(), profiles: profiles)
        #expect(try fromFile.configuredEndpoint(serviceId: "Secrets Manager") == "https://file.example")
    }

    struct LocationCase: Sendable, CustomTestStringConvertible {
        let file: String, index: Int, name: String
        var testDescription: String { "\(file.split(separator: "/").first!) #\(index) \(name)" }
    }

    static let locationCases: [LocationCase] = ["config/smithy-rs/file-location-tests.json", "config/aws-sdk-ruby/config-file-location-tests.json"]
        .flatMap { file in
            ((try? JSONValue(parsing: Fixtures.bytes(file)))?["tests"]?.array ?? []).enumerated()
                .map { LocationCase(file: file, index: $0.offset, name: $0.element["name"]?.string ?? "") }
        }

    @Test(arguments: locationCases)
    func fileLocations(_ c: LocationCase) throws {
        let test = try JSONValue(parsing: Fixtures.bytes(c.file))["tests"]![c.index]!
        let environment = Environment(test["environment"]!.object!.mapValues { $0.string! })
        let platform: ConfigLoader.Platform = test["platform"]!.string! == "windows" ? .windows : .linux
        let paths = ConfigLoader.paths(environment: environment, platform: platform, fallbackHome: test["languageSpecificHome"]?.string)
        #expect(paths.config == test["configLocation"]!.string!)
        #expect(paths.credentials == test["credentialsLocation"]!.string!)
        if let profile = test["profile"]?.string {
            #expect(AWSSettings(environment: environment).profileName == profile)
        }
    }

    @Test func locationCaseCount() { #expect(Self.locationCases.count == 20) }

    /// Ruby's config-file-profile-tests: the region of a named profile.
    @Test func rubyProfileRegion() throws {
        let suite = try JSONValue(parsing: Fixtures.bytes("config/aws-sdk-ruby/config-file-profile-tests.json"))["testSuites"]![0]!
        var profiles = ProfileSet()
        for (name, properties) in suite["profiles"]!.object! {
            profiles.profiles[name] = Profile(name: name, properties: properties.object!.mapValues { $0.string! })
        }
        let regionTest = suite["regionTests"]!
        let settings = AWSSettings(environment: Environment(), profiles: profiles, profileOverride: regionTest["profile"]!.string!)
        #expect(settings.region == regionTest["output"]!["region"]!.string!)
    }

    @Test func regionPrecedence() {
        var profiles = ProfileSet()
        profiles.profiles["default"] = Profile(name: "default", properties: ["region": "eu-west-1"])
        #expect(AWSSettings(environment: Environment(), profiles: profiles).region == "eu-west-1")
        #expect(AWSSettings(environment: Environment(["AWS_DEFAULT_REGION": "us-west-2"]), profiles: profiles).region == "us-west-2")
        #expect(
            AWSSettings(environment: Environment(["AWS_DEFAULT_REGION": "us-west-2", "AWS_REGION": "ap-south-1"]), profiles: profiles).region == "ap-south-1")
        #expect(
            AWSSettings(environment: Environment(["AWS_REGION": "ap-south-1"]), profiles: profiles, regionOverride: "ca-central-1").region == "ca-central-1")
        #expect(AWSSettings(environment: Environment()).region == nil)
    }
}
