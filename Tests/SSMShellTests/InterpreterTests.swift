import AWSCore
import SSMCore
@testable import SSMShell
import Synchronization
import Testing

/// The interpreter against a fake fleet: target resolution, run batching and platform split,
/// wait and output, variables, errors and exit statuses.
final class FakeFleet: FleetAPI, @unchecked Sendable {
    struct FakeNode { var id: String; var name: String; var platform: String; var ping: String; var tags: [String: String] }
    var nodes: [FakeNode]
    var ec2Allowed = true
    var sendAllowed = true
    var getAllowed = true
    let lock = Mutex<[String]>([])
    var sent: [SendCommandInput] = []
    var invocations: [String: [(String, String, Int, String, String)]] = [:]  // command -> (instance, status, code, stdout, stderr)
    var outcome: (String) -> (String, Int, String, String) = { _ in ("Success", 0, "ok\n", "") }
    var listCalls = 0
    /// ListCommandInvocations' details carry each plugin's Output and ResponseCode (FakeFleet+Logs).
    var pluginOutputs = false
    /// CloudWatch Logs: each stream's event messages, keyed "GROUP STREAM" (FakeFleet+Logs).
    var logEvents: [String: [String]] = [:]
    /// GetLogEvents answers ThrottlingException this many times first.
    var logThrottles = 0
    /// GetLogEvents answers AccessDeniedException, as to a role without logs:GetLogEvents.
    var logsDenied = false
    /// S3: each object's bytes, keyed "BUCKET/KEY" (FakeFleet+S3).
    var objects: [String: [UInt8]] = [:]

    init(_ nodes: [FakeNode]) { self.nodes = nodes }

    func log(_ s: String) { lock.withLock { $0.append(s) } }
    var calls: [String] { lock.withLock { $0 } }

    func info(_ n: FakeNode) -> ManagedNode {
        try! JSONDecoderless.node(["InstanceId": .string(n.id), "PingStatus": .string(n.ping), "PlatformType": .string(n.platform)])
    }

    func describeNodes(filters: [(key: String, values: [String])]) async throws -> [ManagedNode] {
        if let failure { throw failure }
        try await onDescribe?()
        log("DescribeInstanceInformation \(filters.map { "\($0.key)=\($0.values.joined(separator: ","))" }.joined(separator: " "))")
        return nodes.filter { n in
            filters.allSatisfy { f in
                switch f.key {
                case "InstanceIds": return f.values.contains(n.id)
                case "PingStatus": return f.values.contains(n.ping)
                case "PlatformTypes": return f.values.contains(n.platform)
                case "tag-key": return f.values.contains { n.tags[$0] != nil }
                default:
                    if f.key.hasPrefix("tag:") { return f.values.contains(n.tags[String(f.key.dropFirst(4))] ?? "\u{0}") }
                    return false
                }
            }
        }.map(info)
    }

    func describeEC2(filters: [(name: String, values: [String])]) async throws -> [EC2Client.Instance] {
        log("DescribeInstances")
        guard ec2Allowed else {
            throw AWSServiceError(
                code: "UnauthorizedOperation", message: "User: u is not authorized to perform: ec2:DescribeInstances", status: 403,
                operation: "DescribeInstances")
        }
        return nodes.filter { n in
            filters.allSatisfy { f in f.values.contains { f.name == "instance-id" ? $0 == n.id : glob($0, n.name) } }
        }.map {
            EC2Client.Instance(
                instanceId: $0.id, state: "running", tags: ["Name": $0.name], privateIpAddress: nil, vpcId: "vpc-1", subnetId: nil,
                iamInstanceProfileArn: "arn:aws:iam::1:instance-profile/web", platform: nil)
        }
    }

    func glob(_ pattern: String, _ text: String) -> Bool {
        guard let star = pattern.firstIndex(of: "*") else { return pattern == text }
        return text.hasPrefix(pattern[..<star]) && text.hasSuffix(pattern[pattern.index(after: star)...])
    }

    /// A document SendCommand refuses (AccessDenied), as a policy limited to some documents does.
    var refusedDocument: String?
    /// Called first by describeNodes (MultiContextTests: pairs must be asked at once).
    var onDescribe: (@Sendable () async throws -> Void)?

