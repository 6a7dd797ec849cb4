import AWSCore
import SSMCore
import Testing

/// `doctor`'s permission probes: harmless calls whose only news is whether IAM refused them.
@Suite struct PermissionProbeTests {
    @Test func onlyAnAccessDeniedIsADenial() {
        let denied = AWSServiceError(
            code: "AccessDeniedException", message: "User: u is not authorized to perform: ssm:SendCommand", status: 400, operation: "SendCommand")
        #expect(PermissionProbe.outcome(of: denied) == .denied("User: u is not authorized to perform: ssm:SendCommand"))
        // An allowed call aimed at an id that cannot exist fails after IAM let it through.
        let notFound = AWSServiceError(code: "InvalidInstanceId", message: "no such instance", status: 400, operation: "SendCommand")
        #expect(PermissionProbe.outcome(of: notFound) == .allowed)
        #expect(PermissionProbe.outcome(of: nil) == .allowed)
        let network = TransportError(kind: .couldNotResolveHost, connected: false, detail: "curl error 6", url: "https://ssm.example")
        guard case .unknown = PermissionProbe.outcome(of: network) else { Issue.record("a network failure says nothing about IAM"); return }
    }

    /// Each probe's action is its service's and operation's, once each; writes aim at ids no
    /// account has, so an allowed probe changes nothing.
    @Test func probesNameTheirActionAndChangeNothing() {
        let actions = PermissionProbe.all.map(\.action)
        #expect(Set(actions).count == actions.count)
        for probe in PermissionProbe.all {
            #expect(probe.action == "\(probe.service.name == "ec2" ? "ec2" : "ssm"):\(probe.operation)")
            #expect(!probe.needed.isEmpty)
        }
        let sendCommand = PermissionProbe.all.first { $0.operation == "SendCommand" }
        #expect(sendCommand?.input["InstanceIds"] == [.string(PermissionProbe.noInstance)])
        #expect(PermissionProbe.noInstance == "i-00000000000000000")
    }
}
