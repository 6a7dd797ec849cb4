public import AWSCore
import Crypto
import Glibc

public enum ProcessEnvironment {
    /// The process environment, read once at start-up and passed in from there.
    public static func current() -> Environment {
        var values: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") {
                values[String(text[..<eq])] = String(text[text.index(after: eq)...])
            }
            pointer += 1
        }
        return Environment(values)
    }

    /// Set-up for a process that exits while other threads still work (sessions, transports):
    /// OpenSSL's state must outlive `exit` (`CryptoLibrary.keepStateUntilExit`).
    public static func prepare() { CryptoLibrary.keepStateUntilExit() }

    /// Ends the process with `status` (exit(3): atexit handlers run, stdio is flushed).
    public static func exit(_ status: Int32) -> Never { Glibc.exit(status) }

    /// Keeps the calling thread (main) waiting until another thread calls `exit`. Signal handlers
    /// run here: libdispatch's pool threads block the asynchronous signals, so SIGINT and SIGWINCH
    /// come to this thread, as they came to dispatch_main()'s sigsuspend before.
    public static func waitForExit() -> Never {
        // sigsuspend with an empty mask, not pause(): a signal the parent left blocked (a mask
        // survives exec) would never come to this thread, the only one that takes signals, so
        // Ctrl-C, SIGTERM and SIGHUP would do nothing. dispatch_main() waited the same way.
        var none = sigset_t()
        sigemptyset(&none)
        while true { sigsuspend(&none) }
    }
}

/// Writes `--debug` lines to standard error.
public struct StandardErrorLog: WireLog {
    public init() {}
    public func log(_ line: String) { StandardStreams.writeError(line + "\n") }
}
