import Crypto

/// The Session Manager ClientMessage (data-channel spec section 3): a 120-byte big-endian header
/// and a payload, one per WebSocket binary frame. The MessageId's two 8-byte halves are swapped
/// on the wire. Decoding is bounds-checked and never traps.
public struct ClientMessage: Sendable, Equatable {
    public static let headerLength: UInt32 = 116
    public static let headerSize = 120

    public enum MessageType: String, Sendable {
        case inputStreamData = "input_stream_data"
        case outputStreamData = "output_stream_data"
        case acknowledge
        case channelClosed = "channel_closed"
        case startPublication = "start_publication"
        case pausePublication = "pause_publication"
    }

    /// Payload types (spec 4.2).
    public enum PayloadType: UInt32, Sendable {
        case none = 0
        case output = 1
        case error = 2
        case size = 3
        case parameter = 4
        case handshakeRequest = 5
        case handshakeResponse = 6
        case handshakeComplete = 7
        case encChallengeRequest = 8
        case encChallengeResponse = 9
        case flag = 10
        case stdErr = 11
        case exitCode = 12
    }

    public var messageType: String
    public var schemaVersion: UInt32 = 1
    /// Milliseconds since 1970.
    public var createdDate: UInt64
    public var sequenceNumber: Int64
    public var flags: UInt64
    /// The 16 canonical (RFC 4122) bytes of the message id.
    public var messageId: [UInt8]
    public var payloadDigest: [UInt8]
    public var payloadType: UInt32
    public var payload: [UInt8]

    public init(
        type: String, sequenceNumber: Int64 = 0, flags: UInt64 = 0, payloadType: UInt32, payload: [UInt8],
        messageId: [UInt8], createdDate: UInt64
    ) {
        self.messageType = type
        self.sequenceNumber = sequenceNumber
        self.flags = flags
        self.payloadType = payloadType
        self.payload = payload
        self.messageId = messageId
        self.createdDate = createdDate
        self.payloadDigest = Digest.sha256(payload)
    }

    /// A message as read, with the digest it carried (checked by `isValid`, never computed twice).
    init(
        type: String, schemaVersion: UInt32, sequenceNumber: Int64, flags: UInt64, payloadType: UInt32, payload: [UInt8],
        messageId: [UInt8], payloadDigest: [UInt8], createdDate: UInt64
    ) {
        self.messageType = type
        self.schemaVersion = schemaVersion
        self.sequenceNumber = sequenceNumber
        self.flags = flags
        self.payloadType = payloadType
        self.payload = payload
        self.messageId = messageId
        self.payloadDigest = payloadDigest
        self.createdDate = createdDate
    }

    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// The frame's bytes. An empty payload is refused: neither Go serializer produces one (spec 3).
    public func encode() throws(Invalid) -> [UInt8] {
        guard !payload.isEmpty else { throw Invalid(description: "a ClientMessage never carries an empty payload") }
        let type = Array(messageType.utf8)
        guard type.count <= 32 else { throw Invalid(description: "the message type is longer than 32 bytes") }
        guard messageId.count == 16, payloadDigest.count == 32 else { throw Invalid(description: "the message id or digest has the wrong size") }
        var out = [UInt8]()
        out.reserveCapacity(Self.headerSize + payload.count)
        out.appendBigEndian(Self.headerLength)
        out += type + [UInt8](repeating: 0x20, count: 32 - type.count)
        out.appendBigEndian(schemaVersion)
        out.appendBigEndian(createdDate)
        out.appendBigEndian(UInt64(bitPattern: sequenceNumber))
        out.appendBigEndian(flags)
        out += messageId[8..<16]
        out += messageId[0..<8]
        out += payloadDigest
        out.appendBigEndian(payloadType)
        out.appendBigEndian(UInt32(payload.count))
        out += payload
        return out
    }

    /// Parses a frame. The payload is the rest of the frame after HeaderLength + 4 (what the Go
    /// parsers do); short frames and header lengths past the end are refused.
    public static func decode(_ frame: some Collection<UInt8>) throws(Invalid) -> ClientMessage {
        try decode(Array(frame))
    }

    /// The concrete form the data channel calls once per received message: the fields are read
    /// straight from the frame, with no intermediate arrays (docs/benchmarks.md, perf profile).
    public static func decode(_ bytes: [UInt8]) throws(Invalid) -> ClientMessage {
        guard bytes.count >= headerSize else { throw Invalid(description: "a frame of \(bytes.count) bytes is shorter than the 120-byte header") }
        let headerLength = Int(bytes.readUInt32(0))
        guard headerLength >= 116, headerLength + 4 <= bytes.count else {
            throw Invalid(description: "the header length \(headerLength) does not fit a \(bytes.count)-byte frame")
        }
        var typeStart = 4
        var typeEnd = 36
        while typeEnd > typeStart, bytes[typeEnd - 1] == 0 || bytes[typeEnd - 1] == 0x20 { typeEnd -= 1 }
        while typeStart < typeEnd, bytes[typeStart] == 0 || bytes[typeStart] == 0x20 { typeStart += 1 }
        // The MessageId's halves are swapped on the wire (spec 3).
        let messageId = [UInt8](unsafeUninitializedCapacity: 16) { id, count in
            for index in 0..<8 {
                id[index] = bytes[72 + index]
                id[8 + index] = bytes[64 + index]
            }
            count = 16
        }
        return ClientMessage(
            type: knownType(bytes[typeStart..<typeEnd]), schemaVersion: bytes.readUInt32(36),
            sequenceNumber: Int64(bitPattern: bytes.readUInt64(48)), flags: bytes.readUInt64(56), payloadType: bytes.readUInt32(112),
            payload: Array(bytes[(headerLength + 4)...]), messageId: messageId,
            payloadDigest: Array(bytes[80..<112]), createdDate: bytes.readUInt64(40))
    }

