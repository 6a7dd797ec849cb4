import AWSCore
import ShellLanguage
import SSMCore

/// Expansion (language page, section 2): words to the strings a command gets, the shell's own
/// variables first, then the environment.
extension Shell {
    func expand(_ words: [Word]) throws -> [String] {
        var argv: [String] = []
        for word in words {
            if word.parts == [.allArguments] {
                argv += variables.arguments
                continue
            }
            argv.append(try expand(word.parts, at: word.location))
        }
        return argv
    }

    func expandHereDocument(_ doc: HereDocument) throws -> String { try expand(doc.body, at: doc.location) }

    /// Word parts to text: `$@` inside a larger word joins the arguments with spaces.
    func expand(_ parts: [WordPart], at location: SourceLocation) throws -> String {
        var text = ""
        for part in parts {
            switch part {
            case .literal(let s): text += s
            case .variable(let name): text += try value(of: name, at: location)
            case .allArguments: text += variables.arguments.joined(separator: " ")
            case .argumentCount: text += String(variables.arguments.count)
            }
        }
        return text
    }

    func value(of name: String, at location: SourceLocation) throws -> String {
        if let value = try ownValue(of: name) { return value }
        if let value = environment[name] { return value }
        let hint = Suggest.closest(name, in: variables.knownNames).map { "; did you mean $\($0)?" } ?? ""
        throw ShellError.usage("$\(name) is not set\(hint)")
    }

    /// The shell's own value for a name (`set` names, `$1`..., `$status`, `$targets`...), nil
    /// when the shell has none; an argument number beyond the script's is an error.
    func ownValue(of name: String) throws -> String? {
        if let positional = try variables.positional(name) { return positional }
        switch name {
        case "status": return String(exit.lastStatus)
        case "cmd": return lastCommands.joined(separator: ",")
        // With several pairs: the pair whose text is being written (run), else all of them.
        case "profile": return pairFleets.expanding?.profile ?? (isMultiContext ? contextProfiles.joined(separator: ",") : currentProfile)
        case "region": return pairFleets.expanding?.region ?? (isMultiContext ? contextRegions.joined(separator: ",") : currentRegion ?? "")
        case "targets": return targets.map(\.shortLabel).joined(separator: " ")
        case "target": return targets.first.map(\.id) ?? ""
        default: break
        }
        return variables[name]
    }
}
