import SystemIO

/// asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/): a JSON header line, then one
/// `[seconds, "o", text]` line per output chunk and `[seconds, "r", "COLSxROWS"]` per resize.
/// Times are monotonic seconds (offsets from `start`); the header's timestamp is wall-clock time.
/// The lines go to `write` (a `RecordingFile`, or a test's buffer). Used from the session's
/// thread only.
final class AsciicastRecorder: SessionRecorder, @unchecked Sendable {
    private let write: @Sendable ([UInt8]) -> Void
    private let start: Double
    private var carry: [UInt8] = []

    init(columns: Int, rows: Int, start: Double, timestamp: Double, environment: [String: String], write: @escaping @Sendable ([UInt8]) -> Void) {
        self.write = write
        self.start = start
        let env = environment["TERM"].map { ",\"env\":{\"TERM\":\(jsonString($0)),\"SHELL\":\"/bin/sh\"}" } ?? ""
        line("{\"version\":2,\"width\":\(columns),\"height\":\(rows),\"timestamp\":\(Int(timestamp))\(env)}")
    }

    func output(_ bytes: [UInt8], at time: Double) {
        // Keep UTF-8 sequences whole across chunks so every event is valid JSON text.
        var data = carry + bytes
        let cut = Self.completeLength(data)
        carry = Array(data[cut...])
        data = Array(data[..<cut])
        guard !data.isEmpty else { return }
        line("[\(Self.seconds(time - start)), \"o\", \(jsonString(String(decoding: data, as: UTF8.self)))]")
    }

    /// How many leading bytes end on a UTF-8 character boundary: an incomplete sequence at the
    /// end (at most 3 bytes, RFC 3629 section 3) waits for the next chunk. Any input, even empty.
    static func completeLength(_ data: [UInt8]) -> Int {
        var back = 1
        while back <= min(3, data.count) {
            let byte = data[data.count - back]
            if byte & 0xC0 != 0x80 {
                let need = byte & 0x80 == 0 ? 1 : byte & 0xE0 == 0xC0 ? 2 : byte & 0xF0 == 0xE0 ? 3 : 4
                return need > back ? data.count - back : data.count
            }
            back += 1
        }
        return data.count
    }

    func resize(columns: Int, rows: Int, at time: Double) {
        line("[\(Self.seconds(time - start)), \"r\", \"\(columns)x\(rows)\"]")
    }

    private func line(_ text: String) {
        write(Array((text + "\n").utf8))
    }

    static func seconds(_ t: Double) -> String {
        let micros = Int((max(0, t) * 1_000_000).rounded())
        let fraction = String(micros % 1_000_000)
        return "\(micros / 1_000_000).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
    }
}
