import AWSCore
import SSMCore

/// `sessions`: the active (or past) Session Manager sessions, of every pair of the context at
/// once (ACCOUNT and REGION columns when there are several).
struct SessionsCommand: ShellCommand {
    let name = "sessions"
    let usage = "sessions [--history]"
    let summary = "active or past sessions"
    let iamActions = ["ssm:DescribeSessions"]

    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] { ["ssm:DescribeSessions"] }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let opts = try OptionScanner("sessions", input.arguments, valued: [], flags: ["history"])
        guard opts.rest.isEmpty else { throw ShellError.usage("sessions takes only --history") }
        let history = opts.has("history")
        let answers = try await shell.eachPair { _, fleet in try await fleet.describeSessions(history: history) }
        var rows: [[String]] = []
        var pairs: [ContextPair?] = []
        for (pair, list) in answers {
            for s in list {
                rows.append([
                    s.sessionId, shell.label(s.target), s.status, s.startDate.flatMap { CivilTime(secondsSince1970: $0)?.format(compact: false) } ?? "",
                    s.owner ?? "", s.documentName ?? "",
                ])
                pairs.append(pair)
            }
        }
        shell.print(await shell.contextTable(columns: ["SESSION", "TARGET", "STATUS", "STARTED", "OWNER", "DOCUMENT"], rows: rows, pairs: pairs))
        return 0
    }
}
