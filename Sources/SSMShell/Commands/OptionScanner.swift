/// Reads `--name value`, `--name=value`, `--flag` and `--flag[=value]` (`optional`) options
/// from the front of a command's words; the first word that is not an option (or `--`) ends them.
struct OptionScanner {
    let command: String
    let valued: Set<String>
    let flags: Set<String>
    /// Options whose value is optional and can only be written `--name=value` (`run
    /// --cloudwatch`): alone they read as "".
    let optional: Set<String>
    private(set) var values: [String: [String]] = [:]
    private(set) var rest: [String] = []

    init(_ command: String, _ args: [String], valued: Set<String>, flags: Set<String> = [], optional: Set<String> = [], anywhere: Bool = false) throws {
        self.command = command
        self.valued = valued
        self.flags = flags
        self.optional = optional
        var i = 0
        while i < args.count {
            let arg = args[i]
            if arg == "--" { rest += args[(i + 1)...]; break }
            guard arg.hasPrefix("--") else {
                if anywhere { rest.append(arg); i += 1; continue }
                rest += args[i...]
                break
            }
            var name = String(arg.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            if optional.contains(name) {
                values[name, default: []].append(inline ?? "")
            } else if flags.contains(name) {
                values[name, default: []].append("")
            } else if valued.contains(name) {
                if let inline {
                    values[name, default: []].append(inline)
                } else {
                    guard i + 1 < args.count else { throw ShellError.usage("\(command) --\(name) needs a value") }
                    i += 1
                    values[name, default: []].append(args[i])
                }
            } else {
                let known = valued.union(flags).union(optional).map { "--" + $0 }
                let hint = Suggest.closest("--" + name, in: known).map { "; did you mean \($0)?" } ?? ""
                throw ShellError.usage("\(command) has no option --\(name)\(hint)")
            }
            i += 1
        }
    }

    func value(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }
    func has(_ name: String) -> Bool { values[name] != nil }

    func duration(_ name: String) throws -> Double? {
        guard let text = value(name) else { return nil }
        guard let seconds = DurationText.parse(text) else {
            throw ShellError.usage("\(command) --\(name) takes a duration (90, 90s, 5m, 2h) of at most a year (8760h), not '\(text)'")
        }
        return seconds
    }
}
