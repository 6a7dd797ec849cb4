public import AWSCore
import Synchronization

/// Files in memory, keyed by absolute path.
public final class InMemoryFileSystem: FileSystem {
    private let files: Mutex<[String: [UInt8]]>

    public init(_ files: [String: [UInt8]] = [:]) { self.files = Mutex(files) }

    public func contents(of path: String) throws -> [UInt8]? { files.withLock { $0[path] } }

    public func write(_ bytes: [UInt8], to path: String, permissions: UInt16) throws {
        files.withLock { $0[path] = bytes }
    }

    public var paths: [String] { files.withLock { Array($0.keys).sorted() } }
}

/// A clock that only moves when told; `sleep` advances it instantly and records the delay. It is
/// both clocks: as a monotonic one its seconds are its time of day.
public final class ManualClock: WallClock, MonotonicClock {
    private let state: Mutex<(now: Double, sleeps: [Double])>

    public init(now: Double) { state = Mutex((now: now, sleeps: [])) }

    public func now() -> Double { state.withLock { $0.now } }
    public func seconds() -> Double { now() }
    public func advance(by seconds: Double) { state.withLock { $0.now += seconds } }
    public func sleep(seconds: Double) async throws {
        state.withLock {
            $0.now += seconds; $0.sleeps.append(seconds)
        }
    }
    public var sleeps: [Double] { state.withLock { $0.sleeps } }
}

/// A ProcessRunner for replayed cases: runs no shell, as the AWS CLI runs credential_process.
/// `echo` prints its arguments; any other program is "not found" (exit 127), which is what a
/// shell builtin such as `exit` is without a shell.
public struct NoShellProcessRunner: ProcessRunner {
    public init() {}
    public func run(_ arguments: [String], environment: [String: String]) async throws -> ProcessResult {
        if arguments.first == "echo" {
            return ProcessResult(status: 0, standardOutput: Array((arguments.dropFirst().joined(separator: " ") + "\n").utf8), standardError: [])
        }
        return ProcessResult(status: 127, standardOutput: [], standardError: Array("\(arguments.first ?? ""): command not found".utf8))
    }
}

/// Answers requests from a fixed list of responses, in order, and records what was sent.
public final class ScriptedTransport: HTTPTransport {
    public enum Step: Sendable {
        case respond(HTTPResponse)
        case fail(TransportError)
    }

    private let state: Mutex<(steps: [Step], sent: [HTTPRequest])>

    public init(_ steps: [Step]) { state = Mutex((steps: steps, sent: [])) }

    public var sent: [HTTPRequest] { state.withLock { $0.sent } }

    public func send(_ request: HTTPRequest, timeouts: HTTPTimeouts) async throws -> HTTPResponse {
        let step: Step? = state.withLock { s in
            s.sent.append(request)
            return s.steps.isEmpty ? nil : s.steps.removeFirst()
        }
        switch step {
        case .respond(let response): return response
        case .fail(let error): throw error
        case nil: throw TransportError(kind: .couldNotConnect, connected: false, detail: "no scripted response left", url: request.url.redactedDescription)
        }
    }
}

/// A WireLog that keeps the lines, for tests that inspect `--debug` output.
public final class CapturingLog: WireLog {
    private let lines = Mutex<[String]>([])
    public init() {}
    public func log(_ line: String) { lines.withLock { $0.append(line) } }
    public var text: String { lines.withLock { $0.joined(separator: "\n") } }
}
