import AWSCore
import Crypto
import SessionProtocol
import ShellLanguage
import SSMCore
import SystemIO

/// The clocks of a session (see `Shell.sessionClocks`).
struct SessionClocks: Sendable {
    let monotonic: any MonotonicClock
    let wall: any WallClock
}

extension Shell {
    /// Runs a started session to its end: the loop, reconnects, the terminal, TerminateSession.
    func runSession(
        _ stream: SessionStream, on node: Node, fleet: any FleetAPI, interactive: Bool, proxy: Bool, record: String?,
        exitMarker: Bool = false, exitStatusDue: Bool = false
    ) async throws -> Int32 {
        let terminal = services.terminal.isTerminal(.input) && !proxy
        let clocks = sessionClocks
        let size = interactive ? RawTerminal.size().map { TerminalSize(columns: $0.columns, rows: $0.rows) } : nil
        var hooks = SessionDriver<StreamSession>.Hooks()
        hooks.dataKey = Self.dataKeyHook(fleet: fleet, sessionId: stream.sessionId, target: node.id)
        if interactive { hooks.takeResize = { RawTerminal.takeResize() ? RawTerminal.size() : nil } }
        if let path = record {
            let recordSize = RawTerminal.size() ?? (80, 24)
            guard let file = RecordingFile(path: path) else {
                try? await fleet.terminateSession(stream.sessionId)
                throw ShellError("cannot write the recording to \(path)")
            }
            hooks.recorder = AsciicastRecorder(
                columns: recordSize.columns, rows: recordSize.rows, start: clocks.monotonic.seconds(),
                timestamp: clocks.wall.now(), environment: environment.values, write: { file.write($0) })
        }
        let machine = StreamSession(configuration: .init(interactive: interactive, proxy: proxy, exitMarker: exitMarker, terminalSize: size))
        let driver = SessionDriver(machine, input: 0, clock: clocks.monotonic, wallClock: clocks.wall, hooks: hooks)
        if !options.quiet && terminal { console.err("Starting session \(stream.sessionId) on \(node.label). Type ~. to leave, ~? for help.\n") }
        let raw = interactive ? RawTerminal() : nil
        defer { raw?.restore() }
        let runner = Self.sessionRunner(
            stream.sessionId, fleet: fleet, clock: clocks.monotonic, driver: driver,
            sessionEnded: { driver.machine.ended })
        var problem: String?
        switch await runner.run(from: stream) {
        case .ended, .stopped: problem = nil  // a disconnect that a resume repaired is no failure
        case .failed(let reason, let refusal): problem = refusal.map { "reconnecting failed: " + describe($0).0 } ?? reason
        }
        raw?.restore()
        try? await fleet.terminateSession(stream.sessionId)
        let session = driver.machine
        if session.outputClosed {
            throw ShellError("the session \(stream.sessionId) ended: standard output was closed")
        }
        if let output = session.closedMessage, !output.isEmpty {
            let message = ChannelClosedReason.sentence(output)
            // The service's reason with no exit status: the agent refused the session ("Unable to
            // start command: ..." when the run-as user is missing; shell.go) or it was ended for
            // the user (TerminateSession, idle timeout). Not a success, and not a status the
            // remote command gave: 255, as ssh exits when the server refuses the session.
            guard session.exitCode != nil else {
                throw ShellError(
                    "the session \(stream.sessionId) on \(node.label) ended without an exit status: \(message)",
                    status: Self.noRemoteStatus)
            }
            console.err("\nSessionId: \(stream.sessionId) : \(message)\n\n")
        } else if !options.quiet && terminal {
            console.err("\nExiting session with sessionId: \(stream.sessionId).\n")
        }
        // Lost and not resumed: no status of the remote command's either, so ssh's 255 as well
        // (ssh exits 255 when the connection is lost), not a 1 the command could have given.
        if let problem, session.closedMessage == nil, session.exitCode == nil {
            throw ShellError("the session ended: \(problem)", status: Self.noRemoteStatus)
        }
        // A command whose exit status never came did not run to its end: the agent refused it
        // (its reason went to stderr) or the session was cut.
        if exitStatusDue && session.exitCode == nil {
            throw ShellError(
                "the session \(stream.sessionId) on \(node.label) ended without the command's exit status", status: Self.noRemoteStatus)
        }
        return session.exitCode ?? 0
    }

