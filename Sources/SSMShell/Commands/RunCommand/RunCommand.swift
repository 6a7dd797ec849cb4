/// `run`: a shell command on the targets through Run Command (body: RunCommands.swift).
struct RunCommand: ShellCommand {
    let name = "run"
    let usage = "run [--on TARGET[,TARGET...]] [--document NAME] [--param K=V] [--timeout D] [--delivery-timeout D] [--workdir DIR] [--comment TEXT] [--concurrency N|N%] [--max-errors N|N%] [--wait] COMMAND... | run [OPTIONS] <<EOF"
    let summary = "run a shell command on the current targets (Run Command); the id goes to $cmd"
    let iamActions = ["ssm:SendCommand", "ssm:ListCommandInvocations and ssm:GetCommandInvocation (--wait)"]
    let takesHereDocument = true
    let passThroughValuedOptions: Set<String>? = PassThrough.runValuedOptions

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        var out = ["ssm:SendCommand"]
        if let on = words.firstIndex(of: "--on"), on + 1 < words.count {
            out += PolicyBuilder.targetActions(words[on + 1].split(separator: ",").map(String.init))
        }
        if words.contains("--wait") { out += ["ssm:ListCommandInvocations", "ssm:GetCommandInvocation"] }
        state.ranCommand = true
        return out
    }

    func completions(_ request: CompletionRequest) -> Completions {
        request.previous == "--on" ? .words(request.snapshot.targets) : .none
    }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        try await shell.runCommand(input.arguments, text: input.text ?? "", script: input.hereDocument)
    }
}
