import AWSCore
import ShellLanguage
import SSMCore

/// `doctor`: why the setup, or a node, can or cannot be reached (its body follows).
struct DoctorCommand: ShellCommand {
    let name = "doctor"
    let usage = "doctor [TARGET]"
    let summary = "troubleshooting: credentials, region, endpoints and permissions; with a target, why it can or cannot be reached (status 3 if a check fails)"
    let iamActions = ["sts:GetCallerIdentity", "the probed actions", "ec2:Describe* and iam:GetInstanceProfile, iam:ListAttachedRolePolicies (optional)"]
    let runsAlone = true

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        try await shell.isMultiContext ? shell.doctorEveryPair(input.arguments) : shell.doctor(input.arguments)
    }
}

/// `doctor [TARGET]`: the guide's requirements and troubleshooting table, answered by looking.
/// Each finding is printed as soon as it is known; the status is 3 when any check failed. A fix
/// is a command to paste into a shell, so the names in it are quoted as words (issue 11, item 17).
extension Shell {
    func doctor(_ args: [String]) async throws -> Int32 {
        guard args.count <= 1 else { throw ShellError.usage("doctor takes at most one target") }
        var findings: [Finding] = []
        let emit: (Finding) -> Void = { [console] finding in
            findings.append(finding)
            console.out(finding.rendered)
        }
        if let word = args.first {
            try await diagnoseTarget(word, emit: emit)
        } else {
            await diagnoseSetup(emit: emit)
        }
        let summary = findings.summary
        console.out(summary.text)
        return summary.status
    }

    // MARK: no target: this machine, its identity and its permissions

    /// How long an endpoint gets to answer: the check must stay fast when the network is down.
    static let reachTimeout = 2.5

    func diagnoseSetup(emit: (Finding) -> Void) async {
        let settings: AWSSettings
        do { settings = try fleetSettings() } catch {
            emit(.problem("configuration", describe(error).0, fix: "fix the file or variable named above"))
            return
        }
        emit(.info("profile", settings.profileName + (settings.configFilePath.isEmpty ? "" : " (\(settings.configFilePath))")))
        // The settings just loaded: `currentRegion` would read the config files again.
        guard let region = options.region ?? settings.region else {
            emit(.problem("region", "no region is set", fix: "use region NAME, pass --region, set AWS_REGION, or add region = ... to the profile"))
            return
        }
        emit(.ok("region", region))

        let fleet: any FleetAPI
        do { fleet = try self.fleet() } catch {
            emit(.problem("configuration", describe(error).0, fix: "fix the setting named above"))
            return
        }
        async let ssmReach = fleet.reach(service: .ssm, timeout: Self.reachTimeout)
        async let messagesReach = fleet.reach(service: .ssmMessages, timeout: Self.reachTimeout)
        async let stsReach = fleet.reach(service: .sts, timeout: Self.reachTimeout)
        let credentialsWork: Bool
        do {
            emit(.ok("credentials", "from \(try await fleet.credentialSource())"))
            credentialsWork = true
        } catch {
            emit(
                .problem(
                    "credentials", describe(error).0,
                    fix:
                        "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run aws configure, or aws sso login --profile \(ShellQuote.word(settings.profileName, for: .posix))"
                ))
            credentialsWork = false
        }
        let ssm = await ssmReach
        let messages = await messagesReach
        let sts = await stsReach
        emit(Self.endpointFinding(ssm, service: "ssm"))
        emit(Self.endpointFinding(messages, service: "ssmmessages"))
        guard credentialsWork else {
            emit(Finding(level: .skipped, check: "permissions", detail: "not checked: no working credentials"))
            return
        }
        // Calls to an endpoint that did not answer would only wait out their retries.
        guard sts.failure == nil, sts.configurationError == nil else {
            emit(Self.endpointFinding(sts, service: "sts"))
            emit(Finding(level: .skipped, check: "identity and permissions", detail: "not checked: the sts endpoint does not answer"))
            return
        }
        do {
            let identity = try await fleet.callerIdentity()
            emit(.ok("identity", "\(identity.arn) (account \(identity.account))"))
        } catch {
            let expired = (error as? AWSServiceError).map { ["ExpiredToken", "ExpiredTokenException", "RequestExpired"].contains($0.code) } ?? false
            emit(
                .problem(
                    "identity", describe(error).0,
                    fix: expired
                        ? "the credentials have expired: aws sso login, or get a new session token"
                        : "check the access key and secret, and that the clock is right (SigV4 allows 5 minutes)"))
            return
        }
        guard ssm.failure == nil, ssm.configurationError == nil else {
            emit(Finding(level: .skipped, check: "permissions", detail: "not checked: the ssm endpoint does not answer"))
            return
        }
        // The probes run side by side; they are read in the table's order.
        let outcomes = await withTaskGroup(of: (Int, PermissionProbe.Outcome).self) { group in
            for (index, probe) in PermissionProbe.all.enumerated() {
                group.addTask { (index, await fleet.probe(probe)) }
            }
            var results = [PermissionProbe.Outcome](repeating: .allowed, count: PermissionProbe.all.count)
            for await (index, outcome) in group { results[index] = outcome }
            return results
        }
        for (probe, outcome) in zip(PermissionProbe.all, outcomes) {
            switch outcome {
            case .allowed: emit(.ok(probe.action, "allowed"))
            case .denied:
                emit(.problem(probe.action, "denied, so \(probe.needed) will fail", fix: "add \(probe.action) to the identity's policy"))
            case .unknown(let why): emit(.warning(probe.action, "could not tell: \(why)"))
            }
        }
        if outcomes.contains(where: { if case .denied = $0 { true } else { false } }) {
            emit(
                .info(
                    "policies",
                    "policy FILE prints the least-privilege policy of a script; the guide's basic policy covers sessions, "
                        + "the advanced one adds run, wait and output"))
        }
    }