    func sendCommand(_ input: SendCommandInput) async throws -> CommandSummary {
        guard sendAllowed, input.documentName != refusedDocument else {
            throw AWSServiceError(
                code: "AccessDeniedException", message: "User: arn:aws:iam::1:user/basic is not authorized to perform: ssm:SendCommand on resource: x",
                status: 400, operation: "SendCommand")
        }
        sent.append(input)
        let id = "00000000-0000-0000-0000-0000000000\(String(format2: sent.count))"
        invocations[id] = (input.instanceIds ?? targeted(input)).map { iid in
            let o = outcome(iid); return (iid, o.0, o.1, o.2, o.3)
        }
        return try JSONDecoderless.command([
            "CommandId": .string(id), "DocumentName": .string(input.documentName), "Status": "Pending",
            "TargetCount": .number(Double(targetCountUnknown && input.targets != nil ? 0 : invocations[id]!.count)),
        ])
    }

    /// The nodes SendCommand's Targets select, as the service does: by tag (tag:K values or
    /// tag-key keys ORed, keys ANDed), on the platforms the document runs on.
    func targeted(_ input: SendCommandInput) -> [String] {
        nodes.filter { n in
            (input.targets ?? []).allSatisfy { t in
                t.key == "tag-key" ? t.values.contains { n.tags[$0] != nil } : t.values.contains(n.tags[String(t.key.dropFirst(4))] ?? "\u{0}")
            } && (input.documentName == "AWS-RunPowerShellScript") == (n.platform == "Windows")
        }.map(\.id)
    }

    /// ListCommandInvocations (with or without details) answers ThrottlingException this many times first.
    var listThrottles = 0
    func throttleList() throws {
        guard listThrottles > 0 else { return }
        listThrottles -= 1
        throw AWSServiceError(code: "ThrottlingException", message: "Rate exceeded", status: 400, operation: "ListCommandInvocations")
    }

    func listInvocations(commandId: String, nextToken: String?) async throws -> (invocations: [CommandInvocation], nextToken: String?) {
        if let failure { throw failure }
        try throttleList()
        listCalls += 1
        return (
            try invocations[commandId, default: []].map {
                try JSONDecoderless.invocation([
                    "CommandId": .string(commandId), "InstanceId": .string($0.0), "Status": .string($0.1),
                    "StatusDetails": .string(details($0.0, $0.1)),
                ])
            }, nil
        )
    }

    func getInvocation(commandId: String, instanceId: String) async throws -> InvocationResult {
        if let failure { throw failure }
        log("GetCommandInvocation \(instanceId)")
        guard getAllowed else {
            throw AWSServiceError(
                code: "AccessDeniedException", message: "User: u is not authorized to perform: ssm:GetCommandInvocation", status: 400,
                operation: "GetCommandInvocation")
        }
        let i = invocations[commandId]!.first { $0.0 == instanceId }!
        return try JSONDecoderless.result(
            [
                "CommandId": .string(commandId), "InstanceId": .string(instanceId), "Status": .string(i.1), "StatusDetails": .string(details(instanceId, i.1)),
                "ResponseCode": .number(Double(i.2)), "StandardOutputContent": .string(i.3), "StandardErrorContent": .string(i.4),
            ].merging(outputURLs(commandId, instanceId)) { _, url in url }.merging(cloudWatchFields(commandId)) { _, field in field })
    }

    /// StatusDetails as the service gives it for a node that got the command.
    static func details(_ status: String) -> String { status == "TimedOut" ? "ExecutionTimedOut" : status }
    /// Nodes whose TimedOut is DeliveryTimedOut: the command never reached them.
    var undelivered: Set<String> = []
    func details(_ instanceId: String, _ status: String) -> String {
        status == "TimedOut" && undelivered.contains(instanceId) ? "DeliveryTimedOut" : Self.details(status)
    }

