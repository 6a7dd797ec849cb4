import AWSCore
import SSMCore

/// `sessions`: the active (or past) Session Manager sessions.
struct SessionsCommand: ShellCommand {
    let name = "sessions"
    let usage = "sessions [--history]"
    let summary = "active or past sessions"
    let iamActions = ["ssm:DescribeSessions"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] { ["ssm:DescribeSessions"] }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let opts = try OptionScanner("sessions", input.arguments, valued: [], flags: ["history"])
        guard opts.rest.isEmpty else { throw ShellError.usage("sessions takes only --history") }
        let list = try await shell.fleet().describeSessions(history: opts.has("history"))
        shell.print(
            Table(
                columns: ["SESSION", "TARGET", "STATUS", "STARTED", "OWNER", "DOCUMENT"],
                rows: list.map { s in
                    [
                        s.sessionId, shell.label(s.target), s.status, s.startDate.flatMap { CivilTime(secondsSince1970: $0)?.format(compact: false) } ?? "",
                        s.owner ?? "", s.documentName ?? "",
                    ]
                }))
        return 0
    }
}
