import Crypto
import SessionProtocol
import TestSupport
import Testing

/// The data-channel spec's byte vectors (section 3.1), the WebSocket codec under every chunking,
/// and a million random and mutated frames through both decoders.
@Suite struct CodecTests {
    static let created: UInt64 = 1_700_000_000_123
    static func uuid(_ s: String) -> [UInt8] { Hex.decode(s.replacing("-", with: ""))! }

    static let vectors: [(String, Int64, UInt64, String, UInt32, [UInt8], String)] = [
        (
            "input_stream_data", 5, 0, "dd01e56b-ff48-483e-a508-b5f073f31b16", 1, Array("ls\r".utf8),
            "00000074696e7075745f73747265616d5f64617461202020202020202020202020202020000000010000018bcfe5687b00000000000000050000000000000000a508b5f073f31b16dd01e56bff48483e1d887ce0f8672e4914d9000e801cd74ecd805dd9366c0bc42dc16adc0197dc2f00000001000000036c730d"
        ),
        (
            "input_stream_data", 0, 0, "11111111-2222-4333-8444-555555555555", 3, Array(#"{"cols":120,"rows":40}"#.utf8),
            "00000074696e7075745f73747265616d5f64617461202020202020202020202020202020000000010000018bcfe5687b0000000000000000000000000000000084445555555555551111111122224333edf7359c89077b608a6b3e8b19e63bbfc7aa724989a05ea371a9966a6e9db7cc00000003000000167b22636f6c73223a3132302c22726f7773223a34307d"
        ),
        (
            "input_stream_data", 9, 0, "11111111-2222-4333-8444-555555555555", 10, [0, 0, 0, 2],
            "00000074696e7075745f73747265616d5f64617461202020202020202020202020202020000000010000018bcfe5687b0000000000000009000000000000000084445555555555551111111122224333433ebf5bc03dffa38536673207a21281612cef5faa9bc7a4d5b9be2fdb12cf1a0000000a0000000400000002"
        ),
        (
            "output_stream_data", 0, 1, "0b7f1d3c-2a44-4e0e-9a51-3f6d2c1b0a99", 1, Array("$ ".utf8),
            "000000746f75747075745f73747265616d5f646174612020202020202020202020202020000000010000018bcfe5687b000000000000000000000000000000019a513f6d2c1b0a990b7f1d3c2a444e0ee5b111ba26d5bb1cc89d8a3d74fad4cf1ebd5701c29877969c322b456d0784a300000001000000022420"
        ),
    ]

    @Test(arguments: vectors.indices)
    func specVector(_ index: Int) throws {
        let (type, seq, flags, id, ptype, payload, hex) = Self.vectors[index]
        let message = ClientMessage(
            type: type, sequenceNumber: seq, flags: flags, payloadType: ptype, payload: payload,
            messageId: Self.uuid(id), createdDate: Self.created)
        #expect(Hex.encode(try message.encode()) == hex)
        let decoded = try ClientMessage.decode(Hex.decode(hex)!)
        #expect(decoded == message)
        #expect(decoded.messageIdString == id)
        #expect(decoded.isValid)
    }

    @Test func ackVectorHeaderAndEmptyPayloadRefused() throws {
        let body = Array(
            #"{"AcknowledgedMessageType":"output_stream_data","AcknowledgedMessageId":"0b7f1d3c-2a44-4e0e-9a51-3f6d2c1b0a99","AcknowledgedMessageSequenceNumber":7,"IsSequentialMessage":true}"#
                .utf8)
        let ack = ClientMessage(
            type: "acknowledge", flags: 3, payloadType: 0, payload: body, messageId: Self.uuid("11111111-2222-4333-8444-555555555555"),
            createdDate: Self.created)
        let frame = try ack.encode()
        #expect(frame.count == 296)
        #expect(
            Hex.encode(frame).hasPrefix(
                "0000007461636b6e6f776c65646765202020202020202020202020202020202020202020000000010000018bcfe5687b00000000000000000000000000000003844455555555555511111111222243332e5b20b322446673faf9246361881b394676b303f5cd7e3679f1f465edb4119600000000000000b0"
            ))
        let empty = ClientMessage(type: "input_stream_data", payloadType: 1, payload: [], messageId: [UInt8](repeating: 1, count: 16), createdDate: 1)
        #expect(throws: ClientMessage.Invalid.self) { try empty.encode() }
    }