    /// The message type as text: one of the known types' literals when it is one (no String is
    /// built for the two that arrive once per message), else decoded.
    private static func knownType(_ bytes: ArraySlice<UInt8>) -> String {
        if bytes == Wire.outputStreamData[...] { return MessageType.outputStreamData.rawValue }
        if bytes == Wire.acknowledge[...] { return MessageType.acknowledge.rawValue }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Byte strings of the hot path, made once.
    private enum Wire {
        static let outputStreamData = Array(MessageType.outputStreamData.rawValue.utf8)
        static let acknowledge = Array(MessageType.acknowledge.rawValue.utf8)
        /// An ack's first 36 bytes: HeaderLength and the type padded with spaces (spec 3).
        static let acknowledgementStart: [UInt8] = {
            var out: [UInt8] = []
            out.appendBigEndian(headerLength)
            out += acknowledge + [UInt8](repeating: 0x20, count: 32 - acknowledge.count)
            return out
        }()
        static let bodyStart = Array(#"{"AcknowledgedMessageType":""#.utf8)
        static let bodyId = Array(#"","AcknowledgedMessageId":""#.utf8)
        static let bodySequence = Array(#"","AcknowledgedMessageSequenceNumber":"#.utf8)
        static let bodyEnd = Array(#","IsSequentialMessage":true}"#.utf8)
        static let zeros = [UInt8](repeating: 0, count: 32)
    }

    /// The plugin's validation (spec 3): pause/start publication are always valid; otherwise the
    /// header must be set and a non-empty payload must match its digest.
    public var isValid: Bool {
        if messageType == MessageType.startPublication.rawValue || messageType == MessageType.pausePublication.rawValue { return true }
        guard !messageType.isEmpty, createdDate != 0 else { return false }
        return payload.isEmpty || Digest.sha256(payload, matches: payloadDigest)
    }

    /// The lower-case 8-4-4-4-12 form used in acknowledgements.
    public var messageIdString: String { Self.uuidString(messageId) }

    public static func uuidString(_ bytes: [UInt8]) -> String { String(decoding: uuidText(bytes), as: UTF8.self) }

    /// The same as UTF-8 bytes.
    static func uuidText(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        appendUUIDText(bytes, to: &out)
        return out
    }

    /// Appends the 8-4-4-4-12 text of a 16-byte id (any other length: plain hex) to `out`,
    /// written through a pointer into reserved space (an ack carries one).
    static func appendUUIDText(_ bytes: [UInt8], to out: inout [UInt8]) {
        let dashes = bytes.count == 16
        let length = bytes.count * 2 + (dashes ? 4 : 0)
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: length))
        out.withUnsafeMutableBufferPointer { buffer in
            let digits: StaticString = "0123456789abcdef"
            digits.withUTF8Buffer { digits in
                var at = start
                for index in bytes.indices {
                    if dashes && (index == 4 || index == 6 || index == 8 || index == 10) {
                        buffer[at] = UInt8(ascii: "-")
                        at += 1
                    }
                    buffer[at] = digits[Int(bytes[index] >> 4)]
                    buffer[at + 1] = digits[Int(bytes[index] & 0x0f)]
                    at += 2
                }
            }
        }
    }

    /// The acknowledgement of `message` (spec 5.4: type acknowledge, flags 3, payload type 0, the
    /// JSON body naming the message), encoded: the same bytes as `ClientMessage(...).encode()`,
    /// written into one buffer with the body's digest computed in place. One is sent for every
    /// message received, so it is the download's hottest path (docs/benchmarks.md, perf profile).
    public static func acknowledgementFrame(of message: ClientMessage, messageId: [UInt8], createdDate: UInt64) -> [UInt8] {
        let digestOffset = 80
        var out = [UInt8]()
        out.reserveCapacity(headerSize + 200)
        out += Wire.acknowledgementStart
        out.appendBigEndian(UInt32(1))
        out.appendBigEndian(createdDate)
        out.appendBigEndian(UInt64(0))
        out.appendBigEndian(UInt64(3))
        if messageId.count == 16 {
            out += messageId[8..<16]
            out += messageId[0..<8]
        } else {
            out.append(contentsOf: Wire.zeros[0..<16])
        }
        out.append(contentsOf: Wire.zeros[0..<32])  // the digest, once the body is written
        out.appendBigEndian(UInt32(0))
        out.appendBigEndian(UInt32(0))  // the body's length, once written
        out += Wire.bodyStart
        if message.messageType == MessageType.outputStreamData.rawValue { out += Wire.outputStreamData } else { out += message.messageType.utf8 }
        out += Wire.bodyId
        appendUUIDText(message.messageId, to: &out)
        out += Wire.bodySequence
        appendDecimal(message.sequenceNumber, to: &out)
        out += Wire.bodyEnd
        let bodyLength = out.count - headerSize
        out.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt32(bodyLength).bigEndian, toByteOffset: headerSize - 4, as: UInt32.self)
            Digest.sha256(
                UnsafeRawBufferPointer(rebasing: raw[headerSize...]),
                into: UnsafeMutableRawBufferPointer(rebasing: raw[digestOffset..<digestOffset + 32]))
        }
        return out
    }

    /// A decimal integer's digits, as `String(value)` writes them, with no String between.
    static func appendDecimal(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        var divisor: UInt64 = 1
        while magnitude / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(magnitude / divisor % 10))
            divisor /= 10
        }
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        for shift in stride(from: T.bitWidth - 8, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    func readUInt32(_ offset: Int) -> UInt32 { self[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) } }
    func readUInt64(_ offset: Int) -> UInt64 { self[offset..<offset + 8].reduce(0) { $0 << 8 | UInt64($1) } }
}
