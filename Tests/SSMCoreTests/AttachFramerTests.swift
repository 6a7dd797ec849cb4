import SSMCore
import Testing

/// `attach`'s framing (issue 15) as a value: a node's shell output in, what it means out, at every
/// way the bytes can be cut into pieces.
@Suite struct AttachFramerTests {
    static let session = "5e5510aa5e5510aa"
    static let frame = "\u{1E}@"

    static func ready() -> String { "\(frame)R\(session)\n" }
    static func end(_ nonce: String, _ status: Int32) -> String { "\(frame)A\(session)\(nonce) \(status)\n" }
    static func err(_ line: String) -> String { "\(frame)E\(session):\(line)\n" }
    static func sync(_ nonce: String) -> String { err("S" + nonce) }

    /// What the setup's echo looks like before `stty -echo` takes effect: the script's own text.
    static let echoedSetup = AttachScript.posixSetup(session: session).replacing("\n", with: "\r\n") + "$ "

    /// Consecutive output of one kind joined, so that events compare whatever the pieces were.
    static func merged(_ events: [AttachFramer.Event]) -> [AttachFramer.Event] {
        var out: [AttachFramer.Event] = []
        for event in events {
            switch (out.last, event) {
            case (.stdout(let a), .stdout(let b)): out[out.count - 1] = .stdout(a + b)
            case (.stderr(let a), .stderr(let b)): out[out.count - 1] = .stderr(a + b)
            default: out.append(event)
            }
        }
        return out
    }

    /// A run of the framer: `steps` are bytes from the node, or a line begun, or Ctrl-C.
    enum Step {
        case bytes([UInt8])
        case begin(String)
        case interrupt(String)
    }

    static func run(_ steps: [Step], cuts: [Int]) -> [AttachFramer.Event] {
        var framer = AttachFramer(session: session)
        var events: [AttachFramer.Event] = []
        var offset = 0
        for step in steps {
            switch step {
            case .begin(let nonce): framer.begin(nonce: nonce)
            case .interrupt(let nonce): framer.interrupted(resync: nonce)
            case .bytes(let bytes):
                // The cut points fall across the whole run's bytes: pieces in this step's range.
                var start = 0
                for cut in cuts where cut > offset && cut < offset + bytes.count {
                    events += framer.feed(Array(bytes[start..<(cut - offset)]))
                    start = cut - offset
                }
                events += framer.feed(Array(bytes[start...]))
                offset += bytes.count
            }
        }
        return merged(events)
    }

    /// Every cut into two pieces, every cut into three of a short run (in a long one, the second
    /// cut a few bytes after the first), and one byte at a time, give the same events. In runs
    /// longer than 1,000 bytes the first cut moves a few bytes at a time (debug builds are slow).
    static func expectEveryChunking(_ steps: [Step], _ expected: [AttachFramer.Event], sourceLocation: SourceLocation = #_sourceLocation) {
        let total = steps.reduce(0) { if case .bytes(let b) = $1 { return $0 + b.count } else { return $0 } }
        var chunkings: [[Int]] = [[], Array(1..<max(1, total))]
        for first in stride(from: 1, to: total, by: total > 1000 ? 11 : 1) {
            chunkings.append([first])
            let seconds = total <= 160 ? Array(first + 1..<total) : [1, 2, 5, 19].map { first + $0 }.filter { $0 < total }
            for second in seconds { chunkings.append([first, second]) }
        }
        var failures = 0
        for cuts in chunkings where failures < 3 && run(steps, cuts: cuts) != expected {
            failures += 1
            Issue.record("cut at \(cuts.prefix(5)) gives \(run(steps, cuts: cuts))", sourceLocation: sourceLocation)
        }
    }

    static func bytes(_ text: String) -> Step { .bytes(Array(text.utf8)) }

    @Test func theSetupIsDiscardedAndALineSeparatesItsStreams() {
        Self.expectEveryChunking(
            [
                Self.bytes(Self.echoedSetup + "[1] 4242\n" + Self.ready()), .begin("n1"),
                Self.bytes("out 1\n" + Self.err("boom") + "out 2" + Self.end("n1", 2) + Self.err("") + Self.sync("n1")),
            ],
            // The newline after "boom" is known to be there only when the next line of stderr comes.
            [.ready, .stdout(Array("out 1\n".utf8)), .stderr(Array("boom".utf8)), .stdout(Array("out 2".utf8)), .stderr([0x0A]), .lineEnded(status: 2)])
    }

    @Test func standardErrorWithoutItsLastNewlineKeepsIt() {
        Self.expectEveryChunking(
            [Self.bytes(Self.ready()), .begin("n1"), Self.bytes(Self.err("a") + Self.err("b") + Self.sync("n1") + Self.end("n1", 0))],
            [.ready, .stderr(Array("a\nb".utf8)), .lineEnded(status: 0)])
    }

