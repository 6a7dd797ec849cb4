import AWSCore
@testable import SSMShell
import Synchronization
import SystemIO
import Testing
import TestSupport

/// The shell reaches the machine only through the SystemServices it is given: intervals on the
/// monotonic clock, `!` through the foreground runner, `source` through the file system, terminal
/// questions through the terminal, path completion through the directory reader.
@Suite struct SystemServicesTests {
    /// A wall clock that stands still (or is set back) while time passes on the monotonic clock,
    /// as when the system time is set during a `sleep`.
    final class SetBackWallClock: WallClock {
        let monotonic: ManualClock
        let setBackBy: Double
        init(monotonic: ManualClock, setBackBy: Double) {
            self.monotonic = monotonic
            self.setBackBy = setBackBy
        }
        func now() -> Double { 1_700_000_000 - setBackBy * monotonic.seconds() }
        func sleep(seconds: Double) async throws { monotonic.advance(by: seconds) }
    }

    final class RecordingForeground: ForegroundProcessRunner {
        let runs = Mutex<[[String]]>([])
        let status: Int32
        init(status: Int32) { self.status = status }
        func runInForeground(_ arguments: [String]) async -> Int32 {
            runs.withLock { $0.append(arguments) }
            return status
        }
    }

    struct FakeTerminal: Terminal {
        var terminals: Set<StandardStream> = []
        var answer: String?
        func isTerminal(_ stream: StandardStream) -> Bool { terminals.contains(stream) }
        func askOnControllingTerminal(prompt: String) -> TerminalAnswer { answer.map { .line($0) } ?? .noTerminal }
    }

    struct FakeDirectories: DirectoryReader {
        let tree: [String: [DirectoryEntry]]
        func entries(in directory: String) -> [DirectoryEntry] { tree[directory] ?? [] }
    }

    static func services(
        monotonic: ManualClock = ManualClock(now: 0), files: [String: [UInt8]] = [:],
        foreground: any ForegroundProcessRunner = RecordingForeground(status: 0),
        terminal: any Terminal = FakeTerminal(), directories: [String: [DirectoryEntry]] = [:]
    ) -> SystemServices {
        SystemServices(
            wallClock: monotonic, monotonicClock: monotonic, fileSystem: InMemoryFileSystem(files),
            directories: FakeDirectories(tree: directories), processRunner: NoShellProcessRunner(),
            foreground: foreground, terminal: terminal)
    }

    static func shell(_ services: SystemServices) -> (Shell, CapturingConsole) {
        let console = CapturingConsole()
        let fleet = InterpreterTests.fleet()
        let shell = Shell(
            console: console, options: GlobalOptions(), environment: Environment(["HOME": "/nonexistent", "AWS_REGION": "us-east-1"]),
            services: services
        ) { _ in fleet }
        return (shell, console)
    }

    /// With the wall clock set back an hour for every second slept, a deadline on the wall clock
    /// would never come; `sleep` measures on the monotonic clock and ends after its 5 seconds.
    @Test func sleepMeasuresOnTheMonotonicClock() async {
        let monotonic = ManualClock(now: 0)
        var services = Self.services(monotonic: monotonic)
        services.wallClock = SetBackWallClock(monotonic: monotonic, setBackBy: 3600)
        let (shell, console) = Self.shell(services)
        // The deadline of this test: a wall-clock sleep would run until interrupted (status 130).
        shell.interrupted = { monotonic.seconds() > 60 }
        #expect(await shell.run(source: "sleep 5", file: "t") == 0, "\(console.stderr)")
        #expect(abs(monotonic.seconds() - 5) < 0.01)
    }

    @Test func bangRunsShThroughTheForegroundRunnerAndKeepsItsStatus() async {
        let foreground = RecordingForeground(status: 143)
        let (shell, _) = Self.shell(Self.services(foreground: foreground))
        shell.variables.values["name"] = "it's"
        #expect(await shell.run(source: "! echo $name > /dev/null", file: "t") == 143)
        #expect(foreground.runs.withLock { $0 } == [["/bin/sh", "-c", "echo 'it'\\''s' > /dev/null"]])
    }

