import Glibc
@testable import SSMShell
import Testing

/// `connect --record`: an empty output chunk (a payload that held only the exit marker) must not
/// crash the recorder, and UTF-8 cut across chunks is never split inside an event.
@Suite struct AsciicastRecorderTests {
    static func temporaryPath() -> String {
        var template = Array("/tmp/ssm-shell-cast-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        close(fd)
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func lines(_ path: String) -> [String] {
        let fd = open(path, O_RDONLY)
        defer { close(fd); unlink(path) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while case let n = read(fd, &buffer, buffer.count), n > 0 { bytes += buffer[0..<n] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test func anEmptyChunkRecordsNothingAndDoesNotCrash() throws {
        let path = Self.temporaryPath()
        let recorder = try #require(AsciicastRecorder(path: path, columns: 80, rows: 24, now: 100, environment: [:]))
        recorder.output([], at: 101)
        recorder.output(Array("ok".utf8), at: 102)
        recorder.output([], at: 103)
        let lines = Self.lines(path)
        #expect(lines.count == 2)
        #expect(lines.last == #"[2.000000, "o", "ok"]"#)
    }

    @Test func utf8CutAcrossChunksStaysWholeUnderEveryChunking() throws {
        let text = "é€𝄞 a"
        let bytes = Array(text.utf8)
        for cut in 0...bytes.count {
            let path = Self.temporaryPath()
            let recorder = try #require(AsciicastRecorder(path: path, columns: 80, rows: 24, now: 0, environment: [:]))
            recorder.output(Array(bytes[..<cut]), at: 1)
            recorder.output([], at: 1)
            recorder.output(Array(bytes[cut...]), at: 1)
            let events = Self.lines(path).dropFirst()
            #expect(!events.contains { $0.contains("\u{FFFD}") }, "cut \(cut)")
            let texts = events.map { $0.split(separator: "\"", omittingEmptySubsequences: false)[3] }
            #expect(texts.joined() == text, "cut \(cut)")
        }
    }

    @Test func completeLengthOfEveryPrefix() {
        let bytes = Array("aé€𝄞".utf8)     // 1 + 2 + 3 + 4 bytes
        let boundaries: Set<Int> = [0, 1, 3, 6, 10]
        for end in 0...bytes.count {
            let expected = boundaries.filter { $0 <= end }.max()!
            #expect(AsciicastRecorder.completeLength(Array(bytes[..<end])) == expected, "prefix \(end)")
        }
        #expect(AsciicastRecorder.completeLength([0x80, 0x80, 0x80, 0x80]) == 4, "stray continuation bytes are passed on, not held")
    }
}
