import Foundation
import JSON
import TestSupport
import Testing

/// `JSONParser` against Foundation's JSONDecoder (the parser it replaces, through the Codable
/// conformance JSONValue had) over seeded generated documents: the same values for valid ones, and
/// the same verdict for mutated ones, apart from the differences JSONParser documents.
@Suite struct JSONDifferentialTests {

    @Test func generatedDocumentsParseAsFoundationParsesThem() throws {
        var rng = SplitMix64(seed: 20261202)
        for round in 0..<3_000 {
            let value = DocumentGenerator.value(depth: 0, using: &rng)
            let text = DocumentGenerator.write(value, using: &rng)
            let ours = try JSONValue(parsing: text)
            #expect(ours == value, "round \(round): \(text)")
            #expect(ours == OldDecoder.decode(text), "round \(round): \(text)")
        }
    }

    @Test func mutatedDocumentsGetFoundationsVerdict() {
        var rng = SplitMix64(seed: 20261203)
        var refused = 0
        for round in 0..<10_000 {
            let value = DocumentGenerator.value(depth: 0, using: &rng)
            let bytes = DocumentGenerator.mutate(Array(DocumentGenerator.write(value, using: &rng).utf8), using: &rng)
            // Foundation reads a text with a NUL among its first bytes as UTF-16 or UTF-32; RFC 8259 is UTF-8 only.
            if bytes.prefix(4).contains(0) { continue }
            let theirs = OldDecoder.decode(bytes)
            do {
                let ours = try JSONValue(parsing: bytes)
                // Duplicate names: Foundation kept the first value, JSONParser keeps the last; a
                // number that rounds to 0: Foundation refused it, JSONParser reads 0.
                if theirs != ours, !DocumentGenerator.mayHaveDuplicateNames(bytes), !DocumentGenerator.mayUnderflow(bytes) {
                    Issue.record(
                        "round \(round): \(String(decoding: bytes, as: UTF8.self).debugDescription) is \(ours), Foundation: \(String(describing: theirs))")
                }
            } catch {
                refused += 1
                // Foundation accepted a comma before a closing bracket; RFC 8259 does not.
                if theirs != nil, !error.reason.hasPrefix("a trailing ','") {
                    Issue.record("round \(round): \(String(decoding: bytes, as: UTF8.self).debugDescription) refused (\(error)), Foundation parsed it")
                }
                #expect(error.offset <= bytes.count)
            }
        }
        #expect(refused > 1_000, "the mutations must produce invalid documents")
    }

    /// Foundation's JSONDecoder into JSONValue, as `JSONValue(parsing:)` was before JSONParser.
    enum OldDecoder {
        static func decode(_ text: String) -> JSONValue? { decode(Array(text.utf8)) }
        static func decode(_ bytes: [UInt8]) -> JSONValue? { try? JSONDecoder().decode(Decoded.self, from: Data(bytes)).value }

        struct Decoded: Decodable {
            let value: JSONValue
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if container.decodeNil() {
                    value = .null
                } else if let b = try? container.decode(Bool.self) {
                    value = .bool(b)
                } else if let n = try? container.decode(Double.self) {
                    value = .number(n)
                } else if let s = try? container.decode(String.self) {
                    value = .string(s)
                } else if let a = try? container.decode([Decoded].self) {
                    value = .array(a.map(\.value))
                } else {
                    value = .object(try container.decode([String: Decoded].self).mapValues(\.value))
                }
            }
        }
    }
}