    func cancel(commandId: String, instanceIds: [String]?) async throws { log("CancelCommand \(commandId)") }
    func listCommands(limit: Int) async throws -> [CommandSummary] { Array(commands.prefix(limit)) }
    /// ListCommands for one command: Success once every invocation has ended, as the service
    /// rolls it up (the fake's invocations end as soon as they are made).
    func command(_ commandId: String) async throws -> CommandSummary? {
        log("ListCommands \(commandId)")
        guard let list = invocations[commandId] else { return nil }
        return try JSONDecoderless.command(["CommandId": .string(commandId), "Status": "Success", "TargetCount": .number(Double(list.count))])
    }
    /// SendCommand by Targets answers TargetCount 0, as AWS does before it has resolved the tag.
    var targetCountUnknown = false
    /// The account sts:GetCallerIdentity names (MultiContextTests gives each pair its own).
    var account = "1"
    /// When set, every node and command call fails with it (a pair whose credentials fail).
    var failure: (any Error)?
    func callerIdentity() async throws -> STSClient.CallerIdentity {
        if let failure { throw failure }
        return STSClient.CallerIdentity(account: account, arn: "arn", userId: "u")
    }
    /// StartSession's document and parameters, in order (the fake then refuses the session).
    var sessionStarts: [(document: String?, parameters: [String: [String]]?)] = []
    func startSession(target: String, document: String?, reason: String?, parameters: [String: [String]]?) async throws -> SessionStream {
        sessionStarts.append((document, parameters))
        throw AWSServiceError(code: "TargetNotConnected", message: "\(target) is not connected.", status: 400, operation: "StartSession")
    }
    func resumeSession(_ sessionId: String) async throws -> SessionStream? { nil }
    func terminateSession(_ sessionId: String) async throws { log("TerminateSession \(sessionId)") }
    /// What DescribeSessions and ListCommands answer.
    var sessions: [SessionSummary] = []
    var commands: [CommandSummary] = []
    func describeSessions(history: Bool) async throws -> [SessionSummary] {
        log("DescribeSessions")
        return sessions
    }
    func connectionStatus(_ target: String) async throws -> String {
        nodes.first { $0.id == target }?.ping == "Online" ? "connected" : "notconnected"
    }
    func streamHeaders(for url: EndpointURL) async throws -> [(String, String)] { [] }
    func generateDataKey(keyId: String, bytes: Int, context: [String: String]) async throws -> ([UInt8], [UInt8]) { ([UInt8](repeating: 1, count: bytes), [2]) }
    var streamTransport: (caBundle: String?, environment: Environment, connectTimeout: Double) { (nil, Environment(), 2) }

    // doctor
    var deniedActions: Set<String> = []
    var unresolvable: Set<String> = []
    var rolePolicies = ["AmazonSSMManagedInstanceCore"]
    var dnsHostnames = true
    var endpoints: [String] = []
    var routes: [EC2Client.Route] = []
    func credentialSource() async throws -> String { "environment" }
    func reach(service: ServiceDescriptor, timeout: Double) async -> Reachability {
        let url = "https://\(service.name).us-east-1.amazonaws.com/"
        guard unresolvable.contains(service.name) else { return Reachability(url: url) }
        return Reachability(url: url, failure: TransportError(kind: .couldNotResolveHost, connected: false, detail: "curl error 6", url: url))
    }
    func probe(_ probe: PermissionProbe) async -> PermissionProbe.Outcome {
        log("probe \(probe.action)")
        return deniedActions.contains(probe.action) ? .denied("not authorized to perform: \(probe.action)") : .allowed
    }
    func instanceProfileRoles(_ name: String) async throws -> [String] { ["\(name)-role"] }
    func attachedPolicies(role: String) async throws -> [String] {
        guard !deniedActions.contains("iam:ListAttachedRolePolicies") else {
            throw AWSServiceError(
                code: "AccessDenied", message: "not authorized to perform: iam:ListAttachedRolePolicies", status: 403, operation: "ListAttachedRolePolicies")
        }
        return rolePolicies
    }
    func vpcAttribute(_ vpcId: String, _ attribute: String) async throws -> Bool { attribute == "enableDnsHostnames" ? dnsHostnames : true }
    func vpcEndpointServices(_ vpcId: String) async throws -> [String] { endpoints }
    func routes(_ vpcId: String) async throws -> [EC2Client.Route] { routes }
}

