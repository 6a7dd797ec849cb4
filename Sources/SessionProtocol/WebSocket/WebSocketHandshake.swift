import Crypto

/// The opening handshake (RFC 6455 section 4): the client's upgrade request and the check of the
/// server's 101 answer, including Sec-WebSocket-Accept = base64(SHA-1(key + GUID)).
public struct WebSocketHandshake: Sendable {
    public static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    public let key: String
    public let host: String
    public let target: String
    public let extraHeaders: [(String, String)]

    /// - Parameter keyBytes: 16 random bytes (passed in: the module does no I/O).
    public init(host: String, target: String, keyBytes: [UInt8], extraHeaders: [(String, String)] = []) {
        self.key = Base64.encode(keyBytes)
        self.host = host
        self.target = target
        self.extraHeaders = extraHeaders
    }

    public var request: [UInt8] {
        var lines = [
            "GET \(target) HTTP/1.1", "Host: \(host)", "Upgrade: websocket", "Connection: Upgrade",
            "Sec-WebSocket-Key: \(key)", "Sec-WebSocket-Version: 13",
        ]
        for (name, value) in extraHeaders { lines.append("\(name): \(value)") }
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    public static func accept(for key: String) -> String { Base64.encode(Digest.sha1(key + guid)) }

    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
        public let status: Int?
    }

    /// Given what the server sent so far: nil while the header is incomplete, else the number of
    /// header bytes (anything after them is already WebSocket data).
    public func checkResponse(_ bytes: [UInt8]) throws(Failure) -> Int? {
        guard let end = Self.headerEnd(bytes) else {
            if bytes.count > 16384 { throw Failure(description: "the upgrade answer's headers are longer than 16 KiB", status: nil) }
            return nil
        }
        let text = String(decoding: bytes[..<end], as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        let status = parts.count >= 2 ? Int(parts[1]) : nil
        guard status == 101 else {
            throw Failure(description: "the server answered the WebSocket upgrade with \"\(statusLine)\" instead of 101 Switching Protocols", status: status)
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...]).trimmingCharacters(in: " \t")
        }
        guard headers["upgrade"]?.lowercased() == "websocket" else { throw Failure(description: "the upgrade answer lacks Upgrade: websocket", status: 101) }
        // Connection is a list of tokens, one of them "upgrade" (RFC 6455 4.1; RFC 9110 7.6.1):
        // "upgraded" is not one.
        let connection = headers["connection"]?.lowercased().split(separator: ",") ?? []
        guard connection.contains(where: { String($0).trimmingCharacters(in: " \t") == "upgrade" }) else {
            throw Failure(description: "the upgrade answer lacks Connection: Upgrade", status: 101)
        }
        guard headers["sec-websocket-accept"] == Self.accept(for: key) else {
            throw Failure(description: "the server's Sec-WebSocket-Accept does not match the key sent", status: 101)
        }
        return end + 4
    }

    static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 { return i }
        return nil
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
