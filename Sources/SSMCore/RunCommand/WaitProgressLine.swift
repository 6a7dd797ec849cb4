/// `wait`'s progress line on a terminal, naming the nodes (issue 14: nodes are shown by name
/// where a person reads them): `waiting: 4/6 done, 1 not successful (web-2) · left: web-5, web-6 · 12s`.
public enum WaitProgressLine {
    /// How many names a list shows before `+N`.
    public static let shownNames = 3

    /// The line; `pending` and `unsuccessful` are the nodes' display names, in order.
    public static func text(_ progress: WaitProgress, pending: [String], unsuccessful: [String], elapsed: String) -> String {
        var line = "waiting: \(progress.ended)/\(progress.expected) done"
        if progress.unsuccessful > 0 {
            line += ", \(progress.unsuccessful) not successful" + (unsuccessful.isEmpty ? "" : " (\(names(unsuccessful)))")
        }
        if !pending.isEmpty { line += " · left: \(names(pending))" }
        return line + " · \(elapsed)"
    }

    /// `web-1, web-2, web-3 +4`.
    static func names(_ list: [String]) -> String {
        list.prefix(shownNames).joined(separator: ", ") + (list.count > shownNames ? " +\(list.count - shownNames)" : "")
    }

    /// Which nodes have not ended and which ended without success, by instance id, in the order
    /// the commands were sent to them (`sentTo`); a node not listed yet is pending.
    public static func nodes(
        _ ids: [String], sentTo: [String: [String]], latest: [String: [String: CommandInvocation]]
    ) -> (pending: [String], unsuccessful: [String]) {
        var pending: [String] = []
        var unsuccessful: [String] = []
        for id in ids {
            let listed = latest[id] ?? [:]
            let order = sentTo[id] ?? listed.keys.sorted()
            for instance in order {
                guard let invocation = listed[instance], WaitProgress.terminal.contains(invocation.status) else {
                    pending.append(instance)
                    continue
                }
                if invocation.status != "Success" { unsuccessful.append(instance) }
            }
        }
        return (pending, unsuccessful)
    }
}
