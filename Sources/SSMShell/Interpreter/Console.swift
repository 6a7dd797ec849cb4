import Glibc
import Synchronization

/// Where the shell writes: stdout for results, stderr for progress and errors. A protocol so the
/// interpreter can be tested with a capturing console.
public protocol Console: Sendable {
    func out(_ text: String)
    func err(_ text: String)
    /// Whether stdout / stderr are terminals (tables, colours and progress only there).
    var stdoutIsTerminal: Bool { get }
    var stderrIsTerminal: Bool { get }
}

/// The process's real stdout and stderr.
public struct ProcessConsole: Console {
    public let stdoutIsTerminal: Bool
    public let stderrIsTerminal: Bool

    public init() {
        stdoutIsTerminal = isatty(1) == 1
        stderrIsTerminal = isatty(2) == 1
    }

    public func out(_ text: String) { Output.standardOutput(text) }
    public func err(_ text: String) { Output.standardError(text) }
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
}
