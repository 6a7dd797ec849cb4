import AWSCore
import Glibc
import SessionProtocol
import Synchronization
import SystemIO
import Testing
import TestSupport

/// SessionDriver while the service streams (WebSocketConnection.streaming: poll wakes for the
/// WebSocket only once 16 KiB wait): what arrived short of that is still read within a few
/// milliseconds, whether the session is otherwise quiet or another descriptor keeps poll busy
/// (review R2 of issue 17's streaming reads).
@Suite(.serialized) struct SessionDriverStreamingTests {
    /// Asks the loopback server's /stream for its 8 KiB (a download: streaming starts), then for
    /// its 10-byte echo; ends a while after the echo came, or at the deadline without it.
    struct StreamProbe: SessionMachine {
        var readsInput: Bool
        var start: Double?
        var streamed = 0
        var echoAfter: Double?
        var interest: PollInterest {
            var interest = PollInterest()
            interest.input = readsInput
            return interest
        }

        mutating func handle(_ event: SessionEvent, at time: SessionTime, messageId: () -> [UInt8]) -> [SessionAction] {
            let elapsed = time.now - (start ?? time.now)
            if start == nil { start = time.now }
            switch event {
            case .connected: return [.send(.binary, [0])]
            case .received(.binary(let bytes)) where bytes.count == 10: echoAfter = elapsed
            case .received(.binary):
                streamed += 1
                if streamed == 8 { return [.send(.binary, [1])] }
            // Time for the three empty reads that end the streaming mode.
            case .tick where echoAfter.map { elapsed > $0 + 0.1 } ?? (elapsed > 1): return [.end(.ended)]
            default: break
            }
            return []
        }
    }

    final class Stop: Sendable { let requested = Atomic(false) }

    func run(busyInput: Bool) async throws -> (probe: StreamProbe, streaming: Bool) {
        let server = try LoopbackServer(["upgrade"])
        let ws = try WebSocketConnection(
            url: try EndpointURL(parsing: "ws://127.0.0.1:\(server.port)/stream"), headers: [], caBundle: nil,
            proxy: ProxySettings(), connectTimeout: 5)
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let (readEnd, writeEnd) = (ends[0], ends[1])
        defer { close(readEnd) }
        let driver = SessionDriver(
            StreamProbe(readsInput: busyInput), input: readEnd, clock: SystemMonotonicClock(), wallClock: SystemClock(),
            hooks: .init())
        // Another descriptor ready every millisecond (a forward's busy local client, piped stdin).
        let stop = Stop()
        let writer = Task {
            await onDedicatedThread {
                while !stop.requested.load(ordering: .relaxed) {
                    _ = write(writeEnd, "x", 1)
                    usleep(1000)
                }
                close(writeEnd)
            }
        }
        let outcome = await onDedicatedThread { driver.run(ws) }
        stop.requested.store(true, ordering: .relaxed)
        await writer.value
        #expect(outcome == .ended)
        return (driver.machine, ws.streaming)
    }

    /// Nothing else is ready: the tail below 16 KiB is read at the poll's short timeout, and
    /// reads that find nothing end the streaming mode.
    @Test func aStreamsTailIsReadWhenTheSessionIsOtherwiseQuiet() async throws {
        let (probe, streaming) = try await run(busyInput: false)
        #expect(probe.streamed == 8)
        #expect(probe.echoAfter != nil, "the 10 bytes after the stream were never read")
        #expect(!streaming)
    }

    /// Standard input is ready every millisecond, so poll never times out: the tail is read
    /// because the wait since the last read passed, not after 16 KiB more arrive.
    @Test func aStreamsTailIsReadWhileAnotherDescriptorKeepsPollBusy() async throws {
        let (probe, streaming) = try await run(busyInput: true)
        #expect(probe.streamed == 8)
        #expect(probe.echoAfter != nil, "the 10 bytes after the stream were never read")
        #expect(!streaming)
    }
}