    static func endpointFinding(_ reach: Reachability, service: String) -> Finding {
        let name = "\(service) endpoint"
        if let problem = reach.configurationError {
            return .problem(name, problem, fix: "set a region or a valid endpoint URL")
        }
        guard let failure = reach.failure else { return .ok(name, "\(reach.url) resolves and answers") }
        let resolving = failure.kind == .couldNotResolveHost || (failure.kind == .timedOut && failure.detail.lowercased().contains("resolv"))
        if resolving {
            return .problem(
                name, "the name in \(reach.url) does not resolve (\(failure.detail))",
                fix: "check the region and any endpoint URL setting (AWS_ENDPOINT_URL_*, --endpoint-url); inside a VPC without internet, "
                    + "create the interface endpoint with private DNS, and turn on enableDnsSupport and enableDnsHostnames")
        }
        switch failure.kind {
        case .tls:
            return .problem(name, "TLS with \(reach.url) failed (\(failure.detail))", fix: "check AWS_CA_BUNDLE or ca_bundle, and any TLS-inspecting proxy")
        case .proxy:
            return .problem(name, "the proxy failed (\(failure.detail))", fix: "check HTTPS_PROXY and NO_PROXY")
        default:
            let what = failure.kind == .timedOut ? "no answer from \(reach.url) within \(reachTimeout) s" : "could not connect to \(reach.url)"
            return .problem(
                name, "\(what) (\(failure.detail))",
                fix: "check the network, HTTPS_PROXY, and that outbound HTTPS is open (the endpoint's security group, if it is a VPC endpoint)")
        }
    }

    // MARK: a target: the node, or the instance that is not one yet

    func diagnoseTarget(_ word: String, emit: (Finding) -> Void) async throws {
        let fleet = try self.fleet()
        let region = currentRegion ?? "this region"
        for (id, name) in try await doctorTargets(word, fleet: fleet, region: region) {
            console.out("doctor \(name.map { "\($0) (\(id))" } ?? id)\n")
            var managed: ManagedNode?
            var mayDescribeNodes = true
            do {
                managed = try await fleet.describeNodes(filters: [(key: "InstanceIds", values: [id])]).first
            } catch let error as AWSServiceError where error.isAccessDenied {
                emit(.skipped("managed node", needs: "ssm:DescribeInstanceInformation"))
                mayDescribeNodes = false
            }
            if let managed {
                emit(NodeDiagnosis.ping(managed, now: clock.now()))
                NodeDiagnosis.agent(managed).forEach(emit)
                emit(NodeDiagnosis.platform(managed))
                if managed.pingStatus == "Online" {
                    do {
                        let status = try await fleet.connectionStatus(id)
                        emit(
                            status == "connected"
                                ? .ok("connection status", "connected")
                                : .problem("connection status", status, fix: "wait a minute and retry; if it stays, restart the agent"))
                    } catch let error as AWSServiceError where error.isAccessDenied {
                        emit(.skipped("connection status", needs: "ssm:GetConnectionStatus"))
                    }
                }
            } else if mayDescribeNodes {
                emit(
                    .problem(
                        "managed node", "\(id) is not a managed node: Systems Manager has no record of its agent in \(region)",
                        fix: id.hasPrefix("mi-")
                            ? "register the machine with an activation (amazon-ssm-agent -register)"
                            : "the agent must run and reach Systems Manager with a role that has AmazonSSMManagedInstanceCore; see below"))
            }
            // Why an EC2 instance is not (or no longer) reaching Systems Manager.
            if id.hasPrefix("i-"), managed?.pingStatus != "Online" {
                await diagnoseInstance(id, region: region, fleet: fleet, emit: emit)
            }
        }
    }

