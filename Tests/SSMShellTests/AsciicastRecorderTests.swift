import Glibc
@testable import SSMShell
import Synchronization
import Testing

/// `connect --record`: an empty output chunk (a payload that held only the exit marker) must not
/// crash the recorder, and UTF-8 cut across chunks is never split inside an event.
@Suite struct AsciicastRecorderTests {
    /// A new empty file's path (used by other suites too).
    static func temporaryPath() -> String {
        var template = Array("/tmp/ssm-shell-cast-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        close(fd)
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The lines a recorder wrote.
    final class Lines: Sendable {
        private let bytes = Mutex<[UInt8]>([])
        func write(_ chunk: [UInt8]) { bytes.withLock { $0 += chunk } }
        var all: [String] { String(decoding: bytes.withLock { $0 }, as: UTF8.self).split(separator: "\n").map(String.init) }
    }

    static func recorder(start: Double, into lines: Lines) -> AsciicastRecorder {
        AsciicastRecorder(columns: 80, rows: 24, start: start, timestamp: 1_700_000_000, environment: [:], write: { lines.write($0) })
    }

    @Test func anEmptyChunkRecordsNothingAndDoesNotCrash() {
        let lines = Lines()
        let recorder = Self.recorder(start: 100, into: lines)
        recorder.output([], at: 101)
        recorder.output(Array("ok".utf8), at: 102)
        recorder.output([], at: 103)
        #expect(lines.all.count == 2)
        #expect(lines.all.first == #"{"version":2,"width":80,"height":24,"timestamp":1700000000}"#)
        #expect(lines.all.last == #"[2.000000, "o", "ok"]"#)
    }

    @Test func utf8CutAcrossChunksStaysWholeUnderEveryChunking() {
        let text = "é€𝄞 a"
        let bytes = Array(text.utf8)
        for cut in 0...bytes.count {
            let lines = Lines()
            let recorder = Self.recorder(start: 0, into: lines)
            recorder.output(Array(bytes[..<cut]), at: 1)
            recorder.output([], at: 1)
            recorder.output(Array(bytes[cut...]), at: 1)
            let events = lines.all.dropFirst()
            #expect(!events.contains { $0.contains("\u{FFFD}") }, "cut \(cut)")
            let texts = events.map { $0.split(separator: "\"", omittingEmptySubsequences: false)[3] }
            #expect(texts.joined() == text, "cut \(cut)")
        }
    }

    @Test func completeLengthOfEveryPrefix() {
        let bytes = Array("aé€𝄞".utf8)  // 1 + 2 + 3 + 4 bytes
        let boundaries: Set<Int> = [0, 1, 3, 6, 10]
        for end in 0...bytes.count {
            let expected = boundaries.filter { $0 <= end }.max()!
            #expect(AsciicastRecorder.completeLength(Array(bytes[..<end])) == expected, "prefix \(end)")
        }
        #expect(AsciicastRecorder.completeLength([0x80, 0x80, 0x80, 0x80]) == 4, "stray continuation bytes are passed on, not held")
    }
}
