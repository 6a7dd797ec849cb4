/// The bash script of CompletionScript: a `complete -F` function reading COMP_WORDS and
/// COMP_CWORD (bash(1), "Programmable Completion"). Installed as
/// share/bash-completion/completions/ssm-shell, where bash-completion loads it on first use.
enum BashCompletion {
    static var text: String {
        let options = HelpText.options.flatMap(\.names)
        var valueCases: [String] = []
        for option in HelpText.options where option.valueName != nil {
            let pattern = option.names.joined(separator: "|")
            switch option.value {
            case .profiles:
                valueCases.append(#"        \#(pattern)) COMPREPLY=($(compgen -W "$("$exe" --list-profiles 2>/dev/null)" -- "$cur")); return ;;"#)
            case .free, .none:
                valueCases.append("        \(pattern)) COMPREPLY=(); return ;;")
            default:
                let words = CompletionScript.words(of: option.value) ?? []
                valueCases.append(#"        \#(pattern)) COMPREPLY=($(compgen -W "\#(quoted(words))" -- "$cur")); return ;;"#)
            }
        }
        let firstWords = CompletionScript.firstWords.map(\.word)
        var commandCases = ["        api) (( COMP_CWORD == i + 1 )) && COMPREPLY=($(compgen -W \"\(quoted(CompletionScript.services))\" -- \"$cur\")) ;;"]
        for name in CommandRegistry.runAlone {
            commandCases.append(
                #"        \#(name)) [[ $cur == -* ]] && COMPREPLY=($(compgen -W "\#(quoted(CompletionScript.options(of: name)))" -- "$cur")) ;;"#)
        }
        let header = CompletionScript.header.replacing("%@", with: "bash")
        return """
            # Tab completion of ssm-shell for bash, \(header).
            _ssm_shell() {
                local cur=${COMP_WORDS[COMP_CWORD]} option=
                (( COMP_CWORD > 0 )) && option=${COMP_WORDS[COMP_CWORD-1]}
                # --region=eu-<Tab>: bash splits the word at '='.
                if [[ $cur == = ]]; then
                    cur=
                elif [[ $option == = ]] && (( COMP_CWORD > 1 )); then
                    option=${COMP_WORDS[COMP_CWORD-2]}
                fi
                # The binary being completed answers --list-profiles, else the one on PATH.
                local exe=${COMP_WORDS[0]}
                [[ $exe == */* && -x $exe ]] || exe=ssm-shell
                case $option in
            \(valueCases.joined(separator: "\n"))
                esac
                # The first word after the options says what the rest is.
                local i=1 first=
                while (( i < COMP_CWORD )); do
                    case ${COMP_WORDS[i]} in
                        \(CompletionScript.valuedOptions.filter { $0 != "-c" }.joined(separator: "|")))
                            if [[ ${COMP_WORDS[i+1]} == = ]]; then i=$((i + 3)); else i=$((i + 2)); fi ;;
                        -c | --) first=${COMP_WORDS[i]}; break ;;
                        -*) i=$((i + 1)) ;;
                        *) first=${COMP_WORDS[i]}; break ;;
                    esac
                done
                case $first in
                    '')
                        if [[ $cur == -* ]]; then
                            COMPREPLY=($(compgen -W "\(quoted(options))" -- "$cur"))
                        else
                            COMPREPLY=($(compgen -W "\(quoted(firstWords))" -- "$cur"))
                            # A script is the other first word.
                            local IFS=$'\\n'
                            COMPREPLY+=($(compgen -f -- "$cur"))
                        fi ;;
            \(commandCases.joined(separator: "\n"))
                esac
            }
            complete -o default -o bashdefault -F _ssm_shell ssm-shell

            """
    }

    /// Words for `compgen -W "..."`: none holds a quote, `$` or a backquote, but a `!` command
    /// does; inside double quotes in a function body it is a plain character.
    static func quoted(_ words: [String]) -> String {
        words.map { word in
            var out = ""
            for character in word {
                if "\"$`\\".contains(character) { out.append("\\") }
                out.append(character)
            }
            return out
        }.joined(separator: " ")
    }
}
