import ShellLanguage

/// The script's variables and its arguments (language page, section 2, Variables): what `set`
/// and `unset` change, and `$1`, `$@`, `$#`.
public struct ShellVariables: Sendable, Equatable {
    public var values: [String: String] = [:]
    /// `$1`, `$2`...: the script's (or `source`'s) arguments.
    public var arguments: [String] = []

    public init() {}

    /// Computed from the shell's state on every read; `set` refuses them (docs/language.md, Variables).
    static let readOnly = ["status", "cmd", "targets", "target", "profile", "region"]
    /// Set by commands as they run: `connect` and `forward` set $session, `forward` sets $port.
    static let commandSet = ["session", "port"]

    public subscript(name: String) -> String? {
        get { values[name] }
        set { values[name] = newValue }
    }

    /// `set NAME VALUE`: a name of letters, digits and _, and not one the shell computes.
    mutating func set(_ name: String, to value: String) throws {
        guard Parser.isVariableName(name) else { throw ShellError.usage("'\(name)' is not a variable name; use letters, digits and _") }
        guard !Self.readOnly.contains(name) else {
            throw ShellError.usage("$\(name) is set by the shell; use \(name == "profile" || name == "region" ? "use \(name) NAME" : "another name")")
        }
        values[name] = value
    }

    /// `$0`, `$1`...: nil when the name is not a number; an argument number beyond the
    /// script's is an error. `$0` is the script's name, "ssm-shell" without one.
    func positional(_ name: String) throws -> String? {
        guard let n = Int(name) else { return nil }
        guard n >= 1, n <= arguments.count else {
            if n == 0 { return values["0"] ?? "ssm-shell" }
            throw ShellError.usage("$\(name) is not set: the script has \(arguments.count) argument\(arguments.count == 1 ? "" : "s")")
        }
        return arguments[n - 1]
    }

    /// Every name a `$NAME` may mean, for "did you mean".
    var knownNames: [String] { Array(values.keys) + Self.readOnly + Self.commandSet }

    /// As `set` lists them, sorted.
    var listing: String { values.keys.sorted().map { "\($0)=\(values[$0]!)\n" }.joined() }
}

extension Parser {
    static func isVariableName(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" else { return false }
        return text.allSatisfy { ($0.isLetter || $0.isNumber || $0 == "_") && $0.isASCII }
    }
}
