/// A request as the AWS client builds it and a transport sends it. The URL is kept in parts so the
/// signer and the transport see exactly the same host, port, path and query.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    public var url: EndpointURL
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// False for an operation that must not run twice (SendCommand, StartSession): the transport
    /// then never sends it a second time by itself (libcurl resends a request whose reused
    /// connection died without an answer).
    public var idempotent: Bool

    public init(method: String, url: EndpointURL, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], idempotent: Bool = true) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.idempotent = idempotent
    }
}

public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Per-request limits, in seconds (0: none of ours). Connect covers DNS, TCP and TLS (the AWS
/// CLI's `--cli-connect-timeout`; AWSClient shares it among a call's attempts, ConnectBudget);
/// read is how long the answer may stall without a byte (`--cli-read-timeout`); total covers
/// the whole exchange. Connect defaults to 2 s, not the CLI's 60 s, so an endpoint that never
/// answers is reported within 3 s (issue 17); the kernel resends a lost SYN after 1 s within it.
public struct HTTPTimeouts: Sendable, Equatable {
    public var connect: Double
    public var read: Double
    public var total: Double

    public init(connect: Double = 2, read: Double = 60, total: Double = 60) {
        self.connect = connect
        self.read = read
        self.total = total
    }
}

/// Why a request got no HTTP response. `connected` tells retries whether the server may have
/// seen the request: false only when it provably did not (the name could not be resolved, or
/// no connection was made: TCP, proxy or TLS failed before a byte of the request was written).
/// A non-idempotent call is only resent when it is false.
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case couldNotResolveHost, couldNotConnect, timedOut, tls, proxy, connectionLost, other
        /// The answer is larger than the transport keeps in memory: sending again cannot help.
        case responseTooLarge
    }

    public var kind: Kind
    public var connected: Bool
    public var detail: String
    public var url: String
    /// The TCP connection to the endpoint (or its proxy) was made: something is there, even
    /// though the request never left (a slow TLS handshake or proxy CONNECT).
    public var reachedHost: Bool
    /// Where a connection that never completed stopped, in words: "the TLS handshake",
    /// "looking up the host name" (curl's phase); nil when unknown.
    public var phase: String?

    public init(kind: Kind, connected: Bool, detail: String, url: String, reachedHost: Bool = false, phase: String? = nil) {
        self.kind = kind
        self.connected = connected
        self.detail = detail
        self.url = url
        self.reachedHost = reachedHost || connected
        self.phase = phase
    }

    public var isTimeout: Bool { kind == .timedOut }

    public var description: String {
        switch kind {
        case .couldNotResolveHost:
            return "Could not resolve the host of \(url) (\(detail)). Check the region, the endpoint URL and your DNS."
        case .couldNotConnect:
            return "Could not connect to \(url) (\(detail)). Check the endpoint URL, your network and any proxy settings."
        case .timedOut where reachedHost && !connected:
            return
                "Could not finish connecting to \(url) (\(detail)). The endpoint took the TCP connection, so it is there: check any proxy (HTTPS_PROXY) and the network; on a slow network allow longer with --cli-connect-timeout SECONDS."
        case .timedOut where !connected:
            return
                "Could not reach \(url): nothing answered (\(detail)). Check the endpoint URL and region, your network and any proxy or firewall; on a slow network allow longer with --cli-connect-timeout SECONDS."
        case .timedOut:
            return "The request to \(url) timed out (\(detail)). Try again; on a slow network allow longer with --cli-read-timeout SECONDS."
        case .tls:
            return "The TLS connection to \(url) failed (\(detail)). Check AWS_CA_BUNDLE or ca_bundle if you use a private CA."
        case .proxy:
            return "The proxy refused or failed the connection to \(url) (\(detail)). Check HTTPS_PROXY, HTTP_PROXY and NO_PROXY."
        case .connectionLost:
            return "The connection to \(url) was lost (\(detail)). Try again; check your network if it keeps happening."
        case .other:
            return "The request to \(url) failed (\(detail))."
        case .responseTooLarge:
            return "The answer from \(url) is too large to read (\(detail))."
        }
    }
}

/// The seam between the AWS client and the network. SystemIO implements it over libcurl;
/// tests pass fakes and recorded traffic.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest, timeouts: HTTPTimeouts) async throws -> HTTPResponse
}
