import AWSCore
import SessionProtocol
import SSMCore
import Synchronization
import SystemIO

/// One `forward`: a local listener on 127.0.0.1 and a port session, driven by a `PortSession`
/// machine on the session's own thread. What `forwards` shows is published after each round of
/// that thread's loop, and read by the prompt at any time: every access goes through the lock.
final class Forwarder: Sendable {
    let id: Int
    let listener: TCPListener
    let remote: String
    let node: Node
    let sessionId: String
    let driver: SessionDriver<PortSession>

    /// What the prompt reads: the machine's mode, end and counters as of its last round.
    struct Status: Sendable {
        var mode = PortSession.Mode.pending
        var ended = false
        var endReason: String?
        var statistics = PortSession.Statistics()
    }

    /// Shared by the forward's thread (its hooks), its reconnect task and the prompt.
    private final class Shared: Sendable {
        let status = Mutex(Status())
        let stopRequested = Atomic<Bool>(false)

        /// After each round of the loop: the machine as the prompt may see it.
        func publish(_ machine: PortSession) {
            status.withLock { status in
                status.mode = machine.mode
                status.ended = status.ended || machine.ended
                status.endReason = machine.endReason ?? status.endReason
                status.statistics = machine.statistics
            }
        }
    }
    private let shared = Shared()

    init(id: Int, listener: TCPListener, remote: String, node: Node, sessionId: String, clocks: SessionClocks, pacing: Bool = false) {
        self.id = id
        self.listener = listener
        self.remote = remote
        self.node = node
        self.sessionId = sessionId
        let shared = shared
        var hooks = SessionDriver<PortSession>.Hooks()
        hooks.stopRequested = { shared.stopRequested.load(ordering: .relaxed) }
        hooks.pacing = pacing
        hooks.observe = { shared.publish($0) }
        let machine = PortSession(configuration: .init(remote: remote, name: "forward \(id)", localAddress: "127.0.0.1:\(listener.port)"))
        driver = SessionDriver(
            machine, inputSize: PortSession.payload, listener: listener, clock: clocks.monotonic,
            wallClock: clocks.wall, hooks: hooks)
    }

    /// Asks the forward's thread to end the session (TerminateSession) and the reconnects to stop.
    func requestStop() { shared.stopRequested.store(true, ordering: .relaxed) }
    var stopRequested: Bool { shared.stopRequested.load(ordering: .relaxed) }

    var status: Status { shared.status.withLock { $0 } }
    var ended: Bool { status.ended }

    /// Sets the reason the forward ended unless one is already known (the first cause wins).
    func noteEndReason(_ reason: String) { shared.status.withLock { $0.endReason = $0.endReason ?? reason } }

    /// The session is over: every local connection is closed.
    func finish() {
        driver.performLocal(driver.update { $0.finish() })
        shared.publish(driver.machine)
        driver.locals.closeAll()
    }
}
