import AWSCore
import Testing

/// Which endpoint each service gets (issue 11, item 12): as in the AWS CLI, `--endpoint-url`
/// applies to the command's own service only; the SSO portal, STS (AssumeRole), KMS, EC2 and the
/// others follow AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL and the config file's endpoints
/// (aws-client spec section 4), so a bearer token or a role call never goes to the flag's host.
@Suite struct EndpointScopeTests {
    static let config = """
        [default]
        region = eu-west-1
        services = local

        [services local]
        kms =
          endpoint_url = http://kms.config.test:4000
        """

    func settings(environment: [String: String] = [:], flag: String?) throws -> AWSSettings {
        let profiles = try ProfileSet.parse(config: (name: "config", text: Self.config), credentials: nil)
        return AWSSettings(environment: Environment(environment), profiles: profiles, endpointOverride: flag)
    }

    func url(_ settings: AWSSettings, _ service: String, _ serviceId: String) throws -> String {
        try settings.endpoint(service: service, serviceId: serviceId).url.description.trimmingSuffix("/")
    }

    @Test func theFlagReachesOnlyTheCommandsService() throws {
        let s = try settings(environment: ["AWS_ENDPOINT_URL_STS": "http://sts.env.test:5000"], flag: "http://flag.test:9000")
        #expect(try url(s, "ssm", "SSM") == "http://flag.test:9000")
        #expect(try url(s, "sts", "STS") == "http://sts.env.test:5000")
        #expect(try url(s, "kms", "KMS") == "http://kms.config.test:4000")
        #expect(try url(s, "portal.sso", "SSO") == "https://portal.sso.eu-west-1.amazonaws.com")
        #expect(try url(s, "ec2", "EC2") == "https://ec2.eu-west-1.amazonaws.com")
        #expect(try url(s, "ssmmessages", "SSMMessages") == "https://ssmmessages.eu-west-1.amazonaws.com")
    }

    @Test func theGlobalVariableStillReachesEveryServiceWithoutItsOwn() throws {
        let s = try settings(
            environment: ["AWS_ENDPOINT_URL": "http://all.test:7000", "AWS_ENDPOINT_URL_STS": "http://sts.env.test:5000"],
            flag: "http://flag.test:9000")
        #expect(try url(s, "ssm", "SSM") == "http://flag.test:9000")
        #expect(try url(s, "sts", "STS") == "http://sts.env.test:5000")
        #expect(try url(s, "portal.sso", "SSO") == "http://all.test:7000")
        #expect(try url(s, "kms", "KMS") == "http://all.test:7000", "AWS_ENDPOINT_URL comes before the config file")
    }

    @Test func forApiTheFlagIsForTheNamedService() throws {
        let profiles = try ProfileSet.parse(config: (name: "config", text: Self.config), credentials: nil)
        let s = AWSSettings(environment: Environment(), profiles: profiles, endpointOverride: "http://flag.test:9000", endpointOverrideServiceId: "STS")
        #expect(try url(s, "sts", "STS") == "http://flag.test:9000")
        #expect(try url(s, "ssm", "SSM") == "https://ssm.eu-west-1.amazonaws.com")
        #expect(try url(s, "portal.sso", "SSO") == "https://portal.sso.eu-west-1.amazonaws.com")
    }
}
