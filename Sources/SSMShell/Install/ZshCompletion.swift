/// The zsh script of CompletionScript, for compsys (zshcompsys(1), `_arguments` and
/// `_describe`). Installed as share/zsh/site-functions/_ssm-shell (a directory of $fpath), or
/// sourced: `source <(ssm-shell --completion zsh)` after compinit.
enum ZshCompletion {
    static var text: String {
        var specs: [String] = []
        for option in HelpText.options {
            let description = "[" + bracketed(option.lines.joined(separator: " ")) + "]"
            let action: String
            switch option.value {
            case .none: action = ""
            case .profiles: action = ":profile:_ssm-shell_profiles"
            case .free: action = ":" + (option.valueName ?? "value").lowercased() + ": "
            default:
                action =
                    ":" + (option.valueName ?? "value").lowercased().filter(\.isLetter) + ":("
                    + (CompletionScript.words(of: option.value) ?? []).joined(separator: " ") + ")"
            }
            // `--name=` takes the value after '=' or as the next word.
            let names = option.names.map { $0.hasPrefix("--") && option.valueName != nil ? $0 + "=" : $0 }
            if names.count == 1 {
                specs.append(quoted(names[0] + description + action))
            } else {
                specs.append(quoted("(" + option.names.joined(separator: " ") + ")") + "{" + names.joined(separator: ",") + "}" + quoted(description + action))
            }
        }
        let firstWords = CompletionScript.firstWords.map { quoted($0.word.replacing(":", with: "\\:") + ":" + $0.summary) }
        var commandCases = [
            "        api) (( CURRENT == 2 )) && _wanted services expl service compadd -- \(CompletionScript.services.joined(separator: " ")) && ret=0 ;;"
        ]
        for name in CommandRegistry.runAlone {
            commandCases.append(
                "        \(name)) if [[ $PREFIX == -* ]]; then compadd -- \(CompletionScript.options(of: name).joined(separator: " ")) && ret=0; else _files && ret=0; fi ;;"
            )
        }
        let header = CompletionScript.header.replacing("%@", with: "zsh")
        return """
            #compdef ssm-shell
            # Tab completion of ssm-shell for zsh, \(header).

            # The profiles of the config and credentials files, as the binary being completed reads them.
            _ssm-shell_profiles() {
                local exe=${~words[1]}
                [[ $exe == */* && -x $exe ]] || exe=ssm-shell
                local -a profiles
                profiles=(${(f)"$($exe --list-profiles 2>/dev/null)"})
                _wanted profiles expl profile compadd -a profiles
            }

            _ssm-shell() {
                local curcontext=$curcontext state line ret=1
                typeset -A opt_args
                _arguments -C \\
            \(specs.map { "        " + $0 + " \\" }.joined(separator: "\n"))
                    '1: :->first' \\
                    '*:: :->rest' && ret=0
                case $state in
                first)
                    local -a first_words
                    first_words=(\(firstWords.joined(separator: " ")))
                    _describe -t commands command first_words && ret=0
                    _files && ret=0 ;;
                rest)
                    case $words[1] in
            \(commandCases.joined(separator: "\n"))
                    *) _files && ret=0 ;;
                    esac ;;
                esac
                return ret
            }

            # Autoloaded from $fpath the file is the function's body; sourced, it registers it.
            if [[ $funcstack[1] == _ssm-shell ]]; then
                _ssm-shell "$@"
            else
                compdef _ssm-shell ssm-shell
            fi

            """
    }

    /// A description inside `[...]` of an `_arguments` spec: brackets and backslashes escaped.
    static func bracketed(_ text: String) -> String {
        var out = ""
        for character in text {
            if "[]\\".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }

    /// Single quotes for zsh: a quote inside is `'\''`.
    static func quoted(_ text: String) -> String { "'" + text.replacing("'", with: "'\\''") + "'" }
}
