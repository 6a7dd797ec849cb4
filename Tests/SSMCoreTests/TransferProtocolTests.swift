import Crypto
import SSMCore
import Testing
import TestSupport

/// The put/get transfer protocol as values (issue 13): framing, the node's answers, the
/// decoder of what the sender prints, at every way the bytes can be cut into pieces.
@Suite struct TransferProtocolTests {
    static func senderOutput(_ files: [(path: String, mode: String, bytes: [UInt8])], directory: String? = nil, noise: String = "") -> [UInt8] {
        let m = GetSenderScript.marker
        var text = noise
        if let directory { text += "\(m) D 750 \(Base64.encode(Array(directory.utf8)))\n" }
        for file in files {
            text += "\(m) F \(file.mode) \(file.bytes.count) \(Base64.encode(Array(file.path.utf8)))\n"
            text += Base64.encode(file.bytes) + "\n"
            text += "\(m) S \(Hex.encode(Digest.sha256(file.bytes)))\n"
        }
        text += "\(m) END\n"
        return Array(text.utf8)
    }

    /// Feeds `bytes` cut at the given sizes (cycled) and collects what the decoder says.
    static func decode(_ bytes: [UInt8], pieces: [Int]) -> [GetStreamDecoder.Event] {
        var decoder = GetStreamDecoder()
        var events: [GetStreamDecoder.Event] = []
        var start = 0
        var turn = 0
        while start < bytes.count {
            let end = min(bytes.count, start + max(1, pieces[turn % pieces.count]))
            events += decoder.feed(Array(bytes[start..<end]))
            start = end
            turn += 1
        }
        return events
    }

    /// Data events joined, the rest as they are.
    static func merged(_ events: [GetStreamDecoder.Event]) -> [GetStreamDecoder.Event] {
        var out: [GetStreamDecoder.Event] = []
        for event in events {
            if case .data(let more) = event, case .data(let have)? = out.last {
                out[out.count - 1] = .data(have + more)
            } else {
                out.append(event)
            }
        }
        return out
    }

    @Test func theDecoderGivesBackEveryByteAndBothDigestsAtEveryChunking() {
        var random = SplitMix64(seed: 13)
        let binary = (0..<1000).map { _ in UInt8.random(in: 0...255, using: &random) } + [0xEF, 0xBF, 0xBD, 0, 0, 0x0A, 0x0D]
        let stream = Self.senderOutput([("d/a b.bin", "640", binary), ("d/empty", "600", []), ("d/two", "755", [1, 2])], directory: "d")
        let sha = Hex.encode(Digest.sha256(binary))
        let expected: [GetStreamDecoder.Event] = [
            .directory(TransferEntry(kind: .directory, path: "d", mode: 0o750)),
            .fileBegin(TransferEntry(kind: .file(size: binary.count), path: "d/a b.bin", mode: 0o640)), .data(binary),
            .fileEnd(expected: sha, received: sha),
            .fileBegin(TransferEntry(kind: .file(size: 0), path: "d/empty", mode: 0o600)),
            .fileEnd(expected: Hex.encode(Digest.sha256([])), received: Hex.encode(Digest.sha256([]))),
            .fileBegin(TransferEntry(kind: .file(size: 2), path: "d/two", mode: 0o755)), .data([1, 2]),
            .fileEnd(expected: Hex.encode(Digest.sha256([1, 2])), received: Hex.encode(Digest.sha256([1, 2]))),
            .end,
        ]
        for size in 1...64 {
            #expect(Self.merged(Self.decode(stream, pieces: [size])) == expected, "pieces of \(size)")
        }
        for seed in 0..<50 {
            var cut = SplitMix64(seed: UInt64(seed))
            let pieces = (0..<20).map { _ in Int.random(in: 1...3000, using: &cut) }
            #expect(Self.merged(Self.decode(stream, pieces: pieces)) == expected, "seed \(seed)")
        }
    }

