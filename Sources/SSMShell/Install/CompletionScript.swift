import AWSCore

/// `ssm-shell --completion SHELL`: Tab completion for bash, zsh and fish, made from the lists
/// help is made of (HelpText.options, CommandRegistry, ControlFlowHelp, the prompt's regions),
/// so a new command or option reaches every shell at once. Profiles are read when Tab is
/// pressed, by `ssm-shell --list-profiles`: the same files, read the same way, as the shell.
enum CompletionScript {
    enum Shell: String, CaseIterable, Sendable {
        case bash, zsh, fish
    }

    static func text(for shell: Shell) -> String {
        switch shell {
        case .bash: BashCompletion.text
        case .zsh: ZshCompletion.text
        case .fish: FishCompletion.text
        }
    }

    /// The first word after the options, when it is not a script: the commands that run alone
    /// and `api`, with what they do.
    static var firstWords: [(word: String, summary: String)] {
        CommandRegistry.runAlone.compactMap { name in CommandRegistry.command(named: name).map { (name, $0.summary) } }
            + [("api", "one AWS call, its reply as JSON")]
    }

    /// What `-c` offers: every command and block keyword of the language.
    static var commandWords: [String] { CommandRegistry.names + ControlFlowHelp.keywords }

    /// What `api` offers as its SERVICE.
    static var services: [String] { APICommand.services.keys.sorted() }

    static var regions: [String] { Prompt.regions }

    /// The options a command that runs alone takes (those its usage names, and --help).
    static func options(of command: String) -> [String] {
        (CommandRegistry.command(named: command)?.options ?? []) + ["--help"]
    }

    /// The options that take a value, as their names.
    static var valuedOptions: [String] {
        HelpText.options.filter { $0.valueName != nil }.flatMap(\.names)
    }

    /// The words a value is one of, for the options whose values are listed.
    static func words(of value: HelpText.Value) -> [String]? {
        switch value {
        case .regions: regions
        case .words(let words): words
        case .commands: commandWords
        case .none, .free, .profiles: nil
        }
    }

    /// `ssm-shell --list-profiles`: the profiles `use profile` and `--profile` know, from the
    /// files and environment variables the shell reads them from, sorted.
    static func profiles(environment: Environment, fileSystem: any FileSystem) throws(ConfigurationError) -> [String] {
        try ConfigLoader.load(environment: environment, fileSystem: fileSystem).profiles.profiles.keys.sorted()
    }

    static let header = "made by `ssm-shell --completion %@` from the lists its help is made of; do not edit"
}
