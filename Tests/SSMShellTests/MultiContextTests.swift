import AWSCore
import Foundation
import SSMCore
@testable import SSMShell
import Testing

/// Several accounts and regions at once (language page, "Many accounts and regions"): the
/// context as pairs, one client per pair, commands on every pair, ACCOUNT and REGION columns,
/// pair-qualified command ids, and a pair whose credentials fail skipped with status 1.
@Suite struct MultiContextTests {
    /// A fleet per pair, node ids told apart by a letter (as real ids are distinct).
    static func fleets(_ pairs: [String]) -> [String: FakeFleet] {
        var fleets: [String: FakeFleet] = [:]
        for (index, pair) in pairs.enumerated() {
            let letter = ["a", "b", "c", "d"][index]
            let fleet = FakeFleet(
                (1...2).map { n in
                    FakeFleet.FakeNode(
                        id: "i-00000000000000\(letter)\(n)0", name: "web-\(letter)\(n)", platform: "Linux", ping: "Online",
                        tags: ["Role": "web", "Name": "web-\(letter)\(n)"])
                })
            fleet.account = "11111111111\(index)"
            fleets[pair] = fleet
        }
        return fleets
    }

    /// A config file naming the profiles, so `use profile` and `use context` accept them.
    static func configFile(_ profiles: [String]) throws -> String {
        let path = NSTemporaryDirectory() + "multi-\(UUID().uuidString).config"
        let text = profiles.map { "[\($0 == "default" ? "default" : "profile \($0)")]\nregion = us-east-1\n" }.joined()
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A shell whose factory hands each pair its fake; the options name the pair.
    func shell(_ fleets: [String: FakeFleet], profiles: [String] = ["default", "dev", "prod"]) throws -> (Shell, CapturingConsole) {
        let console = CapturingConsole()
        let environment = Environment([
            "HOME": "/nonexistent", "AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": try Self.configFile(profiles),
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
        ])
        var options = GlobalOptions()
        options.output = .table
        let shell = Shell(console: console, options: options, environment: environment, services: .system()) { options in
            let key = "\(options.profile ?? "default")@\(options.region ?? "us-east-1")"
            guard let fleet = fleets[key] else { throw CredentialsError(message: "no fake for \(key)") }
            return fleet
        }
        return (shell, console)
    }

    @Test func useProfileAndRegionListsMakePairsAndOnePairIsTheShellAsBefore() async throws {
        let (shell, console) = try shell([:])
        #expect(await shell.run(source: "use profile dev,prod", file: "t") == 0)
        #expect(shell.contextPairs.map(\.description) == ["dev@us-east-1", "prod@us-east-1"])
        #expect(await shell.run(source: "use region us-east-1,eu-west-1", file: "t") == 0)
        #expect(shell.contextPairs.map(\.description) == ["dev@us-east-1", "dev@eu-west-1", "prod@us-east-1", "prod@eu-west-1"])
        #expect(await shell.run(source: "use context prod@eu-west-1", file: "t") == 0)
        #expect(!shell.isMultiContext)
        #expect(shell.options.profile == "prod" && shell.options.region == "eu-west-1")
        #expect(await shell.run(source: "use context dev@Eu_West", file: "t") == 2)
        #expect(console.stderr.contains("'Eu_West' in dev@Eu_West is not a region name"))
        #expect(await shell.run(source: "use context staging@us-east-1", file: "t") == 2)
        #expect(console.stderr.contains("profile staging is not in"))
        #expect(await shell.run(source: "use context dev", file: "t") == 2)
        #expect(console.stderr.contains("'dev' is not PROFILE@REGION"))
        #expect(await shell.run(source: "use profile dev,,prod", file: "t") == 2)
    }

    @Test func instancesListsEveryPairWithAccountAndRegionColumns() async throws {
        let fleets = Self.fleets(["dev@us-east-1", "prod@eu-west-1"])
        let (shell, console) = try shell(fleets)
        #expect(await shell.run(source: "use context dev@us-east-1 prod@eu-west-1\ninstances", file: "t") == 0)
        let lines = console.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("ACCOUNT       REGION     ID"))
        #expect(lines.count == 5)
        #expect(lines[1].hasPrefix("111111111110  us-east-1  i-00000000000000a10"))
        #expect(lines[4].hasPrefix("111111111111  eu-west-1  i-00000000000000b20"))
    }

