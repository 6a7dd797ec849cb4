import AWSCore
import SystemIO
import Testing
import TestSupport

/// Timeouts and sleeps that reach C (curl's milliseconds, Task.sleep's nanoseconds) from values
/// that may be infinite or huge: clamped, never a trap (issue 11 item 4).
@Suite(.serialized) struct UntrustedTimeoutTests {
    @Test func curlTakesInfiniteAndHugeTimeouts() async throws {
        let server = try LoopbackServer(["echo"])
        let transport = CurlHTTPTransport(configuration: .init(threads: 1))
        for timeouts in [HTTPTimeouts(connect: .infinity, total: .infinity), HTTPTimeouts(connect: 1e300, total: .nan)] {
            let request = HTTPRequest(method: "GET", url: try EndpointURL(parsing: "http://127.0.0.1:\(server.port)/"))
            let response = try await transport.send(request, timeouts: timeouts)
            #expect(response.status == 200)
        }
    }

    @Test func systemClockSleepsNotAtAllForNaNOrNegativeAndUntilCancelledForInfinity() async throws {
        let clock = SystemClock()
        let before = clock.now()
        try await clock.sleep(seconds: .nan)
        try await clock.sleep(seconds: -1)
        #expect(clock.now() - before < 1)
        let task = Task { try await SystemClock().sleep(seconds: .infinity) }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
