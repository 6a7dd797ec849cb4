import AWSCore
import SSMCore
@testable import SSMShell
import Testing

/// `doctor`'s decisions (pure) and its report against the fake fleet.
@Suite struct DoctorTests {
    @Test func versionsCompareNumerically() {
        #expect(NodeDiagnosis.isAtLeast("3.0.1000.0", "3.0.196.0"))
        #expect(!NodeDiagnosis.isAtLeast("2.3.722.0", "3.0.196.0"))
        #expect(NodeDiagnosis.isAtLeast("2.3.672.0", "2.3.672.0"))
        #expect(!NodeDiagnosis.isAtLeast("2.3.68", "2.3.672.0"))
        #expect(NodeDiagnosis.isAtLeast("10", "9.9.9.9"))
    }

    @Test func agentVersionDecidesWhatWorks() throws {
        func level(_ version: String) throws -> Finding.Level {
            try #require(NodeDiagnosis.agent(ManagedNode(["AgentVersion": .string(version)])).first).level
        }
        #expect(try level("2.3.50.0") == .problem)
        #expect(try level("2.3.600.0") == .warning)
        #expect(try level("2.3.722.0") == .warning)
        #expect(try level("3.3.1142.0") == .ok)
    }

    @Test func networkNeedsAllThreeEndpointsOrADefaultRouteOut() {
        let local = EC2Client.Route(destination: "10.0.0.0/16", target: "local")
        #expect(NodeDiagnosis.network(vpcId: "vpc-1", region: "eu-west-1", endpoints: ["com.amazonaws.eu-west-1.ssm"], routes: [local]).level == .problem)
        let partial = NodeDiagnosis.network(vpcId: "vpc-1", region: "eu-west-1", endpoints: ["com.amazonaws.eu-west-1.ssm"], routes: [local])
        #expect(partial.detail.contains("no interface endpoint for ssmmessages, ec2messages"))
        #expect(
            NodeDiagnosis.network(
                vpcId: "vpc-1", region: "eu-west-1",
                endpoints: ["ssm", "ssmmessages", "ec2messages"].map { "com.amazonaws.eu-west-1.\($0)" }, routes: []
            ).level == .ok)
        #expect(
            NodeDiagnosis.network(
                vpcId: "vpc-1", region: "eu-west-1", endpoints: [],
                routes: [local, .init(destination: "0.0.0.0/0", target: "nat-0abc")]
            ).level == .ok)
        // A default route to a peering connection does not reach the public endpoints.
        #expect(
            NodeDiagnosis.network(
                vpcId: "vpc-1", region: "eu-west-1", endpoints: [],
                routes: [.init(destination: "0.0.0.0/0", target: "pcx-1")]
            ).level == .problem)
    }

    @Test func roleAndDNSFindingsCarryTheCommandThatFixesThem() {
        let role = NodeDiagnosis.role("app-role", policies: ["AmazonS3ReadOnlyAccess"])
        #expect(role.level == .problem)
        #expect(role.fix?.contains("aws iam attach-role-policy --role-name app-role --policy-arn arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore") == true)
        let dns = NodeDiagnosis.dns(vpcId: "vpc-9", support: true, hostnames: false)
        #expect(dns.fix == "aws ec2 modify-vpc-attribute --vpc-id vpc-9 --enable-dns-hostnames")
    }

    @Test func setupReportNamesDeniedActionsAndUnresolvableEndpoints() async throws {
        let fleet = InterpreterTests.fleet()
        fleet.deniedActions = ["ssm:SendCommand"]
        fleet.unresolvable = ["ssmmessages"]
        let (shell, console) = InterpreterTests().shell(fleet)
        #expect(await shell.run(source: "doctor", file: "t") == 3)
        #expect(console.stdout.contains("  FAIL  ssm:SendCommand: denied, so run will fail\n        fix: add ssm:SendCommand to the identity's policy"))
        #expect(console.stdout.contains("  ok    ssm:StartSession: allowed"))
        #expect(console.stdout.contains("  FAIL  ssmmessages endpoint: the name in https://ssmmessages.us-east-1.amazonaws.com/ does not resolve"))
        #expect(console.stdout.contains("  ok    ssm endpoint: https://ssm.us-east-1.amazonaws.com/ resolves and answers"))
        #expect(console.stdout.hasSuffix("2 problems found.\n"))
        #expect(fleet.calls.filter { $0.hasPrefix("probe ") }.count == PermissionProbe.all.count)
    }

    @Test func lostNodeLeadsToItsInstanceAndSkipsWhatIsNotAllowed() async throws {
        let fleet = InterpreterTests.fleet()
        fleet.deniedActions = ["iam:ListAttachedRolePolicies"]
        fleet.routes = [.init(destination: "10.0.0.0/16", target: "local")]
        let (shell, console) = InterpreterTests().shell(fleet)
        #expect(await shell.run(source: "doctor lost-1", file: "t") == 3)
        #expect(console.stdout.contains("doctor lost-1 (i-000000000000lost)\n  FAIL  managed node: ConnectionLost"))
        #expect(console.stdout.contains("  skip  instance role: not checked: this identity may not call iam:ListAttachedRolePolicies"))
        #expect(console.stdout.contains("  FAIL  network path: vpc-1 has no interface endpoint for ssm, ssmmessages, ec2messages"))
        // A healthy node needs no EC2 look at all.
        let healthy = InterpreterTests.fleet()
        let (shell2, console2) = InterpreterTests().shell(healthy)
        #expect(await shell2.run(source: "doctor web-1", file: "t") == 0)
        #expect(console2.stdout.contains("  ok    connection status: connected"))
        #expect(!healthy.calls.contains("DescribeInstances"))
    }
}
