/// `ssm-shell --man`: the manual page, in roff (man(7) macros), made of the text `--help` and
/// `help COMMAND` print (HelpText, CommandRegistry, ControlFlowHelp), so the two never disagree.
/// scripts/install and scripts/package write it to share/man/man1/ssm-shell.1.
enum ManualPage {
    static var text: String {
        var page = [
            // No date: the page is the same for every build of a version.
            #".TH SSM\-SHELL 1 "" "ssm\-shell \#(escape(Version.current))" "User Commands""#,
            // Left-aligned, no hyphenation: options and ARNs must read as typed.
            ".nh", ".ad l",
            ".SH NAME", "ssm\\-shell \\- " + escape(HelpText.tagline),
            ".SH SYNOPSIS", ".nf",
        ]
        page += HelpText.forms.map { "\\fBssm\\-shell\\fR " + escape($0.arguments) }
        page += [".fi", ".SH DESCRIPTION", escape("ssm-shell: \(HelpText.tagline).")]
        for form in HelpText.forms {
            page += [".TP", "\\fBssm\\-shell\\fR " + escape(form.arguments), escape(form.purpose)]
        }
        page.append(".SH OPTIONS")
        for option in HelpText.options {
            let names = option.names.map { "\\fB" + escape($0) + "\\fR" }.joined(separator: ", ")
            page += [".TP", names + (option.valueName.map { " \\fI" + escape($0) + "\\fR" } ?? ""), escape(option.lines.joined(separator: " "))]
        }
        page += [".SH COMMANDS", escape("Each is also a line of a script, and 'help COMMAND' at the prompt prints the same.")]
        for command in CommandRegistry.all {
            page += [".TP", "\\fB" + escape(command.usage) + "\\fR", escape(command.summary)]
            if !command.iamActions.isEmpty { page += [".br", escape("IAM: " + command.iamActions.joined(separator: ", "))] }
            if let comingIn = command.comingIn { page += [".br", escape("(not available yet: \(comingIn))")] }
        }
        page.append(".SH CONTROL FLOW")
        page.append(escape(ControlFlowHelp.overview.split(separator: "\n").first.map(String.init) ?? ""))
        for topic in ControlFlowHelp.topics {
            page += [".TP", "\\fB" + escape(topic.usage) + "\\fR", escape(topic.summary)]
        }
        page.append(".SH NOTES")
        for note in HelpText.notes { page += [".PP", escape(note)] }
        page += [".SH SEE ALSO", "\\fBaws\\fR(1), \\fBssh\\fR(1)"]
        return page.joined(separator: "\n") + "\n"
    }

    /// Text as roff prints it: a backslash is `\e`, a hyphen `\-` (so options copy as typed),
    /// and a line that starts with `.` or `'` is not read as a request (groff(7), "Escape sequences").
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\e"
            case "-": out += "\\-"
            case "\n": out += "\n"
            default: out.append(character)
            }
        }
        return out.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix(".") || line.hasPrefix("'") ? "\\&" + line : String(line)
        }.joined(separator: "\n")
    }
}