    @Test func aChangedByteShowsAsDifferentDigests() {
        var stream = Self.senderOutput([("f", "644", Array("hello world".utf8))])
        // The base64 of "hello world" is aGVsbG8gd29ybGQ=; turn its 'G' into 'H'.
        let index = stream.firstIndex(of: UInt8(ascii: "G"))!
        stream[index] = UInt8(ascii: "H")
        let events = Self.decode(stream, pieces: [7])
        guard case .fileEnd(let expected, let received)? = events.first(where: { if case .fileEnd = $0 { return true } else { return false } }) else {
            Issue.record("no file end in \(events)")
            return
        }
        #expect(expected != received)
    }

    @Test func outputThatIsNotTheSendersStopsTheCopy() {
        let m = GetSenderScript.marker
        let cases: [(String, String)] = [
            ("\(m) F 644 3 Zg==\nab$c\n", "not the file's base64"),
            ("\(m) F 644 4 Zg==\nYQ==YWJj\n", "not the file's base64"),  // padding in the middle of the line
            ("\(m) F 644 1 Zg==\nY===\n", "not the file's base64"),
            ("\(m) F 644 3 Zg==\nYWJj\nsomething else\n", "no digest"),
            ("\(m) D 755 Li4vZXRj\n", "does not understand"),  // ../etc
            ("\(m) D 755 L2V0Yw==\n", "does not understand"),  // /etc
            ("\(m) Q what\n", "does not understand"),
            ("\(m) FAIL x: no such file or directory on the node\n", "no such file"),
        ]
        for (text, phrase) in cases {
            let events = Self.decode(Array(text.utf8), pieces: [5])
            guard case .failed(let why)? = events.last else {
                Issue.record("\(text) gave \(events)")
                continue
            }
            #expect(why.contains(phrase), "\(why)")
        }
    }

    @Test func linesBeforeTheSendersAreKeptAsOtherOutputAndSkipsAreReported() {
        let m = GetSenderScript.marker
        var decoder = GetStreamDecoder()
        let events = decoder.feed(Array("motd line\n\(m) SKIP \(Base64.encode(Array("d/l".utf8))) a symbolic link\n\(m) END\n".utf8))
        #expect(events == [.skipped(path: "d/l", reason: "a symbolic link"), .end])
        #expect(decoder.otherOutput == Array("motd line\n".utf8))
        #expect(decoder.finished)
    }

