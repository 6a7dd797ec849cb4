/// RFC 6455 section 5 framing, sans I/O: frames to bytes (clients always mask, section 5.3) and
/// bytes, in any chunking, back to whole messages.
public struct WebSocketFrame: Sendable, Equatable {
    public enum Opcode: UInt8, Sendable {
        case continuation = 0x0
        case text = 0x1
        case binary = 0x2
        case close = 0x8
        case ping = 0x9
        case pong = 0xA
        var isControl: Bool { rawValue & 0x8 != 0 }
    }

    public var fin: Bool
    public var opcode: Opcode
    public var payload: [UInt8]

    public init(fin: Bool = true, opcode: Opcode, payload: [UInt8]) {
        self.fin = fin
        self.opcode = opcode
        self.payload = payload
    }

    /// The frame's bytes. `mask` (4 bytes) is required from clients and forbidden from servers.
    public func encode(mask: [UInt8]?) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 14)
        if let mask {
            precondition(mask.count == 4, "a WebSocket mask is 4 bytes")
            let key = UInt32(mask[0]) | UInt32(mask[1]) << 8 | UInt32(mask[2]) << 16 | UInt32(mask[3]) << 24
            Self.appendMasked(fin: fin, opcode: opcode, payload: payload, maskKey: key, to: &out)
        } else {
            Self.appendHeader(fin: fin, opcode: opcode, length: payload.count, masked: false, to: &out)
            out += payload
        }
        return out
    }

    /// Appends a client's frame (RFC 6455 section 5.3) to `out`: the header, the 4-byte key
    /// `maskKey` (its bytes in memory order, low byte first) and the masked payload. The session
    /// loop queues every frame of a round into one buffer this way, with no array per frame.
    public static func appendMasked(fin: Bool = true, opcode: Opcode, payload: [UInt8], maskKey key: UInt32, to out: inout [UInt8]) {
        appendHeader(fin: fin, opcode: opcode, length: payload.count, masked: true, to: &out)
        for shift in stride(from: 0, through: 24, by: 8) { out.append(UInt8(truncatingIfNeeded: key >> UInt32(shift))) }
        // Masked in place, a 32-bit word at a time: a byte-by-byte append showed at 5% of a
        // download's CPU (every ack is masked).
        let start = out.count
        out += payload
        out.withUnsafeMutableBytes { raw in
            let body = UnsafeMutableRawBufferPointer(rebasing: raw[start...])
            var index = 0
            while index + 4 <= body.count {
                body.storeBytes(of: body.loadUnaligned(fromByteOffset: index, as: UInt32.self) ^ key.littleEndian, toByteOffset: index, as: UInt32.self)
                index += 4
            }
            while index < body.count {
                body[index] ^= UInt8(truncatingIfNeeded: key >> UInt32(8 * (index & 3)))
                index += 1
            }
        }
    }

    private static func appendHeader(fin: Bool, opcode: Opcode, length: Int, masked: Bool, to out: inout [UInt8]) {
        out.append((fin ? 0x80 : 0) | opcode.rawValue)
        let maskBit: UInt8 = masked ? 0x80 : 0
        if length < 126 {
            out.append(maskBit | UInt8(length))
        } else if length <= 0xFFFF {
            out.append(maskBit | 126)
            out.append(UInt8(length >> 8))
            out.append(UInt8(length & 0xff))
        } else {
            out.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: UInt64(length) >> UInt64(shift))) }
        }
    }
}

/// A whole message, after reassembling fragments (control frames arrive on their own).
public enum WebSocketMessage: Sendable, Equatable {
    case text([UInt8])
    case binary([UInt8])
    case ping([UInt8])
    case pong([UInt8])
    case close(code: UInt16?, reason: String)
}

public struct WebSocketProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    /// The close code to send back (RFC 6455 section 7.4.1).
    public let closeCode: UInt16
}

