/// `ssm-shell --help`, and the text the manual page (ManualPage) and the completion scripts
/// (CompletionScript) are made of, so the three never disagree. The command words come from
/// CommandRegistry.
enum HelpText {
    static let tagline = "a native shell for AWS Systems Manager (Session Manager and Run Command)"

    /// One way to call ssm-shell: its form after `ssm-shell`, and what it does.
    struct Form {
        var arguments: String
        var purpose: String
    }

    static var forms: [Form] {
        [
            Form(arguments: "[OPTIONS]", purpose: "the interactive prompt (stdin is a terminal)"),
            Form(arguments: "[OPTIONS] FILE [ARG...]", purpose: "run a script; ARGs are $1, $2, ..."),
            Form(arguments: "[OPTIONS] -c 'COMMANDS' [ARG...]", purpose: "run COMMANDS, as a script would"),
            Form(arguments: "[OPTIONS] -", purpose: "read commands from stdin (also when stdin is not a terminal)"),
            Form(
                arguments: "[OPTIONS] api SERVICE OPERATION [JSON]",
                purpose: "one AWS call (SERVICE: \(APICommand.services.keys.sorted().joined(separator: ", "))), its reply as JSON"),
            Form(
                arguments: "[OPTIONS] \(CommandRegistry.runAlone.joined(separator: "|")) ...",
                purpose: "one command (a script of that name runs as ./NAME)"),
        ]
    }

    /// What Tab offers for an option's value.
    enum Value: Equatable {
        case none
        /// Anything the user types (a URL).
        case free
        case profiles
        case regions
        case words([String])
        /// The commands of the language (`-c`).
        case commands
    }

    /// One option of the command line: its names, its value's name, what it does (lines of the
    /// help's second column), and what completion offers for the value.
    struct Option {
        var names: [String]
        var valueName: String?
        var lines: [String]
        var value: Value = .none

        /// `--profile NAME`, `-h, --help`.
        var form: String { names.joined(separator: ", ") + (valueName.map { " " + $0 } ?? "") }
    }

    /// Every option GlobalOptions parses, in the order help lists them.
    static let options: [Option] = [
        Option(
            names: ["--profile"], valueName: "NAME", lines: ["the profile in ~/.aws/config and ~/.aws/credentials (AWS_PROFILE)"], value: .profiles),
        Option(
            names: ["--region"], valueName: "REGION", lines: ["the AWS region (AWS_REGION, AWS_DEFAULT_REGION, the profile's region)"], value: .regions),
        Option(
            names: ["--endpoint-url"], valueName: "URL",
            lines: [
                "send SSM requests (api: SERVICE's) to URL; other services follow",
                "AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL and the config file",
            ], value: .free),
        Option(
            names: ["--output"], valueName: "FORMAT", lines: ["table (default on a terminal), text or json"],
            value: .words(OutputFormat.allCases.map(\.rawValue))),
        Option(
            names: ["--cli-connect-timeout"], valueName: "SECONDS",
            lines: ["time to reach an endpoint, a call's retries included (default 2; 0: none)"], value: .free),
        Option(names: ["--cli-read-timeout"], valueName: "SECONDS", lines: ["time an answer may stall (default 60; 0: none)"], value: .free),
        Option(names: ["--no-color"], lines: ["no colours (also with NO_COLOR set)"]),
        Option(names: ["--quiet"], lines: ["no progress or notices on stderr"]),
        Option(names: ["--debug"], lines: ["log every request and response on stderr, with secrets masked"]),
        Option(names: ["--init"], lines: ["run init.ssm before a script or -c too (it runs before the prompt)"]),
        Option(
            names: ["--no-init"],
            lines: ["do not run init.ssm ($XDG_CONFIG_HOME/ssm-shell/init.ssm, else", "~/.config/ssm-shell/init.ssm)"]),
        Option(names: ["-c"], valueName: "'COMMANDS'", lines: ["run COMMANDS (then ARGs are $1, $2, ...)"], value: .commands),
        Option(names: ["--version"], lines: ["print the version, git commit and build date, and exit"]),
        Option(names: ["--list-profiles"], lines: ["print the profiles of the config and credentials files, one a line"]),
        Option(
            names: ["--completion"], valueName: "SHELL", lines: ["print the Tab completion script for SHELL (bash, zsh or fish)"],
            value: .words(CompletionScript.Shell.allCases.map(\.rawValue))),
        Option(names: ["--man"], lines: ["print this help as a manual page (roff, for man -l)"]),
        Option(names: ["-h", "--help"], lines: ["print this help and exit"]),
    ]

    /// The closing paragraphs: the commands, the exit status, what stops a script.
    static var notes: [String] {
        [
            "Exit status: 0 success, 1 error, 2 usage or syntax error, 3 remote failure, 130 interrupted.",
            "A script stops at its first failing command, a wait in which any node failed included, unless the command is under 'try' or 'set keep-going on' is set.",
            "Configuration, credentials and endpoints are read as the AWS CLI reads them.",
        ]
    }

    static var usage: String {
        var text = "ssm-shell: \(tagline).\n\nUsage:\n"
        for form in forms {
            let call = "  ssm-shell " + form.arguments
            text += call.count < 43 ? call.padded(43) + form.purpose + "\n" : call + "\n" + "".padded(43) + form.purpose + "\n"
        }
        text += "\nOptions:\n"
        for option in options {
            let form = "  " + option.form
            let first = form.count < 23 ? form.padded(23) + option.lines[0] : form + "\n" + "".padded(23) + option.lines[0]
            text += first + "\n" + option.lines.dropFirst().map { "".padded(23) + $0 + "\n" }.joined()
        }
        text += "\n" + commandList + " Type 'help' at the prompt for details.\n" + wrap(notes.joined(separator: "\n"), width: 99) + "\n\n"
        return text
    }

    /// "Commands: use, instances, ...", wrapped before 100 columns.
    static var commandList: String {
        wrap("Commands: " + CommandRegistry.names.joined(separator: ", ") + ".", width: 99)
    }

    /// Each line of `text` cut at spaces into lines of at most `width` characters.
    static func wrap(_ text: String, width: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var lines = [""]
            for word in line.split(separator: " ") {
                if lines[lines.count - 1].isEmpty {
                    lines[lines.count - 1] = String(word)
                } else if lines[lines.count - 1].count + 1 + word.count > width {
                    lines.append(String(word))
                } else {
                    lines[lines.count - 1] += " " + word
                }
            }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
