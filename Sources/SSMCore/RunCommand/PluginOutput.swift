import AWSCore

/// ListCommandInvocations' plugin `Output` (with `Details`) read as GetCommandInvocation's
/// streams, so that `output` asks GetCommandInvocation only where that text was cut (issue 14,
/// "Scale"). amazon-ssm-agent 3.3 reports it as stdout, then `\n----------ERROR-------\n` and
/// stderr when there is any, all of it when it is shorter than 2,500 (bytes; less the title);
/// else it cuts stdout or stderr or both and ends each cut part with its own marker
/// (agent/framework/processor/executer/iohandler/iohandler.go, TruncateOutput and
/// MaximumPluginOutputSize; the emulator's agent/runcommand_script.py, details_output). Pure.
public enum PluginOutput {
    public static let capacity = 2500
    public static let errorTitle = "\n----------ERROR-------\n"
    public static let outputCut = "\n---Output truncated---"
    public static let errorCut = "\n---Error truncated----"

    /// stdout and stderr when the text holds both whole; nil when the agent cut it, or when where
    /// stderr starts is not known. The agent writes the title exactly when stderr is not empty
    /// (TruncateOutput), so one title with text after it is split there, whatever the status: the
    /// one text this misreads is a stdout that itself prints the title with text after it and no
    /// stderr (its end is then shown as stderr). Asking GetCommandInvocation for every node that
    /// wrote to stderr would cost one call a node (issue 14, "Scale"). A title at the very end is
    /// stdout's (the agent's has a stderr after it); two or more titles are never sure.
    /// `hasStderr`: the agent surely wrote a stderr (a failed script: runscript.go MarkAsFailed
    /// appends "failed to run commands"), so a text without the agent's title is not whole.
    public static func streams(_ output: String, hasStderr: Bool = false) -> (stdout: String, stderr: String)? {
        // Searched as UTF-8 bytes, as the agent writes them (and fast: `output` reads every node's
        // text, 10,000 at a time in issue 14's scale run); a Character search also missed a title
        // after a "\r", which joins the title's "\n" in one Character.
        let bytes = Array(output.utf8)
        guard bytes.count < capacity, find(outputCut, in: bytes) == nil, find(errorCut, in: bytes) == nil else { return nil }
        guard let title = find(errorTitle, in: bytes) else { return hasStderr ? nil : (output, "") }
        let end = title + errorTitle.utf8.count
        // More than one title is never sure (`find` from the first one's end: matches do not overlap).
        if find(errorTitle, in: bytes, from: end) != nil { return nil }
        // A title with nothing after it is stdout's own: the agent's is followed by stderr.
        if end == bytes.count { return hasStderr ? nil : (output, "") }
        return (String(decoding: bytes[..<title], as: UTF8.self), String(decoding: bytes[end...], as: UTF8.self))
    }

    /// Where `pattern`'s bytes first occur in `bytes` at or after `from`.
    static func find(_ pattern: String, in bytes: [UInt8], from: Int = 0) -> Int? {
        let needle = Array(pattern.utf8)
        guard let first = needle.first, bytes.count - from >= needle.count else { return nil }
        var i = from
        while i <= bytes.count - needle.count {
            if bytes[i] == first && bytes[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// GetCommandInvocation's answer made from a listed invocation (`details`), when its text is
    /// whole and it has one plugin (GetCommandInvocation without a plugin name answers for the
    /// only one); one listed with no plugins yet (not delivered) has no output. nil: ask
    /// GetCommandInvocation.
    public static func result(_ invocation: CommandInvocation) -> InvocationResult? {
        let streams: (stdout: String, stderr: String)
        switch invocation.pluginCount {
        case 0: streams = ("", "")
        case 1:
            guard let output = invocation.output, let whole = Self.streams(output, hasStderr: writesStderr(invocation)) else { return nil }
            streams = whole
        default: return nil
        }
        var fields: [String: JSONValue] = [
            "CommandId": .string(invocation.commandId), "InstanceId": .string(invocation.instanceId), "Status": .string(invocation.status),
            "ResponseCode": .number(Double(invocation.responseCode ?? -1)), "StandardOutputContent": .string(streams.stdout),
            "StandardErrorContent": .string(streams.stderr),
        ]
        if let details = invocation.statusDetails { fields["StatusDetails"] = .string(details) }
        if let document = invocation.documentName { fields["DocumentName"] = .string(document) }
        if let plugin = invocation.pluginNames.first { fields["PluginName"] = .string(plugin) }
        if let url = invocation.standardOutputURL { fields["StandardOutputUrl"] = .string(url) }
        if let url = invocation.standardErrorURL { fields["StandardErrorUrl"] = .string(url) }
        var result = InvocationResult(.object(fields))
        result.cloudWatchGroup = invocation.cloudWatchGroup
        return result
    }

    /// A failed aws:runShellScript or aws:runPowerShellScript always has a stderr: runscript.go
    /// marks a script that ended non-zero failed with "failed to run commands: ..." appended to it
    /// (not when cancelled or timed out, which are other statuses).
    static func writesStderr(_ invocation: CommandInvocation) -> Bool {
        invocation.status == "Failed" && invocation.pluginNames.allSatisfy { ["aws:runShellScript", "aws:runPowerShellScript"].contains($0) }
    }
}