/// Builds SSMCore's reply types the way the real client does: from the reply's JSON.
enum JSONDecoderless {
    static func node(_ o: [String: JSONValue]) throws -> ManagedNode { ManagedNode(.object(o)) }
    static func command(_ o: [String: JSONValue]) throws -> CommandSummary { CommandSummary(.object(o)) }
    static func invocation(_ o: [String: JSONValue]) throws -> CommandInvocation { CommandInvocation(.object(o)) }
    static func result(_ o: [String: JSONValue]) throws -> InvocationResult { InvocationResult(.object(o)) }
}

extension String {
    init(format2 n: Int) { self = n < 10 ? "0\(n)" : String(n) }
}

@Suite struct InterpreterTests {
    static func fleet(count: Int = 3) -> FakeFleet {
        var nodes = (1...count).map { n in
            FakeFleet.FakeNode(
                id: "i-\(String(repeating: "0", count: 16))\(n % 10)".replacing("i-0000000000000000", with: "i-000000000000\(String(format2: n / 10))00"),
                name: "web-\(n)", platform: "Linux", ping: "Online", tags: ["Role": "web", "Name": "web-\(n)"])
        }
        nodes.append(FakeFleet.FakeNode(id: "i-0000000000000win", name: "win-1", platform: "Windows", ping: "Online", tags: ["Role": "ad", "Name": "win-1"]))
        nodes.append(
            FakeFleet.FakeNode(id: "i-000000000000lost", name: "lost-1", platform: "Linux", ping: "ConnectionLost", tags: ["Role": "web", "Name": "lost-1"]))
        return FakeFleet(nodes)
    }

    func shell(_ fleet: FakeFleet) -> (Shell, CapturingConsole) {
        let console = CapturingConsole()
        let shell = Shell(
            console: console, options: GlobalOptions(), environment: Environment(["HOME": "/nonexistent", "AWS_REGION": "us-east-1"]),
            services: .system()
        ) { _ in fleet }
        return (shell, console)
    }

    @Test func targetFormsResolve() async throws {
        let fleet = Self.fleet()
        let (shell, _) = shell(fleet)
        #expect(await shell.run(source: "use web-2", file: "t") == 0)
        #expect(shell.targets.map(\.shortLabel) == ["web-2"])
        #expect(await shell.run(source: "use tag:Role=web", file: "t") == 0)
        #expect(shell.targets.count == 4)
        #expect(await shell.run(source: "use all", file: "t") == 0)
        #expect(!shell.targets.contains { $0.pingStatus != "Online" })
        #expect(await shell.run(source: "use 'web-*' web-1", file: "t") == 0)
        #expect(shell.targets.map(\.shortLabel) == ["web-1", "web-2", "web-3"], "globs sort, duplicates drop")
        #expect(fleet.calls.contains("DescribeInstanceInformation tag:Name=web-2"))
        let before = fleet.calls.count
        #expect(await shell.run(source: "use web-2; use web-2", file: "t") == 0)
        #expect(fleet.calls.count == before, "resolutions are cached")
    }

    /// `use db-1 bd-3 online` acted on db-1 alone, the misspelt name dropped without a word.
    @Test func aMisspeltNameBesideAFilterIsAnErrorNamingTheClosestNames() async throws {
        let fleet = Self.fleet()
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1 wbe-2 online", file: "t") == 1)
        #expect(console.stderr.contains("no managed node matches 'wbe-2'; the closest names are web-2"), "\(console.stderr)")
        #expect(await shell.run(source: "use web-1 wbe-2 platform:linux", file: "t") == 1)
        #expect(await shell.run(source: "run --on web-1,wbe-2,online uptime", file: "t") == 1)
        #expect(fleet.sent.isEmpty)
        // A name the filters leave out is no misspelling: the rest are the targets.
        #expect(await shell.run(source: "use web-1 lost-1 online", file: "t") == 0)
        #expect(shell.targets.map(\.shortLabel) == ["web-1"])
        #expect(await shell.run(source: "instances web-1 lost-1 wbe-9 online", file: "t") == 1)
    }

