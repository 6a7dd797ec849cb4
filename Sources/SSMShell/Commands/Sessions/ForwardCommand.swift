import AWSCore
import SSMCore
import SystemIO

/// `forward`: 127.0.0.1:LOCAL to a port on (or behind) a node, in the background (language page,
/// section 4, Sessions). The forward runs in Shell.startForwarding (RunningForwards.swift).
struct ForwardCommand: ShellCommand {
    let name = "forward"
    let usage = "forward [[PROFILE@REGION:]TARGET] [LOCAL:]PORT | forward [[PROFILE@REGION:]TARGET] [LOCAL:]HOST:PORT [--foreground] [--reason TEXT]"
    let summary = "forward 127.0.0.1:LOCAL to PORT on the node (or HOST:PORT behind it), in the background; LOCAL 0 picks one ($port)"
    let iamActions = ["ssm:StartSession", "ssm:TerminateSession", "ssm:ResumeSession (reconnect)"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        ["ssm:StartSession", "ssm:TerminateSession", PolicyBuilder.resumes] + PolicyBuilder.targetActions(words.count > 1 ? [words[0]] : [])
    }

    /// `[LOCAL:]PORT` or `[LOCAL:]HOST:PORT`.
    static func parseSpec(_ spec: String) throws -> (local: Int, host: String?, port: Int) {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func port(_ text: String, _ what: String) throws -> Int {
            guard let n = Int(text), (0...65535).contains(n), what == "local" || n > 0 else {
                throw ShellError.usage("forward: '\(text)' is not a \(what) port number")
            }
            return n
        }
        switch parts.count {
        case 1: let p = try port(parts[0], "remote"); return (p, nil, p)
        case 2:
            if Int(parts[0]) != nil { return (try port(parts[0], "local"), nil, try port(parts[1], "remote")) }
            let p = try port(parts[1], "remote")
            return (p, parts[0], p)
        case 3: return (try port(parts[0], "local"), parts[1], try port(parts[2], "remote"))
        default: throw ShellError.usage("forward takes [LOCAL:]PORT or [LOCAL:]HOST:PORT, not '\(spec)'")
        }
    }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let opts = try OptionScanner("forward", input.arguments, valued: ["reason"], flags: ["foreground"], anywhere: true)
        guard (1...2).contains(opts.rest.count), let spec = opts.rest.last else {
            throw ShellError.usage("forward takes [TARGET] [LOCAL:]PORT or [TARGET] [LOCAL:]HOST:PORT")
        }
        let (local, host, port) = try Self.parseSpec(spec)
        var nodes = try await shell.sessionNodes(opts.rest.count == 2 ? opts.rest[0] : nil)
        if let chosen = try await shell.oneSessionNode(nodes, command: "forward") { nodes = [chosen] }
        guard nodes.count == 1, let node = nodes.first else {
            throw ShellError.usage(
                nodes.isEmpty
                    ? "forward needs a target: forward TARGET PORT, or 'use TARGET' first"
                    : "forward goes through one node, and this matches \(nodes.count): \(nodes.map(\.label).joined(separator: ", "))")
        }
        let listener: TCPListener
        do { listener = try TCPListener(port: local) } catch { throw ShellError("\(error)") }
        var parameters = ["portNumber": [String(port)], "localPortNumber": [String(listener.port)]]
        if let host { parameters["host"] = [host] }
        let fleet = try shell.fleet(for: node.pair)
        let stream = try await fleet.startSession(
            target: node.id, document: host == nil ? "AWS-StartPortForwardingSession" : "AWS-StartPortForwardingSessionToRemoteHost",
            reason: opts.value("reason"), parameters: parameters)
        let id = shell.forwards.takeId()
        let remote = "\(host ?? "localhost"):\(port)"
        // The reference plugin's pacing, for side-by-side benchmarks only (scripts/bench).
        let forwarder = Forwarder(
            id: id, listener: listener, remote: remote, node: node, sessionId: stream.sessionId,
            clocks: shell.sessionClocks, pacing: shell.environment["SSM_SHELL_REFERENCE_PACING"] == "1")
        shell.variables["port"] = String(listener.port)
        shell.variables["session"] = stream.sessionId
        let task = Shell.startForwarding(forwarder, stream, fleet)
        shell.forwards.add(RunningForward(forwarder: forwarder, task: task), id: id)
        if !shell.options.quiet {
            shell.console.err("forward \(id): 127.0.0.1:\(listener.port) → \(remote) via \(node.label) (session \(stream.sessionId))\n")
        }
        if opts.has("foreground") {
            shell.console.err("Ctrl-C stops it.\n")
            var endedByItself = false
            while !task.isCancelled {
                if shell.interrupted() { break }
                if forwarder.ended {
                    endedByItself = true
                    break
                }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            await shell.stopForward(id)
            if endedByItself {
                // Not stopped by the user: say why (the agent ends a session whose handshake a slow
                // client took over 15 s to answer, amazon-ssm-agent datachannel.go handshakeTimeout).
                let reason = forwarder.status.endReason ?? "the session ended"
                shell.console.err("forward \(id) ended: \(reason)\(reason.hasSuffix(".") ? "" : ".")\n")
                return 1
            }
        }
        return 0
    }
}