    /// The ids (and names) a doctor target means: an id as is, a Name tag through Systems
    /// Manager, else through EC2 (an instance that is not managed has no SSM record).
    func doctorTargets(_ word: String, fleet: any FleetAPI, region: String) async throws -> [(String, String?)] {
        let term: TargetTerm
        do { term = try TargetTerm(word) } catch { throw shellError(error) }
        switch term {
        case .instanceId(let id): return [(id, nodeDirectory.name(of: id))]
        case .tag, .tagKey, .nameGlob, .all: return try await resolveTargets([word]).map { ($0.id, $0.name) }
        case .name: break
        }
        // A managed node's Name resolves as everywhere else (and is cached with the rest).
        if let nodes = try? await cachedTarget(term), !nodes.isEmpty {
            return nodes.map { ($0.id, $0.name ?? word) }
        }
        do {
            let instances = try await fleet.describeEC2(filters: [(name: "tag:Name", values: [word])])
            if !instances.isEmpty { return instances.map { ($0.instanceId, $0.name) } }
        } catch let error as AWSServiceError where error.isAccessDenied {
            throw ShellError(
                "doctor: no managed node is named \(word), and looking for an EC2 instance of that name needs ec2:DescribeInstances; "
                    + "give the instance id instead")
        }
        throw ShellError("doctor: no managed node or EC2 instance is named \(word) in \(region); check the name and the region")
    }

    func diagnoseInstance(_ id: String, region: String, fleet: any FleetAPI, emit: (Finding) -> Void) async {
        /// Runs one lookup; an AccessDenied becomes a skipped check naming the permission.
        func look<T>(_ check: String, needs action: String, _ body: () async throws -> T) async -> T? {
            do { return try await body() } catch let error as AWSServiceError where error.isAccessDenied {
                emit(.skipped(check, needs: action))
            } catch {
                emit(.warning(check, describe(error).0))
            }
            return nil
        }
        guard
            let found = await look(
                "EC2 instance", needs: "ec2:DescribeInstances",
                {
                    try await fleet.describeEC2(filters: [(name: "instance-id", values: [id])])
                })
        else { return }
        guard let instance = found.first else {
            emit(.problem("EC2 instance", "no instance \(id) in \(region)", fix: "check the id and the region (use region NAME)"))
            return
        }
        let state = instance.state ?? "unknown"
        guard state == "running" else {
            emit(.problem("EC2 instance", "\(state): the agent only reports while the instance runs", fix: "aws ec2 start-instances --instance-ids \(id)"))
            return
        }
        emit(.ok("EC2 instance", "running" + (instance.vpcId.map { " in \($0)" } ?? "")))

        if let arn = instance.iamInstanceProfileArn {
            let profile = String(arn.split(separator: "/").last ?? Substring(arn))
            if let roles = await look("instance profile", needs: "iam:GetInstanceProfile", { try await fleet.instanceProfileRoles(profile) }) {
                if roles.isEmpty {
                    emit(
                        .problem(
                            "instance profile", "\(profile) has no role",
                            fix: "aws iam add-role-to-instance-profile --instance-profile-name \(ShellQuote.word(profile, for: .posix)) --role-name ROLE"))
                }
                for role in roles {
                    if let policies = await look("instance role", needs: "iam:ListAttachedRolePolicies", { try await fleet.attachedPolicies(role: role) }) {
                        emit(NodeDiagnosis.role(role, policies: policies))
                    }
                }
            }
        } else {
            emit(
                .problem(
                    "instance profile", "none is attached, so the agent has no credentials to register with",
                    fix: "attach a profile whose role has \(NodeDiagnosis.corePolicy): aws ec2 associate-iam-instance-profile --instance-id \(id) "
                        + "--iam-instance-profile Name=PROFILE (or turn on Default Host Management Configuration)"))
        }

        guard let vpcId = instance.vpcId else { return }
        let support = await look("VPC DNS", needs: "ec2:DescribeVpcAttribute", { try await fleet.vpcAttribute(vpcId, "enableDnsSupport") })
        if let support, let hostnames = await look("VPC DNS", needs: "ec2:DescribeVpcAttribute", { try await fleet.vpcAttribute(vpcId, "enableDnsHostnames") })
        {
            emit(NodeDiagnosis.dns(vpcId: vpcId, support: support, hostnames: hostnames))
        }
        if let endpoints = await look("network path", needs: "ec2:DescribeVpcEndpoints", { try await fleet.vpcEndpointServices(vpcId) }),
            let routes = await look("network path", needs: "ec2:DescribeRouteTables", { try await fleet.routes(vpcId) })
        {
            emit(NodeDiagnosis.network(vpcId: vpcId, region: region, endpoints: endpoints, routes: routes))
        }
    }
}
