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
        let bytes = Array(frame)
        guard bytes.count >= headerSize else { throw Invalid(description: "a frame of \(bytes.count) bytes is shorter than the 120-byte header") }
        let headerLength = Int(bytes.readUInt32(0))
        guard headerLength >= 116, headerLength + 4 <= bytes.count else {
            throw Invalid(description: "the header length \(headerLength) does not fit a \(bytes.count)-byte frame")
        }
        var typeBytes = Array(bytes[4..<36])
        while let last = typeBytes.last, last == 0 || last == 0x20 { typeBytes.removeLast() }
        while let first = typeBytes.first, first == 0 || first == 0x20 { typeBytes.removeFirst() }
        return ClientMessage(
            type: String(decoding: typeBytes, as: UTF8.self), schemaVersion: bytes.readUInt32(36),
            sequenceNumber: Int64(bitPattern: bytes.readUInt64(48)), flags: bytes.readUInt64(56), payloadType: bytes.readUInt32(112),
            payload: Array(bytes[(headerLength + 4)...]), messageId: Array(bytes[72..<80] + bytes[64..<72]),
            payloadDigest: Array(bytes[80..<112]), createdDate: bytes.readUInt64(40))
    }

    /// The plugin's validation (spec 3): pause/start publication are always valid; otherwise the
    /// header must be set and a non-empty payload must match its digest.
    public var isValid: Bool {
        if messageType == MessageType.startPublication.rawValue || messageType == MessageType.pausePublication.rawValue { return true }
        guard !messageType.isEmpty, createdDate != 0 else { return false }
        return payload.isEmpty || Digest.sha256(payload) == payloadDigest
    }

    /// The lower-case 8-4-4-4-12 form used in acknowledgements.
    public var messageIdString: String { Self.uuidString(messageId) }

    public static func uuidString(_ bytes: [UInt8]) -> String { String(decoding: uuidText(bytes), as: UTF8.self) }

    /// The same as UTF-8 bytes, written straight into one buffer (an ack is built per message).
    static func uuidText(_ bytes: [UInt8]) -> [UInt8] {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2 + 4)
        for (index, byte) in bytes.enumerated() {
            if bytes.count == 16 && (index == 4 || index == 6 || index == 8 || index == 10) { out.append(UInt8(ascii: "-")) }
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return out
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        for shift in stride(from: T.bitWidth - 8, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    func readUInt32(_ offset: Int) -> UInt32 { self[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) } }
    func readUInt64(_ offset: Int) -> UInt64 { self[offset..<offset + 8].reduce(0) { $0 << 8 | UInt64($1) } }
}
