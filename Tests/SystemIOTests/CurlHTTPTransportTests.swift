import AWSCore
import Glibc
import SystemIO
import Testing
import TestSupport

/// The libcurl transport for real, against loopback servers: keep-alive, timeouts, TLS with a
/// private CA through the CA bundle, proxies (forward and CONNECT), NO_PROXY, and a signed
/// request to a non-default port whose Host header is exactly what was signed.
@Suite(.serialized) struct CurlHTTPTransportTests {
    func get(_ transport: CurlHTTPTransport, _ url: String, timeouts: HTTPTimeouts = HTTPTimeouts(connect: 2, total: 10)) async throws -> (
        HTTPResponse, JSONValue
    ) {
        let response = try await transport.send(HTTPRequest(method: "GET", url: try EndpointURL(parsing: url)), timeouts: timeouts)
        return (response, try JSONValue(parsing: response.body))
    }

    @Test func keepAliveReusesOneConnection() async throws {
        let server = try LoopbackServer(["echo"])
        let transport = CurlHTTPTransport(configuration: .init(threads: 2))
        var connections: Set<Int> = []
        for i in 0..<4 {
            var request = HTTPRequest(method: "POST", url: try EndpointURL(parsing: "http://127.0.0.1:\(server.port)/"), body: Array("{\"n\":\(i)}".utf8))
            request.headers.add("Content-Type", "application/x-amz-json-1.1")
            let response = try await transport.send(request, timeouts: HTTPTimeouts())
            let echo = try JSONValue(parsing: response.body)
            #expect(echo["body"]?.string == "{\"n\":\(i)}")
            #expect(echo["headers"]?["expect"] == nil, "curl must not send Expect: 100-continue")
            connections.insert(echo["connection"]!.int!)
        }
        #expect(connections.count == 1)
        #expect(transport.connectionsOpened == 1)
    }

    /// S3 signs the path exactly as sent (no dot-segment removal), so the transport must send it
    /// as given: libcurl removes `/./` and `/../` unless CURLOPT_PATH_AS_IS is set.
    @Test func sendsThePathAsGivenDotSegmentsAndAll() async throws {
        let server = try LoopbackServer(["echo"])
        let transport = CurlHTTPTransport(configuration: .init(threads: 1))
        let url = EndpointURL(scheme: "http", host: "127.0.0.1", port: server.port, path: "/bucket/dots/../not/./normalised//key")
        let response = try await transport.send(HTTPRequest(method: "GET", url: url), timeouts: HTTPTimeouts(connect: 2, total: 10))
        #expect(try JSONValue(parsing: response.body)["path"]?.string == "/bucket/dots/../not/./normalised//key")
    }

