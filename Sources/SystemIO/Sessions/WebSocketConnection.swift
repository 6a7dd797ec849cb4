public import AWSCore
import CCurl
import Crypto
import Glibc
public import SessionProtocol

/// A WebSocket client over a libcurl CONNECT_ONLY connection: curl does TCP, TLS, the CA bundle and
/// proxies; SessionProtocol does the upgrade and the framing (Debian 12's libcurl has no WebSocket
/// support). Blocking: use it from one dedicated thread.
public final class WebSocketConnection: @unchecked Sendable {
    /// Owns the curl handle: freed once, when the connection (or a failed init) is released.
    private let easy: CurlEasyHandle
    private var handle: UnsafeMutableRawPointer { easy.raw }
    public let socket: Int32
    private var decoder = WebSocketDecoder()
    private var pending: [WebSocketMessage] = []
    /// Frames queued by `enqueue`, written together by `flush`: one send for a round's acks.
    private var outbox: [UInt8] = []
    /// One receive buffer for the connection's life, not a zeroed 64 KiB array per read.
    private var inbox = [UInt8](repeating: 0, count: 65536)
    private var random = SecureRandomPool()
    public private(set) var closed = false
    /// The service is streaming (a download, a long output): a read took at least
    /// `streamingRead` bytes, and no `streamingEndReads` reads in a row since found nothing (a
    /// loaded machine pauses the service for milliseconds mid-stream). Meanwhile the socket is readable
    /// for poll only once `streamingLowWater` bytes wait (SO_RCVLOWAT), and the loop polls for at
    /// most `streamingWait` ms and then reads what arrived: one loop round, recv and ack send per
    /// up to 16 KiB instead of per one or two 1 KiB messages (issue 17, client CPU per MB;
    /// docs/benchmarks.md, perf profile). A keystroke's echo never starts it (a typist's pause
    /// ends it), and the end of a stream costs one wait.
    public private(set) var streaming = false
    static let streamingRead = 2048
    static let streamingLowWater: Int32 = 16384
    public static let streamingWait: Int32 = 2
    public static let streamingEndReads = 3
    private var emptyReads = 0
    /// How long a send may make no progress (the peer takes nothing) before the connection counts
    /// as lost; without it a send would wait forever and the caller's liveness check never runs.
    public var sendStallLimit = 20.0

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        /// libcurl's CURLcode when curl reported the failure (CURLE_COULDNT_CONNECT 7,
        /// CURLE_OPERATION_TIMEDOUT 28, CURLE_SSL_CACERT 60...): the cause beyond the sentence.
        public let curlCode: Int32?
        public init(description: String, curlCode: Int32? = nil) {
            self.description = description
            self.curlCode = curlCode
        }
    }

    /// Dials `url` (ws or wss), sends the upgrade with `headers`, and checks the answer.
    public init(url: EndpointURL, headers: [(String, String)], caBundle: String?, proxy: ProxySettings, connectTimeout: Double) throws {
        CurlGlobal.initialize()
        guard let easy = CurlEasyHandle() else { throw Failure(description: "libcurl could not allocate a handle") }
        self.easy = easy
        let handle = easy.raw
        var dial = url
        dial.scheme = url.scheme == "wss" ? "https" : "http"
        ccurl_setopt_string(handle, CURLOPT_URL, dial.description)
        ccurl_setopt_long(handle, CURLOPT_CONNECT_ONLY, 1)
        ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        // 0: no limit of ours (libcurl's default), as --cli-connect-timeout 0 means.
        ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connectTimeout > 0 ? max(1, Int(connectTimeout * 1000)) : 0)
        ccurl_setopt_long(handle, CURLOPT_TCP_NODELAY, 1)
        if let caBundle { ccurl_setopt_string(handle, CURLOPT_CAINFO, caBundle) }
        ccurl_setopt_string(handle, CURLOPT_PROXY, proxy.proxy(forScheme: dial.scheme) ?? "")
        if let noProxy = proxy.noProxy { ccurl_setopt_string(handle, CURLOPT_NOPROXY, noProxy) }
        if dial.scheme == "https" { ccurl_setopt_long(handle, CURLOPT_HTTPPROXYTUNNEL, 1) }
        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else {
            throw Failure(
                description: "could not connect to \(url.redactedDescription): \(String(cString: curl_easy_strerror(code)))",
                curlCode: Int32(code.rawValue))
        }
        var fd: curl_socket_t = -1
        ccurl_getinfo_socket(handle, CURLINFO_ACTIVESOCKET, &fd)
        socket = fd
        let handshake = WebSocketHandshake(host: url.hostHeader, target: url.requestTarget, keyBytes: SecureRandom.bytes(16), extraHeaders: headers)
        do {
            try sendAll(handshake.request)
            var answer: [UInt8] = []
            let deadline = Self.now() + 45
            while true {
                let chunk = try receive(timeout: max(0.05, deadline - Self.now()))
                guard !chunk.isEmpty || Self.now() < deadline else { throw Failure(description: "the upgrade answer did not arrive in 45 s") }
                answer += chunk
                if let headerLength = try handshake.checkResponse(answer) {
                    pending = try decoder.feed(answer[headerLength...])
                    break
                }
                if closed { throw Failure(description: "the server closed the connection during the WebSocket upgrade") }
            }
        } catch let error as WebSocketHandshake.Failure {
            throw Failure(description: error.description)
        }
    }

    /// Deadlines of the upgrade and of stalled sends: intervals, on the monotonic clock.
    static func now() -> Double { SystemMonotonicClock().seconds() }

    /// Sends one message as a single masked frame (RFC 6455 section 5.3), after any queued ones.
    public func send(_ opcode: WebSocketFrame.Opcode, _ payload: [UInt8]) throws {
        enqueue(opcode, payload)
        try flush()
    }

    /// Queues one message as a masked frame; `flush` writes the queue. The session loop queues
    /// a round's frames (an ack per message) and flushes once before it polls again: one send
    /// instead of one per message, with no added wait.
    public func enqueue(_ opcode: WebSocketFrame.Opcode, _ payload: [UInt8]) {
        WebSocketFrame.appendMasked(opcode: opcode, payload: payload, maskKey: random.word(), to: &outbox)
    }

    /// Writes what `enqueue` queued.
    public func flush() throws {
        guard !outbox.isEmpty else { return }
        defer { outbox.removeAll(keepingCapacity: outbox.capacity <= 1 << 20) }
        try sendAll(outbox)
    }

    private func sendAll(_ bytes: [UInt8]) throws {
        var offset = 0
        var lastProgress = Self.now()
        while offset < bytes.count {
            var sent = 0
            let code = bytes.withUnsafeBytes { curl_easy_send(handle, $0.baseAddress! + offset, $0.count - offset, &sent) }
            if code == CURLE_AGAIN {
                let waited = Self.now() - lastProgress
                guard waited < sendStallLimit else {
                    closed = true
                    throw Failure(description: "the service took no data for \(Int(sendStallLimit)) s")
                }
                var pfd = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
                _ = poll(&pfd, 1, Int32(max(1, min(1000, (sendStallLimit - waited) * 1000))))
                continue
            }
            guard code == CURLE_OK else {
                closed = true
                throw Failure(
                    description: "the connection was lost while sending (\(String(cString: curl_easy_strerror(code))))",
                    curlCode: Int32(code.rawValue))
            }
            offset += sent
            lastProgress = Self.now()
        }
    }

    /// What has arrived within `timeout` seconds (possibly nothing); marks `closed` at end of stream.
    func receive(timeout: Double) throws -> [UInt8] {
        Array(inbox[0..<(try receiveIntoInbox(timeout: timeout))])
    }

    /// Reads into `inbox`; the count (0: nothing yet, or the end of stream, which sets `closed`).
    private func receiveIntoInbox(timeout: Double) throws -> Int {
        var received = 0
        var code = inbox.withUnsafeMutableBytes { curl_easy_recv(handle, $0.baseAddress, $0.count, &received) }
        if code == CURLE_AGAIN {
            if timeout <= 0 { return 0 }
            var pfd = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            _ = poll(&pfd, 1, Int32(timeout * 1000))
            code = inbox.withUnsafeMutableBytes { curl_easy_recv(handle, $0.baseAddress, $0.count, &received) }
            if code == CURLE_AGAIN { return 0 }
        }
        guard code == CURLE_OK else {
            closed = true
            throw Failure(description: "the connection was lost (\(String(cString: curl_easy_strerror(code))))", curlCode: Int32(code.rawValue))
        }
        if received == 0 { closed = true }
        return received
    }

    /// Reads what is available now (the socket polled readable) and returns whole messages.
    public func readMessages() throws -> [WebSocketMessage] {
        var messages = pending
        pending = []
        let count = try receiveIntoInbox(timeout: 0)
        emptyReads = count == 0 ? emptyReads + 1 : 0
        if (streaming ? emptyReads >= Self.streamingEndReads : count >= Self.streamingRead) && !closed {
            streaming.toggle()
            var lowWater: Int32 = streaming ? Self.streamingLowWater : 1
            _ = setsockopt(socket, SOL_SOCKET, SO_RCVLOWAT, &lowWater, socklen_t(MemoryLayout<Int32>.size))
        }
        if count > 0 {
            do { messages += try decoder.feed(inbox[0..<count]) } catch {
                closed = true
                throw Failure(description: "the server broke the WebSocket protocol: \(error.description)")
            }
        }
        return messages
    }

    /// Messages already decoded (from the upgrade answer) that no poll will announce.
    public var hasPending: Bool { !pending.isEmpty }
}
