public import AWSCore
import CCurl
import Glibc
import Synchronization

/// HTTPTransport over libcurl easy handles, each owned by a dedicated thread. Connections are
/// kept alive per handle and reused; TLS is verified against the system store or AWS_CA_BUNDLE.
public final class CurlHTTPTransport: HTTPTransport {
    public struct Configuration: Sendable {
        public var caBundle: String?
        public var proxy: ProxySettings
        public var threads: Int
        /// Names pinned to addresses, as curl's `--resolve` ("host:port:addr1,addr2"): tests give
        /// one name several loopback addresses to see how a connect moves between them.
        public var resolve: [String]

        public init(caBundle: String? = nil, proxy: ProxySettings = ProxySettings(), threads: Int = 4, resolve: [String] = []) {
            self.caBundle = caBundle
            self.proxy = proxy
            self.threads = threads
            self.resolve = resolve
        }
    }

    private let configuration: Configuration
    private let pool: DedicatedThreadPool<CurlEasy>
    private let connections = Atomic<Int>(0)

    public init(configuration: Configuration) {
        CurlGlobal.initialize()
        self.configuration = configuration
        pool = DedicatedThreadPool(threads: configuration.threads) { CurlEasy() }
    }

    /// The threads and their handles go with the transport (a new one comes with every
    /// `use profile` or `use region`). No request is in flight: each caller holds the transport.
    deinit { pool.shutdown() }

    public func send(_ request: HTTPRequest, timeouts: HTTPTimeouts) async throws -> HTTPResponse {
        let configuration = self.configuration
        let (result, opened) = await pool.perform { easy in easy.perform(request, timeouts: timeouts, configuration: configuration) }
        connections.add(opened, ordering: .relaxed)
        return try result.get()
    }

    /// How many connections the handles opened in all (keep-alive reuse shows as few).
    public var connectionsOpened: Int { connections.load(ordering: .relaxed) }
}

enum CurlGlobal {
    private static let once: Void = { _ = ccurl_global_init() }()
    static func initialize() { _ = once }
}

/// One curl easy handle and what a transfer collects. Lives on one pool thread only; the handle
/// is freed when that thread ends.
struct CurlEasy {
    private let easy: CurlEasyHandle
    var handle: UnsafeMutableRawPointer { easy.raw }

    init() {
        guard let easy = CurlEasyHandle() else { fatalError("curl_easy_init failed: libcurl could not allocate a handle") }
        self.easy = easy
    }

    /// Collects the response as curl's callbacks deliver it.
    final class Sink {
        var status = 0
        var headers = HTTPHeaders()
        var body: [UInt8] = []
        let bodyLimit = 64 * 1024 * 1024
        var overflow = false
        /// How often libcurl was about to write the request on a connection (CURLOPT_PREREQFUNCTION):
        /// 0 means it provably never left; 2 is libcurl resending it on a fresh connection after a
        /// reused one died without an answer, which only an idempotent request may do.
        var sends = 0
        var idempotent = true
        var refusedResend = false
        /// The read timeout, and when a byte last moved (from the connection on).
        var readLimit = 0.0
        var lastBytes: Int64 = -1
        var lastMoved = 0.0
        var readStalled = false
        /// False once no byte has moved for the read limit since the request was about to be written.
        func progressed(bytes: Int64, now: Double) -> Bool {
            guard sends > 0 else { return true }
            if bytes != lastBytes || lastBytes < 0 {
                lastBytes = bytes
                lastMoved = now
                return true
            }
            if now - lastMoved >= readLimit {
                readStalled = true
                return false
            }
            return true
        }
    }

