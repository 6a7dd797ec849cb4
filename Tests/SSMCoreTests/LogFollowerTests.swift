import SSMCore
import Testing

/// The follower's token rules, one by one, and the names it reads.
@Suite struct LogFollowerTests {
    typealias Follower = LogFollower
    let web1 = LogFollower.Invocation(commandId: "c1", instanceId: "i-1")
    let web2 = LogFollower.Invocation(commandId: "c1", instanceId: "i-2")

    func listing(_ invocation: LogFollower.Invocation, ended: Bool = false, group: String? = "/aws/ssm/AWS-RunShellScript") -> LogFollower.Listing {
        LogFollower.Listing(invocation: invocation, ended: ended, group: group, plugins: ["aws:runShellScript"])
    }

    func reads(_ action: LogFollower.Action) -> [LogFollower.Read] {
        if case .read(let reads) = action { return reads }
        Issue.record("expected reads, got \(action)")
        return []
    }

    /// A follower that has listed web1 running and been asked for its first reads.
    func started() -> (LogFollower, stdout: LogFollower.Read, stderr: LogFollower.Read) {
        var follower = LogFollower(expecting: [web1], now: 0)
        #expect(follower.next(now: 0) == .listInvocations)
        follower.listed([listing(web1)], now: 0)
        let first = reads(follower.next(now: 0))
        #expect(first.count == 2)
        return (follower, first[0], first[1])
    }

    @Test func streamsAreNamedAsTheAgentNamesThem() {
        #expect(CommandLogNames.stream(commandId: "c1", instanceId: "i-1", plugin: "aws:runShellScript", stderr: false) == "c1/i-1/aws-runShellScript/stdout")
        #expect(CommandLogNames.stream(commandId: "c1", instanceId: "mi-1", plugin: "step*1:x", stderr: true) == "c1/mi-1/step-1-x/stderr")
        #expect(CommandLogNames.group(configured: nil, documentName: "AWS-RunShellScript") == "/aws/ssm/AWS-RunShellScript")
        #expect(CommandLogNames.group(configured: "", documentName: "My Doc:v1") == "/aws/ssm/My.Doc.v1")
        #expect(CommandLogNames.group(configured: "mine", documentName: "AWS-RunShellScript") == "mine")
    }

    /// With several pairs a command is PROFILE@REGION:ID; its streams are named by the id alone.
    @Test func aPairQualifiedCommandReadsTheStreamsOfItsBareId() {
        let qualified = LogFollower.Invocation(commandId: "prod@eu-west-1:c1", instanceId: "i-1")
        var follower = LogFollower(expecting: [qualified], now: 0)
        #expect(follower.next(now: 0) == .listInvocations)
        follower.listed([listing(qualified)], now: 0)
        let first = reads(follower.next(now: 0))
        #expect(first.map(\.stream.name) == ["c1/i-1/aws-runShellScript/stdout", "c1/i-1/aws-runShellScript/stderr"])
        #expect(first.allSatisfy { $0.stream.invocation == qualified })
    }

    @Test func eventsSplitIntoLinesWhetherOrNotTheyEndInANewline() {
        #expect(CommandLogNames.lines(of: "a\nb\n") == ["a", "b"])
        #expect(CommandLogNames.lines(of: "a\nb") == ["a", "b"])
        #expect(CommandLogNames.lines(of: "\n") == [""])
        #expect(CommandLogNames.lines(of: "x\r\ny\r\n") == ["x", "y"])
        #expect(CommandLogNames.lines(of: "a\n\nb\n") == ["a", "", "b"])
    }

