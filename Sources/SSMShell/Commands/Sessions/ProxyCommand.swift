import SSMCore

/// `proxy TARGET [PORT]`: AWS-StartSSHSession as a byte pipe on stdin/stdout, for ssh's
/// ProxyCommand (`ProxyCommand ssm-shell proxy %h %p`). The session runs in Shell.runSession.
struct ProxyCommand: ShellCommand {
    let name = "proxy"
    let usage = "proxy TARGET [PORT]"
    let summary = "stdin/stdout to PORT (default 22) on the node, for ssh's ProxyCommand"
    let iamActions = ["ssm:StartSession", "ssm:TerminateSession", "ssm:ResumeSession (reconnect)"]
    let runsAlone = true

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        ["ssm:StartSession", "ssm:TerminateSession", PolicyBuilder.resumes] + PolicyBuilder.targetActions(words.count > 1 ? [words[0]] : [])
    }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let args = input.arguments
        guard (1...2).contains(args.count) else { throw ShellError.usage("proxy takes a target and an optional port: proxy TARGET [PORT]") }
        let port = args.count == 2 ? args[1] : "22"
        guard let number = Int(port), (1...65535).contains(number) else { throw ShellError.usage("proxy: '\(port)' is not a port number") }
        let nodes = try await shell.resolveTargets([args[0]])
        guard nodes.count == 1, let node = nodes.first else {
            throw ShellError.usage("proxy goes to one node, and '\(args[0])' matches \(nodes.count): \(nodes.map(\.label).joined(separator: ", "))")
        }
        let fleet = try shell.fleet()
        let stream = try await fleet.startSession(target: node.id, document: "AWS-StartSSHSession", reason: nil, parameters: ["portNumber": [port]])
        return try await shell.runSession(stream, on: node, fleet: fleet, interactive: false, proxy: true, record: nil)
    }
}