    @Test func runWaitOutputActOnEveryPairWithQualifiedCommandIds() async throws {
        let fleets = Self.fleets(["dev@us-east-1", "prod@eu-west-1"])
        fleets["prod@eu-west-1"]!.outcome = { _ in ("Failed", 2, "", "no\n") }
        let (shell, console) = try shell(fleets)
        let status = await shell.run(source: "use context dev@us-east-1 prod@eu-west-1\nuse tag:Role=web\nrun uptime\ntry wait\noutput\necho $cmd", file: "t")
        #expect(status == 0, "try goes on past the failed wait, and echo is the last command")
        #expect(
            fleets.values.allSatisfy { $0.sent.count == 1 && $0.sent[0].targets?.first?.values == ["web"] && $0.invocations.values.first?.count == 2 },
            "one SendCommand by Targets per pair, reaching its own nodes")
        let id = "00000000-0000-0000-0000-000000000001"
        #expect(shell.lastCommands == ["dev@us-east-1:\(id)", "prod@eu-west-1:\(id)"])
        let out = console.stdout
        #expect(out.contains("ACCOUNT       REGION     NODE"))
        #expect(out.contains("111111111111  eu-west-1  i-00000000000000b10  Failed"))
        #expect(out.contains("== i-00000000000000a10, i-00000000000000a20 · Success, exit 0\nok\n"))
        #expect(out.contains("== i-00000000000000b10, i-00000000000000b20 · Failed, exit 2\n-- stderr\nno\n"))
        #expect(out.hasSuffix("dev@us-east-1:\(id),prod@eu-west-1:\(id)\n"))
        // A bare id the ledger knows is taken as the pair's; a qualified one is asked in its pair.
        #expect(await shell.run(source: "invocations prod@eu-west-1:\(id)", file: "t") == 0)
        #expect(await shell.run(source: "cancel prod@eu-west-1:\(id)", file: "t") == 0)
        #expect(fleets["prod@eu-west-1"]!.calls.contains("CancelCommand \(id)"))
        #expect(!fleets["dev@us-east-1"]!.calls.contains("CancelCommand \(id)"))
    }

    @Test func aPairWhoseCredentialsFailIsReportedAndSkippedWithStatus1() async throws {
        let fleets = Self.fleets(["dev@us-east-1", "prod@us-east-1"])
        fleets["prod@us-east-1"]!.failure = CredentialsError(message: "The SSO session of profile prod has expired; run 'aws sso login --profile prod'.")
        let (shell, console) = try shell(fleets)
        #expect(await shell.run(source: "use profile dev,prod\nuse tag:Role=web\necho after", file: "t") == 1, "the script goes on, and ends with 1")
        #expect(console.stdout == "after\n")
        #expect(console.stderr.contains("prod@us-east-1: The SSO session of profile prod has expired; run 'aws sso login --profile prod'. (skipped"))
        #expect(shell.targets.map(\.id) == ["i-00000000000000a10", "i-00000000000000a20"])
        #expect(shell.targets.allSatisfy { $0.pair?.description == "dev@us-east-1" })
        #expect(await shell.run(source: "run uptime\nwait", file: "t") == 0, "the nodes found go on")
        #expect(fleets["dev@us-east-1"]!.sent.count == 1)
        // A pair whose client cannot even be made (no such fake: a broken profile) is skipped too.
        #expect(await shell.run(source: "use context dev@us-east-1 dev@eu-west-1\ninstances", file: "t") == 1)
        #expect(console.stderr.contains("dev@eu-west-1: no fake for dev@eu-west-1 (skipped"))
    }

    @Test func statusActsOnEveryPair() async throws {
        let fleets = Self.fleets(["dev@us-east-1", "prod@us-east-1"])
        let (shell, console) = try shell(fleets)
        #expect(await shell.run(source: "use profile dev,prod\nstatus tag:Role=web", file: "t") == 0)
        #expect(console.stdout.split(separator: "\n").count == 5)
        #expect(console.stdout.contains("111111111111  us-east-1  i-00000000000000b10  connected"))
    }

    @Test func connectTakesAPairQualifiedTargetAndAScriptIsToldTheCandidates() async throws {
        let fleets = Self.fleets(["dev@us-east-1", "prod@us-east-1"])
        // One name in both pairs.
        fleets["prod@us-east-1"]!.nodes[0].name = "web-a1"
        fleets["prod@us-east-1"]!.nodes[0].tags["Name"] = "web-a1"
        let (shell, console) = try shell(fleets)
        #expect(await shell.run(source: "use profile dev,prod\nconnect web-a1", file: "s.ssm") == 2)
        #expect(
            console.stderr.contains(
                "connect goes to one node, and this is found in several accounts and regions: dev@us-east-1:web-a1 (i-00000000000000a10), prod@us-east-1:web-a1 (i-00000000000000b10); write the one you mean as PROFILE@REGION:TARGET"
            ))
        #expect(fleets.values.allSatisfy { $0.sessionStarts.isEmpty })
        #expect(await shell.run(source: "connect prod@us-east-1:web-a1", file: "s.ssm") == 1)
        #expect(fleets["prod@us-east-1"]!.sessionStarts.count == 1 && fleets["dev@us-east-1"]!.sessionStarts.isEmpty)
        #expect(await shell.run(source: "connect prod@us-east-1:web-zz", file: "s.ssm") == 1)
        #expect(console.stderr.contains("no managed node matches 'web-zz' in prod@us-east-1"))
    }

    @Test func runWritesEachPairsProfileAndRegionAndThePromptShowsTheContext() async throws {
        let fleets = Self.fleets(["dev@us-east-1", "dev@eu-west-1"])
        let (shell, _) = try shell(fleets)
        #expect(Prompt(shell: shell).promptText() == "default:us-east-1> ")
        #expect(await shell.run(source: "use region us-east-1,eu-west-1\nuse profile dev\nuse all\nrun echo $profile $region", file: "t") == 0)
        #expect(fleets["dev@us-east-1"]!.sent[0].parameters?["commands"] == ["echo dev us-east-1"])
        #expect(fleets["dev@eu-west-1"]!.sent[0].parameters?["commands"] == ["echo dev eu-west-1"])
        #expect(Prompt(shell: shell).promptText() == "dev:us-east-1,eu-west-1 i-00000000000000a10+3> ")
    }

    @Test func doctorChecksEveryPairUnderItsName() async throws {
        let fleets = Self.fleets(["dev@us-east-1", "prod@us-east-1"])
        let (shell, console) = try shell(fleets)
        _ = await shell.run(source: "use profile dev,prod\ndoctor", file: "t")
        let out = console.stdout
        #expect(out.contains("== dev@us-east-1\n") && out.contains("== prod@us-east-1\n"))
        #expect(out.components(separatedBy: "identity").count == 3)
        #expect(shell.isMultiContext, "doctor leaves the context as it was")
    }

    /// Each pair's fake waits until the other has been asked too: a serial fan-out never gets there.
    @Test func pairsAreAskedAtOnce() async throws {
        let fleets = Self.fleets(["dev@us-east-1", "prod@us-east-1"])
        let arrivals = Rendezvous(expected: 2)
        for fleet in fleets.values { fleet.onDescribe = { try await arrivals.arrive() } }
        let (shell, console) = try shell(fleets)
        #expect(await shell.run(source: "use profile dev,prod\nuse tag:Role=web", file: "t") == 0, "\(console.stderr)")
        #expect(shell.targets.count == 4)
    }

    @Test func aWaitWhosePairFailsEndsInsteadOfPollingForever() async throws {
        let fleets = Self.fleets(["dev@us-east-1", "prod@us-east-1"])
        fleets["prod@us-east-1"]!.outcome = { _ in ("InProgress", 0, "", "") }
        let (shell, console) = try shell(fleets)
        #expect(await shell.run(source: "use profile dev,prod\nuse tag:Role=web\nrun uptime", file: "t") == 0)
        fleets["prod@us-east-1"]!.failure = CredentialsError(message: "The SSO token has expired.")
        #expect(await shell.run(source: "wait --timeout 20s", file: "t") == 1)
        #expect(!console.stderr.contains("timed out"), "\(console.stderr)")
        #expect(console.stderr.contains("prod@us-east-1: The SSO token has expired. (skipped"))
        #expect(console.stdout.contains("us-east-1  i-00000000000000a10  Success"))
        #expect(!console.stdout.contains("i-00000000000000b10"))
        // Every pair skipped: wait ends at once.
        fleets["dev@us-east-1"]!.failure = CredentialsError(message: "The SSO token has expired.")
        #expect(await shell.run(source: "wait --timeout 20s", file: "t") == 1)
        #expect(!console.stderr.contains("timed out"))
    }

    @Test func aCommandSentBeforeSeveralPairsIsStillAskedInItsPair() async throws {
        let fleets = Self.fleets(["default@us-east-1", "prod@us-east-1"])
        let (shell, console) = try shell(fleets)
        #expect(
            await shell.run(source: "use tag:Role=web\nrun uptime\nuse context default@us-east-1 prod@us-east-1\ncancel\nwait --timeout 20s", file: "t") == 0,
            "\(console.stderr)")
        #expect(fleets["default@us-east-1"]!.calls.contains("CancelCommand 00000000-0000-0000-0000-000000000001"))
        #expect(fleets["prod@us-east-1"]!.calls.allSatisfy { !$0.hasPrefix("CancelCommand") })
        // An id this shell never sent, bare, cannot say where it is.
        #expect(await shell.run(source: "wait 00000000-0000-0000-0000-000000000009", file: "t") == 2)
        #expect(console.stderr.contains("write it as PROFILE@REGION:00000000-0000-0000-0000-000000000009"))
    }

    /// Commands already sent when a later SendCommand fails stay in the ledger and in $cmd, so
    /// wait and cancel reach them (one context too).
    @Test func aFailedSendCommandKeepsTheCommandsAlreadySent() async throws {
        let fleet = InterpreterTests.fleet(count: 60)
        fleet.refusedDocument = "AWS-RunPowerShellScript"
        let (shell, console) = InterpreterTests().shell(fleet)
        #expect(await shell.run(source: "use all\nrun uptime", file: "t") == 1)
        #expect(console.stderr.contains("not authorized to perform: ssm:SendCommand"))
        #expect(shell.lastCommands.count == 2)
        #expect(shell.ledger.targets.count == 2)
    }

    @Test func outputGoesOnWhenOnePairFails() async throws {
        let fleets = Self.fleets(["dev@us-east-1", "prod@us-east-1"])
        let (shell, console) = try shell(fleets)
        #expect(await shell.run(source: "use profile dev,prod\nuse tag:Role=web\nrun uptime", file: "t") == 0)
        fleets["prod@us-east-1"]!.failure = CredentialsError(message: "The SSO token has expired.")
        #expect(await shell.run(source: "output", file: "t") == 1)
        #expect(console.stdout.contains("== i-00000000000000a10, i-00000000000000a20 · Success, exit 0\nok\n"))
        #expect(console.stderr.contains("prod@us-east-1: The SSO token has expired. (skipped"))
    }

    // MARK: the commands that used the first pair only

    @Test func sessionsListsEveryPairWithAccountAndRegion() async throws {
        let fleets = Self.fleets(["dev@us-east-1", "prod@eu-west-1"])
        fleets["dev@us-east-1"]!.sessions = [SessionSummary(["SessionId": "alice-0a", "Target": "i-00000000000000a10", "Status": "Connected"])]
        fleets["prod@eu-west-1"]!.sessions = [SessionSummary(["SessionId": "alice-0b", "Target": "i-00000000000000b10", "Status": "Connected"])]
        let (shell, console) = try shell(fleets)
        #expect(await shell.run(source: "use context dev@us-east-1 prod@eu-west-1\nsessions", file: "t") == 0)
        let lines = console.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(console.stdout)")
        #expect(lines[0].hasPrefix("ACCOUNT       REGION     SESSION"))
        #expect(lines[1].hasPrefix("111111111110  us-east-1  alice-0a"))
        #expect(lines[2].hasPrefix("111111111111  eu-west-1  alice-0b"))
    }

    @Test func terminateEndsEachSessionInItsPair() async throws {
        let fleets = Self.fleets(["dev@us-east-1", "prod@eu-west-1"])
        fleets["prod@eu-west-1"]!.sessions = [SessionSummary(["SessionId": "alice-0b", "Target": "i-00000000000000b10", "Status": "Connected"])]
        let (shell, console) = try shell(fleets)
        #expect(await shell.run(source: "use context dev@us-east-1 prod@eu-west-1\nterminate alice-0b dev@us-east-1:alice-0a", file: "t") == 0)
        #expect(fleets["prod@eu-west-1"]!.calls.contains("TerminateSession alice-0b"))
        #expect(!fleets["dev@us-east-1"]!.calls.contains("TerminateSession alice-0b"))
        #expect(fleets["dev@us-east-1"]!.calls.contains("TerminateSession alice-0a"))
        #expect(await shell.run(source: "terminate alice-zz", file: "t") == 2)
        #expect(console.stderr.contains("session alice-zz is active in none of the context's accounts and regions"), "\(console.stderr)")
        #expect(!fleets.values.contains { $0.calls.contains("TerminateSession alice-zz") })
    }

    @Test func commandsListsEveryPairNewestFirstWithQualifiedIds() async throws {
        let fleets = Self.fleets(["dev@us-east-1", "prod@eu-west-1"])
        func command(_ id: String, _ at: Double) -> CommandSummary {
            CommandSummary(["CommandId": .string(id), "DocumentName": "AWS-RunShellScript", "Status": "Success", "RequestedDateTime": .number(at)])
        }
        fleets["dev@us-east-1"]!.commands = [command("c-dev-2", 300), command("c-dev-1", 100)]
        fleets["prod@eu-west-1"]!.commands = [command("c-prod-1", 200)]
        let (shell, console) = try shell(fleets)
        #expect(await shell.run(source: "use context dev@us-east-1 prod@eu-west-1\ncommands --limit 2", file: "t") == 0)
        let lines = console.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(console.stdout)")
        #expect(lines[0].hasPrefix("ACCOUNT       REGION     ID"))
        #expect(lines[1].hasPrefix("111111111110  us-east-1  dev@us-east-1:c-dev-2"))
        #expect(lines[2].hasPrefix("111111111111  eu-west-1  prod@eu-west-1:c-prod-1"))
    }

    @Test func getStartsEachNodesSessionInItsPair() async throws {
        let fleets = Self.fleets(["dev@us-east-1", "prod@eu-west-1"])
        let (shell, _) = try shell(fleets)
        let local = NSTemporaryDirectory() + "multi-get-\(UUID().uuidString)"
        #expect(await shell.run(source: "use context dev@us-east-1 prod@eu-west-1\nget web-b1:/etc/hostname \(local)", file: "t") == 3)
        #expect(fleets["prod@eu-west-1"]!.sessionStarts.count == 1, "web-b1 is prod's")
        #expect(fleets["dev@us-east-1"]!.sessionStarts.isEmpty)
    }

    /// `put FILE PROFILE@REGION:TARGET:PATH` looks the target up in that pair only.
    @Test func putAndGetTakeAPairQualifiedTarget() async throws {
        let fleets = Self.fleets(["dev@us-east-1", "prod@eu-west-1"])
        // One name in both pairs.
        fleets["prod@eu-west-1"]!.nodes[0].name = "web-a1"
        fleets["prod@eu-west-1"]!.nodes[0].tags["Name"] = "web-a1"
        let (shell, console) = try shell(fleets)
        let file = NSTemporaryDirectory() + "multi-put-\(UUID().uuidString)"
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(await shell.run(source: "use context dev@us-east-1 prod@eu-west-1\nput \(file) prod@eu-west-1:web-a1:/tmp/", file: "t") == 3)
        #expect(fleets["prod@eu-west-1"]!.sessionStarts.count == 1)
        #expect(fleets["dev@us-east-1"]!.sessionStarts.isEmpty, "the pair written is the only one asked")
        #expect(!fleets["dev@us-east-1"]!.calls.contains { $0.hasPrefix("DescribeInstanceInformation") })
        #expect(await shell.run(source: "get dev@us-east-1:tag:Role=web:/etc/hostname \(file).d", file: "t") == 3)
        #expect(fleets["dev@us-east-1"]!.sessionStarts.count == 2)
        #expect(await shell.run(source: "put \(file) prod@eu-west-1:/tmp/", file: "t") == 2)
        #expect(console.stderr.contains("put: prod@eu-west-1 names an account and region, not a node: write PROFILE@REGION:TARGET:PATH"), "\(console.stderr)")
        #expect(await shell.run(source: "put \(file) prod@eu-west-1:web-zz:/tmp/", file: "t") == 1)
        #expect(console.stderr.contains("no managed node matches 'web-zz' in prod@eu-west-1"), "\(console.stderr)")
    }

    /// `run --follow` read every pair's streams through the first pair's client, and sent the
    /// pair-qualified id as the CommandId.
    @Test func followListsAndReadsEachCommandInItsPair() async throws {
        let fleets = Self.fleets(["dev@us-east-1", "prod@eu-west-1"])
        let id = "00000000-0000-0000-0000-000000000001"
        for (pair, letter) in [("dev@us-east-1", "a"), ("prod@eu-west-1", "b")] {
            for n in 1...2 {
                fleets[pair]!.logEvents["/aws/ssm/AWS-RunShellScript \(id)/i-00000000000000\(letter)\(n)0/aws-runShellScript/stdout"] = ["from-\(letter)\(n)\n"]
            }
        }
        let (shell, console) = try shell(fleets)
        #expect(await shell.run(source: "use context dev@us-east-1 prod@eu-west-1\nuse tag:Role=web\nrun --follow hostname", file: "t") == 0)
        let out = console.stdout
        for line in ["a10  from-a1", "a20  from-a2", "b10  from-b1", "b20  from-b2"].map({ "i-00000000000000" + $0 }) {
            #expect(out.contains(line + "\n"), "\(out)")
        }
        for (pair, fleet) in fleets {
            #expect(fleet.calls.contains("ListCommandInvocations details \(id)"), "\(pair): \(fleet.calls)")
            #expect(!fleet.calls.contains { $0.contains("@") }, "no pair-qualified id is sent: \(fleet.calls)")
        }
        #expect(fleets["dev@us-east-1"]!.calls.filter { $0.hasPrefix("GetLogEvents") }.allSatisfy { $0.contains("/i-00000000000000a") })
        #expect(fleets["prod@eu-west-1"]!.calls.filter { $0.hasPrefix("GetLogEvents") }.allSatisfy { $0.contains("/i-00000000000000b") })
        #expect(out.contains("111111111111  eu-west-1  i-00000000000000b10  Success"), "the summary has the pairs' columns: \(out)")
    }

    /// A pair whose credentials may not read CloudWatch Logs is followed by status and its output
    /// shown at the end; it was skipped whole before, with nothing of its nodes shown.
    @Test func aPairWithoutLogsPermissionIsNamedOnceAndItsOutputShownAtTheEnd() async throws {
        let fleets = Self.fleets(["dev@us-east-1", "prod@eu-west-1"])
        let id = "00000000-0000-0000-0000-000000000001"
        for n in 1...2 {
            fleets["dev@us-east-1"]!.logEvents["/aws/ssm/AWS-RunShellScript \(id)/i-00000000000000a\(n)0/aws-runShellScript/stdout"] = ["from-a\(n)\n"]
        }
        fleets["prod@eu-west-1"]!.logsDenied = true
        fleets["prod@eu-west-1"]!.outcome = { id in ("Success", 0, "plain-\(id)\n", "") }
        let (shell, console) = try shell(fleets)
        #expect(
            await shell.run(source: "use context dev@us-east-1 prod@eu-west-1\nuse tag:Role=web\nrun --follow hostname", file: "t") == 0, "\(console.stderr)")
        #expect(console.stderr.ranges(of: "prod@eu-west-1: logs:GetLogEvents was refused").count == 1, "\(console.stderr)")
        #expect(!console.stderr.contains("skipped"), "\(console.stderr)")
        let out = console.stdout
        #expect(out.contains("i-00000000000000a10  from-a1\n"), "\(out)")
        for node in ["i-00000000000000b10", "i-00000000000000b20"] {
            #expect(out.ranges(of: "plain-\(node)\n").count == 1, "each of the pair's nodes' output, once: \(out)")
        }
    }
}

/// Lets callers through once `expected` of them have arrived; after 10 s, fails those waiting.
actor Rendezvous {
    let expected: Int
    var arrived = 0
    var waiting: [CheckedContinuation<Void, any Error>] = []
    init(expected: Int) { self.expected = expected }

    func arrive() async throws {
        arrived += 1
        if arrived >= expected {
            waiting.forEach { $0.resume() }
            waiting = []
            return
        }
        try await withCheckedThrowingContinuation { continuation in
            waiting.append(continuation)
            Task {
                try? await Task.sleep(for: .seconds(10))  // the deadline, not a synchronisation
                self.giveUp()
            }
        }
    }

    func giveUp() {
        waiting.forEach { $0.resume(throwing: ShellError("only \(arrived) of \(expected) pairs were asked at once")) }
        waiting = []
    }
}
