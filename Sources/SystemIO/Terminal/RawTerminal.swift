import Glibc
import Synchronization

/// The local terminal during a session: raw mode on stdin (restored on every way out, including
/// SIGTERM and SIGHUP), its window size, and SIGWINCH as a flag.
public final class RawTerminal: Sendable {
    /// The mode to restore, readable from a signal handler.
    nonisolated(unsafe) private static var saved = termios()
    private static let active = Atomic<Bool>(false)
    private static let resized = Atomic<Bool>(false)

    public let fd: Int32

    /// Switches `fd` to raw mode when it is a terminal; nil otherwise.
    public init?(fd: Int32 = 0) {
        guard isatty(fd) == 1 else { return nil }
        self.fd = fd
        var mode = termios()
        guard tcgetattr(fd, &mode) == 0 else { return nil }
        Self.saved = mode
        Self.active.store(true, ordering: .sequentiallyConsistent)
        for sig in [SIGTERM, SIGHUP, SIGQUIT] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in
                RawTerminal.restoreFromSignal()
                signal(sig, SIG_DFL)
                raise(sig)
            }
            sigemptyset(&action.sa_mask)
            sigaction(sig, &action, nil)
        }
        var winch = sigaction()
        winch.__sigaction_handler.sa_handler = { _ in RawTerminal.resized.store(true, ordering: .relaxed) }
        sigemptyset(&winch.sa_mask)
        sigaction(SIGWINCH, &winch, nil)
        var raw = mode
        cfmakeraw(&raw)
        // TCSADRAIN, not TCSAFLUSH: keys typed while the session was being opened are meant for
        // the node and stay to be read (ssh's enter_raw_mode does the same). Leaving raw mode
        // still flushes, so keys meant for the node never reach the local shell.
        tcsetattr(fd, TCSADRAIN, &raw)
    }

    deinit { restore() }

    public func restore() {
        guard Self.active.exchange(false, ordering: .sequentiallyConsistent) else { return }
        var mode = Self.saved
        tcsetattr(fd, TCSAFLUSH, &mode)
        for sig in [SIGTERM, SIGHUP, SIGQUIT, SIGWINCH] { signal(sig, SIG_DFL) }
    }

    /// Async-signal-safe: only tcsetattr on the saved mode.
    static func restoreFromSignal() {
        if active.exchange(false, ordering: .sequentiallyConsistent) {
            var mode = saved
            tcsetattr(0, TCSAFLUSH, &mode)
        }
    }

    /// Whether the window changed since the last call.
    public static func takeResize() -> Bool { resized.exchange(false, ordering: .relaxed) }

    /// (columns, rows) of the terminal on `fd`, or nil when it is not one.
    public static func size(fd: Int32 = 1) -> (columns: Int, rows: Int)? {
        var ws = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 else { return nil }
        return (Int(ws.ws_col), Int(ws.ws_row))
    }
}
