import Glibc
import Synchronization

/// Ctrl-C as a flag: SIGINT sets it, long-running commands (wait, sleep) poll it and stop.
/// The handler only stores to an atomic, which is async-signal-safe.
public enum Interrupts {
    private static let flag = Atomic<Bool>(false)

    /// Installs the SIGINT handler (no SA_RESTART, so a blocked read returns EINTR).
    public static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in Interrupts.flag.store(true, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
    }

    /// Whether Ctrl-C was pressed since the last call; clears the flag.
    public static func take() -> Bool { flag.exchange(false, ordering: .relaxed) }

    public static var pending: Bool { flag.load(ordering: .relaxed) }
}
