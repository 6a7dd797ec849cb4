import AWSCore
import Synchronization
import Testing
import TestSupport

/// The connect timeout is one budget for a call's attempts that never connected (issue 17: an
/// endpoint that never answers is reported within 3 s), and stops applying once one connects.
@Suite struct ConnectBudgetTests {
    /// A transport whose attempts each use up the connect timeout they are given (a dropped SYN),
    /// or fail at once (refused), on a manual clock; it records the timeouts.
    final class SilentTransport: HTTPTransport {
        enum Outcome { case silent, refused, answer, slowHandshake }
        let clock: ManualClock
        let outcomes: Mutex<[Outcome]>
        let given = Mutex<[HTTPTimeouts]>([])
        init(clock: ManualClock, _ outcomes: [Outcome]) {
            self.clock = clock
            self.outcomes = Mutex(outcomes)
        }
        func send(_ request: HTTPRequest, timeouts: HTTPTimeouts) async throws -> HTTPResponse {
            given.withLock { $0.append(timeouts) }
            let outcome = outcomes.withLock { $0.isEmpty ? .silent : $0.removeFirst() }
            switch outcome {
            case .silent:
                clock.advance(by: timeouts.connect)
                throw TransportError(kind: .timedOut, connected: false, detail: "curl error 28", url: "http://10.0.0.1/")
            case .refused:
                throw TransportError(kind: .couldNotConnect, connected: false, detail: "refused", url: "http://10.0.0.1/")
            case .slowHandshake:
                clock.advance(by: timeouts.connect)
                throw TransportError(
                    kind: .timedOut, connected: false, detail: "curl error 28", url: "https://10.0.0.1/", reachedHost: true,
                    phase: "the TLS handshake")
            case .answer:
                return HTTPResponse(status: 503, body: Array(#"{"__type":"ServiceUnavailable"}"#.utf8))
            }
        }
    }

    func client(_ transport: SilentTransport, connect: Double = 2) -> AWSClient {
        var profiles = ProfileSet()
        profiles.profiles["default"] = Profile(name: "default", properties: ["region": "eu-west-1"])
        var options = AWSClient.Options(userAgent: "ssm-shell/test")
        options.jitter = { 0.5 }
        options.timeouts.connect = connect
        options.monotonic = transport.clock
        return AWSClient(
            settings: AWSSettings(environment: Environment(), profiles: profiles), transport: transport, clock: transport.clock,
            credentials: StaticCredentialProvider(AWSClientTests.credentials), options: options)
    }

    @Test func anEndpointThatNeverAnswersCostsOneConnectTimeoutNotThree() async throws {
        let clock = ManualClock(now: 100)
        let transport = SilentTransport(clock: clock, [.silent, .silent, .silent])
        let error = await #expect(throws: TransportError.self) { _ = try await client(transport).callJSON(.ssm, "DescribeInstanceInformation", [:]) }
        #expect(clock.now() - 100 <= 2, "the whole call stays within the connect timeout")
        #expect(transport.given.withLock { $0.count } == 1, "no retry fits once the budget is spent")
        #expect(error?.detail == "no connection within 2 s", "the message gives the user's figure, not what was left")
        #expect(error?.description.contains("--cli-connect-timeout") == true)
    }

    @Test func refusedAttemptsRetryOnlyWithinTheBudget() async throws {
        // Refused at once, backoff 0.5 s, refused, backoff 1 s (1.5 s in), a third attempt gets
        // the 0.5 s left and times out silently at 2 s.
        let clock = ManualClock(now: 0)
        let transport = SilentTransport(clock: clock, [.refused, .refused, .silent])
        _ = await #expect(throws: TransportError.self) { _ = try await client(transport).callJSON(.ssm, "DescribeInstanceInformation", [:]) }
        #expect(transport.given.withLock { $0.map(\.connect) } == [2, 1.5, 0.5])
        #expect(clock.now() == 2)
    }

    @Test func aLiveEndpointGetsTheFullConnectTimeoutOnEveryAttempt() async throws {
        // A 503 proves the endpoint is there: its retries are standard mode's, unbudgeted.
        let clock = ManualClock(now: 0)
        let transport = SilentTransport(clock: clock, [.answer, .answer, .answer])
        _ = await #expect(throws: AWSServiceError.self) { _ = try await client(transport).callJSON(.ssm, "DescribeInstanceInformation", [:]) }
        #expect(transport.given.withLock { $0.map(\.connect) } == [2, 2, 2])
    }

    @Test func aSlowTLSHandshakeGetsStandardRetriesAndSaysWhereItStopped() async throws {
        // TCP connected each time: the endpoint is there, so no shared budget ends the call
        // after the first attempt, and the message names the TLS handshake, not silence.
        let clock = ManualClock(now: 0)
        let transport = SilentTransport(clock: clock, [.slowHandshake, .slowHandshake, .slowHandshake])
        let error = await #expect(throws: TransportError.self) { _ = try await client(transport).callJSON(.ssm, "DescribeInstanceInformation", [:]) }
        #expect(transport.given.withLock { $0.map(\.connect) } == [2, 2, 2])
        #expect(error?.detail == "connected, but the TLS handshake did not finish within 2 s")
        #expect(error?.description.contains("nothing answered") == false)
        #expect(error?.description.contains("--cli-connect-timeout") == true)
    }

    @Test func zeroMeansNoLimitOfOurs() {
        let budget = ConnectBudget(limit: 0, start: 0)
        #expect(budget.connectTimeout(now: 100) == 0)
        #expect(budget.allowsRetry(after: 20, now: 100))
    }
}