    @Test func unknownTargetsSuggestNamesAndGlobsNeedEC2() async throws {
        let fleet = Self.fleet()
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-9", file: "s.ssm") == 1)
        #expect(console.stderr.contains("s.ssm:1: no managed node matches 'web-9'; the closest names are web-1, web-2, web-3"))
        fleet.ec2Allowed = false
        #expect(await shell.run(source: "use 'web-*'", file: "s.ssm") == 1)
        #expect(console.stderr.contains("the Name glob web-* needs ec2:DescribeInstances"))
    }

    @Test func runSplitsByPlatformAndInBatchesOf50() async throws {
        let fleet = Self.fleet(count: 120)
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use all; run --timeout 5m --concurrency 10% uptime", file: "t") == 0)
        #expect(fleet.sent.map(\.documentName) == ["AWS-RunShellScript", "AWS-RunShellScript", "AWS-RunShellScript", "AWS-RunPowerShellScript"])
        #expect(fleet.sent.map { $0.instanceIds!.count } == [50, 50, 20, 1])
        #expect(fleet.sent[0].parameters == ["commands": ["uptime"], "executionTimeout": ["300"]])
        #expect(fleet.sent[0].maxConcurrency == "10%")
        #expect(shell.lastCommands.count == 4)
        #expect(console.stdout.split(separator: "\n").count == 4)
    }

    /// Issue 14, "Scale": tag words only are one SendCommand by Targets; output reads the
    /// listing's plugin Output and asks GetCommandInvocation only where the agent cut it.
    @Test func tagTargetsAreOneSendCommandAndOutputComesFromTheListing() async throws {
        let fleet = Self.fleet(count: 120)
        fleet.pluginOutputs = true
        fleet.outcome = { id in id.hasSuffix("7") ? ("Success", 0, String(repeating: "x", count: 3000) + "\n", "") : ("Success", 0, "same\n", "") }
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use tag:Role=web\nrun uptime\nwait\noutput", file: "t") == 0, "\(console.stderr)")
        #expect(fleet.sent.count == 1)
        #expect(fleet.sent[0].instanceIds == nil && fleet.sent[0].targets?.map(\.key) == ["tag:Role"] && fleet.sent[0].targets?[0].values == ["web"])
        #expect(fleet.sent[0].maxConcurrency == "100%", "every node at once, as the batches of 50 ids ran")
        let cut = fleet.nodes.filter { $0.id.hasSuffix("7") && $0.tags["Role"] == "web" }.count
        #expect(fleet.calls.filter { $0.hasPrefix("GetCommandInvocation") }.count == cut, "only the cut outputs: \(cut)")
        #expect(console.stdout.contains("same\n") && console.stdout.contains(String(repeating: "x", count: 3000)))
    }

    /// A throttle that outlasts the client's retries costs wait one round and output's listing a
    /// second try, not the pair (issue 14: a throttled fleet completes).
    @Test func throttledPollsAndListingsAreAskedAgain() async throws {
        let fleet = Self.fleet(count: 120)
        fleet.pluginOutputs = true
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use tag:Role=web\nrun uptime", file: "t") == 0)
        fleet.listThrottles = 2
        #expect(await shell.run(source: "wait", file: "t") == 0, "\(console.stderr)")
        #expect(fleet.listThrottles == 0 && fleet.listCalls >= 1)
        fleet.listThrottles = 2
        #expect(await shell.run(source: "output", file: "t") == 0, "\(console.stderr)")
        #expect(console.stdout.contains("ok\n") && !fleet.calls.contains { $0.hasPrefix("GetCommandInvocation") })
    }

