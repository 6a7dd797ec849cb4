import ShellLanguage

/// `set`: variables, and the settings output, color and keep-going.
struct SetCommand: ShellCommand {
    let name = "set"
    let usage = "set | set NAME VALUE... | set output table|text|json | set color on|off | set keep-going on|off"
    let summary = "set variables and settings"

    func run(_ input: CommandInput, in shell: Shell) async throws -> Int32 {
        let args = input.arguments
        guard let name = args.first else {
            for key in shell.variables.keys.sorted() { shell.console.out("\(key)=\(shell.variables[key]!)\n") }
            shell.console.out("output=\(shell.outputFormat.rawValue)\ncolor=\(shell.color ? "on" : "off")\nkeep-going=\(shell.keepGoing ? "on" : "off")\n")
            return 0
        }
        let value = args.dropFirst().joined(separator: " ")
        func onOff() throws -> Bool {
            switch value { case "on", "true", "yes": return true; case "off", "false", "no": return false
            default: throw ShellError.usage("set \(name) takes on or off, not '\(value)'") }
        }
        switch name {
        case "output":
            guard let format = OutputFormat(rawValue: value) else { throw ShellError.usage("set output takes table, text or json, not '\(value)'") }
            shell.outputFormat = format
        case "color": shell.color = try onOff()
        case "keep-going": shell.keepGoing = try onOff()
        default:
            guard Parser.isVariableName(name) else { throw ShellError.usage("'\(name)' is not a variable name; use letters, digits and _") }
            guard !Shell.readOnlyVariables.contains(name) else {
                throw ShellError.usage("$\(name) is set by the shell; use \(name == "profile" || name == "region" ? "use \(name) NAME" : "another name")")
            }
            shell.variables[name] = value
        }
        return 0
    }
}

extension Parser {
    static func isVariableName(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" else { return false }
        return text.allSatisfy { ($0.isLetter || $0.isNumber || $0 == "_") && $0.isASCII }
    }
}
