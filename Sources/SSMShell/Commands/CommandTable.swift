import ShellLanguage

/// Every command of the language: a one-line summary, usage, and the IAM actions it needs.
struct CommandInfo {
    let name: String
    let usage: String
    let summary: String
    let actions: [String]
    let availableIn: String?   // nil: built; else the issue that brings it

    init(_ name: String, _ usage: String, _ summary: String, actions: [String] = [], comingIn: String? = nil) {
        self.name = name
        self.usage = usage
        self.summary = summary
        self.actions = actions
        self.availableIn = comingIn
    }
}

enum CommandTable {
    static let all: [CommandInfo] = [
        CommandInfo("use", "use | use profile NAME | use region NAME | use TARGET...", "show or set the profile, region and targets",
                    actions: ["ssm:DescribeInstanceInformation", "ec2:DescribeInstances (Name globs)"]),
        CommandInfo("instances", "instances [FILTER...]", "list managed nodes (filters: TARGET forms, online, offline, platform:linux|windows|macos)",
                    actions: ["ssm:DescribeInstanceInformation", "ec2:DescribeInstances (optional, Name column)"]),
        CommandInfo("run", "run [--on TARGET[,TARGET...]] [--document NAME] [--param K=V] [--timeout D] [--delivery-timeout D] [--workdir DIR] [--comment TEXT] [--concurrency N|N%] [--max-errors N|N%] [--wait] COMMAND... | run [OPTIONS] <<EOF",
                    "run a shell command on the current targets (Run Command); the id goes to $cmd", actions: ["ssm:SendCommand"]),
        CommandInfo("wait", "wait [CMD] [--timeout D]", "wait until every invocation has ended; status 0 if all succeeded, 3 otherwise",
                    actions: ["ssm:ListCommandInvocations"]),
        CommandInfo("output", "output [CMD] [TARGET...] [--stdout] [--stderr] [--no-group] [--save DIR]",
                    "print each node's output, identical outputs grouped", actions: ["ssm:GetCommandInvocation"]),
        CommandInfo("cancel", "cancel [CMD] [TARGET...]", "cancel a command", actions: ["ssm:CancelCommand"]),
        CommandInfo("invocations", "invocations [CMD]", "per-node status, exit code and times", actions: ["ssm:ListCommandInvocations"]),
        CommandInfo("commands", "commands [--limit N]", "recent commands", actions: ["ssm:ListCommands"]),
        CommandInfo("connect", "connect [TARGET] [--document NAME] [--param K=V] [--reason TEXT] [--command CMD] [--record FILE]",
                    "an interactive session on one node (~. leaves, ~? lists escapes); the remote exit status of --command comes back",
                    actions: ["ssm:StartSession", "ssm:TerminateSession", "ssm:ResumeSession (reconnect)"]),
        CommandInfo("forward", "forward [TARGET] [LOCAL:]PORT | forward [TARGET] [LOCAL:]HOST:PORT [--foreground] [--reason TEXT]",
                    "forward 127.0.0.1:LOCAL to PORT on the node (or HOST:PORT behind it), in the background; LOCAL 0 picks one ($port)",
                    actions: ["ssm:StartSession", "ssm:TerminateSession"]),
        CommandInfo("forwards", "forwards", "running forwards: connections and bytes"),
        CommandInfo("stop", "stop ID|all", "stop forwards", actions: ["ssm:TerminateSession"]),
        CommandInfo("proxy", "proxy TARGET [PORT]", "stdin/stdout to PORT (default 22) on the node, for ssh's ProxyCommand",
                    actions: ["ssm:StartSession", "ssm:TerminateSession"]),
        CommandInfo("sessions", "sessions [--history]", "active or past sessions", actions: ["ssm:DescribeSessions"]),
        CommandInfo("terminate", "terminate SESSION...", "end sessions", actions: ["ssm:TerminateSession"]),
        CommandInfo("status", "status [TARGET...]", "connected / notconnected; status 3 if any is not connected", actions: ["ssm:GetConnectionStatus"]),
        CommandInfo("doctor", "doctor [TARGET]",
                    "troubleshooting: credentials, region, endpoints and permissions; with a target, why it can or cannot be reached (status 3 if a check fails)",
                    actions: ["sts:GetCallerIdentity", "the probed actions", "ec2:Describe* and iam:GetInstanceProfile, iam:ListAttachedRolePolicies (optional)"]),
        CommandInfo("policy", "policy [FILE]", "the least-privilege IAM policy for a script, or for what was typed at the prompt so far"),
        CommandInfo("console", "console [TARGET]", "the AWS console URL of Session Manager for a node (or the node list)"),
        CommandInfo("set", "set | set NAME VALUE... | set output table|text|json | set color on|off | set keep-going on|off", "set variables and settings"),
        CommandInfo("unset", "unset NAME...", "remove variables"),
        CommandInfo("echo", "echo WORDS...", "print"),
        CommandInfo("sleep", "sleep DURATION", "wait (90, 90s, 5m, 2h)"),
        CommandInfo("source", "source FILE [ARG...]", "run a script in the current context"),
        CommandInfo("try", "try COMMAND...", "run a command and go on whatever its status"),
        CommandInfo("!", "! COMMAND...", "run a command on this machine through /bin/sh"),
        CommandInfo("exit", "exit [STATUS]", "end the script or the prompt"),
        CommandInfo("help", "help [COMMAND]", "help"),
        CommandInfo("history", "history", "the interactive history"),
    ]

    static let byName: [String: CommandInfo] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
}
