import JSON
import Testing

/// RFC 8259 cases for `JSONParser`: each valid text with its value, each invalid one with the
/// position its error names.
@Suite struct JSONParserTests {

    static let valid: [(String, JSONValue)] = [
        // Section 2: any value at the top, whitespace around tokens.
        ("null", .null), ("true", true), ("false", false), ("\"a\"", "a"), ("0", 0),
        (" \t\r\n[ 1 ,\n2 ] \n", [1, 2]), ("{}", [:]), ("[]", []), ("{ }", [:]), ("[ ]", []),
        (#"{"a":{"b":[{"c":null}]}}"#, ["a": ["b": [["c": nil]]]]),
        // Section 4: a duplicate name keeps its last value.
        (#"{"a":1,"a":2}"#, ["a": 2]),
        // Section 6: numbers.
        ("-0", .number(-0.0)), ("-1", -1), ("1.5", 1.5), ("1e3", 1000), ("1E+3", 1000), ("25e-1", 2.5), ("0.1e1", 1),
        ("123456789012345", 123_456_789_012_345), ("9007199254740993", .number(9_007_199_254_740_992)),
        ("12345678901234567890123", .number(1.2345678901234568e22)), ("-12345678901234567890", .number(-1.2345678901234567e19)),
        ("1.7976931348623157e308", .number(1.7976931348623157e308)), ("4.9e-324", .number(.leastNonzeroMagnitude)), ("1e-400", 0),
        // Sections 7 and 8: escapes, surrogate pairs, UTF-8 as it is.
        (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{8}\u{c}\n\r\t"), (#""\u0041\u00e9\u20AC""#, "Aé€"), (#""\u0000""#, "\u{0}"),
        (#""\uD834\uDD1E""#, "𝄞"), (#""\ud83d\ude00x""#, "😀x"), ("\"é€😀\u{7f}\"", "é€😀\u{7f}"), (#""a\nb😀""#, "a\nb😀"),
        // Section 8.1: a leading byte order mark is ignored.
        ("\u{feff}[1]", [1]),
    ]

    @Test func validTextsParse() throws {
        for (text, expected) in Self.valid {
            #expect(try JSONValue(parsing: text) == expected, "\(text.debugDescription)")
        }
    }

    @Test func negativeZeroKeepsItsSign() throws {
        #expect(try JSONValue(parsing: "-0").double?.sign == .minus)
    }

    /// Text, then the line and column its error names.
    static let invalid: [(String, Int, Int)] = [
        ("", 1, 1), ("  ", 1, 3), ("[", 1, 2), ("[1", 1, 3), ("{\"a\"", 1, 5), ("{\"a\":", 1, 6), ("{\"a\":1", 1, 7),
        ("[1,]", 1, 4), ("{\"a\":1,}", 1, 8), ("[,1]", 1, 2), ("[1 2]", 1, 4), ("{\"a\" 1}", 1, 6), ("{a:1}", 1, 2), ("{1:1}", 1, 2),
        ("[1]x", 1, 4), ("[1]\n]", 2, 1), ("{}{}", 1, 3), ("nul", 1, 1), ("[tru]", 1, 2), ("True", 1, 1), ("[NaN]", 1, 2), ("[Infinity]", 1, 2),
        // Numbers: no leading zeros, plus sign, bare point, empty exponent, hex; too large for a Double.
        ("01", 1, 2), ("[-01]", 1, 4), ("+1", 1, 1), (".5", 1, 1), ("[1.]", 1, 4), ("[1.e3]", 1, 4), ("[1e]", 1, 4), ("[1e+]", 1, 5),
        ("[-]", 1, 3), ("[- 1]", 1, 3), ("0x10", 1, 2), ("[1e400]", 1, 2), ("[-1e400]", 1, 2),
        // Strings: unescaped control characters, bad escapes, lone surrogates, broken UTF-8.
        ("\"a", 1, 3), ("[\"a\tb\"]", 1, 4), ("\"\n\"", 1, 2), (#""\x""#, 1, 2), (#""\u12""#, 1, 6), (#""\u12G4""#, 1, 6), ("\"\\", 1, 3),
        (#"["\ud800"]"#, 1, 3), (#"["\ud800\u0041"]"#, 1, 3), (#"["\udc00"]"#, 1, 3), (#"["ab\ud800x"]"#, 1, 5), ("[\n  \"\\uDFFF\"]", 2, 4),
        // Whitespace is only space, tab, line feed and carriage return.
        ("[\u{c}1]", 1, 2), ("[\u{a0}1]", 1, 2),
        // Positions count lines and characters, not bytes.
        ("{\"é€\":\n  [1,\n   2,, 3]}", 3, 6),
    ]

    @Test func invalidTextsNameTheirPosition() {
        for (text, line, column) in Self.invalid {
            do {
                let value = try JSONValue(parsing: text)
                Issue.record("\(text.debugDescription) parsed as \(value)")
            } catch {
                #expect((error.line, error.column) == (line, column), "\(text.debugDescription): \(error)")
                #expect(error.description.hasPrefix("the text is not valid JSON at line \(line), column \(column): "))
            }
        }
    }

    @Test func invalidUTF8IsRefusedAtItsByte() {
        let cases: [([UInt8], Int)] = [
            ([0x22, 0xFF, 0x22], 1),  // never UTF-8
            ([0x22, 0x61, 0xC0, 0x80, 0x22], 2),  // overlong NUL
            ([0x22, 0xE0, 0x80, 0xAF, 0x22], 1),  // overlong '/'
            ([0x22, 0xED, 0xA0, 0x80, 0x22], 1),  // an encoded surrogate
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1),  // past U+10FFFF
            ([0x22, 0xC3], 1),  // cut short
            ([0x22, 0x5C, 0x6E, 0xC3, 0x28, 0x22], 3),  // after an escape
            ([0xC3, 0xA9], 0),  // outside a string
        ]
        for (bytes, offset) in cases {
            #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: bytes) }
            do { _ = try JSONValue(parsing: bytes) } catch { #expect(error.offset == offset, "\(bytes): \(error)") }
        }
    }

    @Test func errorsSayWhatIsWrong() {
        func reason(_ text: String) -> String {
            do { _ = try JSONValue(parsing: text) } catch { return error.reason }
            return "parsed"
        }
        #expect(reason("[1,]") == "a trailing ',' before ']' is not JSON; remove the comma")
        #expect(reason("[1 2]") == "a ',' or ']' should follow an array element, not '2'")
        #expect(reason("{\"a\":1 \"b\":2}") == "a ',' or '}' should follow an object member, not '\"'")
        #expect(reason("[1e400]") == "the number 1e400 is too large for a 64-bit floating point value")
        #expect(reason(#""\ud800""#) == "\\uD800 is the first half of a surrogate pair, and no \\u escape of its second half follows")
        #expect(reason("[1") == "the text ends inside an array; a ',' or ']' should follow")
        #expect(reason("[\"a\u{1}\"]") == "a control character (U+0001) must be escaped inside a string")
    }

    @Test func nestingIsLimitedNotOverflowed() throws {
        let limit = JSONParser.maximumDepth
        let deepest = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        var value = try JSONValue(parsing: deepest)
        for _ in 1..<limit { value = value[0]! }
        #expect(value == [])
        for text in [
            String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1),
            String(repeating: "{\"a\":", count: limit + 1) + "1" + String(repeating: "}", count: limit + 1),
            String(repeating: "[", count: 1_000_000),
        ] {
            do {
                _ = try JSONValue(parsing: text)
                Issue.record("nesting past the limit parsed")
            } catch {
                #expect(error.reason == "arrays and objects nest deeper than \(limit) levels")
            }
        }
    }

    @Test func writtenValuesParseBack() throws {
        let value: JSONValue = ["a": [1, 2.5, -3, "x\"\\\n\u{1}é😀", nil, true, false], "b": [:], "": []]
        #expect(try JSONValue(parsing: value.serialized) == value)
    }
}
