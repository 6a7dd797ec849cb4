import SSMCore

/// `terminate`: ends sessions by id, each in its pair: `PROFILE@REGION:ID` as written, else the
/// pair whose active sessions have it (several pairs in play), else the one pair.
struct TerminateCommand: ShellCommand {
    let name = "terminate"
    let usage = "terminate [PROFILE@REGION:]SESSION..."
    let summary = "end sessions"
    let iamActions = ["ssm:TerminateSession", "ssm:DescribeSessions (a bare id, several accounts or regions)"]

    /// DescribeSessions finds a bare id's pair when the script's `use` named several.
    func policyActions(_ words: [String], state: inout PolicyBuilder.State) -> [String] {
        let bare = words.contains { $0 == "$" || Shell.pairQualified($0) == nil }
        return ["ssm:TerminateSession"] + (state.severalPairs && bare ? ["ssm:DescribeSessions"] : [])
    }

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let args = input.arguments
        guard !args.isEmpty else { throw ShellError.usage("terminate needs one or more session ids (see 'sessions')") }
        var sessions: [(pair: ContextPair?, id: String)] = args.map { word in Shell.pairQualified(word).map { ($0.pair, $0.target) } ?? (nil, word) }
        if shell.isMultiContext && sessions.contains(where: { $0.pair == nil }) {
            // TerminateSession lists no error for an id the service does not know (API reference), so
            // asked in the wrong pair it would seem to succeed: each bare id is looked for among the pairs' sessions.
            let active = try await shell.eachPair { _, fleet in Set(try await fleet.describeSessions(history: false).map(\.sessionId)) }
            for index in sessions.indices where sessions[index].pair == nil {
                let id = sessions[index].id
                guard let found = active.first(where: { $0.value.contains(id) })?.pair else {
                    throw ShellError.usage(
                        "session \(id) is active in none of the context's accounts and regions: see 'sessions', or write it as PROFILE@REGION:\(id)")
                }
                sessions[index].pair = found
            }
        }
        for session in sessions { try await shell.fleet(for: session.pair).terminateSession(session.id) }
        if !shell.options.quiet { shell.console.err("terminated \(args.joined(separator: ", "))\n") }
        return 0
    }
}
