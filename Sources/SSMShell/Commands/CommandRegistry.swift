/// Every command of the language, in the order help lists them. Help, `policy`, Tab completion,
/// the here-document rule, the "not available yet" marks and the launcher's one-command words
/// all come from this list, so a command is described once, in its own type.
enum CommandRegistry {
    static let all: [any ShellCommand] = [
        UseCommand(), InstancesCommand(),
        RunCommand(), WaitCommand(), OutputCommand(), CancelCommand(), InvocationsCommand(), CommandsCommand(),
        ConnectCommand(), AttachCommand(), ForwardCommand(), ForwardsCommand(), StopCommand(), ProxyCommand(), SessionsCommand(),
        TerminateCommand(), StatusCommand(), PutCommand(), GetCommand(),
        DoctorCommand(), PolicyCommand(), ConsoleURLCommand(),
        SetCommand(), UnsetCommand(), EchoCommand(), SleepCommand(), SourceCommand(), TryCommand(), LocalShellCommand(),
        ExitCommand(), HelpCommand(), HistoryCommand(),
    ]

    static let names: [String] = all.map(\.name)

    private static let byName: [String: any ShellCommand] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    static func command(named name: String) -> (any ShellCommand)? { byName[name] }

    /// The words `ssm-shell NAME ...` runs as one command rather than as a script's name.
    static var runAlone: [String] { all.filter(\.runsAlone).map(\.name) }

    /// `help` without a topic.
    static func overview(of commands: [any ShellCommand] = all) -> String {
        var text = "Commands (help COMMAND, or COMMAND --help, for details):\n"
        for command in commands {
            text += "  \(command.name.padded(12)) \(command.summary)\(command.comingIn.map { " (coming: \($0))" } ?? "")\n"
        }
        return text
    }
}
