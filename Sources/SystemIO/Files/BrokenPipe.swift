import Glibc

/// A reader that goes away (a pipe to `head` that exits, a local client that resets its
/// connection) must end that stream, not the whole process with every forward and the terminal
/// left raw: SIGPIPE is ignored and each write sees EPIPE instead (POSIX write(2)). Children are
/// spawned with default handlers (`withCleanSpawnAttributes`), so they still get the signal.
public enum BrokenPipe {
    public static func ignoreSignal() { signal(SIGPIPE, SIG_IGN) }
}