    @Test func sourceReadsThroughTheFileSystem() async {
        let (shell, console) = Self.shell(Self.services(files: ["/scripts/hello": Array("echo hello $1\n".utf8)]))
        #expect(await shell.run(source: "source /scripts/hello world", file: "t") == 0)
        #expect(console.stdout == "hello world\n")
    }

    /// A script that sources itself nested without end before, its memory growing (238,000
    /// levels in 15 s); now it stops at the limit with an error, and a chain short of it runs.
    @Test func aScriptThatSourcesItselfStopsAtTheLimit() async {
        var services = Self.services()
        services.fileSystem = SelfSourcingFiles()
        let (shell, console) = Self.shell(services)
        #expect(await shell.run(source: "source /scripts/self", file: "t") != 0)
        #expect(console.stderr.contains("100 sources deep"), "\(console.stderr)")
        #expect(shell.sourceDepth == 0)
        let (twice, output) = Self.shell(
            Self.services(files: [
                "/scripts/twice": Array("source /scripts/hello\nsource /scripts/hello\n".utf8),
                "/scripts/hello": Array("echo hello\n".utf8),
            ]))
        #expect(await twice.run(source: "source /scripts/twice", file: "t") == 0)
        #expect(output.stdout == "hello\nhello\n")
    }

    /// A script that sources itself, for its first 1000 reads: the old endless nesting ends there
    /// (the test then fails rather than hang).
    final class SelfSourcingFiles: FileSystem {
        let reads = Mutex(0)
        func contents(of path: String) throws -> [UInt8]? {
            reads.withLock {
                $0 += 1; return $0
            } <= 1000 ? Array("source \(path)\n".utf8) : []
        }
        func write(_ bytes: [UInt8], to path: String, permissions: UInt16) throws {}
    }

    @Test func theConsoleAsksTheTerminal() {
        let both = ProcessConsole(terminal: FakeTerminal(terminals: [.output, .error]))
        #expect(both.stdoutIsTerminal && both.stderrIsTerminal)
        let errorOnly = ProcessConsole(terminal: FakeTerminal(terminals: [.error]))
        #expect(!errorOnly.stdoutIsTerminal && errorOnly.stderrIsTerminal)
    }

    @Test func anMFAQuestionWithoutATerminalIsASentence() throws {
        #expect("\(TerminalPrompt.Unavailable())".contains("mfa_serial"))
    }

    @Test func pathCompletionListsTheDirectoryOfThePartialPath() {
        let directories = FakeDirectories(tree: [
            ".": [DirectoryEntry(name: "deploy.ssm", isDirectory: false), DirectoryEntry(name: "lib", isDirectory: true)],
            "lib/": [DirectoryEntry(name: "common.ssm", isDirectory: false)],
            "/etc/": [DirectoryEntry(name: "hosts", isDirectory: false)],
        ])
        #expect(Completion.paths("de", in: directories).sorted() == ["deploy.ssm", "lib/"])
        #expect(Completion.paths("lib/co", in: directories) == ["lib/common.ssm"])
        #expect(Completion.paths("/etc/h", in: directories) == ["/etc/hosts"])
        #expect(Completion.paths("missing/x", in: directories) == [])
    }

    @Test func tabOnSourceCompletesPathsFromTheShellsDirectoryReader() {
        let (shell, _) = Self.shell(Self.services(directories: ["scripts/": [DirectoryEntry(name: "a.ssm", isDirectory: false)]]))
        let completion = Completion(directories: shell.services.directories)
        completion.refresh(from: shell)
        #expect(completion.candidates("source scripts/") == ["scripts/a.ssm"])
    }
}
