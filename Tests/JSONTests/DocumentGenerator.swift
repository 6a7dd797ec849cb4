import JSON
import TestSupport

/// Seeded random JSON documents for the differential tests: values of every kind, written with
/// random whitespace, escapes and number spellings, and byte mutations of them.
enum DocumentGenerator {

    static func value(depth: Int, using rng: inout SplitMix64) -> JSONValue {
        switch Int.random(in: 0..<(depth >= 4 ? 5 : 8), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .number(number(using: &rng))
        case 3, 4: return .string(string(using: &rng))
        case 5: return .array((0..<Int.random(in: 0...5, using: &rng)).map { _ in value(depth: depth + 1, using: &rng) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...5, using: &rng) { members[string(using: &rng)] = value(depth: depth + 1, using: &rng) }
            return .object(members)
        }
    }

    static func number(using rng: inout SplitMix64) -> Double {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: return Double(Int.random(in: -1000...1000, using: &rng))
        case 1: return Double(Int64.random(in: Int64.min...Int64.max, using: &rng))
        case 2: return Double.random(in: -1e6...1e6, using: &rng)
        default:
            // Any finite Double that is not subnormal (Foundation refused what rounds towards 0).
            while true {
                let d = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &rng))
                if d.isFinite, d.isNormal || d == 0 { return d }
            }
        }
    }

    static let characters: [Unicode.Scalar] = Array("aZ09 _-/\\\"'{}[],:.é€ßж中😀𝄞\u{7f}\u{0}\u{1}\u{1f}\n\t\r\u{8}\u{c}\u{2028}\u{feff}".unicodeScalars)

    static func string(using rng: inout SplitMix64) -> String {
        var s = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...8, using: &rng) { s.append(characters.randomElement(using: &rng)!) }
        return String(s)
    }

    static func write(_ value: JSONValue, using rng: inout SplitMix64) -> String {
        var out = space(using: &rng)
        write(value, to: &out, using: &rng)
        return out + space(using: &rng)
    }

    private static func space(using rng: inout SplitMix64) -> String {
        Int.random(in: 0..<3, using: &rng) == 0 ? String((0..<Int.random(in: 1...3, using: &rng)).map { _ in " \t\n\r".randomElement(using: &rng)! }) : ""
    }

    private static func write(_ value: JSONValue, to out: inout String, using rng: inout SplitMix64) {
        switch value {
        case .null, .bool: out += value.serialized
        case .number(let n): out += spelled(n, using: &rng)
        case .string(let s): quote(s, to: &out, using: &rng)
        case .array(let items):
            out += "[" + space(using: &rng)
            for (i, item) in items.enumerated() {
                if i > 0 { out += space(using: &rng) + "," + space(using: &rng) }
                write(item, to: &out, using: &rng)
            }
            out += space(using: &rng) + "]"
        case .object(let members):
            out += "{" + space(using: &rng)
            for (i, (key, member)) in members.enumerated() {
                if i > 0 { out += space(using: &rng) + "," + space(using: &rng) }
                quote(key, to: &out, using: &rng)
                out += space(using: &rng) + ":" + space(using: &rng)
                write(member, to: &out, using: &rng)
            }
            out += space(using: &rng) + "}"
        }
    }

    /// A spelling of `n` that parses back to exactly `n`.
    private static func spelled(_ n: Double, using rng: inout SplitMix64) -> String {
        if n == n.rounded(), abs(n) < 1e15 {
            let integer = String(Int64(n))
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return integer + ".0"
            case 1: return integer + (Bool.random(using: &rng) ? "e0" : "E+00")
            default: return integer
            }
        }
        return "\(n)"  // the shortest spelling that reads back as n, like 1.5e-07
    }

    private static func quote(_ s: String, to out: inout String, using rng: inout SplitMix64) {
        out += "\""
        for scalar in s.unicodeScalars {
            let escaped = Int.random(in: 0..<4, using: &rng) == 0
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/" where escaped: out += "\\/"
            case "\n": out += escaped ? "\\u000a" : "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{8}": out += "\\b"
            case "\u{c}": out += "\\f"
            case _ where scalar.value < 0x20 || escaped:
                if scalar.value > 0xFFFF {
                    let v = scalar.value - 0x10000
                    out += "\\u" + hex(0xD800 + (v >> 10), using: &rng) + "\\u" + hex(0xDC00 + (v & 0x3FF), using: &rng)
                } else {
                    out += "\\u" + hex(scalar.value, using: &rng)
                }
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    private static func hex(_ value: UInt32, using rng: inout SplitMix64) -> String {
        let digits = String(value, radix: 16, uppercase: Bool.random(using: &rng))
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    static func mutate(_ bytes: [UInt8], using rng: inout SplitMix64) -> [UInt8] {
        var bytes = bytes
        let alphabet = Array("[]{}\",:\\ \n-+.eE0123456789tfnu".utf8) + [0x00, 0x1f, 0x7f, 0xc3, 0xa9, 0xed, 0xff]
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0 where !bytes.isEmpty: bytes.remove(at: position)
            case 1: bytes.insert(alphabet.randomElement(using: &rng)!, at: position)
            case 2 where !bytes.isEmpty: bytes[position] = alphabet.randomElement(using: &rng)!
            default: bytes = Array(bytes.prefix(position + Int.random(in: 0...2, using: &rng)))
            }
        }
        return bytes
    }

    /// Whether a negative exponent of three digits or more comes anywhere (a number may round to 0).
    static func mayUnderflow(_ bytes: [UInt8]) -> Bool {
        for i in bytes.indices.dropLast(4) where (bytes[i] | 0x20) == UInt8(ascii: "e") && bytes[i + 1] == UInt8(ascii: "-") {
            if bytes[(i + 2)...].prefix(while: { (0x30...0x39).contains($0) }).count >= 3 { return true }
        }
        return false
    }

    /// Whether any string token appears twice (a cheap, cautious stand-in for a repeated member name).
    static func mayHaveDuplicateNames(_ bytes: [UInt8]) -> Bool {
        let tokens = bytes.split(separator: UInt8(ascii: "\""), omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map {
            Array($0.element)
        }
        return Set(tokens).count != tokens.count
    }
}
