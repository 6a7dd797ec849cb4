import ShellLanguage
import SSMCore

/// What the facts about one node mean, as findings. Pure: the caller gathers the facts
/// (or learns it may not), this decides. Thresholds and fixes follow the internal guide's
/// requirements and the SSM Agent release notes.
enum NodeDiagnosis {
    /// Agent versions that brought what ssm-shell uses (SSM Agent release notes):
    /// Session Manager 2.3.68.0, the Port plugin (port forwarding, ssh) 2.3.672.0, and
    /// multiplexed port forwarding (several connections per session) after 3.0.196.0. `put` and
    /// `get` run AWS-StartInteractiveCommand, whose InteractiveCommands plugin came in 2.3.668.0
    /// (RELEASENOTES.md), before the Port plugin's version, so they share its threshold.
    static let sessions = "2.3.68.0"
    static let portForwarding = "2.3.672.0"
    static let multiplexing = "3.0.196.0"

    /// Compares dotted versions numerically; missing parts count as 0.
    static func isAtLeast(_ version: String, _ minimum: String) -> Bool {
        let a = version.split(separator: ".").map { Int($0) ?? 0 }
        let b = minimum.split(separator: ".").map { Int($0) ?? 0 }
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            if x != y { return x > y }
        }
        return true
    }

    static func ping(_ node: ManagedNode, now: Double) -> Finding {
        let seen = node.lastPing.map { " (last ping \(DurationText.ago($0, now: now)))" } ?? ""
        switch node.pingStatus {
        case "Online":
            return .ok("managed node", "Online\(seen)")
        case "ConnectionLost":
            return .problem(
                "managed node", "ConnectionLost\(seen): the agent has stopped reaching the Systems Manager endpoints",
                fix: "the instance cannot reach the SSM endpoints: give its subnet a route to a NAT or internet gateway, or create interface "
                    + "VPC endpoints for ssm, ssmmessages and ec2messages; then check the agent runs (systemctl status amazon-ssm-agent)")
        case "Inactive":
            return .problem(
                "managed node", "Inactive\(seen): the instance is stopped or terminated, or its registration was removed",
                fix: "start the instance (aws ec2 start-instances), or re-register the on-premises node")
        default:
            return .warning("managed node", "ping status \(node.pingStatus.isEmpty ? "unknown" : node.pingStatus)\(seen)")
        }
    }

    static func agent(_ node: ManagedNode) -> [Finding] {
        guard let version = node.agentVersion, !version.isEmpty else {
            return [.warning("agent version", "the node reports no agent version")]
        }
        let update = "update the agent: run AWS-UpdateSSMAgent (run --document AWS-UpdateSSMAgent) or reinstall amazon-ssm-agent"
        var findings: [Finding]
        if !isAtLeast(version, sessions) {
            findings = [.problem("agent version", "\(version) is too old for Session Manager (needs \(sessions))", fix: update)]
        } else if !isAtLeast(version, portForwarding) {
            findings = [
                .warning(
                    "agent version", "\(version) supports shell sessions but not port forwarding, proxy, put or get (needs \(portForwarding))", fix: update)
            ]
        } else if !isAtLeast(version, multiplexing) {
            findings = [
                .warning(
                    "agent version", "\(version): port forwarding carries one connection at a time (several need an agent newer than \(multiplexing))",
                    fix: update)
            ]
        } else {
            findings = [.ok("agent version", "\(version): sessions, put and get, port forwarding with several connections")]
        }
        if node.isLatestVersion == false, findings[0].level == .ok {
            findings.append(.info("agent update", "a newer agent is available (AWS-UpdateSSMAgent installs it)"))
        }
        return findings
    }

    static func platform(_ node: ManagedNode) -> Finding {
        let name = [node.platformName, node.platformVersion].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        let type = node.platformType ?? "unknown"
        return .info("platform", name.isEmpty ? type : "\(type) (\(name))")
    }

    /// The managed policy a node's role needs to register (the guide's instance requirements).
    static let corePolicy = "AmazonSSMManagedInstanceCore"

    static func role(_ role: String, policies: [String]) -> Finding {
        if policies.contains(corePolicy) { return .ok("instance role", "\(role) has \(corePolicy)") }
        let attached = policies.isEmpty ? "no managed policies" : policies.joined(separator: ", ")
        return .problem(
            "instance role", "\(role) lacks \(corePolicy) (it has \(attached)), so the agent cannot register",
            fix: "aws iam attach-role-policy --role-name \(ShellQuote.word(role, for: .posix)) --policy-arn arn:aws:iam::aws:policy/\(corePolicy); "
                + "the agent registers within minutes (or restart it)")
    }

    static func dns(vpcId: String, support: Bool, hostnames: Bool) -> Finding {
        let off = [support ? nil : "enableDnsSupport", hostnames ? nil : "enableDnsHostnames"].compactMap { $0 }
        if off.isEmpty { return .ok("VPC DNS", "\(vpcId) has DNS resolution and DNS hostnames on") }
        let flags = off.map { "--\($0 == "enableDnsSupport" ? "enable-dns-support" : "enable-dns-hostnames")" }
        return .problem(
            "VPC DNS", "\(vpcId) has \(off.joined(separator: " and ")) off: the endpoints' private DNS names do not resolve from the instance",
            fix: flags.map { "aws ec2 modify-vpc-attribute --vpc-id \(vpcId) \($0)" }.joined(separator: "; "))
    }

    /// The endpoints an instance needs (the guide's network requirements).
    static let endpointServices = ["ssm", "ssmmessages", "ec2messages"]

    /// Either all three interface endpoints, or a default route through a NAT or internet gateway.
    static func network(vpcId: String, region: String, endpoints: [String], routes: [EC2Client.Route]) -> Finding {
        let present = Set(endpoints.compactMap { $0.split(separator: ".").last.map(String.init) })
        let missing = endpointServices.filter { !present.contains($0) }
        if missing.isEmpty { return .ok("network path", "\(vpcId) has interface endpoints for ssm, ssmmessages and ec2messages") }
        let exit = routes.first { ($0.destination == "0.0.0.0/0" || $0.destination == "::/0") && ($0.target.hasPrefix("nat-") || $0.target.hasPrefix("igw-")) }
        if let exit { return .ok("network path", "\(vpcId) reaches the public endpoints through \(exit.target)") }
        return .problem(
            "network path", "\(vpcId) has no interface endpoint for \(missing.joined(separator: ", ")) and no route to a NAT or internet gateway",
            fix: "create interface endpoints com.amazonaws.\(region).{\(missing.joined(separator: ","))} in \(vpcId) with private DNS on, "
                + "or add a 0.0.0.0/0 route through a NAT gateway to the instance's subnet")
    }
}
