/// smux v1 (xtaci/smux 1.5), the client side, sans I/O (data-channel spec 7.3): frames are an
/// 8-byte header (version 1, cmd, length uint16 little-endian, stream id uint32 little-endian) and
/// data, carried inside Output payloads as one ordered byte stream. The client opens odd stream
/// ids from 3; keepalive is off (the agent disables it for clients above 1.2.331.0).
public struct SmuxSession: Sendable {
    public enum Command: UInt8, Sendable {
        case syn = 0
        case fin = 1
        case psh = 2
        case nop = 3
        case upd = 4
    }

    public static let maxFrameData = 32768

    public enum Event: Sendable, Equatable {
        case data(stream: UInt32, [UInt8])
        /// The agent closed its side of the stream (the destination closed, or could not be dialed).
        case closed(stream: UInt32)
    }

    public struct ProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    private var nextStreamId: UInt32 = 1
    private var buffer: [UInt8] = []
    public private(set) var openStreams: Set<UInt32> = []

    public init() {}

    public static func frame(_ command: Command, stream: UInt32, data: some Collection<UInt8> = [UInt8]()) -> [UInt8] {
        var out: [UInt8] = [1, command.rawValue, UInt8(data.count & 0xff), UInt8(data.count >> 8)]
        out += [UInt8(stream & 0xff), UInt8(stream >> 8 & 0xff), UInt8(stream >> 16 & 0xff), UInt8(stream >> 24)]
        out += data
        return out
    }

    /// Opens a stream: its id and the SYN frame to send.
    public mutating func open() -> (stream: UInt32, bytes: [UInt8]) {
        nextStreamId += 2
        openStreams.insert(nextStreamId)
        return (nextStreamId, Self.frame(.syn, stream: nextStreamId))
    }

    /// PSH frames for data on a stream, split at the maximum frame size.
    public func send(_ data: [UInt8], on stream: UInt32) -> [UInt8] {
        var out: [UInt8] = []
        var offset = 0
        while offset < data.count {
            let end = min(offset + Self.maxFrameData, data.count)
            out += Self.frame(.psh, stream: stream, data: data[offset..<end])
            offset = end
        }
        return out
    }

    /// The FIN frame that closes our side of a stream.
    public mutating func close(_ stream: UInt32) -> [UInt8] {
        openStreams.remove(stream)
        return Self.frame(.fin, stream: stream)
    }

    /// Feeds Output payload bytes in any chunking; returns what happened on the streams.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(ProtocolError) -> [Event] {
        buffer += bytes
        var events: [Event] = []
        var offset = 0
        while buffer.count - offset >= 8 {
            let version = buffer[offset]
            let rawCommand = buffer[offset + 1]
            let length = Int(buffer[offset + 2]) | Int(buffer[offset + 3]) << 8
            let stream = UInt32(buffer[offset + 4]) | UInt32(buffer[offset + 5]) << 8 | UInt32(buffer[offset + 6]) << 16 | UInt32(buffer[offset + 7]) << 24
            guard version == 1, let command = Command(rawValue: rawCommand), command != .upd else {
                throw ProtocolError(description: "smux protocol error: version \(version), command \(rawCommand)")
            }
            guard buffer.count - offset >= 8 + length else { break }
            let data = Array(buffer[(offset + 8)..<(offset + 8 + length)])
            offset += 8 + length
            switch command {
            case .psh: if !data.isEmpty { events.append(.data(stream: stream, data)) }
            case .fin: events.append(.closed(stream: stream))
            case .syn, .nop, .upd: break  // the server never opens streams; NOPs are keepalives
            }
        }
        buffer.removeFirst(offset)
        return events
    }
}