    @Test func theFirstReadIsFromTheHeadAndTheNextSendsTheForwardToken() {
        var (follower, stdout, stderr) = started()
        #expect(stdout.token == nil && stderr.token == nil)
        #expect(stdout.stream.name == "c1/i-1/aws-runShellScript/stdout" && stderr.stream.stderr)
        let lines = follower.received(stdout, messages: ["one\ntwo\n"], nextForwardToken: "f/1", now: 0.1)
        #expect(lines.map(\.text) == ["one", "two"])
        #expect(lines.allSatisfy { $0.invocation == web1 && !$0.stderr })
        follower.missing(stderr, now: 0.1)
        // A new token: read again at once, with it.
        let again = reads(follower.next(now: 0.1))
        #expect(again.map(\.token) == ["f/1"])
    }

    @Test func theSameTokenBackMeansNothingNewAndWaitsTheInterval() {
        var (follower, stdout, stderr) = started()
        _ = follower.received(stdout, messages: [], nextForwardToken: "f/1", now: 0)
        follower.missing(stderr, now: 0)
        let second = reads(follower.next(now: 0))
        #expect(second.map(\.token) == ["f/1"])
        #expect(follower.received(second[0], messages: [], nextForwardToken: "f/1", now: 0.2).isEmpty)
        // Caught up: nothing until the read interval has passed (1 s), the listing at 2 s.
        #expect(follower.next(now: 0.5) == .sleep(0.5))
        #expect(reads(follower.next(now: 1.2)).map(\.stream.stderr) == [false, true])
    }

    @Test func aNewTokenWithNoEventsIsReadAgainAtOnce() {
        // GetLogEvents may answer an empty page with a new token: more may follow it.
        var (follower, stdout, _) = started()
        _ = follower.received(stdout, messages: [], nextForwardToken: "f/1", now: 0)
        let next = reads(follower.next(now: 0))
        #expect(follower.received(next[0], messages: [], nextForwardToken: "f/2", now: 0).isEmpty)
        #expect(reads(follower.next(now: 0)).map(\.token) == ["f/2"])
    }

    @Test func aStaleOrRepeatedAnswerPrintsNothingTwice() {
        var (follower, stdout, _) = started()
        #expect(follower.received(stdout, messages: ["a\n"], nextForwardToken: "f/1", now: 0).count == 1)
        // The same answer handed over again (no read in flight for that token).
        #expect(follower.received(stdout, messages: ["a\n"], nextForwardToken: "f/1", now: 0).isEmpty)
        let next = reads(follower.next(now: 0))
        #expect(follower.received(next[0], messages: ["b\n"], nextForwardToken: "f/2", now: 0).map(\.text) == ["b"])
        #expect(follower.received(next[0], messages: ["b\n"], nextForwardToken: "f/2", now: 0).isEmpty)
    }

    @Test func aReadSentBeforeTheEndDoesNotFinishTheStream() {
        var (follower, stdout, stderr) = started()
        // The invocation ends while the first reads are out: their answers were read before
        // the end was seen, so each stream needs one more.
        #expect(follower.next(now: 2) == .listInvocations)
        follower.listed([listing(web1, ended: true)], now: 2)
        _ = follower.received(stdout, messages: ["a\n"], nextForwardToken: "f/1", now: 2)
        follower.missing(stderr, now: 2)
        var last = reads(follower.next(now: 2))
        #expect(last.map(\.token) == ["f/1"], "stderr is read again after the interval")
        #expect(follower.received(last[0], messages: ["late\n"], nextForwardToken: "f/2", now: 2).map(\.text) == ["late"])
        last = reads(follower.next(now: 2))
        #expect(follower.received(last[0], messages: [], nextForwardToken: "f/2", now: 2).isEmpty)
        #expect(follower.next(now: 2.5) == .sleep(0.5), "stderr's last read is still to come")
        let stderrLast = reads(follower.next(now: 3))
        #expect(stderrLast.count == 1 && stderrLast[0].stream.stderr)
        follower.missing(stderrLast[0], now: 3)
        #expect(follower.next(now: 3) == .finished)
    }

