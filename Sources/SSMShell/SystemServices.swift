public import AWSCore
public import SystemIO

/// What the shell reaches the machine through: clocks, files, processes and the terminal. Made
/// once at start (`Launcher`, `SystemServices.system()`) and passed in, so no SSMShell code creates
/// a clock or a file system of its own and tests can hand in fakes.
public struct SystemServices: Sendable {
    /// Time of day: signing, expiry, "5 minutes ago", recordings' timestamps.
    public var wallClock: any WallClock
    /// Intervals: deadlines, timeouts, backoff (never on the wall clock, which can be set).
    public var monotonicClock: any MonotonicClock
    public var fileSystem: any FileSystem
    /// Lists directories, for path completion.
    public var directories: any DirectoryReader
    /// Programs with captured output (credential_process).
    public var processRunner: any ProcessRunner
    /// Programs in the foreground with the terminal (`!`).
    public var foreground: any ForegroundProcessRunner
    public var terminal: any Terminal

    public init(
        wallClock: any WallClock, monotonicClock: any MonotonicClock, fileSystem: any FileSystem,
        directories: any DirectoryReader, processRunner: any ProcessRunner,
        foreground: any ForegroundProcessRunner, terminal: any Terminal
    ) {
        self.wallClock = wallClock
        self.monotonicClock = monotonicClock
        self.fileSystem = fileSystem
        self.directories = directories
        self.processRunner = processRunner
        self.foreground = foreground
        self.terminal = terminal
    }

    /// The machine itself. Called once, by the Launcher (and by tests that mean the real thing).
    public static func system() -> SystemServices {
        let processes = PosixProcessRunner()
        return SystemServices(
            wallClock: SystemClock(), monotonicClock: SystemMonotonicClock(), fileSystem: LocalFileSystem(),
            directories: LocalFileSystem(), processRunner: processes, foreground: processes,
            terminal: ProcessTerminal())
    }
}