    /// A node that leaves the tag between `use` and `run` (untagged, terminated): the service
    /// never makes its invocation, and AWS answers SendCommand by Targets with TargetCount 0. wait
    /// must still end (ListCommands says the command ended) and output must show the nodes that
    /// ran it, not fail on the one that did not (review 2 of issue 14's scale client).
    @Test func aNodeThatLeftTheTagDoesNotHangWaitNorEmptyOutput() async throws {
        let fleet = Self.fleet(count: 6)
        fleet.targetCountUnknown = true
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use tag:Role=web", file: "t") == 0, "\(console.stderr)")
        let gone = try #require(fleet.nodes.first { $0.tags["Role"] == "web" })
        fleet.nodes.removeAll { $0.id == gone.id }
        let status = await shell.run(source: "run uptime\nwait --timeout 20\noutput", file: "t")
        #expect(status == 0, "\(console.stderr)")
        #expect(fleet.sent.count == 1 && fleet.sent[0].targets != nil)
        #expect(fleet.calls.contains { $0.hasPrefix("ListCommands ") }, "wait asked whether the command ended")
        #expect(!fleet.calls.contains { $0.hasPrefix("GetCommandInvocation") && $0.contains(gone.id) }, "\(fleet.calls)")
        #expect(!console.stdout.contains(gone.id) && console.stdout.contains("ok\n"), "\(console.stdout)")
    }

    @Test func aMixedFleetSendsTheLargerDocumentByTargetsAndTheOtherById() async throws {
        let fleet = Self.fleet(count: 3)
        fleet.nodes[3].tags["Role"] = "web"
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use tag:Role=web\nrun uptime\nwait\noutput", file: "t") == 0, "\(console.stderr)")
        #expect(fleet.sent.map(\.documentName) == ["AWS-RunShellScript", "AWS-RunPowerShellScript"])
        #expect(fleet.sent[0].targets != nil && fleet.sent[1].instanceIds == ["i-0000000000000win"])
        #expect(console.stdout.contains("i-0000000000000win"))
    }

    @Test func runWaitOutputGroupsAndReturns3OnFailure() async throws {
        let fleet = Self.fleet()
        fleet.outcome = { id in id.hasSuffix("2") ? ("Failed", 5, "", "boom\n") : ("Success", 0, "same\n", "") }
        let (shell, console) = shell(fleet)
        let status = await shell.run(source: "use tag:Role=web\nrun <<EOF\necho $region\nEOF\ntry wait\noutput\necho after", file: "t")
        #expect(status == 0, "output's status 3 does not stop the script, and echo is the last command")
        #expect(fleet.sent[0].parameters?["commands"] == ["echo us-east-1"])
        let out = console.stdout
        // Tag targets carry ids only: names would need ec2:DescribeInstances.
        #expect(out.contains("== i-00000000000000001, i-00000000000000003, i-000000000000lost · Success, exit 0\nsame\n"))
        #expect(out.contains("== i-00000000000000002 · Failed, exit 5\n-- stderr\nboom\n"))
        #expect(out.hasSuffix("after\n"), "a remote failure under try does not stop the script")
        #expect(fleet.listCalls == 1)
    }

    /// amazon-ssm-agent reports a script killed at executionTimeout as exit 137 and a cancelled
    /// one as exit 1 (issue 19): those codes are the agent's, not the script's, so say what happened.
    @Test func waitAndOutputSayTimedOutAndCancelledNotAnExitCode() async throws {
        let fleet = Self.fleet()
        fleet.outcome = { id in
            id.hasSuffix("1") ? ("TimedOut", 137, "partial\n", "") : id.hasSuffix("2") ? ("Cancelled", 1, "", "") : ("Success", 0, "ok\n", "")
        }
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use tag:Role=web\nrun --timeout 5 sleep 30\ntry wait\noutput", file: "t") == 3)
        let out = console.stdout
        #expect(out.contains("i-00000000000000001\tTimedOut\ttimed out after 5s\n"), "\(out)")
        #expect(out.contains("i-00000000000000002\tCancelled\tcancelled\n"), "\(out)")
        #expect(out.contains("== i-00000000000000001 · timed out after 5s\npartial\n"), "\(out)")
        #expect(out.contains("== i-00000000000000002 · cancelled\n"), "\(out)")
        #expect(!out.contains("137") && !out.contains("exit 1\n"), "\(out)")
    }