    @Test func theLineEndsOnlyOnceItsStandardErrorIsIn() {
        var framer = AttachFramer(session: Self.session)
        _ = framer.feed(Array(Self.ready().utf8))
        framer.begin(nonce: "n1")
        #expect(framer.feed(Array(Self.end("n1", 0).utf8)).isEmpty)
        #expect(framer.phase == .running)
        let late = framer.feed(Array((Self.err("late") + Self.err("") + Self.sync("n1")).utf8))
        #expect(Self.merged(late) == [.stderr(Array("late\n".utf8)), .lineEnded(status: 0)])
        #expect(framer.phase == .idle)
    }

    @Test func textThatLooksLikeAFrameIsOutput() {
        let lookalikes =
            "\(Self.frame)A\(Self.session)guess 0\n"  // a nonce nobody awaits
            + "\(Self.frame)Aother00000000000n1 0\n"  // another session's frame
            + "\(Self.frame)X\(Self.session)\n" + "\(Self.frame)\(Self.frame)R\(Self.session)\n" + "\u{1E}\u{1E}@@ \u{1E}"
        Self.expectEveryChunking(
            [Self.bytes(Self.ready()), .begin("n1"), Self.bytes(lookalikes + Self.end("n1", 0) + Self.sync("n1"))],
            [.ready, .stdout(Array(lookalikes.utf8)), .lineEnded(status: 0)])
    }

    @Test func binaryOutputPassesUnchanged() {
        let binary: [UInt8] = [0, 0x1E, 0xFF, 0x0A, 0x1E, 0x40, 0x41, 0x0D, 0x1B, 0x5B, 0x1E]
        Self.expectEveryChunking(
            [Self.bytes(Self.ready()), .begin("n1"), .bytes(binary + Array((Self.end("n1", 0) + Self.sync("n1")).utf8))],
            [.ready, .stdout(binary), .lineEnded(status: 0)])
    }

    @Test func anInterruptedLineEndsWithTheResyncWhenItsOwnEndingWasDiscarded() {
        var framer = AttachFramer(session: Self.session)
        _ = framer.feed(Array(Self.ready().utf8))
        framer.begin(nonce: "n1")
        _ = framer.feed(Array("partial".utf8))
        framer.interrupted(resync: "r1")
        // The shell's newline after Ctrl-C is not the line's output.
        #expect(Self.merged(framer.feed(Array(("\n" + Self.end("r1", 130) + Self.sync("r1")).utf8))) == [.lineEnded(status: 130)])
        #expect(framer.phase == .idle)
        // A later frame with the discarded nonce is not ours any more: output.
        framer.begin(nonce: "n2")
        #expect(framer.feed(Array(Self.end("n1", 0).utf8)) == [.stdout(Array(Self.end("n1", 0).utf8))])
    }

    @Test func anInterruptAfterTheLineEndedWaitsForTheResyncAndReportsOnce() {
        Self.expectEveryChunking(
            [
                Self.bytes(Self.ready()), .begin("n1"), .interrupt("r1"), .interrupt("r2"),
                Self.bytes(Self.end("n1", 0) + Self.sync("n1") + Self.end("r1", 0) + Self.sync("r1") + Self.sync("r2") + Self.end("r2", 0)),
            ],
            [.ready, .lineEnded(status: 0)])
        var framer = AttachFramer(session: Self.session)
        _ = framer.feed(Array(Self.ready().utf8))
        framer.begin(nonce: "n1")
        framer.interrupted(resync: "r1")
        #expect(framer.feed(Array((Self.end("n1", 1) + Self.sync("n1")).utf8)) == [.lineEnded(status: 1)])
        #expect(framer.phase == .draining)
        #expect(framer.feed(Array((Self.sync("r1") + Self.end("r1", 1)).utf8)).isEmpty)
        #expect(framer.phase == .idle)
    }

    @Test func aSecondInterruptMayDiscardTheFirstResync() {
        Self.expectEveryChunking(
            [Self.bytes(Self.ready()), .begin("n1"), .interrupt("r1"), .interrupt("r2"), Self.bytes(Self.sync("r2") + Self.end("r2", 130) + "after")],
            [.ready, .lineEnded(status: 130), .stdout(Array("after".utf8))])
    }