    mutating func perform(_ request: HTTPRequest, timeouts: HTTPTimeouts, configuration: CurlHTTPTransport.Configuration) -> (
        Result<HTTPResponse, TransportError>, connectionsOpened: Int
    ) {
        // Reset keeps the connection cache, DNS cache and TLS session cache; options start clean.
        curl_easy_reset(handle)
        let url = request.url.description
        let sink = Sink()
        sink.idempotent = request.idempotent
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        easy.sockets.begin()
        let watchPointer = Unmanaged.passUnretained(easy.sockets).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>?
        for field in request.headers where field.name.lowercased() != "content-length" {
            headerList = curl_slist_append(headerList, "\(field.name): \(field.value)")
        }
        // No "Expect: 100-continue" wait on larger POSTs (aws-client spec section 1, libcurl details).
        headerList = curl_slist_append(headerList, "Expect:")
        defer { curl_slist_free_all(headerList) }
        var resolveList: UnsafeMutablePointer<curl_slist>?
        for entry in configuration.resolve { resolveList = curl_slist_append(resolveList, entry) }
        defer { curl_slist_free_all(resolveList) }

        // A one-byte buffer stands in for an empty body so the pointer is never dangling.
        var body = request.body.isEmpty ? [UInt8(0)] : request.body
        let bodyLength = request.body.count
        let code: CURLcode = body.withUnsafeMutableBytes { bodyBuffer -> CURLcode in
            ccurl_setopt_string(handle, CURLOPT_URL, url)
            ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
            ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.curlMilliseconds(timeouts.connect))
            ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.curlMilliseconds(timeouts.total))
            // The read timeout: no byte either way for that long once connected ends the transfer.
            // libcurl's low-speed limit averages over 5 s and counts the request's own bytes, so a
            // progress callback (called about once a second when idle) watches the bytes instead.
            if timeouts.read > 0 && !timeouts.read.isNaN {
                sink.readLimit = timeouts.read
                ccurl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
                ccurl_setopt_xferinfo_function(handle) { user, downloaded, _, uploaded, _ in
                    let sink = Unmanaged<Sink>.fromOpaque(user!).takeUnretainedValue()
                    return sink.progressed(bytes: Int64(downloaded) + Int64(uploaded), now: SystemMonotonicClock().seconds()) ? 0 : 1
                }
                ccurl_setopt_pointer(handle, CURLOPT_XFERINFODATA, sinkPointer)
            }
            ccurl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
            ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
            // The path goes out as signed: S3 signs `/./`, `/../` and `//` as they are (SigV4 for S3).
            ccurl_setopt_long(handle, CURLOPT_PATH_AS_IS, 1)
            ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
            if let ca = configuration.caBundle { ccurl_setopt_string(handle, CURLOPT_CAINFO, ca) }
            // An empty proxy string means "no proxy"; curl then ignores its own environment reading.
            ccurl_setopt_string(handle, CURLOPT_PROXY, configuration.proxy.proxy(forScheme: request.url.scheme) ?? "")
            if let noProxy = configuration.proxy.noProxy { ccurl_setopt_string(handle, CURLOPT_NOPROXY, noProxy) }
            ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
            if resolveList != nil { ccurl_setopt_slist(handle, CURLOPT_RESOLVE, resolveList) }
            switch request.method {
            case "GET": ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1)
            case "HEAD": ccurl_setopt_long(handle, CURLOPT_NOBODY, 1)
            default:
                ccurl_setopt_long(handle, CURLOPT_POST, 1)
                ccurl_setopt_pointer(handle, CURLOPT_POSTFIELDS, bodyBuffer.baseAddress!)
                ccurl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bodyLength))
                if request.method != "POST" { ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method) }
            }
            ccurl_setopt_data_function(handle, CURLOPT_HEADERFUNCTION) { data, size, count, user in
                let sink = Unmanaged<Sink>.fromOpaque(user!).takeUnretainedValue()
                let length = size * count
                let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
                if line.hasPrefix("HTTP/") {
                    // A new status line (after 100 Continue or a proxy's CONNECT answer) starts afresh.
                    sink.headers = HTTPHeaders()
                } else if let colon = line.firstIndex(of: ":") {
                    sink.headers.add(String(line[..<colon]).trimmingWhitespace(), String(line[line.index(after: colon)...]).trimmingWhitespace())
                }
                return length
            }
            ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer)
            ccurl_setopt_data_function(handle, CURLOPT_WRITEFUNCTION) { data, size, count, user in
                let sink = Unmanaged<Sink>.fromOpaque(user!).takeUnretainedValue()
                let length = size * count
                guard sink.body.count + length <= sink.bodyLimit else { sink.overflow = true; return 0 }
                sink.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
                return length
            }
            ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer)
            // Called once the connection is made or reused, right before the request is written.
            ccurl_setopt_prereq_function(handle) { user, _, _, _, _ in
                let sink = Unmanaged<Sink>.fromOpaque(user!).takeUnretainedValue()
                sink.sends += 1
                if sink.sends > 1 && !sink.idempotent {
                    sink.refusedResend = true
                    return CURL_PREREQFUNC_ABORT
                }
                return CURL_PREREQFUNC_OK
            }
            ccurl_setopt_pointer(handle, CURLOPT_PREREQDATA, sinkPointer)
            // Each new socket, before its connect, and each socket libcurl closes: whether a TCP
            // connect completed is asked of the socket while libcurl holds it.
            ccurl_setopt_sockopt_function(handle) { user, fd, _ in
                Unmanaged<CurlSocketWatch>.fromOpaque(user!).takeUnretainedValue().opened(fd)
                return Int32(CURL_SOCKOPT_OK)
            }
            ccurl_setopt_pointer(handle, CURLOPT_SOCKOPTDATA, watchPointer)
            ccurl_setopt_closesocket_function(handle) { user, fd in
                Unmanaged<CurlSocketWatch>.fromOpaque(user!).takeUnretainedValue().closing(fd)
                return 0
            }
            ccurl_setopt_pointer(handle, CURLOPT_CLOSESOCKETDATA, watchPointer)
            return curl_easy_perform(handle)
        }
        let reachedHost = easy.sockets.end()
        var connects = 0
        ccurl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects)
        guard code == CURLE_OK else {
            var error = transportError(code, url: request.url.redactedDescription, sink: sink)
            if code == CURLE_OPERATION_TIMEDOUT && !error.connected {
                // Through a proxy the socket is the proxy's: its TCP connect says nothing of the
                // endpoint, so the connect budget still applies (an unreachable endpoint behind a
                // working proxy fails in the connect timeout, not three of them). A NO_PROXY host
                // is counted as proxied too: the budget then applies, as before the TCP check.
                let proxied = configuration.proxy.proxy(forScheme: request.url.scheme).map { !$0.isEmpty } ?? false
                error.reachedHost = reachedHost && !proxied
                error.phase = connectPhase(tcpConnected: reachedHost, proxied: proxied, request: request)
            }
            return (.failure(error), connects)
        }
        var status = 0
        ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return (.success(HTTPResponse(status: status, headers: sink.headers, body: sink.body)), connects)
    }

    /// Where a connect that timed out stopped (curl's phase): after the TCP connect only TLS or
    /// a proxy's CONNECT remain; before it, the name lookup if it never finished. nil for the
    /// TCP connect to the endpoint itself (what "no connection" says already).
    private func connectPhase(tcpConnected: Bool, proxied: Bool, request: HTTPRequest) -> String? {
        if tcpConnected {
            if proxied { return request.url.scheme == "https" ? "the proxy's CONNECT or the TLS handshake" : "the proxy's answer" }
            return "the TLS handshake"
        }
        var lookup: curl_off_t = 0
        curl_easy_getinfo_off(handle, CURLINFO_NAMELOOKUP_TIME_T, &lookup)
        let literal = request.url.host.first.map { $0.isNumber || $0 == "[" } ?? false
        if lookup == 0 && !literal { return proxied ? "looking up the proxy's or the host's name" : "looking up the host name" }
        return proxied ? "the TCP connect to the proxy" : nil
    }

    /// A limit for libcurl: 0 (none of ours, as the AWS CLI's 0) stays 0, libcurl's "no limit".
    static func curlMilliseconds(_ seconds: Double) -> Int {
        seconds.isNaN || seconds > 0 ? TimeUnits.milliseconds(seconds) : 0
    }

    private func transportError(_ code: CURLcode, url: String, sink: Sink) -> TransportError {
        if sink.refusedResend {
            return TransportError(
                kind: .connectionLost, connected: true,
                detail: "the kept-alive connection closed without an answer", url: url)
        }
        if sink.readStalled {
            let whole = Self.curlMilliseconds(sink.readLimit) % 1000 == 0
            let seconds = whole ? "\(Self.curlMilliseconds(sink.readLimit) / 1000)" : "\(sink.readLimit)"
            return TransportError(kind: .timedOut, connected: true, detail: "no data for \(seconds) s", url: url)
        }
        let detail = sink.overflow ? "the response is larger than 64 MiB" : String(cString: curl_easy_strerror(code))
        // The request may have reached the server once libcurl was about to write it. The connect
        // time is no evidence: libcurl reports 0 for a reused keep-alive connection.
        let connected = sink.sends > 0
        if sink.overflow { return TransportError(kind: .responseTooLarge, connected: connected, detail: detail, url: url) }
        let kind: TransportError.Kind
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST: kind = .couldNotResolveHost
        case CURLE_COULDNT_RESOLVE_PROXY: kind = .proxy
        case CURLE_COULDNT_CONNECT: kind = .couldNotConnect
        case CURLE_OPERATION_TIMEDOUT: kind = .timedOut
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS:
            kind = .tls
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE: kind = .connectionLost
        default: kind = code.rawValue == 97 ? .proxy : .other  // 97: CURLE_PROXY (7.73+)
        }
        return TransportError(
            kind: kind, connected: connected,
            detail: "curl error \(code.rawValue): \(detail)", url: url)
    }
}
