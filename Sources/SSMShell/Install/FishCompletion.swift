/// The fish script of CompletionScript: `complete` lines (fish's `complete` builtin). Installed
/// as share/fish/vendor_completions.d/ssm-shell.fish.
enum FishCompletion {
    static var text: String {
        var lines: [String] = []
        for option in HelpText.options {
            var line = "complete -c ssm-shell"
            for name in option.names { line += name.hasPrefix("--") ? " -l " + name.dropFirst(2) : " -s " + name.dropFirst() }
            switch option.value {
            case .none: break
            case .profiles: line += " -x -a '(__ssm_shell_profiles)'"
            case .free: line += " -x"
            default: line += " -x -a " + quoted((CompletionScript.words(of: option.value) ?? []).joined(separator: " "))
            }
            lines.append(line + " -d " + quoted(option.lines.joined(separator: " ")))
        }
        let firstWords = CompletionScript.firstWords.map(\.word).joined(separator: " ")
        for (word, summary) in CompletionScript.firstWords {
            lines.append("complete -c ssm-shell -n " + quoted("not __fish_seen_subcommand_from \(firstWords)") + " -a \(word) -d " + quoted(summary))
        }
        lines.append("complete -c ssm-shell -n '__fish_seen_subcommand_from api' -x -a " + quoted(CompletionScript.services.joined(separator: " ")))
        for name in CommandRegistry.runAlone {
            for option in CompletionScript.options(of: name) {
                lines.append("complete -c ssm-shell -n '__fish_seen_subcommand_from \(name)' -l \(option.dropFirst(2))")
            }
        }
        let header = CompletionScript.header.replacing("%@", with: "fish")
        return """
            # Tab completion of ssm-shell for fish, \(header).

            # The profiles of the config and credentials files, as the binary being completed reads them.
            function __ssm_shell_profiles
                set -l exe (commandline -opc)[1]
                if not string match -q '*/*' -- $exe; or not test -x $exe
                    set exe ssm-shell
                end
                command $exe --list-profiles 2>/dev/null
            end

            \(lines.joined(separator: "\n"))

            """
    }

    /// Single quotes for fish: a backslash or quote inside is escaped with a backslash.
    static func quoted(_ text: String) -> String {
        var out = "'"
        for character in text {
            if "\\'".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out + "'"
    }
}
