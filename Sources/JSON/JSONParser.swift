/// An RFC 8259 parser from UTF-8 bytes straight to `JSONValue`: no Foundation, one pass, no
/// recursion (open arrays and objects live on explicit stacks, so deep nesting is an error at
/// `maximumDepth`, never a stack overflow).
///
/// Choices where RFC 8259 leaves them to the implementation, made as the Foundation JSONDecoder this
/// replaces made them, unless marked: a leading UTF-8 byte order mark is skipped (8.1); numbers are
/// Doubles, a big integer becomes the nearest one (6); a number too large for a Double is an error,
/// one too small becomes 0 (Foundation refused it; JSONSerialization and Python's json give 0); a
/// duplicate member name keeps its last value (4; Python's json and JSONSerialization do so, the
/// Codable decoder kept the first); a lone surrogate escape is an error (8.2); trailing commas are
/// errors (Foundation accepted them; the grammar of section 2 does not).
public struct JSONParser {
    /// Foundation's JSONDecoder and JSONSerialization refuse more than 512 levels too.
    public static let maximumDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    /// Open containers, innermost last: which kind, and where its items start in `elements` or
    /// `members`. Items wait there, shared by every level, until their container closes and is
    /// made at its final size (a dictionary grown member by member rehashed each time it grew).
    private var open: [(isObject: Bool, start: Int)] = []
    private var elements: [JSONValue] = []
    private var members: [(String, JSONValue)] = []
    /// The name of the member whose value is being read, one for each open object.
    private var names: [String] = []

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONValue.ParseError) -> JSONValue {
        var parser = JSONParser(bytes)
        return try parser.document()
    }

    // MARK: structure

    private mutating func document() throws(JSONValue.ParseError) -> JSONValue {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        var value: JSONValue
        nextValue: while true {
            value = try scalarOrOpen()
            // `value` is complete: add it to the innermost open container, closing containers as
            // their closing brackets come.
            while let container = open.last {
                skipWhitespace()
                if container.isObject {
                    members.append((names.removeLast(), value))
                    guard index < bytes.count else { throw failure("the text ends inside an object; a ',' or '}' should follow") }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        try refuseTrailingComma(before: UInt8(ascii: "}"))
                        names.append(try memberName())
                        continue nextValue
                    }
                    guard bytes[index] == UInt8(ascii: "}") else { throw failure("a ',' or '}' should follow an object member, not \(found())") }
                    index += 1
                    open.removeLast()
                    // RFC 8259 section 4 leaves duplicate names open; the last one wins, as in
                    // Python's json and Foundation's JSONSerialization.
                    value = .object(Dictionary(members[container.start...], uniquingKeysWith: { _, last in last }))
                    members.removeSubrange(container.start...)
                } else {
                    elements.append(value)
                    guard index < bytes.count else { throw failure("the text ends inside an array; a ',' or ']' should follow") }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        try refuseTrailingComma(before: UInt8(ascii: "]"))
                        continue nextValue
                    }
                    guard bytes[index] == UInt8(ascii: "]") else { throw failure("a ',' or ']' should follow an array element, not \(found())") }
                    index += 1
                    open.removeLast()
                    value = .array(Array(elements[container.start...]))
                    elements.removeSubrange(container.start...)
                }
            }
            break
        }
        skipWhitespace()
        guard index == bytes.count else { throw failure("the document ends before \(found()); only whitespace may follow it") }
        return value
    }

    /// A scalar, an empty array or object, or the opening of a non-empty one (pushed; then the
    /// loop continues with its first value).
    private mutating func scalarOrOpen() throws(JSONValue.ParseError) -> JSONValue {
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw failure("the text ends where a value should start") }
            switch bytes[index] {
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            case UInt8(ascii: "["):
                guard open.count < Self.maximumDepth else { throw failure("arrays and objects nest deeper than \(Self.maximumDepth) levels") }
                index += 1
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array([])
                }
                open.append((false, elements.count))
            case UInt8(ascii: "{"):
                guard open.count < Self.maximumDepth else { throw failure("arrays and objects nest deeper than \(Self.maximumDepth) levels") }
                index += 1
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object([:])
                }
                names.append(try memberName())
                open.append((true, members.count))
            default:
                throw failure("a value (object, array, string, number, true, false or null) should start here, not \(found())")
            }
        }
    }

    /// RFC 8259's grammar has no comma before a closing bracket (Foundation's parser accepted one).
    private mutating func refuseTrailingComma(before closing: UInt8) throws(JSONValue.ParseError) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == closing else { return }
        throw failure("a trailing ',' before '\(String(decoding: [closing], as: UTF8.self))' is not JSON; remove the comma")
    }

    /// `"name"` and its `:`.
    private mutating func memberName() throws(JSONValue.ParseError) -> String {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
            throw failure("a member name in double quotes should come here, not \(found())")
        }
        let name = try string()
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("a ':' should follow the member name, not \(found())") }
        index += 1
        return name
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) throws(JSONValue.ParseError) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw failure("\(found()) is not a value; did you mean \(word)?") }
        for i in 0..<count where bytes[index + i] != word.utf8Start[i] {
            throw failure("\(found()) is not a value; did you mean \(word)?")
        }
        index += count
        return value
    }

    /// RFC 8259 section 2: space, tab, line feed, carriage return.
    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    // MARK: numbers (RFC 8259 section 6)

    private mutating func number() throws(JSONValue.ParseError) -> Double {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard index < bytes.count, isDigit(bytes[index]) else { throw failure("a digit should follow '-', not \(found())") }
        var integer: Int64 = 0
        var digits = 0
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw failure("a number may not start with 0 followed by more digits") }
        } else {
            while index < bytes.count, isDigit(bytes[index]) {
                if digits < 18 { integer = integer * 10 + Int64(bytes[index] &- 0x30) }
                digits += 1
                index += 1
            }
        }
        var simple = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            simple = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw failure("a digit should follow the decimal point, not \(found())") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            simple = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw failure("a digit should follow the exponent's 'e', not \(found())") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        // Integers of up to 15 digits are exact in a Double; the rest goes through the standard
        // library's correctly rounded conversion.
        if simple, digits <= 15 { return negative ? (integer == 0 ? -0.0 : -Double(integer)) : Double(integer) }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            index = start
            throw failure("the number \(text) is too large for a 64-bit floating point value")
        }
        return value
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    // MARK: strings (RFC 8259 sections 7 and 8)

    /// The string at `index` (its opening quote). Plain runs are copied as they are (after UTF-8
    /// validation); escapes are decoded into a scratch buffer.
    private mutating func string() throws(JSONValue.ParseError) -> String {
        index += 1
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                defer { index += 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { return try escapedString(from: start) }
            if byte < 0x20 { throw failure("a control character (U+\(hex4(UInt32(byte)))) must be escaped inside a string") }
            if byte < 0x80 { index += 1 } else { try utf8Sequence() }
        }
        throw failure("the text ends inside a string; a closing '\"' is missing")
    }

    private mutating func escapedString(from start: Int) throws(JSONValue.ParseError) -> String {
        var out: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try escape(into: &out)
            case 0..<0x20:
                throw failure("a control character (U+\(hex4(UInt32(byte)))) must be escaped inside a string")
            case 0x20..<0x80:
                out.append(byte)
                index += 1
            default:
                let sequenceStart = index
                try utf8Sequence()
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[sequenceStart..<index]))
            }
        }
        throw failure("the text ends inside a string; a closing '\"' is missing")
    }

    private mutating func escape(into out: inout [UInt8]) throws(JSONValue.ParseError) {
        guard index + 1 < bytes.count else {
            index += 1
            throw failure("the text ends inside a string's escape sequence")
        }
        index += 1
        let letter = bytes[index]
        index += 1
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(letter)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            let escapeStart = index - 2
            var scalar = try hexQuad()
            if 0xDC00...0xDFFF ~= scalar {
                index = escapeStart
                throw failure("\\u\(hex4(scalar)) is the second half of a surrogate pair without a first half")
            }
            if 0xD800...0xDBFF ~= scalar {
                // RFC 8259 section 7: a character outside the BMP is a UTF-16 surrogate pair.
                guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    index = escapeStart
                    throw failure("\\u\(hex4(scalar)) is the first half of a surrogate pair, and no \\u escape of its second half follows")
                }
                index += 2
                let low = try hexQuad()
                guard 0xDC00...0xDFFF ~= low else {
                    index = escapeStart
                    throw failure("\\u\(hex4(scalar)) is the first half of a surrogate pair, and \\u\(hex4(low)) is not a second half")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            appendUTF8(scalar, to: &out)
        default:
            index -= 2
            throw failure("\\\(String(decoding: [letter], as: UTF8.self)) is not an escape; JSON knows \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX")
        }
    }

    private mutating func hexQuad() throws(JSONValue.ParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count else { throw failure("\\u needs four hexadecimal digits") }
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("\\u needs four hexadecimal digits, not \(found())")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80: out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(0xC0 | UInt8(scalar >> 6))
            out.append(0x80 | UInt8(scalar & 0x3F))
        case 0x800..<0x10000:
            out.append(0xE0 | UInt8(scalar >> 12))
            out.append(0x80 | UInt8(scalar >> 6 & 0x3F))
            out.append(0x80 | UInt8(scalar & 0x3F))
        default:
            out.append(0xF0 | UInt8(scalar >> 18))
            out.append(0x80 | UInt8(scalar >> 12 & 0x3F))
            out.append(0x80 | UInt8(scalar >> 6 & 0x3F))
            out.append(0x80 | UInt8(scalar & 0x3F))
        }
    }

    /// Steps over one well-formed UTF-8 sequence (Unicode 15, table 3-7: no overlong forms, no
    /// surrogates, nothing past U+10FFFF) starting at a byte of 0x80 or more.
    private mutating func utf8Sequence() throws(JSONValue.ParseError) {
        let lead = bytes[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: (length, low) = (3, 0xA0)
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: (length, high) = (3, 0x9F)
        case 0xF0: (length, low) = (4, 0x90)
        case 0xF1...0xF3: length = 4
        case 0xF4: (length, high) = (4, 0x8F)
        default: throw failure("the byte 0x\(hex2(lead)) is not UTF-8 (RFC 8259 section 8.1 asks for UTF-8)")
        }
        guard bytes.count - index >= length else { throw failure("the text ends inside a UTF-8 character") }
        for i in 1..<length {
            let byte = bytes[index + i]
            guard (i == 1 ? low...high : 0x80...0xBF) ~= byte else {
                throw failure("the bytes from 0x\(hex2(lead)) on are not a valid UTF-8 character (RFC 8259 section 8.1 asks for UTF-8)")
            }
        }
        index += length
    }

    // MARK: errors

    /// What stands at `index`, for an error: a quoted character, or "the end of the text".
    private func found() -> String {
        guard index < bytes.count else { return "the end of the text" }
        let byte = bytes[index]
        if byte >= 0x21 && byte < 0x7F { return "'\(String(decoding: [byte], as: UTF8.self))'" }
        return byte < 0x80 ? "U+\(hex4(UInt32(byte)))" : "the byte 0x\(hex2(byte))"
    }

    /// An error at `index`, with its line and column (columns count characters, not bytes).
    private func failure(_ reason: String) -> JSONValue.ParseError {
        let offset = min(index, bytes.count)
        var line = 1
        var column = 1
        for byte in UnsafeBufferPointer(rebasing: bytes[0..<offset]) {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return JSONValue.ParseError(reason: reason, line: line, column: column, offset: offset)
    }

    private func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private func hex2(_ value: UInt8) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return digits.count < 2 ? "0" + digits : digits
    }
}
