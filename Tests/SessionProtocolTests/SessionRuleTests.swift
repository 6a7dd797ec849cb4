import SessionProtocol
import Testing

/// The small rules the session machines share: ssh's escapes, the input gate, liveness.
@Suite struct EscapeScannerTests {
    static func scanned(_ chunks: [String]) -> [EscapeScanner.Piece] {
        var scanner = EscapeScanner()
        var pieces: [EscapeScanner.Piece] = []
        for chunk in chunks {
            pieces += scanner.scan(Array(chunk.utf8))
            if pieces.last == .leave { break }
        }
        return pieces
    }

    static func keys(_ pieces: [EscapeScanner.Piece]) -> String {
        pieces.compactMap {
            if case .keys(let k) = $0 { return String(decoding: k, as: UTF8.self) }; return nil
        }.joined()
    }

    @Test func tildeDotAtTheStartOfALineLeavesAfterSendingWhatCameBefore() {
        #expect(Self.scanned(["~."]) == [.leave])
        #expect(Self.scanned(["ls\r~.rest"]) == [.keys(Array("ls\r".utf8)), .leave], "the rest of the chunk is not sent")
        #expect(Self.scanned(["ls\n", "~", ".", "x"]) == [.keys(Array("ls\n".utf8)), .leave], "an escape cut across reads")
    }

    @Test func escapesAreOnlyRecognisedAtTheStartOfALine() {
        #expect(Self.scanned(["a~."]) == [.keys(Array("a~.".utf8))])
        #expect(Self.keys(Self.scanned(["echo ~/x\r"])) == "echo ~/x\r")
    }

    @Test func doubleTildeSendsOneAndOtherKeysSendBoth() {
        #expect(Self.keys(Self.scanned(["~~"])) == "~")
        #expect(Self.keys(Self.scanned(["~x"])) == "~x")
        // After `~~` the line has begun: a `~.` right after is plain text.
        #expect(Self.keys(Self.scanned(["~~~."])) == "~~.")
    }

    @Test func tildeQuestionMarkAsksForHelpAndSendsNothing() {
        let pieces = Self.scanned(["ab\r~?cd"])
        #expect(pieces == [.help, .keys(Array("ab\rcd".utf8))])
        #expect(Self.scanned(["\r~", "?"]) == [.keys([13]), .help])
    }

    @Test func everyChunkingOfTheSameKeysGivesTheSameKeysAndEnd() {
        let text = Array("pwd\r~~x\r~?~.tail".utf8)
        for cut in 0...text.count {
            let pieces = Self.scanned([String(decoding: text[..<cut], as: UTF8.self), String(decoding: text[cut...], as: UTF8.self)])
            #expect(Self.keys(pieces) == "pwd\r~x\r", "cut \(cut)")
            #expect(pieces.last == .leave, "cut \(cut)")
            #expect(pieces.filter { $0 == .help }.count == 1, "cut \(cut)")
        }
    }
}

@Suite struct InputGateTests {
    @Test func closedUntilHandshakeCompleteHoweverLongAStartedHandshakeTakes() {
        var gate = InputGate()
        gate.connected(now: 100)
        gate.handshakeBegan()
        let opened = gate.tick(now: 200)
        #expect(!opened)
        #expect(!gate.isOpen)
        gate.open()
        #expect(gate.isOpen)
    }

    @Test func aSilentAgentGetsTheInputAfterFiveSecondsOfTheFirstConnection() {
        var gate = InputGate()
        gate.connected(now: 10)
        let early = gate.tick(now: 15)
        #expect(!early)
        gate.connected(now: 14)  // a reconnect does not restart the delay
        let late = gate.tick(now: 15.01)
        #expect(late)
        #expect(gate.isOpen)
        let again = gate.tick(now: 30)
        #expect(!again, "opened once")
    }

    @Test func nothingOpensBeforeAnyConnection() {
        var gate = InputGate()
        let opened = gate.tick(now: 1_000)
        #expect(!opened)
    }
}

@Suite struct LivenessTests {
    /// The loop checks before it reads: a first check over the limit (after a suspension) only
    /// asks; what is heard before the next check keeps the connection (closing8, "Open").
    @Test func whatIsHeardAfterALateCheckKeepsTheConnection() {
        var liveness = Liveness(now: 0)
        #expect(liveness.check(now: 0) == .ping)
        #expect(liveness.check(now: 90) == .ping)
        liveness.heard(now: 90.01)
        #expect(liveness.check(now: 90.05) == .alive)
    }

    @Test func pingsEveryTwentySecondsAndGivesUpAfterSixtySilent() {
        var liveness = Liveness(now: 1_000)
        let verdicts = [1_000, 1_019, 1_020.5].map { liveness.check(now: $0) }
        #expect(verdicts == [.ping, .alive, .ping], "the first check pings, then every 20 s")
        liveness.heard(now: 1_030)
        // Over the limit, a check asks again; the next one with nothing heard between ends it.
        let later = [1_089, 1_090.5, 1_090.55].map { liveness.check(now: $0) }
        #expect(later == [.ping, .ping, .dead])
    }
}