    @Test func totalTimeoutAfterConnecting() async throws {
        let server = try LoopbackServer(["echo"])
        let transport = CurlHTTPTransport(configuration: .init(threads: 1))
        let error = await #expect(throws: TransportError.self) {
            _ = try await get(transport, "http://127.0.0.1:\(server.port)/slow?seconds=3", timeouts: HTTPTimeouts(connect: 1, total: 0.4))
        }
        #expect(error?.kind == .timedOut)
        #expect(error?.connected == true, "the server may have seen the request")
        #expect(error?.description.contains("timed out") == true)
    }

    /// The read timeout counts from the request, not the 5 s average of libcurl's low-speed limit
    /// (which counts the request's own bytes and would let a 1 s limit wait about 5 s).
    @Test func readTimeoutEndsAStalledAnswer() async throws {
        let server = try LoopbackServer(["echo"])
        let transport = CurlHTTPTransport(configuration: .init(threads: 1))
        let error = await #expect(throws: TransportError.self) {
            _ = try await get(transport, "http://127.0.0.1:\(server.port)/slow?seconds=4", timeouts: HTTPTimeouts(connect: 1, read: 1, total: 10))
        }
        #expect(error?.kind == .timedOut && error?.connected == true)
        #expect(error?.detail == "no data for 1 s")
        #expect(error?.description.contains("--cli-read-timeout") == true)
        // An answer within the read timeout is read.
        let (response, _) = try await get(transport, "http://127.0.0.1:\(server.port)/slow?seconds=1", timeouts: HTTPTimeouts(connect: 1, read: 3, total: 10))
        #expect(response.status == 200)
    }

    /// libcurl reports a connect time of 0 on a reused keep-alive connection: that is not proof
    /// that the request never left. Here the server read it and closed without answering.
    @Test func droppedAnswerOnAReusedConnectionMayHaveBeenSeen() async throws {
        let server = try LoopbackServer(["echo"])
        let transport = CurlHTTPTransport(configuration: .init(threads: 1))
        _ = try await get(transport, "http://127.0.0.1:\(server.port)/")
        let error = await #expect(throws: TransportError.self) {
            _ = try await transport.send(
                HTTPRequest(
                    method: "POST", url: try EndpointURL(parsing: "http://127.0.0.1:\(server.port)/drop"),
                    body: Array("{}".utf8), idempotent: false),
                timeouts: HTTPTimeouts(connect: 2, total: 10))
        }
        #expect(error?.kind == .connectionLost)
        #expect(error?.connected == true, "the server may have processed the request")
        // libcurl by itself resends a request whose reused connection died unanswered, on a new
        // connection: a non-idempotent request must reach the server once.
        let (_, echo) = try await get(transport, "http://127.0.0.1:\(server.port)/")
        #expect(echo["drops"]?.int == 1, "the server received the request \(echo["drops"]?.int ?? -1) times")
    }

    /// The same on a timeout: the server holds the request; libcurl's connect time is 0 because
    /// the connection was reused, yet the request was sent.
    @Test func timeoutOnAReusedConnectionMayHaveBeenSeen() async throws {
        let server = try LoopbackServer(["echo"])
        let transport = CurlHTTPTransport(configuration: .init(threads: 1))
        _ = try await get(transport, "http://127.0.0.1:\(server.port)/")
        let error = await #expect(throws: TransportError.self) {
            _ = try await get(transport, "http://127.0.0.1:\(server.port)/slow?seconds=3", timeouts: HTTPTimeouts(connect: 1, total: 0.4))
        }
        #expect(error?.kind == .timedOut)
        #expect(error?.connected == true, "the server may have seen the request")
    }

    @Test func refusedConnectionIsNotConnected() async throws {
        let transport = CurlHTTPTransport(configuration: .init(threads: 1))
        let error = await #expect(throws: TransportError.self) { _ = try await get(transport, "http://127.0.0.1:1/") }
        #expect(error?.kind == .couldNotConnect)
        #expect(error?.connected == false)
    }

    /// A listener that takes TCP connections (the kernel completes them) and never says a word.
    static func mute() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound && listen(fd, 8) == 0)
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A TCP connect that completed is no "nothing answered": the TLS handshake was what never
    /// finished, and the error says so (the retries then treat the endpoint as there).
    @Test func aTLSHandshakeThatNeverEndsIsNotNothingAnswered() async throws {
        let (fd, port) = try Self.mute()
        defer { close(fd) }
        let transport = CurlHTTPTransport(configuration: .init(threads: 1))
        let error = await #expect(throws: TransportError.self) {
            _ = try await get(transport, "https://127.0.0.1:\(port)/", timeouts: HTTPTimeouts(connect: 0.5, total: 10))
        }
        #expect(error?.kind == .timedOut)
        #expect(error?.connected == false, "the request never left")
        #expect(error?.reachedHost == true)
        #expect(error?.phase == "the TLS handshake")
        #expect(error?.description.contains("nothing answered") == false, "\(error?.description ?? "")")
        #expect(error?.description.contains("Could not finish connecting") == true)
    }

    /// Through a proxy the TCP connect is the proxy's: a proxy that never answers its CONNECT says
    /// nothing of the endpoint, so the connect budget still applies (Review 2 of wave 8).
    @Test func aProxyThatTookTheConnectionIsNotTheEndpoint() async throws {
        let (fd, port) = try Self.mute()
        defer { close(fd) }
        let transport = CurlHTTPTransport(
            configuration: .init(proxy: ProxySettings(environment: Environment(["https_proxy": "http://127.0.0.1:\(port)"])), threads: 1))
        let error = await #expect(throws: TransportError.self) {
            _ = try await get(transport, "https://192.0.2.1/", timeouts: HTTPTimeouts(connect: 0.5, total: 10))
        }
        #expect(error?.kind == .timedOut)
        #expect(error?.reachedHost == false, "the proxy's TCP connect is not the endpoint's")
        #expect(error?.phase == "the proxy's CONNECT or the TLS handshake")
        #expect(error?.description.contains("took the TCP connection") == false, "\(error?.description ?? "")")
    }

    @Test func tlsWithPrivateCAOnlyThroughTheBundle() async throws {
        let certificates = try await TestCertificates.make()
        let server = try LoopbackServer(["echo", "--tls", certificates.serverCertificate, certificates.serverKey])
        let url = "https://localhost:\(server.port)/"
        let untrusting = CurlHTTPTransport(configuration: .init(threads: 1))
        let error = await #expect(throws: TransportError.self) { _ = try await get(untrusting, url) }
        #expect(error?.kind == .tls)
        let trusting = CurlHTTPTransport(configuration: .init(caBundle: certificates.caCertificate, threads: 1))
        let (response, echo) = try await get(trusting, url)
        #expect(response.status == 200)
        #expect(echo["headers"]?["host"]?.string == "localhost:\(server.port)")
    }

    @Test func httpProxyAndNoProxy() async throws {
        let origin = try LoopbackServer(["echo"])
        let proxy = try LoopbackServer(["proxy"])
        let url = "http://127.0.0.1:\(origin.port)/path"
        let proxied = CurlHTTPTransport(
            configuration: .init(proxy: ProxySettings(environment: Environment(["http_proxy": "http://127.0.0.1:\(proxy.port)"])), threads: 1))
        let (_, viaProxy) = try await get(proxied, url)
        #expect(viaProxy["proxied"]?.string == url)
        let bypass = CurlHTTPTransport(
            configuration: .init(
                proxy: ProxySettings(
                    environment: Environment([
                        "http_proxy": "http://127.0.0.1:\(proxy.port)", "NO_PROXY": "127.0.0.1",
                    ])), threads: 1))
        let (_, direct) = try await get(bypass, url)
        #expect(direct["proxied"] == nil)
        #expect(direct["path"]?.string == "/path")
    }

    @Test func httpsThroughAConnectProxy() async throws {
        let certificates = try await TestCertificates.make()
        let origin = try LoopbackServer(["echo", "--tls", certificates.serverCertificate, certificates.serverKey])
        let proxy = try LoopbackServer(["proxy"])
        let transport = CurlHTTPTransport(
            configuration: .init(
                caBundle: certificates.caCertificate,
                proxy: ProxySettings(environment: Environment(["HTTPS_PROXY": "http://127.0.0.1:\(proxy.port)"])), threads: 1))
        let (response, echo) = try await get(transport, "https://localhost:\(origin.port)/tunnelled")
        #expect(response.status == 200)
        #expect(echo["path"]?.string == "/tunnelled")
        #expect(response.headers["X-Loopback-Proxy"] == nil, "the CONNECT answer's headers are not the origin's")
    }

    @Test func signedRequestToANonDefaultPortVerifies() async throws {
        let server = try LoopbackServer(["echo"])
        let transport = CurlHTTPTransport(configuration: .init(threads: 1))
        let credentials = Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret", sessionToken: "token")
        let date = AmzDate(secondsSince1970: 1_700_000_000)
        var request = JSONProtocol.request(
            endpoint: try EndpointURL(parsing: "http://127.0.0.1:\(server.port)"), targetPrefix: "AmazonSSM",
            operation: "DescribeInstanceInformation", input: ["MaxResults": 5])
        request.headers.add("User-Agent", "ssm-shell/test")
        let signer = SigV4Signer(region: "us-east-1", service: "ssm")
        signer.sign(&request, credentials: credentials, date: date)
        let response = try await transport.send(request, timeouts: HTTPTimeouts())
        let echo = try JSONValue(parsing: response.body)
        let seen = echo["headers"]!
        #expect(seen["host"]?.string == "127.0.0.1:\(server.port)")
        #expect(seen["user-agent"]?.string == "ssm-shell/test")
        // Rebuild what the server received and sign it again: the same signature means curl sent
        // exactly the signed host, headers and body.
        var received = HTTPRequest(
            method: echo["method"]!.string!, url: try EndpointURL(parsing: "http://\(seen["host"]!.string!)\(echo["path"]!.string!)"),
            body: Array(echo["body"]!.string!.utf8))
        for name in ["content-type", "host", "x-amz-date", "x-amz-security-token", "x-amz-target"] {
            received.headers.add(name, seen[name]!.string!)
        }
        let again = signer.sign(&received, credentials: credentials, date: date)
        #expect(seen["authorization"]?.string?.hasSuffix("Signature=\(again.signature)") == true)
        #expect(response.headers["x-amzn-RequestId"]?.hasPrefix("loopback-") == true)
    }
}
