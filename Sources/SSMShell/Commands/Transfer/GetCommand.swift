import SSMCore
import Synchronization
import SystemIO

/// `get [[PROFILE@REGION:]TARGET:]REMOTE LOCAL`: a file or directory from the nodes through a session each
/// (AWS-StartInteractiveCommand running `GetSenderScript`, its output base64); from several
/// nodes, into LOCAL/NODE-ID/...
struct GetCommand: ShellCommand {
    let name = "get"
    let usage = "get [--force] [[PROFILE@REGION:]TARGET:]REMOTE LOCAL"
    let summary = "copy a file or directory from the nodes through sessions (several nodes: into LOCAL/NODE-ID/; --force replaces)"
    let iamActions = ["ssm:GetConnectionStatus", "ssm:StartSession", "ssm:TerminateSession", "ssm:ResumeSession (reconnect)"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        let remote = words.first { !$0.hasPrefix("--") }.flatMap { try? RemotePath(parsing: $0) }
        return ["ssm:GetConnectionStatus", "ssm:StartSession", "ssm:TerminateSession", PolicyBuilder.resumes]
            + PolicyBuilder.targetActions(remote?.target.map { [$0] } ?? [])
    }

    /// The first word is a path on the node, which Tab cannot list; the second is local.
    func completions(_ request: CompletionRequest) -> Completions {
        request.words.filter { !$0.hasPrefix("--") }.count >= 3 ? .paths : .none
    }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let opts = try OptionScanner("get", input.arguments, valued: [], flags: ["force"], anywhere: true)
        guard opts.rest.count == 2 else { throw ShellError.usage("get takes what to copy and where: get [[PROFILE@REGION:]TARGET:]REMOTE LOCAL") }
        let remote = try RemotePath.parsed(opts.rest[0], command: "get")
        let local = opts.rest[1]
        // The copy is named after what it copies: `.`, `..` and `/` name nothing to call it.
        guard !["", ".", "..", "/"].contains(TransferEntry.baseName(remote.path)) else {
            throw ShellError.usage(
                "get copies a file or directory named on the node, and '\(opts.rest[0])' names none: give its path (get web-1:/var/log/app LOCAL)")
        }
        let nodes = try await shell.transferNodes(remote, command: "get")
        let force = opts.has("force")
        let clocks = shell.sessionClocks
        let several = nodes.count > 1
        if several {
            do { try LocalTree.makeDirectory(local) } catch { throw ShellError("get: cannot make the directory \(error)") }
        }
        let creationMask = LocalTree.creationMask()
        var jobs: [TransferJob] = []
        for node in nodes {
            // output --save names files after node ids, never Name tags (architecture section 9).
            let destination = several ? (local.hasSuffix("/") ? local : local + "/") + node.id : local
            if several {
                do { try LocalTree.makeDirectory(destination) } catch { throw ShellError("get: cannot make the directory \(error)") }
            }
            let into = several || local.hasSuffix("/") || LocalTree.isDirectory(local)
            let receiver = try GetReceiver(destination: destination, into: into, force: force, creationMask: creationMask)
            let script =
                node.platform == "Windows" ? GetSenderScript.powerShell(source: remote.path) : GetSenderScript.posix(source: remote.path)
            // Each node through its own pair's client; every node at once (runTransfers).
            let session = TransferSession(node: node, fleet: try shell.fleet(for: node.pair), clocks: clocks)
            let watch = StallWatch(clock: clocks.monotonic) { receiver.moved.load(ordering: .relaxed) }
            jobs.append(
                TransferJob(
                    node: node, name: TransferEntry.baseName(remote.path),
                    progress: { (receiver.received.load(ordering: .relaxed), receiver.announced.load(ordering: .relaxed)) },
                    run: {
                        var outcome = TransferOutcome()
                        var problem: String?
                        do {
                            let ending = try await session.run(
                                command: script, input: receiver.acknowledgement.readEnd, output: { receiver.output($0) },
                                errorOutput: { receiver.errorOutput($0) }, stop: { watch.stalled() })
                            problem = ending.problem
                        } catch {
                            problem = "\(error)"
                        }
                        receiver.acknowledgement.closeReading()
                        let result = receiver.finish(sessionProblem: problem)
                        outcome.files = result.files
                        outcome.bytes = receiver.received.load(ordering: .relaxed)
                        outcome.problems = result.problems
                        outcome.notes = result.notes
                        if outcome.problems.isEmpty, let problem, problem != "interrupted" { outcome.problems = [problem] }
                        if watch.tripped.load(ordering: .relaxed) { outcome.problems = [watch.problem] }
                        return outcome
                    }))
        }
        return try await shell.runTransfers("get", jobs)
    }
}
