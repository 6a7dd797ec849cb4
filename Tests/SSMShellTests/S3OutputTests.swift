import AWSCore
import SSMCore
@testable import SSMShell
import ShellLanguage
import Testing

/// `run --output-bucket`, `set output-bucket`, `output` reading whole streams from S3, and the
/// note saying which option gets the rest, against the fake fleet's S3.
@Suite struct S3OutputTests {
    let first = "00000000-0000-0000-0000-000000000001"
    let web1 = "i-00000000000000001"
    let web2 = "i-00000000000000002"

    func shell(_ fleet: FakeFleet) -> (Shell, CapturingConsole) { InterpreterTests().shell(fleet) }

    @Test func runOutputBucketSendsBucketAndPrefixAndSetIsTheDefault() async throws {
        let fleet = InterpreterTests.fleet()
        let (shell, _) = shell(fleet)
        #expect(await shell.run(source: "use web-1\nrun --output-bucket my.bucket uptime\nrun --output-bucket=out-b/team/x uptime\nrun uptime", file: "t") == 0)
        #expect(fleet.sent.map(\.outputS3BucketName) == ["my.bucket", "out-b", nil])
        #expect(fleet.sent.map(\.outputS3KeyPrefix) == [nil, "team/x", nil])
        #expect(
            await shell.run(source: "set output-bucket logs-b/p\nrun uptime\nrun --output-bucket other uptime\nset output-bucket off\nrun uptime", file: "t")
                == 0)
        #expect(fleet.sent.suffix(3).map { $0.outputS3BucketName } == ["logs-b", "other", nil])
        #expect(fleet.sent.suffix(3).map { $0.outputS3KeyPrefix } == ["p", nil, nil])
    }

    @Test func aBadBucketSendsNothing() async throws {
        let fleet = InterpreterTests.fleet()
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1\nrun --output-bucket Bad_Bucket uptime", file: "t") == 2)
        #expect(await shell.run(source: "set output-bucket /x", file: "t") == 2)
        #expect(fleet.sent.isEmpty)
        #expect(console.stderr.contains("does not start with a bucket name"), "\(console.stderr)")
    }

    @Test func setListsTheBucket() async throws {
        let fleet = InterpreterTests.fleet()
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "set output-bucket b-1/pre\nset", file: "t") == 0)
        #expect(console.stdout.contains("output-bucket=b-1/pre\n"), "\(console.stdout)")
    }

    @Test func outputReadsTheWholeStreamsFromS3WhereTheServiceCutThem() async throws {
        let fleet = InterpreterTests.fleet()
        let cut = String(repeating: "x", count: 23_980) + "--output truncated--"
        let longError = String(repeating: "e", count: 8_000)
        fleet.outcome = { id in id.hasSuffix("1") ? ("Success", 0, cut, longError) : ("Success", 0, "short\n", "") }
        let whole = (1...20).map { "line \($0) " + String(repeating: "x", count: 10_000) }.joined(separator: "\n") + "\n"
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1 web-2\nrun --output-bucket out-b/pre 'seq 20'", file: "t") == 0)
        let input = fleet.sent[0]
        fleet.objects["out-b/" + FakeFleet.outputKey(input, first, web1, "stdout")] = Array(whole.utf8)
        fleet.objects["out-b/" + FakeFleet.outputKey(input, first, web1, "stderr")] = Array((longError + "\nmore\n").utf8)
        #expect(await shell.run(source: "output", file: "t") == 0)
        let out = console.stdout
        #expect(out.contains("== web-1 · Success, exit 0\n" + whole + "-- stderr\n" + longError + "\nmore\n"))
        #expect(!out.contains("(stdout cut") && !out.contains("(stderr truncated"), "the whole output needs no note")
        #expect(out.contains("== web-2 · Success, exit 0\nshort\n"))
        let gets = fleet.calls.filter { $0.hasPrefix("GetObject") }
        #expect(
            gets == [
                "GetObject out-b pre/\(first)/\(web1)/awsrunShellScript/0.awsrunShellScript/stdout eu-west-1",
                "GetObject out-b pre/\(first)/\(web1)/awsrunShellScript/0.awsrunShellScript/stderr eu-west-1",
            ], "output that was not cut is not read again: \(gets)")
    }

    @Test func onlyTheStreamThatWasCutIsRead() async throws {
        let fleet = InterpreterTests.fleet()
        fleet.outcome = { _ in ("Success", 0, String(repeating: "y", count: 23_980) + "--output truncated--", "a warning\n") }
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1\nrun --output-bucket out-b 'yes | head'", file: "t") == 0)
        fleet.objects["out-b/" + FakeFleet.outputKey(fleet.sent[0], first, web1, "stdout")] = Array("all of it\n".utf8)
        #expect(await shell.run(source: "output", file: "t") == 0)
        #expect(console.stdout.hasSuffix("== web-1 · Success, exit 0\nall of it\n-- stderr\na warning\n"), "\(console.stdout)")
        #expect(fleet.calls.filter { $0.hasPrefix("GetObject") }.count == 1, "stderr was whole: not read")
    }

    @Test func cutOutputWithoutS3OrCloudWatchSaysWhichOptionGetsTheRest() async throws {
        let fleet = InterpreterTests.fleet()
        fleet.outcome = { _ in ("Success", 0, String(repeating: "z", count: 23_980) + "--output truncated--", String(repeating: "e", count: 8_000)) }
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1\nrun --wait 'yes | head -c 99999'", file: "t") == 0)
        #expect(
            console.stdout.contains("(stdout cut by the agent at 24,000 characters: run the command with --output-bucket BUCKET (S3) or --cloudwatch"),
            "\(console.stdout)")
        #expect(console.stdout.contains("(stderr truncated by Systems Manager at 8,000 characters: --output-bucket BUCKET or --cloudwatch keeps all of it)"))
        #expect(!fleet.calls.contains { $0.hasPrefix("GetObject") })
    }

    @Test func aMissingObjectKeepsWhatTheServiceKeptAndSaysSo() async throws {
        let fleet = InterpreterTests.fleet()
        let kept = String(repeating: "z", count: 23_980)
        fleet.outcome = { _ in ("Success", 0, kept + "--output truncated--", "") }
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1\nrun --output-bucket out-b uptime\noutput", file: "t") == 0)
        #expect(
            console.stdout.contains(
                "== web-1 · Success, exit 0\n" + kept
                    + "\n(stdout cut by the agent at 24,000 characters; the whole of it is in S3 but could not be read, as said above)\n"),
            "never lost: \(console.stdout.suffix(200))")
        #expect(console.stderr.contains("web-1: s3://out-b/\(first)/\(web1)/awsrunShellScript/0.awsrunShellScript/stdout is not there"), "\(console.stderr)")
    }

    /// Each stream on its own: stderr read whole while stdout could not be gets no "truncated" note.
    @Test func aStreamReadWholeHasNoNoteWhenTheOtherCouldNotBeRead() async throws {
        let fleet = InterpreterTests.fleet()
        let kept = String(repeating: "z", count: 23_980)
        fleet.outcome = { _ in ("Success", 0, kept + "--output truncated--", String(repeating: "e", count: 8_000)) }
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1\nrun --output-bucket out-b uptime", file: "t") == 0)
        fleet.objects["out-b/" + FakeFleet.outputKey(fleet.sent[0], first, web1, "stderr")] = Array((String(repeating: "e", count: 9_000) + "\n").utf8)
        #expect(await shell.run(source: "output", file: "t") == 0)
        let out = console.stdout
        #expect(out.contains("-- stderr\n" + String(repeating: "e", count: 9_000) + "\n"), "\(out.suffix(200))")
        #expect(!out.contains("(stderr truncated"), "\(out.suffix(300))")
        #expect(out.contains("(stdout cut by the agent at 24,000 characters; the whole of it is in S3 but could not be read, as said above)"))
    }

    @Test func aRefusedS3ReadKeepsTheOutputAndNamesTheActionToAllow() async throws {
        let fleet = InterpreterTests.fleet()
        let kept = String(repeating: "z", count: 23_980)
        fleet.outcome = { id in id.hasSuffix("1") ? ("Success", 0, kept + "--output truncated--", "") : ("Success", 0, "short\n", "") }
        let (shell, console) = shell(fleet)
        #expect(await shell.run(source: "use web-1 web-2\nrun --output-bucket denied-b uptime\noutput", file: "t") == 0)
        #expect(console.stdout.contains("== web-1 · Success, exit 0\n" + kept + "\n"), "\(console.stdout.suffix(300))")
        #expect(console.stdout.contains("== web-2 · Success, exit 0\nshort\n"), "the other nodes are shown too")
        #expect(console.stderr.contains("web-1: could not read s3://denied-b/"), "\(console.stderr)")
        #expect(console.stderr.contains("ssm-shell needs s3:GetObject for this"), "\(console.stderr)")
    }

    @Test func policyKnowsTheS3Action() throws {
        let later = try Parser.parse("use web-1\nset output-bucket b-1\nrun uptime\noutput\n", file: "t")
        #expect(PolicyBuilder.actions(of: later).contains("s3:GetObject"))
        let direct = try Parser.parse("use web-1\nrun --output-bucket b-1 uptime\noutput\n", file: "t")
        #expect(PolicyBuilder.actions(of: direct).contains("s3:GetObject"))
        let plain = try Parser.parse("use web-1\nrun uptime\noutput\n", file: "t")
        #expect(!PolicyBuilder.actions(of: plain).contains("s3:GetObject"))
        #expect(IAMActions.byOperation["GetObject"] == "s3:GetObject")
    }
}
