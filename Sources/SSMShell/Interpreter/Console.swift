public import SystemIO
import Synchronization

/// Where the shell writes: stdout for results, stderr for progress and errors. A protocol so the
/// interpreter can be tested with a capturing console.
public protocol Console: Sendable {
    func out(_ text: String)
    func err(_ text: String)
    /// Whether stdout / stderr are terminals (tables, colours and progress only there).
    var stdoutIsTerminal: Bool { get }
    var stderrIsTerminal: Bool { get }
    /// Nobody reads stdout any more (EPIPE, a pipe to `head` that exited): scripts stop there.
    var isOutputClosed: Bool { get }
}

/// The process's real stdout and stderr.
public struct ProcessConsole: Console {
    public let stdoutIsTerminal: Bool
    public let stderrIsTerminal: Bool

    public init(terminal: any Terminal) {
        stdoutIsTerminal = terminal.isTerminal(.output)
        stderrIsTerminal = terminal.isTerminal(.error)
    }

    public func out(_ text: String) { StandardStreams.writeOutput(text) }
    public func err(_ text: String) { StandardStreams.writeError(text) }
    public var isOutputClosed: Bool { StandardStreams.isOutputClosed }
}

/// Keeps everything written, for tests.
public final class CapturingConsole: Console {
    private let state = Mutex<(out: String, err: String)>(("", ""))
    public let stdoutIsTerminal: Bool
    public let stderrIsTerminal: Bool

    public init(terminal: Bool = false) {
        stdoutIsTerminal = terminal
        stderrIsTerminal = terminal
    }

    public func out(_ text: String) { state.withLock { $0.out += text } }
    public func err(_ text: String) { state.withLock { $0.err += text } }
    public var stdout: String { state.withLock { $0.out } }
    public var stderr: String { state.withLock { $0.err } }
    public var isOutputClosed: Bool { false }
}
