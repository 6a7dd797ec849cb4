import Testing

@testable import SSMShell

/// `attach`'s live output (issue 15): prefixes, partial lines, binary shown safely.
@Suite struct AttachOutputFormatterTests {
    @Test func oneNodeShowsOutputAsItComesWithoutAPrefix() {
        var formatter = AttachOutputFormatter(names: ["web-1"], color: true)
        #expect(formatter.text(Array("par".utf8), node: 0, stream: .out) == "par")
        #expect(formatter.text(Array("tial\n".utf8), node: 0, stream: .out) == "tial\n")
        // A character cut between two pieces waits for its rest.
        #expect(formatter.text([0x68, 0xC3], node: 0, stream: .out) == "h")
        #expect(formatter.text([0xA9], node: 0, stream: .out) == "é")
        #expect(formatter.lineEnded(node: 0, lastByte: [.out: 0xA9]) == [.out: "\n"])
        #expect(formatter.lineEnded(node: 0, lastByte: [.out: 0x0A]).isEmpty)
    }

    @Test func severalNodesShowWholeLinesBehindTheirNames() {
        var formatter = AttachOutputFormatter(names: ["web-1", "db"], color: false)
        #expect(formatter.text(Array("a\nb".utf8), node: 1, stream: .err) == "db    | a\n")
        #expect(formatter.text(Array("x\n".utf8), node: 0, stream: .out) == "web-1 | x\n")
        #expect(formatter.lineEnded(node: 1, lastByte: [:]) == [.err: "db    | b\n"])
        let colored = AttachOutputFormatter(names: ["a", "b"], color: true)
        #expect(colored.prefixes == ["\u{1B}[32ma\u{1B}[0m | ", "\u{1B}[33mb\u{1B}[0m | "])
    }

    @Test func binaryIsEscaped() {
        let bytes: [UInt8] = [0x00, 0x1B, 0x5B, 0x32, 0x4A, 0xFF, 0x09, 0x0D, 0x0A, 0x0D, 0xC2, 0x9B, 0xE2, 0x82, 0xAC, 0xC0, 0x80]
        #expect(AttachOutputFormatter.escaped(bytes[...]) == "\\x00\\x1b[2J\\xff\t\n\\x0d\\xc2\\x9b€\\xc0\\x80")
    }
}