    @Test func theInvocationsStillRunningKeepTheFollowerGoing() {
        var follower = LogFollower(expecting: [web1, web2], now: 0)
        #expect(follower.next(now: 0) == .listInvocations)
        // web2 not listed yet: pending. web1 ended without ever having plugins (never delivered).
        follower.listed([LogFollower.Listing(invocation: web1, ended: true, group: "g", plugins: [])], now: 0)
        #expect(follower.next(now: 0) == .sleep(2))
        #expect(follower.next(now: 2) == .listInvocations)
        follower.listed([LogFollower.Listing(invocation: web1, ended: true, group: "g", plugins: []), listing(web2, ended: true)], now: 2)
        let last = reads(follower.next(now: 2))
        #expect(Set(last.map(\.stream.invocation)) == [web2])
        for read in last { _ = follower.received(read, messages: [], nextForwardToken: nil, now: 2) }
        #expect(follower.next(now: 2) == .finished)
    }

    @Test func nothingIsListedAgainWhileAListingIsOut() {
        var follower = LogFollower(expecting: [web1], now: 0)
        #expect(follower.next(now: 0) == .listInvocations)
        #expect(follower.next(now: 5) == .sleep(1), "no listing, no streams yet: a nap")
        follower.listFailed(now: 5)
        #expect(follower.next(now: 6) == .sleep(1))
        #expect(follower.next(now: 7) == .listInvocations)
    }

    @Test func anInvocationWithoutCloudWatchIsNotFollowed() {
        var follower = LogFollower(expecting: [web1], now: 0)
        _ = follower.next(now: 0)
        follower.listed([listing(web1, ended: true, group: nil)], now: 0)
        #expect(follower.withoutCloudWatch == [web1])
        #expect(follower.next(now: 0) == .finished)
    }

    @Test func aMissingStreamAfterTheEndHadNothingWritten() {
        var follower = LogFollower(expecting: [web1], now: 0)
        _ = follower.next(now: 0)
        follower.listed([listing(web1, ended: true)], now: 0)
        for read in reads(follower.next(now: 0)) { follower.missing(read, now: 0) }
        #expect(follower.next(now: 0) == .finished)
    }

    @Test func newPluginsOfALaterListingAreReadFromTheHead() {
        var follower = LogFollower(expecting: [web1], now: 0)
        _ = follower.next(now: 0)
        follower.listed([listing(web1)], now: 0)
        for read in reads(follower.next(now: 0)) { _ = follower.received(read, messages: [], nextForwardToken: "t", now: 0) }
        _ = reads(follower.next(now: 0))
        #expect(follower.next(now: 2) == .listInvocations)
        follower.listed([LogFollower.Listing(invocation: web1, ended: false, group: "g", plugins: ["aws:runShellScript", "second"])], now: 2)
        let fresh = reads(follower.next(now: 2))
        #expect(fresh.map(\.stream.name) == ["c1/i-1/second/stdout", "c1/i-1/second/stderr"])
        #expect(fresh.allSatisfy { $0.token == nil && $0.stream.group == "g" })
    }

    @Test func manyStreamsAreReadNoFasterThanTheQuotaAllows() {
        // 30 nodes, 60 streams, every read answered at once: 10 reads a second, with a burst of
        // at most 10 more (the bucket's size), so never more than 20 in any second, below the
        // service's 25; each stream still read every 6 s or so.
        let nodes = (1...30).map { LogFollower.Invocation(commandId: "c1", instanceId: "i-\($0)") }
        var follower = LogFollower(expecting: nodes, now: 0)
        var times: [Double] = []
        var perStream: [String: Int] = [:]
        var now = 0.0
        while now < 20 {
            switch follower.next(now: now) {
            case .listInvocations: follower.listed(nodes.map { listing($0) }, now: now)
            case .read(let reads):
                for read in reads {
                    times.append(now)
                    perStream[read.stream.name, default: 0] += 1
                    follower.missing(read, now: now)
                }
            case .sleep(let nap): now += nap
            case .finished: Issue.record("nothing has ended")
            }
        }
        for start in stride(from: 0.0, to: 19, by: 0.05) {
            #expect(times.filter { $0 >= start && $0 < start + 1 }.count <= 20, "reads in [\(start), \(start + 1))")
        }
        #expect(times.count <= 10 + 10 * 20, "10 a second after the first 10")
        #expect(perStream.count == 60 && perStream.values.allSatisfy { $0 >= 2 }, "\(perStream.values.sorted())")
    }

