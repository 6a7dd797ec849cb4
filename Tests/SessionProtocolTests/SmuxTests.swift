import SessionProtocol
import Testing

/// smux v1 against the spec's observed bytes (7.3), every chunking, and bad input.
@Suite struct SmuxTests {
    @Test func framesAsTheSpecShowsThem() {
        var session = SmuxSession()
        let (stream, syn) = session.open()
        #expect(stream == 3)
        #expect(syn == [0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00])
        #expect(session.send([0x61, 0x62], on: 3) == [0x01, 0x02, 0x02, 0x00, 0x03, 0x00, 0x00, 0x00, 0x61, 0x62])
        #expect(session.close(3) == [0x01, 0x01, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00])
        #expect(session.open().stream == 5)
        let big = session.send([UInt8](repeating: 7, count: 70_000), on: 5)
        #expect(big.count == 70_000 + 3 * 8, "split at 32768-byte frames")
    }

    @Test func decodesUnderEveryChunking() throws {
        let stream =
            SmuxSession.frame(.psh, stream: 3, data: Array("hello".utf8)) + SmuxSession.frame(.nop, stream: 0)
            + SmuxSession.frame(.psh, stream: 5, data: [UInt8](repeating: 1, count: 3000)) + SmuxSession.frame(.fin, stream: 3)
        let expected: [SmuxSession.Event] = [.data(stream: 3, Array("hello".utf8)), .data(stream: 5, [UInt8](repeating: 1, count: 3000)), .closed(stream: 3)]
        for split in 0...stream.count {
            var s = SmuxSession()
            #expect(try s.feed(stream[..<split]) + s.feed(stream[split...]) == expected)
        }
        var oneByOne = SmuxSession()
        var events: [SmuxSession.Event] = []
        for b in stream { events += try oneByOne.feed([b]) }
        #expect(events == expected)
    }

    @Test func protocolErrors() {
        var s = SmuxSession()
        #expect(throws: SmuxSession.ProtocolError.self) { try s.feed([2, 2, 0, 0, 3, 0, 0, 0]) }
        var t = SmuxSession()
        #expect(throws: SmuxSession.ProtocolError.self) { try t.feed([1, 9, 0, 0, 3, 0, 0, 0]) }
    }
}
