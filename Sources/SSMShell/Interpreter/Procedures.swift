import ShellLanguage

/// The procedures `def` made (docs/language.md, Control flow): called like commands, each call
/// with its own `$1`..., `$#` and `$@`. They stay for the rest of the shell's life (init.ssm's for
/// the prompt's).
struct Procedures {
    private(set) var definitions: [String: Definition] = [:]
    /// Calls running inside each other now.
    var depth = 0
    /// A call went past the depth limit: everything stops, up to the script or prompt line
    /// (Shell.run clears it for the next one).
    var runaway = false

    /// Calls inside calls: a procedure that calls itself without a condition that ends it would
    /// otherwise nest until memory runs out.
    static let maximumDepth = 100

    subscript(name: String) -> Definition? { definitions[name] }

    var names: [String] { definitions.keys.sorted() }

    mutating func define(_ definition: Definition) { definitions[definition.name] = definition }
}
