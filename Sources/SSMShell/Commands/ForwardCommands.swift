import AWSCore
import Glibc
import SSMCore
import Synchronization
import SystemIO

/// A running forward and the task that keeps its session alive.
struct RunningForward {
    let forwarder: Forwarder
    let task: Task<Void, Never>
}

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
        let id = nextForwardId
        nextForwardId += 1
        let remote = "\(host ?? "localhost"):\(port)"
        let forwarder = Forwarder(id: id, listener: listener, remote: remote, node: node, sessionId: stream.sessionId)
        forwarder.referencePacing = environment["SSM_SHELL_REFERENCE_PACING"] == "1"
        variables["port"] = String(listener.port)
        variables["session"] = stream.sessionId
        let task = Self.startForwarding(forwarder, stream, fleet)
        forwards[id] = RunningForward(forwarder: forwarder, task: task)
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
        var current = first
        var policy = ReconnectPolicy()
        var problem = "disconnected"
        reconnecting: while !forwarder.stopRequested.load(ordering: .relaxed) {
            do {
                let ws = try await Self.open(current, fleet: fleet)
                policy.connected(now: SystemClock().now())
                let outcome = await onDedicatedThread { forwarder.run(ws) }
                if case .disconnected(let reason) = outcome { problem = reason } else { break }
                if forwarder.ended { break }
            } catch let unusable as UnusableStreamURL {
                forwarder.noteEndReason(unusable.description)
                break reconnecting
            } catch {
                problem = "\(error)"
            }
            // The same policy as connect: throttling and 5xx are retried, a refusal ends the forward.
            policy.disconnected(now: SystemClock().now())
            switch await SessionResumer.resume(forwarder.sessionId, fleet: fleet, policy: &policy, problem: problem,
                                               stopped: { forwarder.stopRequested.load(ordering: .relaxed) }) {
            case .resumed(let resumed):
                current = resumed
            case .ended(let reason, _):
                forwarder.noteEndReason(reason)
                break reconnecting
            case .stopped:
                break reconnecting
            }
        }
        forwarder.ended = true
        forwarder.closeAll()
        try? await fleet.terminateSession(forwarder.sessionId)
    }

    func stopForward(_ id: Int) async {
        guard let running = forwards.removeValue(forKey: id) else { return }
        running.forwarder.stopRequested.store(true, ordering: .relaxed)
        await running.task.value
    }

    /// Forwards end with the script or the prompt (language page, `forward`).
    public func stopAllForwards() async {
        for id in forwards.keys.sorted() {
            let f = forwards[id]!.forwarder
            await stopForward(id)
            if interactive && !options.quiet { console.err("stopped forward \(id) (127.0.0.1:\(f.listener.port) → \(f.remote))\n") }
        }
    }

    func forwardsList(_ args: [String]) throws -> Int32 {
        guard args.isEmpty else { throw ShellError.usage("forwards takes no arguments") }
        print(Table(columns: ["ID", "LOCAL", "REMOTE", "NODE", "SESSION", "STATE", "CONNECTIONS", "OPEN", "BYTES IN", "BYTES OUT"],
                    rows: forwards.keys.sorted().map { id in
            let f = forwards[id]!.forwarder
            return [String(id), "127.0.0.1:\(f.listener.port)", f.remote, f.node.shortLabel, f.sessionId,
                    f.ended ? "ended\(f.endReason.map { ": \($0)" } ?? "")" : f.mode, String(f.connections.load(ordering: .relaxed)),
                    String(f.openConnections.load(ordering: .relaxed)), String(f.bytesIn.load(ordering: .relaxed)),
                    String(f.bytesOut.load(ordering: .relaxed))]
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
