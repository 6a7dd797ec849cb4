import AWSCore

/// `sleep DURATION`: waits, Ctrl-C ending it early.
struct SleepCommand: ShellCommand {
    let name = "sleep"
    let usage = "sleep DURATION"
    let summary = "wait (90, 90s, 5m, 2h)"

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let args = input.arguments
        guard args.count == 1, let seconds = DurationText.parse(args[0]) else {
            throw ShellError.usage("sleep takes one duration of at most a year (8760h): 90, 90s, 5m or 2h")
        }
        // An interval: on the monotonic clock, which setting the time of day does not move.
        let clock = shell.clock
        let monotonic = shell.services.monotonicClock
        let deadline = monotonic.seconds() + seconds
        // The clock is read once a round: a deadline that passes between a check and the sleep
        // would otherwise be a negative sleep.
        while case let remaining = deadline - monotonic.seconds(), remaining > 0 {
            if shell.interrupted() { throw ShellError("interrupted", status: 130) }
            try await clock.sleep(seconds: min(0.1, remaining))
        }
        return 0
    }
}