/// Feeds on bytes from the server in any chunking; yields messages. Servers must not mask
/// (section 5.1); a violation is an error that ends the connection.
public struct WebSocketDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0
    private var fragments: [UInt8] = []
    private var fragmentOpcode: WebSocketFrame.Opcode?
    public let maxMessageSize: Int

    public init(maxMessageSize: Int = 16 << 20) { self.maxMessageSize = maxMessageSize }

    public mutating func feed(_ bytes: some Collection<UInt8>) throws(WebSocketProtocolError) -> [WebSocketMessage] {
        try feed(ArraySlice(bytes))
    }

    /// The concrete form the session loop calls with its receive buffer: a generic call from
    /// another module runs unspecialized, copying byte by byte (docs/architecture.md, "Where a forward's time goes").
    /// Whole frames are read straight from `bytes`; only an incomplete frame's bytes are kept.
    public mutating func feed(_ bytes: ArraySlice<UInt8>) throws(WebSocketProtocolError) -> [WebSocketMessage] {
        var messages: [WebSocketMessage] = []
        if start == buffer.count {
            // Nothing held: no copy of what arrived into the buffer first.
            var offset = bytes.startIndex
            while let (frame, next) = try Self.frame(in: bytes, at: offset, maxMessageSize: maxMessageSize) {
                offset = next
                if let message = try assemble(frame) { messages.append(message) }
            }
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
            buffer.append(contentsOf: bytes[offset...])
            start = 0
            return messages
        }
        buffer.append(contentsOf: bytes)
        while let (frame, next) = try Self.frame(in: buffer[...], at: start, maxMessageSize: maxMessageSize) {
            start = next
            if let message = try assemble(frame) { messages.append(message) }
        }
        if start > 65536 || start == buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        return messages
    }

    /// The whole frame at `start` of `data` and the index after it; nil when it has not all arrived.
    private static func frame(in data: ArraySlice<UInt8>, at start: Int, maxMessageSize: Int) throws(WebSocketProtocolError) -> (WebSocketFrame, Int)? {
        let available = data.endIndex - start
        guard available >= 2 else { return nil }
        let b0 = data[start]
        let b1 = data[start + 1]
        guard b0 & 0x70 == 0 else { throw WebSocketProtocolError(description: "the server set reserved bits without an extension", closeCode: 1002) }
        guard let opcode = WebSocketFrame.Opcode(rawValue: b0 & 0x0F) else {
            throw WebSocketProtocolError(description: "unknown opcode \(b0 & 0x0F)", closeCode: 1002)
        }
        let masked = b1 & 0x80 != 0
        var length = UInt64(b1 & 0x7F)
        var header = 2
        if length == 126 {
            guard available >= 4 else { return nil }
            length = UInt64(data[start + 2]) << 8 | UInt64(data[start + 3])
            header = 4
        } else if length == 127 {
            guard available >= 10 else { return nil }
            length = 0
            for i in 0..<8 { length = length << 8 | UInt64(data[start + 2 + i]) }
            header = 10
            guard length >> 63 == 0 else { throw WebSocketProtocolError(description: "a frame length with the top bit set", closeCode: 1002) }
        }
        if masked { header += 4 }
        if opcode.isControl {
            guard b0 & 0x80 != 0 else { throw WebSocketProtocolError(description: "a fragmented control frame", closeCode: 1002) }
            guard length <= 125 else { throw WebSocketProtocolError(description: "a control frame longer than 125 bytes", closeCode: 1002) }
        }
        guard length <= UInt64(maxMessageSize) else {
            throw WebSocketProtocolError(description: "a frame of \(length) bytes is over the \(maxMessageSize)-byte limit", closeCode: 1009)
        }
        guard masked == false else { throw WebSocketProtocolError(description: "the server masked a frame", closeCode: 1002) }
        guard available >= header + Int(length) else { return nil }
        let end = start + header + Int(length)
        return (WebSocketFrame(fin: b0 & 0x80 != 0, opcode: opcode, payload: Array(data[(start + header)..<end])), end)
    }

    private mutating func assemble(_ frame: WebSocketFrame) throws(WebSocketProtocolError) -> WebSocketMessage? {
        switch frame.opcode {
        case .ping: return .ping(frame.payload)
        case .pong: return .pong(frame.payload)
        case .close:
            guard frame.payload.count != 1 else { throw WebSocketProtocolError(description: "a close frame with a 1-byte body", closeCode: 1002) }
            let code = frame.payload.count >= 2 ? UInt16(frame.payload[0]) << 8 | UInt16(frame.payload[1]) : nil
            return .close(code: code, reason: String(decoding: frame.payload.dropFirst(2), as: UTF8.self))
        case .text, .binary:
            guard fragmentOpcode == nil else { throw WebSocketProtocolError(description: "a new message began inside a fragmented one", closeCode: 1002) }
            if frame.fin { return frame.opcode == .text ? .text(frame.payload) : .binary(frame.payload) }
            fragmentOpcode = frame.opcode
            fragments = frame.payload
            return nil
        case .continuation:
            guard let opcode = fragmentOpcode else {
                throw WebSocketProtocolError(description: "a continuation frame with nothing to continue", closeCode: 1002)
            }
            guard fragments.count + frame.payload.count <= maxMessageSize else {
                throw WebSocketProtocolError(description: "a fragmented message over the \(maxMessageSize)-byte limit", closeCode: 1009)
            }
            fragments += frame.payload
            guard frame.fin else { return nil }
            let message: WebSocketMessage = opcode == .text ? .text(fragments) : .binary(fragments)
            fragmentOpcode = nil
            fragments = []
            return message
        }
    }
}
