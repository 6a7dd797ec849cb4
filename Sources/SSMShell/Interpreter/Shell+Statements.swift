import ShellLanguage
import SSMCore

/// Runs statements (docs/language.md, Control flow): commands with the script's failure rule,
/// `if` on its condition's status, `for` once per word, `def` defining a procedure, and the
/// jumps out of them. Every block passes on what it does not handle (BlockOutcome).
extension Shell {
    func run(_ statements: [Statement], _ progress: inout BlockRun) async -> BlockOutcome {
        for statement in statements {
            let outcome: BlockOutcome
            switch statement {
            case .command(let command): outcome = await run(command, &progress)
            case .conditional(let conditional): outcome = await run(conditional, &progress)
            case .loop(let loop): outcome = await run(loop, &progress)
            case .definition(let definition):
                procedures.define(definition)
                exit.lastStatus = 0
                outcome = .finished
            case .jump(let jump): outcome = jumpOutcome(jump, progress)
            }
            if outcome != .finished { return outcome }
        }
        return .finished
    }

    /// One command, and whether the script goes on after it.
    func run(_ command: Command, _ progress: inout BlockRun) async -> BlockOutcome {
        let status = await execute(command)
        if let end = endsEverything(status) { return end }
        // `output` shows data: a failed invocation it shows is its status 3, never a reason to
        // stop (ShellCommand.remoteFailureIsData). A failing `wait` stops (FailureStop.swift).
        if status == ExitStatus.remoteFailure, let name = command.name, CommandRegistry.command(named: name)?.remoteFailureIsData == true {
            return .finished
        }
        // A pair of several skipped on the way was reported and the others went on; so does
        // the script, which ends with 1 (ContextFleets.swift).
        if status == 1 && pairFleets.statusIsSkips {
            pairFleets.statusIsSkips = false
            progress.pairSkipped = true
            return .finished
        }
        // `try` goes on whatever its command's status (kept in $status).
        if status != 0 && !settings.keepGoing && !interactive && command.name != "try" { return .stopped(status) }
        // With keep-going a remote failure is remembered: the script ends with 3.
        if status == ExitStatus.remoteFailure && settings.keepGoing && command.name != "try" { progress.remoteFailure = true }
        return .finished
    }

    /// What ends the script whatever the rules: `exit`, Ctrl-C, and a closed standard output.
    private func endsEverything(_ status: Int32) -> BlockOutcome? {
        if status == ExitRequest.marker { return .exited }
        // Standard output was closed (a pipe to `head` that exited): stop here, as SIGPIPE
        // would have, but cleanly (forwards stopped, sessions terminated).
        if console.isOutputClosed {
            console.err("ssm-shell: standard output was closed; the script stops here\n")
            return .stopped(1)
        }
        // Ctrl-C stops the loop or procedure around the command too, as in sh.
        if status == ExitStatus.interrupted { return .stopped(ExitStatus.interrupted) }
        // A recursion that reached the depth limit: `try` or keep-going around each call would
        // otherwise go on through 2^100 of them.
        if procedures.runaway { return .stopped(status == 0 ? ExitStatus.failure : status) }
        return nil
    }

    /// The first branch whose condition's status is 0 runs, else the else body. A failing
    /// condition is an answer, not a failure: it never stops the script. A condition refused
    /// before it ran (a misspelt command or variable) is a mistake, not "false", and stops it
    /// (unless keep-going; with `try` in front it is false).
    /// `$status` inside a branch is its condition's.
    func run(_ conditional: Conditional, _ progress: inout BlockRun) async -> BlockOutcome {
        for branch in conditional.branches {
            // A condition looks at its command's status: a failing `wait` answers, it does not stop.
            failureHandled += 1
            let status = await execute(branch.condition)
            failureHandled -= 1
            if let end = endsEverything(status) { return end }
            // Refused: with `try` in front it is "false"; else the if is a failed command, skipped
            // where failures do not stop (keep-going, the prompt).
            if exit.lastRefused && branch.condition.name != "try" {
                return settings.keepGoing || interactive ? .finished : .stopped(status)
            }
            if status == 0 { return await run(branch.body, &progress) }
        }
        // As sh's: with no branch taken, the if's status is 0 (its condition's was an answer).
        guard let elseBody = conditional.elseBody else {
            exit.lastStatus = 0
            return .finished
        }
        return await run(elseBody, &progress)
    }

