import AWSCore
import SessionProtocol
import SSMCore
import SystemIO

extension Shell {
    // MARK: forward, forwards, stop (language page, section 4, Sessions)

    /// `[LOCAL:]PORT` or `[LOCAL:]HOST:PORT`.
    static func parseForwardSpec(_ spec: String) throws -> (local: Int, host: String?, port: Int) {
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

    func forward(_ args: [String]) async throws -> Int32 {
        let opts = try OptionScanner("forward", args, valued: ["reason"], flags: ["foreground"], anywhere: true)
        guard (1...2).contains(opts.rest.count), let spec = opts.rest.last else {
            throw ShellError.usage("forward takes [TARGET] [LOCAL:]PORT or [TARGET] [LOCAL:]HOST:PORT")
        }
        let (local, host, port) = try Self.parseForwardSpec(spec)
        var nodes = targets
        if opts.rest.count == 2 { nodes = try await resolveTargets([opts.rest[0]]) }
        guard nodes.count == 1, let node = nodes.first else {
            throw ShellError.usage(nodes.isEmpty ? "forward needs a target: forward TARGET PORT, or 'use TARGET' first"
                                                 : "forward goes through one node, and this matches \(nodes.count): \(nodes.map(\.label).joined(separator: ", "))")
        }
        let listener: TCPListener
        do { listener = try TCPListener(port: local) } catch { throw ShellError("\(error)") }
        var parameters = ["portNumber": [String(port)], "localPortNumber": [String(listener.port)]]
        if let host { parameters["host"] = [host] }
        let fleet = try fleet()
        let stream = try await fleet.startSession(target: node.id, document: host == nil ? "AWS-StartPortForwardingSession" : "AWS-StartPortForwardingSessionToRemoteHost",
                                                  reason: opts.value("reason"), parameters: parameters)
        let id = forwards.takeId()
        let remote = "\(host ?? "localhost"):\(port)"
        // The reference plugin's pacing, for side-by-side benchmarks only (scripts/bench).
        let forwarder = Forwarder(id: id, listener: listener, remote: remote, node: node, sessionId: stream.sessionId,
                                  clocks: sessionClocks, pacing: environment["SSM_SHELL_REFERENCE_PACING"] == "1")
        variables["port"] = String(listener.port)
        variables["session"] = stream.sessionId
        let task = Self.startForwarding(forwarder, stream, fleet)
        forwards.add(RunningForward(forwarder: forwarder, task: task), id: id)
        if !options.quiet {
            console.err("forward \(id): 127.0.0.1:\(listener.port) → \(remote) via \(node.label) (session \(stream.sessionId))\n")
        }
        if opts.has("foreground") {
            console.err("Ctrl-C stops it.\n")
            while !task.isCancelled {
                if interrupted() { break }
                if forwarder.ended { break }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            await stopForward(id)
        }
        return 0
    }

    static func startForwarding(_ forwarder: Forwarder, _ stream: SessionStream, _ fleet: any FleetAPI) -> Task<Void, Never> {
        Task.detached { await keepForwarding(forwarder, stream, fleet) }
    }

    /// The session behind a forward, reconnected with ResumeSession until it is stopped or ends.
    static func keepForwarding(_ forwarder: Forwarder, _ first: SessionStream, _ fleet: any FleetAPI) async {
        var runner = sessionRunner(forwarder.sessionId, fleet: fleet, clock: forwarder.driver.clock, driver: forwarder.driver,
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

    func forwardsList(_ args: [String]) throws -> Int32 {
        guard args.isEmpty else { throw ShellError.usage("forwards takes no arguments") }
        print(Table(columns: ["ID", "LOCAL", "REMOTE", "NODE", "SESSION", "STATE", "CONNECTIONS", "OPEN", "BYTES IN", "BYTES OUT"],
                    rows: forwards.ids.map { id in
            let f = forwards[id]!.forwarder
            let status = f.status
            return [String(id), "127.0.0.1:\(f.listener.port)", f.remote, f.node.shortLabel, f.sessionId,
                    status.ended ? "ended\(status.endReason.map { ": \($0)" } ?? "")" : status.mode.rawValue,
                    String(status.statistics.connections), String(status.statistics.openConnections),
                    String(status.statistics.bytesIn), String(status.statistics.bytesOut)]
        }))
        return 0
    }

    func stop(_ args: [String]) async throws -> Int32 {
        guard args.count == 1 else { throw ShellError.usage("stop takes a forward id (see 'forwards') or all") }
        if args[0] == "all" {
            await stopAllForwards()
            return 0
        }
        guard let id = Int(args[0]), forwards[id] != nil else { throw ShellError.usage("there is no forward \(args[0]); 'forwards' lists them") }
        await stopForward(id)
        return 0
    }
}