    @Test func aFailedReadIsTriedAgainWithTheSameTokenAfterAGrowingWait() {
        var follower = LogFollower(expecting: [web1], now: 0, listInterval: 100)
        _ = follower.next(now: 0)
        follower.listed([LogFollower.Listing(invocation: web1, ended: false, group: "g", plugins: ["p"])], now: 0)
        let first = reads(follower.next(now: 0))
        _ = follower.received(first[0], messages: ["a\n"], nextForwardToken: "f/1", now: 0)
        _ = follower.received(first[1], messages: [], nextForwardToken: "e/1", now: 0)
        var read = reads(follower.next(now: 0))
        #expect(read.map(\.token) == ["f/1", "e/1"])
        follower.failed(read[0], now: 0)
        _ = follower.received(read[1], messages: [], nextForwardToken: "e/1", now: 0)
        #expect(follower.next(now: 0) == .sleep(1), "stderr again at 1 s; stdout waits 2 s")
        read = reads(follower.next(now: 2))
        #expect(read.map(\.token) == ["f/1", "e/1"], "the failed read again, with its token")
        follower.failed(read[0], now: 2)
        #expect(follower.received(read[0], messages: ["late answer\n"], nextForwardToken: "f/2", now: 2).isEmpty, "a failed read's answer is not taken")
        _ = follower.received(read[1], messages: [], nextForwardToken: "e/1", now: 2)
        #expect(reads(follower.next(now: 5.9)).map(\.token) == ["e/1"], "stdout waits 4 s after its second failure")
        #expect(reads(follower.next(now: 6)).map(\.token) == ["f/1"])
    }

    @Test func aLineTheAgentSentInPiecesIsOneLine() {
        // agent cloudwatchlogsservice.go: a line past its 200,000-byte buffer goes out in pieces
        // of 200,000 bytes without a newline; once complete, events lose their last newline.
        let piece = String(repeating: "p", count: LogLineJoiner.pieceBytes)
        var joiner = LogLineJoiner()
        #expect(joiner.add("head\n" + String(piece.dropFirst(5))).isEmpty == false)
        var again = LogLineJoiner()
        #expect(again.add(piece).isEmpty)
        #expect(again.add(piece).isEmpty)
        #expect(again.add("tail\n") == [piece + piece + "tail"])
        #expect(again.add("last without newline") == ["last without newline"])
        #expect(again.add("x\ny") == ["x", "y"], "a short event ends its last line")
        #expect(again.add(piece).isEmpty)
        #expect(again.finish() == [piece], "what is held comes out at the end")
        #expect(again.finish().isEmpty)
    }

    @Test func aPieceHeldAtTheEndOfAStreamComesOutWithItsLastRead() {
        var (follower, stdout, stderr) = started()
        let piece = String(repeating: "p", count: LogLineJoiner.pieceBytes)
        #expect(follower.received(stdout, messages: ["a\n", piece], nextForwardToken: "f/1", now: 0).map(\.text) == ["a"])
        follower.missing(stderr, now: 0)
        #expect(follower.next(now: 2) == .listInvocations)
        follower.listed([listing(web1, ended: true)], now: 2)
        let last = reads(follower.next(now: 2))
        #expect(last.count == 2)
        #expect(follower.received(last[0], messages: [], nextForwardToken: "f/1", now: 2).map(\.text) == [piece])
    }
}