    @Test func shortAndCorruptFramesAreRefused() throws {
        let frame = Hex.decode(Self.vectors[0].6)!
        for cut in 0..<120 { #expect(throws: ClientMessage.Invalid.self) { try ClientMessage.decode(frame[..<cut]) } }
        var corrupt = frame
        corrupt[80] ^= 0xff
        #expect(try ClientMessage.decode(corrupt).isValid == false)
        var pastEnd = frame
        pastEnd[3] = 0xff
        #expect(throws: ClientMessage.Invalid.self) { try ClientMessage.decode(pastEnd) }
    }

    @Test func websocketAcceptFromRFC6455() throws {
        #expect(WebSocketHandshake.accept(for: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        let handshake = WebSocketHandshake(
            host: "127.0.0.1:8080", target: "/v1/data-channel/s?role=publish_subscribe",
            keyBytes: Array("the sample nonce".utf8))
        #expect(handshake.key == "dGhlIHNhbXBsZSBub25jZQ==")
        #expect(
            String(decoding: handshake.request, as: UTF8.self).hasPrefix(
                "GET /v1/data-channel/s?role=publish_subscribe HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUpgrade: websocket\r\n"))
        let answer =
            Array(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
                    .utf8) + [0x82, 0x01, 0x78]
        #expect(try handshake.checkResponse(Array(answer.prefix(40))) == nil)
        #expect(try handshake.checkResponse(answer) == answer.count - 3)
        #expect(throws: WebSocketHandshake.Failure.self) { try handshake.checkResponse(Array("HTTP/1.1 403 Forbidden\r\n\r\n".utf8)) }
        let wrong = Array("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n\r\n".utf8)
        #expect(throws: WebSocketHandshake.Failure.self) { try handshake.checkResponse(wrong) }
    }

    /// Connection is a list of tokens, one of which must be "upgrade" in any case (RFC 6455 4.1).
    @Test func theConnectionHeaderIsATokenList() throws {
        let handshake = WebSocketHandshake(host: "h", target: "/", keyBytes: Array("the sample nonce".utf8))
        func answer(_ connection: String) -> [UInt8] {
            Array(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: \(connection)\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
                    .utf8)
        }
        #expect(try handshake.checkResponse(answer("keep-alive, UPGRADE")) != nil)
        #expect(try handshake.checkResponse(answer("upgrade")) != nil)
        #expect(throws: WebSocketHandshake.Failure.self) { try handshake.checkResponse(answer("keep-alive")) }
        #expect(throws: WebSocketHandshake.Failure.self) { try handshake.checkResponse(answer("upgraded")) }
    }

    @Test func base64RoundTrip() {
        for n in 0..<40 {
            let bytes = (0..<n).map { UInt8(($0 * 37 + n) & 0xff) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.decode("Zm9vYg==") == Array("foob".utf8))
        #expect(Base64.decode("Zm9=vYg=") == nil)
    }

    /// The acknowledgement written into one buffer is, byte for byte, the general encoder's frame
    /// of the same acknowledgement (the JSON body as the spec's section 5.4 shows it).
    @Test(arguments: [Int64(0), 7, 9, 10, 99, 1_000, 123_456_789, Int64.max, -1, Int64.min])
    func acknowledgementFrameIsTheGeneralEncodersFrame(sequence: Int64) throws {
        for type in ["output_stream_data", "channel_closed", "x"] {
            let received = ClientMessage(
                type: type, sequenceNumber: sequence, payloadType: 1, payload: [1], messageId: Self.uuid("0b7f1d3c-2a44-4e0e-9a51-3f6d2c1b0a99"),
                createdDate: Self.created)
            let id = Self.uuid("11111111-2222-4333-8444-555555555555")
            let body =
                #"{"AcknowledgedMessageType":"\#(type)","AcknowledgedMessageId":"0b7f1d3c-2a44-4e0e-9a51-3f6d2c1b0a99","AcknowledgedMessageSequenceNumber":\#(sequence),"IsSequentialMessage":true}"#
            let general = ClientMessage(type: "acknowledge", flags: 3, payloadType: 0, payload: Array(body.utf8), messageId: id, createdDate: Self.created)
            let frame = ClientMessage.acknowledgementFrame(of: received, messageId: id, createdDate: Self.created)
            #expect(frame == (try general.encode()), "\(type) \(sequence)")
            #expect(try ClientMessage.decode(frame).isValid)
        }
    }

    /// Frames appended to one buffer (the session loop's queue) are the frames `encode` makes.
    @Test func framesAppendedToAQueueAreTheEncodedFrames() {
        let mask: [UInt8] = [0x37, 0xfa, 0x21, 0x3d]
        let key = UInt32(0x37) | UInt32(0xfa) << 8 | UInt32(0x21) << 16 | UInt32(0x3d) << 24
        var queue: [UInt8] = [9, 9]
        var expected: [UInt8] = [9, 9]
        for length in [0, 1, 3, 125, 126, 1_000, 65_535, 65_536] {
            let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 1) }
            WebSocketFrame.appendMasked(opcode: .binary, payload: payload, maskKey: key, to: &queue)
            expected += WebSocketFrame(opcode: .binary, payload: payload).encode(mask: mask)
        }
        WebSocketFrame.appendMasked(opcode: .close, payload: [0x03, 0xE8], maskKey: key, to: &queue)
        expected += WebSocketFrame(opcode: .close, payload: [0x03, 0xE8]).encode(mask: mask)
        #expect(queue == expected)
    }

    /// Client frames are masked a word at a time: every length (tails of 0 to 3 bytes, the 16-bit
    /// and 64-bit length forms) unmasks to the payload, byte for byte as RFC 6455 5.3 defines.
    @Test func maskedFramesUnmaskToThePayload() {
        let mask: [UInt8] = [0x37, 0xfa, 0x21, 0x3d]
        for length in [0, 1, 2, 3, 4, 5, 7, 125, 126, 1_000, 65_536] {
            let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let frame = WebSocketFrame(opcode: .binary, payload: payload).encode(mask: mask)
            let header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10
            #expect(frame[1] & 0x80 != 0, "the mask bit is set")
            #expect(Array(frame[header..<header + 4]) == mask)
            let body = frame[(header + 4)...]
            #expect(body.count == length)
            #expect(body.enumerated().allSatisfy { $0.element ^ mask[$0.offset & 3] == payload[$0.offset] }, "length \(length)")
        }
    }

    /// Server frames (unmasked) of several kinds and sizes, fragmented and not.
    static func serverStream() -> ([UInt8], [WebSocketMessage]) {
        let big = [UInt8](repeating: 7, count: 70_000)
        let medium = (0..<300).map { UInt8($0 & 0xff) }
        var bytes: [UInt8] = []
        bytes += WebSocketFrame(opcode: .binary, payload: [1, 2, 3]).encode(mask: nil)
        bytes += WebSocketFrame(fin: false, opcode: .binary, payload: Array(medium[0..<100])).encode(mask: nil)
        bytes += WebSocketFrame(opcode: .ping, payload: Array("keepalive".utf8)).encode(mask: nil)
        bytes += WebSocketFrame(fin: true, opcode: .continuation, payload: Array(medium[100...])).encode(mask: nil)
        bytes += WebSocketFrame(opcode: .binary, payload: big).encode(mask: nil)
        bytes += WebSocketFrame(opcode: .text, payload: Array("{}".utf8)).encode(mask: nil)
        bytes += WebSocketFrame(opcode: .close, payload: [0x03, 0xe8] + Array("Bye".utf8)).encode(mask: nil)
        return (
            bytes,
            [
                .binary([1, 2, 3]), .ping(Array("keepalive".utf8)), .binary(medium), .binary(big), .text(Array("{}".utf8)),
                .close(code: 1000, reason: "Bye"),
            ]
        )
    }

    @Test func websocketDecoderUnderEveryChunking() throws {
        let (bytes, expected) = Self.serverStream()
        var whole = WebSocketDecoder()
        #expect(try whole.feed(bytes) == expected)
        // Every split point of the small frames' region, byte by byte, and random splits.
        var byteByByte = WebSocketDecoder()
        var messages: [WebSocketMessage] = []
        for b in bytes { messages += try byteByByte.feed([b]) }
        #expect(messages == expected)
        for split in 0...min(bytes.count, 600) {
            var d = WebSocketDecoder()
            let got = try d.feed(bytes[..<split]) + d.feed(bytes[split...])
            #expect(got == expected, "split at \(split)")
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var d = WebSocketDecoder()
            var got: [WebSocketMessage] = []
            var i = 0
            while i < bytes.count {
                let n = Int.random(in: 1...5000, using: &generator)
                got += try d.feed(bytes[i..<min(bytes.count, i + n)])
                i += n
            }
            #expect(got == expected)
        }
    }

    @Test func clientFramesAreMasked() {
        let frame = WebSocketFrame(opcode: .binary, payload: [1, 2, 3, 4, 5]).encode(mask: [0xa, 0xb, 0xc, 0xd])
        let expected: [UInt8] = [0x82, 0x85, 0xa, 0xb, 0xc, 0xd, 0x0b, 0x09, 0x0f, 0x09, 0x0f]
        #expect(frame == expected)
        var decoder = WebSocketDecoder()
        #expect(throws: WebSocketProtocolError.self) { try decoder.feed(frame) }  // a server must not mask
    }

    @Test func protocolViolationsAreErrors() {
        for bad: [UInt8] in [[0x83, 0], [0xC2, 0], [0x09, 0], [0x89, 126, 0, 200] + [UInt8](repeating: 0, count: 200), [0x80, 0], [0x88, 1, 0]] {
            var d = WebSocketDecoder()
            #expect(throws: WebSocketProtocolError.self) { try d.feed(bad) }
        }
        var d = WebSocketDecoder(maxMessageSize: 1000)
        #expect(throws: WebSocketProtocolError.self) { try d.feed([0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]) }
    }

    /// A million random and mutated frames through both decoders: errors are fine, a trap or a
    /// hang is not.
    @Test func fuzzBothDecoders() throws {
        var rng = SplitMix64(seed: 0x5EED)
        let (stream, _) = Self.serverStream()
        let seeds = Self.vectors.map { Hex.decode($0.6)! } + [Array(stream.prefix(400))]
        var decoded = 0
        for round in 0..<1_000_000 {
            var frame: [UInt8]
            if round % 4 == 0 {
                frame = (0..<Int(rng.next() % 160)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                frame = seeds[Int(rng.next() % UInt64(seeds.count))]
                for _ in 0..<(1 + rng.next() % 4) {
                    let position = Int(rng.next() % UInt64(max(1, frame.count)))
                    switch rng.next() % 3 {
                    case 0 where !frame.isEmpty: frame[position] = UInt8(truncatingIfNeeded: rng.next())
                    case 1: frame = Array(frame.prefix(position))
                    default: frame.insert(UInt8(truncatingIfNeeded: rng.next()), at: min(position, frame.count))
                    }
                }
            }
            if (try? ClientMessage.decode(frame)) != nil { decoded += 1 }
            var ws = WebSocketDecoder(maxMessageSize: 1 << 16)
            _ = try? ws.feed(frame)
        }
        #expect(decoded > 0)
    }
}

/// OpenDataChannel (spec 2.2) as the gateway reads it: JSON with the token escaped.
@Suite struct OpenDataChannelTests {
    @Test func theTokenIsEscapedAndTheIdsAreUUIDs() {
        let text = String(decoding: OpenDataChannel.message(token: "a\"b\\c", requestId: Array(0..<16), clientId: "id-1"), as: UTF8.self)
        #expect(
            text
                == #"{"MessageSchemaVersion":"1.0","RequestId":"00010203-0405-0607-0809-0a0b0c0d0e0f","TokenValue":"a\"b\\c","ClientId":"id-1","ClientVersion":"1.2.707.0"}"#
        )
    }
}