    /// The status of a session that ended with no status of the remote command's: ssh's 255
    /// (ssh(1), "EXIT STATUS"), so a caller can tell it from any the command gives but 255 itself.
    static let noRemoteStatus: Int32 = 255

    /// The runner of connect, proxy and forward: dial the stream URL, run the driver on a thread
    /// of its own, resume after a disconnect.
    static func sessionRunner<Machine>(
        _ sessionId: String, fleet: any FleetAPI, clock: any MonotonicClock, driver: SessionDriver<Machine>,
        sessionEnded: @escaping @Sendable () -> Bool
    ) -> SessionRunner<WebSocketConnection> {
        SessionRunner(
            sessionId: sessionId, resumer: SessionResumer(clock: clock, resume: { try await fleet.resumeSession($0) }),
            open: { try await Self.open($0, fleet: fleet) },
            run: { ws in await onDedicatedThread { driver.run(ws) } },
            sessionEnded: sessionEnded)
    }

    /// KMS GenerateDataKey for an encrypted session, called on the session's own thread, which may
    /// block; the KMS call runs as a task.
    static func dataKeyHook(fleet: any FleetAPI, sessionId: String, target: String)
        -> @Sendable (String, String?) -> Result<([UInt8], [UInt8]), DataKeyFailure>
    {
        { keyId, challenge in
            let context = SessionKeyContext.fields(sessionId: sessionId, target: target, challenge: challenge)
            return BlockingAsync.run {
                do { return .success(try await fleet.generateDataKey(keyId: keyId, bytes: SessionKeyContext.keyLength, context: context)) } catch {
                    return .failure(.init(description: "KMS GenerateDataKey failed: \(error)"))
                }
            }
        }
    }

    /// The data channel's connect limit: 10 s (a WebSocket upgrade through TLS and perhaps a
    /// proxy), or the user's --cli-connect-timeout when that is larger; 0 (no limit) stays 0.
    static func webSocketConnectTimeout(_ connectTimeout: Double) -> Double {
        connectTimeout > 0 ? max(10, connectTimeout) : 0
    }

    /// Dials the stream URL (signed for ssmmessages) and sends OpenDataChannel.
    static func open(_ stream: SessionStream, fleet: any FleetAPI) async throws -> WebSocketConnection {
        let url: EndpointURL
        do { url = try EndpointURL(parsing: stream.streamURL) } catch {
            throw UnusableStreamURL(description: "the service returned an unusable stream URL: \(error)")
        }
        let headers = try await fleet.streamHeaders(for: url)
        let transport = fleet.streamTransport
        let ws = try await onDedicatedThread { () -> Result<WebSocketConnection, WebSocketConnection.Failure> in
            do {
                return .success(
                    try WebSocketConnection(
                        url: url, headers: headers, caBundle: transport.caBundle,
                        proxy: ProxySettings(environment: transport.environment),
                        connectTimeout: webSocketConnectTimeout(transport.connectTimeout)))
            } catch let error as WebSocketConnection.Failure {
                return .failure(error)
            } catch {
                return .failure(WebSocketConnection.Failure(description: "\(error)"))
            }
        }.get()
        // OpenDataChannel (spec 2.2): a text frame, then binary only.
        let bytes = OpenDataChannel.message(token: stream.tokenValue, requestId: SecureRandom.bytes(16), clientId: Self.clientId)
        try await onDedicatedThread { () -> Result<Void, WebSocketConnection.Failure> in
            do { try ws.send(WebSocketFrame.Opcode.text, bytes); return .success(()) } catch let error as WebSocketConnection.Failure {
                return .failure(error)
            } catch {
                return .failure(WebSocketConnection.Failure(description: "\(error)"))
            }
        }.get()
        return ws
    }

    /// The clocks a session runs on: monotonic for every interval, the wall clock for CreatedDate
    /// and the recording's timestamp.
    var sessionClocks: SessionClocks { SessionClocks(monotonic: services.monotonicClock, wall: services.wallClock) }

    /// One client id per process, kept across reconnects (spec 2.2).
    static let clientId = ClientMessage.uuidString(SecureRandom.bytes(16))
}