    @Test func aLineBegunWhileAResyncIsOutstandingDropsTheResyncsFrames() {
        Self.expectEveryChunking(
            [
                Self.bytes(Self.ready()), .begin("n1"), .interrupt("r1"), Self.bytes(Self.end("n1", 0) + Self.sync("n1")), .begin("n2"),
                Self.bytes(Self.sync("r1") + Self.end("r1", 0) + "two\n" + Self.end("n2", 0) + Self.sync("n2")),
            ],
            [.ready, .lineEnded(status: 0), .stdout(Array("two\n".utf8)), .lineEnded(status: 0)])
    }

    @Test func aFrameCutByTheTerminalsFlushIsOutputAndTheNextIsRead() {
        Self.expectEveryChunking(
            [Self.bytes(Self.ready()), .begin("n1"), .interrupt("r1"), Self.bytes("\u{1E}@A\(Self.session)n1 1" + Self.end("r1", 130) + Self.sync("r1"))],
            [.ready, .stdout(Array("\u{1E}@A\(Self.session)n1 1".utf8)), .lineEnded(status: 130)])
    }

    @Test func windowsLineEndsAreTaken() {
        let crlf =
            "\(Self.frame)R\(Self.session)\r\n" + "\(Self.frame)E\(Self.session):oops\r\n" + "\(Self.frame)E\(Self.session):Sn1\r\n"
            + "\(Self.frame)A\(Self.session)n1 1\r\n"
        var framer = AttachFramer(session: Self.session)
        _ = framer.feed(Array(crlf.prefix(20).utf8))
        framer.begin(nonce: "n1")
        #expect(Self.merged(framer.feed(Array(crlf.dropFirst(20).utf8))) == [.stderr(Array("oops".utf8)), .lineEnded(status: 1)])
    }

    @Test func aLongStandardErrorLineStreams() {
        let long = String(repeating: "e", count: 5000)
        Self.expectEveryChunking(
            [Self.bytes(Self.ready()), .begin("n1"), Self.bytes(Self.err(long) + Self.err("x") + Self.sync("n1") + Self.end("n1", 0))],
            [.ready, .stderr(Array((long + "\nx").utf8)), .lineEnded(status: 0)])
    }

    @Test func theEndOfTheSessionGivesBackWhatWasHeld() {
        var framer = AttachFramer(session: Self.session)
        _ = framer.feed(Array(Self.ready().utf8))
        framer.begin(nonce: "n1")
        #expect(framer.feed(Array("bye\u{1E}@A5e55".utf8)) == [.stdout(Array("bye".utf8))])
        #expect(framer.finish() == [.stdout(Array("\u{1E}@A5e55".utf8))])
        #expect(framer.phase == .starting)
    }

    @Test func nothingBeforeReadyIsShown() {
        var framer = AttachFramer(session: Self.session)
        #expect(framer.feed(Array((Self.echoedSetup + Self.err("x") + Self.end("n1", 0)).utf8)).isEmpty)
        #expect(framer.finish().isEmpty)
    }
}

/// The text `attach` types into the node's shell.
@Suite struct AttachScriptTests {
    @Test func theTypedTextNeverHoldsAFrameStart() {
        let texts = [
            AttachScript.posixSetup(session: "s"), AttachScript.posixLine("echo hi", session: "s", nonce: "n"),
            AttachScript.powerShellSetup(session: "s"), AttachScript.powerShellLine("dir", session: "s", nonce: "n"),
        ]
        for text in texts { #expect(!text.utf8.contains(0x1E)) }
    }

    @Test func aLineIsQuotedForEvalAndItsEndingIsALineOfItsOwn() {
        let text = AttachScript.posixLine("echo 'it''s' $HOME", session: "s1", nonce: "n1")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines[2].isEmpty)
        #expect(lines[0] == #"{ eval 'echo '\''it'\'''\''s'\'' $HOME'; } </dev/null 2>&9"#)
        #expect(lines[1].contains("__ssm_sync n1;") && lines[1].contains("s1 n1"))
    }

    @Test func powerShellLinesAreQuotedAndFramed() {
        let text = AttachScript.powerShellLine("Write-Output 'a'", session: "s1", nonce: "n1")
        #expect(text.contains("Invoke-Expression 'Write-Output ''a'''"))
        #expect(text.contains("__ssm_sync 'n1'") && text.contains("'As1n1 '"))
        #expect(AttachScript.powerShellSetup(session: "s1").contains("__ssm_frame 'Rs1'"))
    }

    @Test func linesTheTerminalWouldMangleAreRefused() {
        #expect(AttachScript.problem(with: "echo\u{15}x") != nil)
        #expect(AttachScript.problem(with: "echo \u{7F}") != nil)
        #expect(AttachScript.problem(with: String(repeating: "x", count: AttachScript.lineLimit + 1)) != nil)
        #expect(AttachScript.problem(with: "printf 'a\\tb'\tx") == nil)
    }
}
