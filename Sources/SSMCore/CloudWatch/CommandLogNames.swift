/// Where amazon-ssm-agent writes a Run Command invocation's output in CloudWatch Logs (agent
/// 3.3.1142.0), so the client reads the same group and streams.
public enum CommandLogNames {
    /// The group: the one the command names, or `/aws/ssm/<DocumentName>` with every character
    /// a group name cannot hold made a `.` (agent/messageservice/utils/messageutil.go,
    /// generateCloudWatchConfigFromPayload and cleanupLogGroupName).
    public static func group(configured: String?, documentName: String) -> String {
        if let configured, !configured.isEmpty { return configured }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-/.#")
        return String(("/aws/ssm/" + documentName).map { allowed.contains($0) ? $0 : "." })
    }

    /// `<CommandId>/<InstanceId>/<PluginID>/stdout` (or `stderr`), the plugin id's `:` and `*`
    /// made `-` (agent/framework/runpluginutil/runpluginutil.go sets the prefix,
    /// agent/framework/processor/executer/iohandler/iohandler.go adds the file name).
    public static func stream(commandId: String, instanceId: String, plugin: String, stderr: Bool) -> String {
        let prefix = "\(commandId)/\(instanceId)/\(plugin)".map { $0 == ":" || $0 == "*" ? "-" : $0 }
        return String(prefix) + (stderr ? "/stderr" : "/stdout")
    }

    /// The lines of one event. The agent sends chunks of whole lines that keep their `\n`, and
    /// drops the last one's once the output is complete
    /// (agent/agentlogstocloudwatch/cloudwatchlogspublisher/cloudwatchlogsservice.go,
    /// getNextMessage and buildEventInfo); other writers send a line an event without it. An
    /// event ends its last line either way.
    public static func lines(of message: String) -> [String] {
        // By scalars: "\r\n" is one Character, which a split on "\n" would not see.
        var scalars = Substring(message).unicodeScalars
        if scalars.last == "\n" { scalars.removeLast() }
        return scalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            String(Substring(line.last == "\r" ? line.dropLast() : line))
        }
    }
}