    /// The body once per word, `$NAME` holding it. The words are expanded once, before the first
    /// turn; `$@` gives one word per argument, `$targets` one per current node (its id).
    func run(_ loop: Loop, _ progress: inout BlockRun) async -> BlockOutcome {
        let words: [String]
        do {
            words = try expandLoopWords(loop.words)
        } catch {
            return failed(error, at: loop.location)
        }
        progress.loops += 1
        defer { progress.loops -= 1 }
        // As sh's: a loop whose body never runs has status 0.
        exit.lastStatus = 0
        for word in words {
            // Ctrl-C between two commands (an `echo` that does not wait) still ends the loop.
            if interrupted() { return .stopped(ExitStatus.interrupted) }
            do {
                try variables.set(loop.variable, to: word)
            } catch {
                return failed(error, at: loop.location)
            }
            switch await run(loop.body, &progress) {
            case .finished, .continued(1): continue
            case .broke(1): return .finished
            case .broke(let levels): return .broke(levels - 1)
            case .continued(let levels): return .continued(levels - 1)
            case let other: return other
            }
        }
        return .finished
    }

    func expandLoopWords(_ words: [Word]) throws -> [String] {
        var expanded: [String] = []
        for word in words {
            if word.parts == [.variable("targets")] && !word.quoted {
                expanded += targets.map(\.id)
            } else {
                expanded += try expand([word])
            }
        }
        return expanded
    }

    /// `break [N]`, `continue [N]`, `return [N]`, N expanded now.
    func jumpOutcome(_ jump: Jump, _ progress: BlockRun) -> BlockOutcome {
        do {
            let text = try jump.argument.map { try expand($0.parts, at: $0.location) }
            switch jump.kind {
            case .returnFromDefinition:
                // Without N, the status of the last command, as sh's return.
                guard let text else { return .returned(exit.lastStatus) }
                guard let status = Int32(text), (0...255).contains(status) else {
                    throw ShellError.usage("return takes a status from 0 to 255, not \(text)")
                }
                return .returned(status)
            case .breakLoop, .continueLoop:
                let levels =
                    try text.map { text in
                        guard let n = Int(text), n >= 1, n <= progress.loops else {
                            throw ShellError.usage("\(jump.kind.rawValue) takes a number of loops from 1 to \(progress.loops), not \(text)")
                        }
                        return n
                    } ?? 1
                exit.lastStatus = 0
                return jump.kind == .breakLoop ? .broke(levels) : .continued(levels)
            }
        } catch {
            return failed(error, at: jump.location)
        }
    }

    /// A block's own failure (its words, its variable): reported and, as for a command, the end
    /// of the script unless keep-going.
    private func failed(_ error: any Error, at location: SourceLocation) -> BlockOutcome {
        let status = report(error, at: location)
        exit.lastStatus = status
        return settings.keepGoing && !interactive ? .finished : .stopped(status)
    }

    /// A procedure's call: its arguments are `$1`... for the call only. It stops at its first
    /// failure as a script does (unless keep-going), and that failure is the call's status.
    func call(_ definition: Definition, arguments: [String]) async throws -> Int32 {
        if interrupted() { return ExitStatus.interrupted }
        guard procedures.depth < Procedures.maximumDepth else {
            procedures.runaway = true
            throw ShellError(
                "\(definition.name) is \(Procedures.maximumDepth) calls deep; does it call itself without a condition that stops it?")
        }
        let savedArguments = variables.arguments
        let wasInteractive = interactive
        let savedFailureHandled = failureHandled
        variables.arguments = arguments
        procedures.depth += 1
        // Inside a procedure a failure stops it, at the prompt too, as in a sourced script; and
        // a failing `wait` there says who failed, also when the call is a condition or a `try`
        // (which look at the call's status, not at each command inside).
        interactive = false
        failureHandled = 0
        defer {
            variables.arguments = savedArguments
            procedures.depth -= 1
            interactive = wasInteractive
            failureHandled = savedFailureHandled
        }
        // A body that runs no command gives 0, not the status left from before the call.
        exit.lastStatus = 0
        var progress = BlockRun()
        switch await run(definition.body, &progress) {
        case .exited: throw ExitRequest(status: exit.exitStatus)
        case .stopped(let status): return status
        case .returned(let status): return status
        case .finished, .broke, .continued:
            return progress.endStatus(exit.lastStatus)
        }
    }
}
