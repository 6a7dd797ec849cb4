import AWSCore
import Glibc
import SessionProtocol
import SystemIO
import Testing
import TestSupport

/// WebSocketConnection's failed upgrades against a loopback server that refuses (403), answers
/// with a wrong Sec-WebSocket-Accept, or closes without answering: each is a clear error, and
/// the curl handle is freed exactly once (a double free used to abort the process here).
@Suite(.serialized) struct WebSocketConnectionTests {
    func dial(_ server: LoopbackServer, _ path: String) throws -> WebSocketConnection {
        try WebSocketConnection(
            url: try EndpointURL(parsing: "ws://127.0.0.1:\(server.port)\(path)"), headers: [("X-Test", "1")],
            caBundle: nil, proxy: ProxySettings(), connectTimeout: 5)
    }

    @Test(arguments: [
        ("/refuse", "instead of 101 Switching Protocols"),
        ("/bad-accept", "Sec-WebSocket-Accept does not match"),
        ("/close", "closed the connection during the WebSocket upgrade"),
    ])
    func failedUpgradeIsAnErrorAndFreesTheHandleOnce(path: String, expected: String) throws {
        let server = try LoopbackServer(["upgrade"])
        // Repeated so a double free is caught by the allocator, not left to chance.
        for _ in 0..<20 {
            let error = #expect(throws: WebSocketConnection.Failure.self) { _ = try dial(server, path) }
            #expect(error?.description.contains(expected) == true, "\(error?.description ?? "no error")")
        }
    }

    @Test func refusedConnectionIsAnError() throws {
        let error = #expect(throws: WebSocketConnection.Failure.self) {
            _ = try WebSocketConnection(
                url: try EndpointURL(parsing: "ws://127.0.0.1:1/"), headers: [], caBundle: nil,
                proxy: ProxySettings(), connectTimeout: 2)
        }
        #expect(error?.description.contains("could not connect to ws://127.0.0.1:1/") == true)
        #expect(error?.curlCode == 7, "curl's CURLE_COULDNT_CONNECT stays with the error")
    }

    @Test func aFailedUpgradeIsNoCurlError() throws {
        let server = try LoopbackServer(["upgrade"])
        let error = #expect(throws: WebSocketConnection.Failure.self) { _ = try dial(server, "/refuse") }
        #expect(error?.curlCode == nil, "curl connected; the answer was wrong")
    }

    /// Issue 17 (client CPU per MB): a read of a stream's several messages makes the socket wake
    /// poll only once 16 KiB wait (SO_RCVLOWAT), so a download is read in fewer rounds; once
    /// reads find nothing a few times in a row (the stream ended, a typist pauses) it wakes at
    /// once again.
    @Test func aStreamIsReadInLargerPiecesAndAnEchoAtOnce() throws {
        let server = try LoopbackServer(["upgrade"])
        let ws = try dial(server, "/stream")
        func lowWater() -> Int32 {
            var value: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(ws.socket, SOL_SOCKET, SO_RCVLOWAT, &value, &size)
            return value
        }
        #expect(lowWater() == 1)
        try ws.send(.binary, [0])
        var messages: [WebSocketMessage] = []
        for _ in 0..<100 where messages.count < 8 {
            var pfd = pollfd(fd: ws.socket, events: Int16(POLLIN), revents: 0)
            _ = poll(&pfd, 1, 100)
            messages += try ws.readMessages()
        }
        #expect(messages.count == 8)
        #expect(ws.streaming)
        #expect(lowWater() == 16384)
        // The server sends nothing until asked: one read that finds nothing is a pause, not the end.
        var pause = pollfd(fd: ws.socket, events: Int16(POLLIN), revents: 0)
        _ = poll(&pause, 1, Int32(WebSocketConnection.streamingWait))
        #expect(try ws.readMessages().isEmpty)
        #expect(ws.streaming)
        try ws.send(.binary, [1])
        var echo: [WebSocketMessage] = []
        for _ in 0..<100 where echo.isEmpty {
            var pfd = pollfd(fd: ws.socket, events: Int16(POLLIN), revents: 0)
            _ = poll(&pfd, 1, Int32(WebSocketConnection.streamingWait))
            echo += try ws.readMessages()
        }
        #expect(echo == [.binary([UInt8](repeating: UInt8(ascii: "e"), count: 10))])
        // Nothing more comes: once reads after the wait found nothing so many times in a row,
        // the stream is over.
        for _ in 0..<WebSocketConnection.streamingEndReads where ws.streaming {
            var pfd = pollfd(fd: ws.socket, events: Int16(POLLIN), revents: 0)
            _ = poll(&pfd, 1, Int32(WebSocketConnection.streamingWait))
            #expect(try ws.readMessages().isEmpty)
        }
        #expect(!ws.streaming)
        #expect(lowWater() == 1)
    }
}
