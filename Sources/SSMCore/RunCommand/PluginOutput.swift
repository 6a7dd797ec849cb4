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

    /// stdout and stderr when the text holds both whole; nil when the agent cut it, or when the
    /// title appears more than once (stdout or stderr printed it, so where stderr starts is not known).
    /// A stdout that printed the title itself with no stderr after it would read as split there.
    public static func streams(_ output: String) -> (stdout: String, stderr: String)? {
        guard output.utf8.count < capacity, !output.contains(outputCut), !output.contains(errorCut) else { return nil }
        let titles = output.ranges(of: errorTitle)
        switch titles.count {
        case 0: return (output, "")
        case 1: return (String(output[..<titles[0].lowerBound]), String(output[titles[0].upperBound...]))
        default: return nil
        }
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
            guard let output = invocation.output, let whole = Self.streams(output) else { return nil }
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
}
