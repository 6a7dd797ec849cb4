import SessionProtocol
import SSMCore
import SystemIO

/// `forwards`: the running forwards, their connections and bytes.
struct ForwardsCommand: ShellCommand {
    let name = "forwards"
    let usage = "forwards"
    let summary = "running forwards: connections and bytes"

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        guard input.arguments.isEmpty else { throw ShellError.usage("forwards takes no arguments") }
        shell.print(
            Table(
                columns: ["ID", "LOCAL", "REMOTE", "NODE", "SESSION", "STATE", "CONNECTIONS", "OPEN", "BYTES IN", "BYTES OUT"],
                rows: shell.forwards.ids.map { id in
                    let f = shell.forwards[id]!.forwarder
                    let status = f.status
                    return [
                        String(id), "127.0.0.1:\(f.listener.port)", f.remote, f.node.label, f.sessionId,
                        status.ended ? "ended\(status.endReason.map { ": \($0)" } ?? "")" : status.mode.rawValue,
                        String(status.statistics.connections), String(status.statistics.openConnections),
                        String(status.statistics.bytesIn), String(status.statistics.bytesOut),
                    ]
                }))
        return 0
    }
}