    /// The service ends an invocation its node never took TimedOut / DeliveryTimedOut with
    /// ResponseCode -1: nothing ran, so say it was not delivered rather than a bare TimedOut
    /// (the delivery timeout is the service's default hour when run sets none).
    @Test func outputSaysAnUndeliveredCommandWasNotDelivered() async throws {
        let fleet = Self.fleet()
        fleet.undelivered = ["i-00000000000000002"]
        fleet.outcome = { id in id.hasSuffix("2") ? ("TimedOut", -1, "", "") : ("Success", 0, "ok\n", "") }
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1 web-2\nrun uptime\ntry wait\noutput", file: "t") == 3)
        let out = console.stdout
        #expect(out.contains("== web-2 · not delivered within 1h (the delivery timeout)\n"), "\(out)")
        #expect(!out.contains("· TimedOut"), "\(out)")
    }

    /// amazon-ssm-agent cuts stdout at 23,980 characters and appends `--output truncated--`
    /// (24,000 in all, issue 19): the marker is not the node's output, the note says what to do.
    @Test func outputLeavesOutTheAgentsTruncationMarkerAndSaysHowToGetItAll() async throws {
        let fleet = Self.fleet()
        let cut = String(repeating: "x", count: 23_980)
        fleet.outcome = { id in id.hasSuffix("1") ? ("Success", 0, cut + "--output truncated--", "") : ("Success", 0, String(repeating: "y", count: 24_000), "")
        }
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1 web-2\nrun seq 100000\noutput", file: "t") == 0)
        let out = console.stdout
        #expect(!out.contains("--output truncated--"), "\(out)")
        #expect(
            out.contains(
                "== web-1 · Success, exit 0\n" + cut
                    + "\n(stdout cut by the agent at 24,000 characters: run the command with --output-bucket BUCKET (S3) or --cloudwatch (CloudWatch Logs), or 'set output-bucket BUCKET' first, and 'output' reads all of it from there)\n"
            ), "\(out)")
        // 24,000 characters without the marker is the whole output.
        #expect(
            out.contains("== web-2 · Success, exit 0\n" + String(repeating: "y", count: 24_000) + "\n== ")
                || out.hasSuffix(String(repeating: "y", count: 24_000) + "\n"), "\(out.suffix(200))")
    }

    /// amazon-ssm-agent 3.3 appends `failed to run commands: exit status N` to the stderr of a
    /// script that exits non-zero (runscript.go, MarkAsFailed; issue 19): nodes that printed the
    /// same group together whatever their exit codes, each code shown with its nodes.
    @Test func outputGroupsByWhatTheCommandPrintedNotTheAgentsFailureLine() async throws {
        let fleet = Self.fleet()
        fleet.outcome = { id in
            id.hasSuffix("1")
                ? ("Failed", 3, "", "same\nfailed to run commands: exit status 3")
                : id.hasSuffix("2")
                    ? ("Failed", 4, "", "same\nfailed to run commands: exit status 4")
                    : ("Failed", 3, "", "failed to run commands: exit status 3")
        }
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1 web-2 web-3\nrun check\noutput", file: "t") == 3)
        let out = console.stdout
        #expect(out.contains("== web-1, web-2 · Failed, exit 3 (web-1), exit 4 (web-2)\n-- stderr\nsame\n== web-3 · Failed, exit 3\n"), "\(out)")
        #expect(!out.contains("failed to run commands"), "\(out)")
    }

    @Test func variablesSetTryKeepGoingAndExit() async throws {
        let (shell, console) = shell(Self.fleet())
        shell.variables.arguments = ["a b", "c"]
        #expect(await shell.run(source: "set name world  wide; echo \"hello $name\" $# \"$1\" $@", file: "t") == 0)
        #expect(console.stdout == "hello world wide 2 a b a b c\n")
        #expect(await shell.run(source: "echo $nope", file: "t") == 2)
        #expect(console.stderr.contains("$nope is not set"))
        // Every variable the shell sets itself is a hint, set yet or not ($port comes with forward).
        #expect(await shell.run(source: "echo $prot", file: "t") == 2)
        #expect(console.stderr.contains("$prot is not set; did you mean $port?"))
        #expect(await shell.run(source: "echo $sesion", file: "t") == 2)
        #expect(console.stderr.contains("$sesion is not set; did you mean $session?"))
        #expect(await shell.run(source: "try bogus; echo still $status", file: "t") == 0)
        #expect(console.stdout.hasSuffix("still 2\n"))
        #expect(await shell.run(source: "set keep-going on; bogus; echo went on", file: "t") == 0)
        #expect(await shell.run(source: "exit 9; echo never", file: "t") == 9)
        #expect(!console.stdout.contains("never"))
        #expect(await shell.run(source: "set output yaml", file: "t") == 2)
        #expect(await shell.run(source: "set status 1", file: "t") == 2)
    }

    @Test func accessDeniedNamesTheActionAndTheStatement() async throws {
        let fleet = Self.fleet()
        fleet.sendAllowed = false
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1; run uptime", file: "deploy.ssm") == 1)
        #expect(console.stderr.contains("deploy.ssm:1: An error occurred (AccessDeniedException)"))
        #expect(
            console.stderr.contains(
                "ssm-shell needs ssm:SendCommand for this. Add this statement to your IAM policy:\n{\n  \"Effect\": \"Allow\",\n  \"Action\": [\"ssm:SendCommand\"],\n  \"Resource\": \"*\"\n}"
            ))
    }

    @Test func usageErrorsAndHelp() async throws {
        let (shell, console) = shell(Self.fleet())
        #expect(await shell.run(source: "run uptime", file: "t") == 2)
        #expect(console.stderr.contains("run has no targets"))
        #expect(await shell.run(source: "run --bogus x", file: "t") == 2)
        #expect(await shell.run(source: "run --timeot 5m x", file: "t") == 2)
        #expect(console.stderr.contains("did you mean --timeout?"))
        #expect(await shell.run(source: "doctor web-1 web-2", file: "t") == 2)
        #expect(console.stderr.contains("doctor takes at most one target"))
        #expect(await shell.run(source: "forward web-1 8080:80:90:1", file: "t") == 2)
        #expect(console.stderr.contains("forward takes [LOCAL:]PORT or [LOCAL:]HOST:PORT"))
        #expect(await shell.run(source: "status web-1 lost-1", file: "t") == 3)
        #expect(console.stdout.contains("lost-1 (i-000000000000lost)\tnotconnected"))
        #expect(await shell.run(source: "terminate s-1", file: "t") == 0)
        #expect(await shell.run(source: "connect tag:Role=web", file: "t") == 2)
        #expect(console.stderr.contains("connect goes to one node, and this matches 4"))
        #expect(await shell.run(source: "wait --help", file: "t") == 0)
        #expect(console.stdout.contains("wait [CMD] [--timeout D]"))
        #expect(await shell.run(source: "help", file: "t") == 0)
        #expect(console.stdout.contains("instances"))
    }

    @Test func forwardSpecs() throws {
        #expect(try ForwardCommand.parseSpec("5432") == (5432, nil, 5432))
        #expect(try ForwardCommand.parseSpec("0:80") == (0, nil, 80))
        #expect(try ForwardCommand.parseSpec("db.internal:5432") == (5432, "db.internal", 5432))
        #expect(try ForwardCommand.parseSpec("15432:db.internal:5432") == (15432, "db.internal", 5432))
        #expect(throws: ShellError.self) { try ForwardCommand.parseSpec("0") }
        #expect(throws: ShellError.self) { try ForwardCommand.parseSpec("70000") }
    }

    @Test func durationsAndOutputFormats() {
        #expect(DurationText.parse("90") == 90)
        #expect(DurationText.parse("90s") == 90)
        #expect(DurationText.parse("5m") == 300)
        #expect(DurationText.parse("2h") == 7200)
        #expect(DurationText.parse("500ms") == 0.5)
        #expect(DurationText.parse("soon") == nil)
        #expect(DurationText.parse("-5s") == nil)
        let table = Table(columns: ["ID", "PING STATUS"], rows: [["i-1", "Online"], ["i-22", "Lost"]])
        #expect(table.render(.text, color: false) == "i-1\tOnline\ni-22\tLost\n")
        #expect(table.render(.table, color: false) == "ID    PING STATUS\ni-1   Online\ni-22  Lost\n")
        #expect(table.render(.json, color: false) == "[{\"id\":\"i-1\",\"pingStatus\":\"Online\"},{\"id\":\"i-22\",\"pingStatus\":\"Lost\"}]\n")
    }
}
