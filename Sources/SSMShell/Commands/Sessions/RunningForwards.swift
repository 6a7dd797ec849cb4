import AWSCore
import SessionProtocol
import SSMCore
import SystemIO

/// The running forwards' glue: each forward's session task, and stopping them (ForwardCommand starts them).
extension Shell {
    static func startForwarding(_ forwarder: Forwarder, _ stream: SessionStream, _ fleet: any FleetAPI) -> Task<Void, Never> {
        Task.detached { await keepForwarding(forwarder, stream, fleet) }
    }

    /// The session behind a forward, reconnected with ResumeSession until it is stopped or ends.
    static func keepForwarding(_ forwarder: Forwarder, _ first: SessionStream, _ fleet: any FleetAPI) async {
        var runner = sessionRunner(
            forwarder.sessionId, fleet: fleet, clock: forwarder.driver.clock, driver: forwarder.driver,
            sessionEnded: { forwarder.driver.machine.ended })
        runner.stopped = { forwarder.stopRequested }
        if case .failed(let reason, _) = await runner.run(from: first) { forwarder.noteEndReason(reason) }
        forwarder.finish()
        try? await fleet.terminateSession(forwarder.sessionId)
    }

    func stopForward(_ id: Int) async {
        guard let running = forwards.remove(id) else { return }
        running.forwarder.requestStop()
        await running.task.value
    }

    /// Forwards end with the script or the prompt (language page, `forward`).
    public func stopAllForwards() async {
        for id in forwards.ids {
            let f = forwards[id]!.forwarder
            await stopForward(id)
            if interactive && !options.quiet { console.err("stopped forward \(id) (127.0.0.1:\(f.listener.port) → \(f.remote))\n") }
        }
    }
}
