import SessionProtocol
import SSMCore
import SystemIO

/// One `put` or `get` session on one node: the node-side script as the session's command, its
/// output handed to the transfer instead of the terminal, its input (put) from a pipe. The same
/// loop, runner and reconnects as `connect` (SessionRunning.swift).
struct TransferSession: Sendable {
    let node: Node
    let fleet: any FleetAPI
    let clocks: SessionClocks

    /// What became of the session: the machine at its end, and why it failed when it did.
    struct Ending {
        var session: StreamSession
        var problem: String?
    }

    /// The agent's message size for session data (agent/session/config/config.go
    /// StreamDataPayloadSize is 1024); the same size `forward` sends.
    static let inputSize = PortSession.payload

    /// AWS-StartInteractiveCommand: the command on a pty, the client's input written to it
    /// (agent/session/shell/shell_unix.go). Both `put` and `get` need input: put's stream, and
    /// the newline that lets either script exit once the client has everything.
    func run(
        command: String, input: Int32?, output: @escaping @Sendable ([UInt8]) -> Bool,
        errorOutput: @escaping @Sendable ([UInt8]) -> Void, stop: @escaping @Sendable () -> Bool
    ) async throws -> Ending {
        if try await fleet.connectionStatus(node.id) != "connected" {
            throw ShellError.remote("\(node.label) is not connected to Systems Manager (its agent is not reachable)")
        }
        let stream = try await fleet.startSession(
            target: node.id, document: "AWS-StartInteractiveCommand", reason: nil, parameters: ["command": [command]])
        var hooks = SessionDriver<StreamSession>.Hooks()
        hooks.dataKey = Shell.dataKeyHook(fleet: fleet, sessionId: stream.sessionId, target: node.id)
        hooks.output = output
        hooks.errorOutput = errorOutput
        // Ctrl-C stops every transfer of the command (the flag is taken by the shell afterwards).
        hooks.stopRequested = { Interrupts.pending || stop() }
        let machine = StreamSession(configuration: .init(interactive: false))
        let driver = SessionDriver(machine, input: input, inputSize: Self.inputSize, clock: clocks.monotonic, wallClock: clocks.wall, hooks: hooks)
        let runner = Shell.sessionRunner(
            stream.sessionId, fleet: fleet, clock: clocks.monotonic, driver: driver, sessionEnded: { driver.machine.ended })
        var problem: String?
        switch await runner.run(from: stream) {
        case .ended: problem = nil
        case .stopped: problem = "interrupted"
        case .failed(let reason, _): problem = reason
        }
        try? await fleet.terminateSession(stream.sessionId)
        return Ending(session: driver.machine, problem: problem)
    }
}