    @Test func putRecordsMakeDirectoriesFirstAndSetTheirModesLastDeepestFirst() {
        let entries = [
            TransferEntry(kind: .directory, path: "d", mode: 0o755), TransferEntry(kind: .directory, path: "d/s", mode: 0o500),
            TransferEntry(kind: .file(size: 3), path: "d/s/f", mode: 0o644),
        ]
        #expect(
            PutFraming.records(entries) == [
                .directory(entries[0]), .directory(entries[1]), .file(entries[2]), .mode(entries[1]), .mode(entries[0]), .end,
            ])
        // A fixed-length head (kind, 8 digits of length), then the body: read with head -c.
        #expect(PutFraming.header(.file(entries[2])) == Array("F00000014644 3 ZC9zL2Y=".utf8))
        #expect(PutFraming.header(.mode(entries[1])) == Array("M00000008500 ZC9z".utf8))
        #expect(PutFraming.header(.end) == Array("E00000000".utf8))
        #expect(PutFraming.line(.file(entries[2])) == Array("F 644 3 ZC9zL2Y=\n".utf8))
        #expect(PutFraming.line(.end) == Array("E\n".utf8))
        #expect(PutFraming.trailer(sha256Hex: "ab") == Array("ab\n".utf8))
    }

    /// bash (/bin/sh on Amazon Linux) reads a terminal up to 4 KiB at a time: a `read` of a
    /// record's line swallowed the file bytes after it and put hung. Only `head -c` reads input.
    @Test func thePosixScriptsReadTheirInputOnlyWithHeadAndACount() {
        let scripts = [
            PutReceiverScript.posix(destination: "/tmp/x", force: false, into: false), GetSenderScript.posix(source: "/tmp/x"),
        ]
        for script in scripts {
            let words = script.split(whereSeparator: { " ;|&(){}\n\t".contains($0) })
            #expect(!words.contains("read"), "\(script)")
        }
        let receiver = scripts[0]
        #expect(receiver.contains("h=$(head -c 9)") && receiver.contains("r=$(head -c \"${h#?}\")") && receiver.contains("s=$(head -c 65)"))
    }

    /// The temporary was made with the node's umask (world-readable while an id_rsa arrived) under
    /// a name anyone could guess and plant first; without --force, `mv -f` replaced a file that
    /// appeared during the copy.
    @Test func theReceiverMakesItsTemporaryPrivatelyAndReplacesOnlyWithForce() {
        let careful = PutReceiverScript.posix(destination: "/tmp/x", force: false, into: false)
        #expect(careful.contains("umask 077") && careful.contains("tmp=$(mktemp -- \"$d.ssm-shell-part.XXXXXXXX\")"))
        #expect(careful.contains("ln -T -- \"$tmp\" \"$t\"") && !careful.contains("mv -f --"))
        #expect(careful.contains("mv -fT -- \"$tmp\" \"$t\""))  // taken only when force=1
        #expect(careful.contains("force=0"))
        // Modes only on the directories this copy made.
        #expect(careful.contains("made=\"$made$2 \"") && careful.contains("case $made in *\" $2 \"*) chmod"))
    }

    @Test func aCopyThatMovesNothingForTheLimitStalls() {
        var stall = TransferStall(limit: 120, now: 1000)
        let answers = [(0, 1119.0), (5, 1119), (5, 1238), (5, 1239)].map { stall.stalled(count: $0.0, now: $0.1) }
        #expect(answers == [false, false, false, true])
        #expect(stall.problem.hasPrefix("nothing moved for 120 s: the node stopped reading or answering"))
    }

    @Test func base64LinesForWindowsAreWholeLinesThatDecodeBack() {
        let bytes = (0..<200).map { UInt8($0) }
        let lines = PutFraming.base64Lines(bytes[...])
        let text = String(decoding: lines, as: UTF8.self)
        let parts = text.split(separator: "\n")
        #expect(parts.count == 4)
        #expect(parts.dropLast().allSatisfy { $0.count == 76 })
        #expect(parts.flatMap { Base64.decode(String($0)) ?? [] } == bytes)
    }

    /// Directory records got no answer, so a tree of many directories (their modes all come at the
    /// end) moved nothing either way for minutes and the 120 s stall deadline stopped a healthy put.
    @Test func theReceiverAnswersEveryDirectoryRecord() {
        let scripts = [
            (PutReceiverScript.posix(destination: "/srv", force: false, into: true), ["D)", "M)"]),
            (PutReceiverScript.powerShell(destination: "C:/srv", force: false, into: true), ["'D'", "'M'"]),
        ]
        for (script, records) in scripts {
            let lines = script.split(separator: "\n").map { String($0.drop { $0 == " " }) }
            for record in records {
                // The record's branch: from its line to the one that ends it (`;;` in sh, `}` in PowerShell).
                guard let start = lines.firstIndex(where: { $0.hasPrefix(record) }) else {
                    Issue.record("no \(record) record in the script")
                    continue
                }
                let end = lines[start...].firstIndex { $0.hasSuffix(";;") || $0.hasSuffix("}") } ?? start
                let branch = lines[start...end].joined(separator: "\n")
                #expect(branch.contains("say DIR") || branch.contains("Say 'DIR'"), "\(record) answers nothing: \(branch)")
            }
        }
    }

    @Test func theReceiversAnswersAreReadAtEveryChunking() {
        let m = PutReceiverScript.marker
        let path = Base64.encode(Array("a b".utf8))
        let text =
            "banner\r\n\(m) READY\n\(m) OK \(path) abc\n\(m) EXISTS \(path)\n\(m) ISDIR \(path)\n\(m) BADSUM \(path) def\n\(m) FAIL cannot write x\n\(m) DIR\n\(m) DONE\n"
        let bytes = Array(text.utf8)
        let expected: [PutReplies.Reply] = [
            .ready, .stored(path: "a b", sha256: "abc"), .exists(path: "a b"), .isDirectory(path: "a b"), .badDigest(path: "a b", sha256: "def"),
            .failed("cannot write x"), .directoryHandled, .done,
        ]
        for size in 1...bytes.count {
            var replies = PutReplies()
            var got: [PutReplies.Reply] = []
            var start = 0
            while start < bytes.count {
                got += replies.feed(Array(bytes[start..<min(bytes.count, start + size)]))
                start += size
            }
            #expect(got == expected, "pieces of \(size)")
            #expect(replies.otherOutput == Array("banner\r\n".utf8))
        }
        // Before the pty is raw, its lines end with CR LF.
        var replies = PutReplies()
        #expect(replies.feed(Array("\(m) FAIL no stty\r\n".utf8)) == [.failed("no stty")])
    }

    @Test func whereEntriesLand() {
        #expect(TransferEntry.landing("a.txt", at: "/tmp/b.txt", into: false) == "/tmp/b.txt")
        #expect(TransferEntry.landing("dir/s/f", at: "copy", into: false) == "copy/s/f")
        #expect(TransferEntry.landing("dir/s/f", at: "/tmp/", into: true) == "/tmp/dir/s/f")
        #expect(TransferEntry.landing("a", at: "/tmp", into: true) == "/tmp/a")
        #expect(TransferEntry.baseName("/var/log/") == "log")
        #expect(TransferEntry.baseName("file") == "file")
        #expect(TransferEntry.isSafe("a/b c/d"))
        for bad in ["", "/a", "a/../b", "..", "a//b", "a/./b", "a/"] { #expect(!TransferEntry.isSafe(bad), "\(bad)") }
        // C calls stop at a NUL: "..\0" would name the directory above the copy.
        for bad in ["..\0", "a/..\0x", "a\u{1}b", "a\nb", "a\rb", "a\u{7F}", "a\u{85}b"] { #expect(!TransferEntry.isSafe(bad), "\(bad.debugDescription)") }
        #expect(TransferEntry.isSafe("ünï côde/it's"))
    }

    @Test func aNodeThatNamesAControlCharacterOrANulStopsTheCopy() {
        let m = GetSenderScript.marker
        for name in ["..\0", "d/..\0/x", "a\u{1B}[2Jb"] {
            var decoder = GetStreamDecoder()
            let events = decoder.feed(Array("\(m) D 755 \(Base64.encode(Array(name.utf8)))\n".utf8))
            guard case .failed? = events.first else {
                Issue.record("\(name.debugDescription): \(events)")
                continue
            }
        }
    }

    /// Two files of Int.max bytes trapped the client (Atomic add, Int(seconds)): sizes past 2^53
    /// are refused, and the progress line clamps what it is given.
    @Test func hostileSizesAreRefusedAndNeverTrap() {
        let m = GetSenderScript.marker
        let name = Base64.encode(Array("f".utf8))
        for size in ["\(Int.max)", "9007199254740993", "99999999999999999999999"] {
            var decoder = GetStreamDecoder()
            let events = decoder.feed(Array("\(m) F 644 \(size) \(name)\n".utf8))
            guard case .failed? = events.first else {
                Issue.record("\(size): \(events)")
                continue
            }
        }
        var decoder = GetStreamDecoder()
        let largest = decoder.feed(Array("\(m) F 644 \(TransferEntry.largestSize) \(name)\n".utf8))
        #expect(largest == [.fileBegin(TransferEntry(kind: .file(size: 1 << 53), path: "f", mode: 0o644))])
        let line = TransferProgress.line(label: "a", name: "b", done: 1, total: Int.max, seconds: 1e-300)
        #expect(line.hasPrefix("a  b  ["))
        #expect(TransferProgress.line(label: "a", name: "b", done: Int.max, total: Int.max, seconds: .infinity).hasSuffix("done"))
        #expect(TransferProgress.line(label: "a", name: "b", done: Int.max / 2, total: Int.max, seconds: 1).contains("["))
        #expect(TransferProgress.oneDecimal(.nan) == "0.0")
    }

    @Test func remotePathsAndTheirTargets() throws {
        #expect(try RemotePath(parsing: "web-1:/tmp/x") == RemotePath(target: "web-1", path: "/tmp/x"))
        #expect(try RemotePath(parsing: "tag:Role=web:/tmp/x") == RemotePath(target: "tag:Role=web", path: "/tmp/x"))
        #expect(try RemotePath(parsing: "/tmp/a:b") == RemotePath(target: nil, path: "/tmp/a:b"))
        #expect(try RemotePath(parsing: "./a:b") == RemotePath(target: nil, path: "./a:b"))
        #expect(try RemotePath(parsing: "notes.txt") == RemotePath(target: nil, path: "notes.txt"))
        #expect(try RemotePath(parsing: "web-1:") == RemotePath(target: "web-1", path: "."))
        #expect(try RemotePath(parsing: ":x") == RemotePath(target: nil, path: ":x"))
    }

    /// A target word with a colon of its own keeps it (`platform:linux` was split at its colon),
    /// and a first piece that is PROFILE@REGION names the pair the target is looked up in.
    @Test func remotePathsWithFiltersAndPairs() throws {
        #expect(try RemotePath(parsing: "platform:linux:/tmp/x") == RemotePath(target: "platform:linux", path: "/tmp/x"))
        #expect(try RemotePath(parsing: "Platform:Linux:/tmp/x") == RemotePath(target: "Platform:Linux", path: "/tmp/x"))
        #expect(try RemotePath(parsing: "web-*,!platform:windows:/srv/") == RemotePath(target: "web-*,!platform:windows", path: "/srv/"))
        #expect(try RemotePath(parsing: "web-1,tag:Role=db:a:b") == RemotePath(target: "web-1,tag:Role=db", path: "a:b"))
        #expect(try RemotePath(parsing: "tag:Role=web") == RemotePath(target: nil, path: "tag:Role=web"))
        let prod = ContextPair(profile: "prod", region: "eu-west-1")
        #expect(try RemotePath(parsing: "prod@eu-west-1:web-1:/tmp/x") == RemotePath(pair: prod, target: "web-1", path: "/tmp/x"))
        #expect(try RemotePath(parsing: "prod@eu-west-1:tag:Role=web:/tmp/") == RemotePath(pair: prod, target: "tag:Role=web", path: "/tmp/"))
        #expect(try RemotePath(parsing: "prod@eu-west-1:web-1:") == RemotePath(pair: prod, target: "web-1", path: "."))
        // A pair with no target after it: the shell refuses it (a pair names no node).
        #expect(try RemotePath(parsing: "prod@eu-west-1:/tmp/x") == RemotePath(pair: prod, target: nil, path: "/tmp/x"))
        #expect(
            try RemotePath(parsing: "a@b@us-east-1:web-1:/x") == RemotePath(pair: ContextPair(profile: "a@b", region: "us-east-1"), target: "web-1", path: "/x")
        )
        // Not a region name after the @: an ordinary target word.
        #expect(try RemotePath(parsing: "me@my_host:/x") == RemotePath(target: "me@my_host", path: "/x"))
    }

    /// AWS tag keys may hold colons (aws:cloudformation:stack-name): the target ended at the
    /// key's first colon, so such a word named the tag key `aws` and the path
    /// `cloudformation:stack-name=web:/etc/x`, with no error.
    @Test func tagKeysWithColonsKeepTheirColons() throws {
        let stack = "tag:aws:cloudformation:stack-name"
        #expect(try RemotePath(parsing: "\(stack)=web:/etc/x") == RemotePath(target: "\(stack)=web", path: "/etc/x"))
        #expect(try RemotePath(parsing: "\(stack)=web:~/x") == RemotePath(target: "\(stack)=web", path: "~/x"))
        #expect(try RemotePath(parsing: "\(stack)=web:") == RemotePath(target: "\(stack)=web", path: "."))
        #expect(try RemotePath(parsing: "\(stack):/etc/x") == RemotePath(target: stack, path: "/etc/x"))
        #expect(try RemotePath(parsing: "!\(stack)=web,web-1:/srv/") == RemotePath(target: "!\(stack)=web,web-1", path: "/srv/"))
        #expect(try RemotePath(parsing: "web-1,\(stack)=web:/a:b") == RemotePath(target: "web-1,\(stack)=web", path: "/a:b"))
        let prod = ContextPair(profile: "prod", region: "eu-west-1")
        #expect(try RemotePath(parsing: "prod@eu-west-1:\(stack)=web:/x") == RemotePath(pair: prod, target: "\(stack)=web", path: "/x"))
        // A Windows drive path is rooted too; a value still holds no colon.
        #expect(try RemotePath(parsing: "\(stack)=ad:C:/x.txt") == RemotePath(target: "\(stack)=ad", path: "C:/x.txt"))
        #expect(try RemotePath(parsing: "\(stack)=ad:D:\\logs") == RemotePath(target: "\(stack)=ad", path: "D:\\logs"))
        #expect(try RemotePath(parsing: "win-1:C:/x.txt") == RemotePath(target: "win-1", path: "C:/x.txt"))
        // A key without colons before a relative path is read as before.
        #expect(try RemotePath(parsing: "tag:Role:notes.txt") == RemotePath(target: "tag:Role", path: "notes.txt"))
        #expect(try RemotePath(parsing: "TAG:Role:/tmp/a=b") == RemotePath(target: "TAG:Role", path: "/tmp/a=b"))
        #expect(try RemotePath(parsing: "tag:Role=web:a=b:c") == RemotePath(target: "tag:Role=web", path: "a=b:c"))
    }

    /// A word that two readings fit is refused, never guessed.
    @Test func anAmbiguousRemoteWordIsRefused() {
        for word in [
            "tag:aws:cloudformation:stack-name=web:x.txt", "tag:aws:cloudformation:stack-name:x.txt", "tag:Role:a:b",
            "tag:Role:/a:/b", "prod@eu-west-1:tag:a:b:c",
        ] {
            #expect(throws: RemotePathError.ambiguous(word)) { try RemotePath(parsing: word) }
        }
        #expect(RemotePathError.ambiguous("w").description.contains("start the path after the target with / or ~"))
    }

    @Test func theScriptsQuoteThePathsForTheirShell() {
        let posix = PutReceiverScript.posix(destination: "/tmp/it's here", force: true, into: false)
        #expect(posix.contains("dest='/tmp/it'\\''s here' force=1 into=0"))
        #expect(posix.contains("stty raw -echo -iexten"))
        // Relative paths and ~ are from the home directory: the agent starts commands in /usr/bin.
        #expect(posix.contains("cd \"$HOME\"") && GetSenderScript.posix(source: "x").contains("cd \"$HOME\""))
        let ps = PutReceiverScript.powerShell(destination: "C:\\it's", force: false, into: true)
        #expect(ps.contains("$dest = 'C:\\it''s'; $force = $false; $into = $true"))
        let get = GetSenderScript.posix(source: "/var/log/")
        #expect(get.contains("src='/var/log/' root='log'"))
        #expect(GetSenderScript.powerShell(source: "C:\\a’b").contains("$src = 'C:\\a’’b'"))
        // A quote with a combining mark after it is one Character, yet PowerShell sees the quote.
        let combining = Array(PutReceiverScript.powerShell(destination: "a'\u{301}b", force: false, into: false).utf8)
        #expect(combining.firstRange(of: Array("$dest = 'a''\u{301}b';".utf8)) != nil)
        let posixCombining = Array(PutReceiverScript.posix(destination: "a'\u{301}b", force: false, into: false).utf8)
        #expect(posixCombining.firstRange(of: Array("dest='a'\\''\u{301}b'".utf8)) != nil)
    }

    @Test func theProgressLineShowsBytesRateAndTimeLeft() {
        let line = TransferProgress.line(label: "web-1", name: "big.bin", done: 32 << 20, total: 64 << 20, seconds: 4, width: 100)
        #expect(line.hasPrefix("web-1  big.bin  ["))
        #expect(line.hasSuffix("32.0/64.0 MiB  8.4 MB/s  0:04 left"), "\(line)")
        #expect(TransferProgress.line(label: "a", name: "b", done: 10, total: 10, seconds: 1).hasSuffix("done"))
        #expect(TransferProgress.line(label: "a", name: "b", done: 0, total: 10, seconds: 0).hasSuffix("--:-- left"))
        #expect(TransferProgress.line(label: String(repeating: "x", count: 200), name: "b", done: 0, total: 1, seconds: 0).count == 80)
    }
}
