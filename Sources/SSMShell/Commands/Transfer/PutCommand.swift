import SSMCore
import Synchronization
import SystemIO

/// `put LOCAL... [[PROFILE@REGION:]TARGET:]REMOTE`: files and directories to every target node at once, through a
/// session each (AWS-StartInteractiveCommand running `PutReceiverScript`), so the guide's basic
/// session policy is enough: no S3, no SendCommand, no sshd.
struct PutCommand: ShellCommand {
    let name = "put"
    let usage = "put [--force] LOCAL... [[PROFILE@REGION:]TARGET:]REMOTE"
    let summary = "copy local files or directories to the nodes through sessions (sha256 checked, modes kept; --force replaces)"
    let iamActions = ["ssm:GetConnectionStatus", "ssm:StartSession", "ssm:TerminateSession", "ssm:ResumeSession (reconnect)"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        let remote = words.last { !$0.hasPrefix("--") }.flatMap { try? RemotePath(parsing: $0) }
        return ["ssm:GetConnectionStatus", "ssm:StartSession", "ssm:TerminateSession", PolicyBuilder.resumes]
            + PolicyBuilder.targetActions(remote?.target.map { [$0] } ?? [])
    }

    func completions(_ request: CompletionRequest) -> Completions { .paths }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let opts = try OptionScanner("put", input.arguments, valued: [], flags: ["force"], anywhere: true)
        guard opts.rest.count >= 2, let last = opts.rest.last else {
            throw ShellError.usage("put needs what to copy and where: put LOCAL... [[PROFILE@REGION:]TARGET:]REMOTE")
        }
        let remote = try RemotePath.parsed(last, command: "put")
        let sources = Array(opts.rest.dropLast())
        var items: [LocalItem] = []
        // `..` or `/` would land as `..` on the node: in the parent of the destination named.
        for source in sources where ["..", "/"].contains(TransferEntry.baseName(source)) {
            throw ShellError.usage("put copies what it names under that name, and '\(source)' has none: name the directory itself (put ../app web-1:/srv/)")
        }
        for source in sources {
            // The walk blocks on the file system: on a thread of its own, not the concurrency pool.
            let walked = await onDedicatedThread { () -> Result<LocalTree.Found, any Error> in
                Result { try LocalTree.items(source, name: TransferEntry.baseName(source)) }
            }
            let found: LocalTree.Found
            do { found = try walked.get() } catch { throw ShellError("put: cannot read \(error); nothing was sent") }
            // A source named on the command line that copies nothing (a FIFO, /dev/stdin) is an error.
            guard !found.items.isEmpty else { throw ShellError("put: \(source) is not a regular file or directory; nothing was sent") }
            for skipped in found.skipped { shell.console.err("put: \(skipped) is left out\n") }
            items += found.items
        }
        // Two sources with one name would land on one path (cp refuses the same way).
        var sourceOf: [String: String] = [:]
        for item in items {
            if let first = sourceOf[item.relativePath] {
                throw ShellError.usage(
                    "put: \(first) and \(item.localPath) would both land as \(item.relativePath); copy them separately or rename one (nothing was sent)")
            }
            sourceOf[item.relativePath] = item.localPath
        }
        let nodes = try await shell.transferNodes(remote, command: "put")
        let into = sources.count > 1 || remote.path.hasSuffix("/")
        let clocks = shell.sessionClocks
        let force = opts.has("force")
        let name = sources.count == 1 ? TransferEntry.baseName(sources[0]) : "\(sources.count) sources"
        var jobs: [TransferJob] = []
        for node in nodes {
            let windows = node.platform == "Windows"
            let transfer = try PutTransfer(items: items, windows: windows)
            let total = transfer.totalBytes
            let script =
                windows
                ? PutReceiverScript.powerShell(destination: remote.path, force: force, into: into)
                : PutReceiverScript.posix(destination: remote.path, force: force, into: into)
            // Each node through its own pair's client; every node at once (runTransfers).
            let session = TransferSession(node: node, fleet: try shell.fleet(for: node.pair), clocks: clocks)
            let watch = StallWatch(clock: clocks.monotonic) { transfer.moved.load(ordering: .relaxed) }
            jobs.append(
                TransferJob(
                    node: node, name: name, progress: { (transfer.sent.load(ordering: .relaxed), total) },
                    run: {
                        var outcome = TransferOutcome(bytes: total)
                        do {
                            let ending = try await session.run(
                                command: script, input: transfer.pipe.readEnd, output: { transfer.output($0) },
                                errorOutput: { _ = transfer.output($0) }, stop: { transfer.aborted.load(ordering: .relaxed) || watch.stalled() })
                            transfer.pipe.closeReading()
                            outcome.problems =
                                watch.tripped.load(ordering: .relaxed) ? [watch.problem] : transfer.problems(sessionProblem: ending.problem)
                        } catch {
                            transfer.pipe.closeReading()
                            outcome.problems = ["\(error)"]
                        }
                        outcome.files = transfer.storedFiles
                        return outcome
                    }))
        }
        return try await shell.runTransfers("put", jobs)
    }
}

extension Shell {
    /// The nodes of `put` and `get`: the target before the colon (in its pair when one is
    /// written in front), else the current targets.
    func transferNodes(_ remote: RemotePath, command: String) async throws -> [Node] {
        if let pair = remote.pair {
            guard let target = remote.target else {
                throw ShellError.usage(
                    "\(command): \(pair) names an account and region, not a node: write PROFILE@REGION:TARGET:PATH (\(pair):web-1:/tmp/)")
            }
            return try await resolveTargets([target], in: pair)
        }
        var nodes = targets
        if let target = remote.target { nodes = try await resolveTargets([target]) }
        guard !nodes.isEmpty else {
            throw ShellError.usage("\(command) needs a target: name it before the remote path (web-1:/tmp/x), or 'use TARGET' first")
        }
        return nodes
    }
}

extension RemotePath {
    /// The remote word of `put` or `get`; an ambiguous one is a usage error (status 2), sent nowhere.
    static func parsed(_ word: String, command: String) throws -> RemotePath {
        do { return try RemotePath(parsing: word) } catch { throw ShellError.usage("\(command): \(error)") }
    }
}
