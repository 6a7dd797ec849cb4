/// `stop ID|all`: ends forwards.
struct StopCommand: ShellCommand {
    let name = "stop"
    let usage = "stop ID|all"
    let summary = "stop forwards"
    /// The forward's own task terminates its session, with the action `forward` already needs.
    let iamActions = ["ssm:TerminateSession (the forward's session)"]

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let args = input.arguments
        guard args.count == 1 else { throw ShellError.usage("stop takes a forward id (see 'forwards') or all") }
        if args[0] == "all" {
            await shell.stopAllForwards()
            return 0
        }
        guard let id = Int(args[0]), shell.forwards[id] != nil else { throw ShellError.usage("there is no forward \(args[0]); 'forwards' lists them") }
        await shell.stopForward(id)
        return 0
    }
}
