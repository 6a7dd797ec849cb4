/// Help for the block keywords (docs/language.md, Control flow). They are the parser's words,
/// not commands (a command cannot hold a block), so they stay out of CommandRegistry; `help`
/// and Tab completion read them here.
enum ControlFlowHelp {
    struct Topic {
        var name: String
        var usage: String
        var summary: String
    }

    static let topics: [Topic] = [
        Topic(
            name: "if", usage: "if COMMAND; ...; [elif COMMAND; ...;] [else; ...;] end",
            summary: "run the block of the first COMMAND whose status is 0 (a failing one does not stop the script)"),
        Topic(
            name: "for", usage: "for NAME in WORDS...; ...; end",
            summary: "run the block once per word, $NAME holding it ($@: one per argument, $targets: one per node id)"),
        Topic(name: "def", usage: "def NAME; ...; end", summary: "define a procedure, called as NAME ARG... with its own $1.., $# and $@"),
        Topic(name: "return", usage: "return [STATUS]", summary: "end a procedure with STATUS (the last command's status without one)"),
        Topic(name: "break", usage: "break [N]", summary: "leave the loop (N loops)"),
        Topic(name: "continue", usage: "continue [N]", summary: "go on with the loop's next word (the Nth loop out's)"),
    ]

    /// Every keyword Tab offers at the start of a command.
    static let keywords = topics.map(\.name) + ["elif", "else", "end"]

    /// `help if` and the others; `elif`, `else` and `end` are part of another's block.
    static func help(_ name: String) -> String? {
        let owner = ["elif": "if", "else": "if", "end": "if"][name] ?? name
        guard let topic = topics.first(where: { $0.name == owner }) else { return nil }
        let closer = owner != name && name == "end" ? "  (end closes if, for and def)\n" : ""
        return "\(topic.usage)\n  \(topic.summary)\n\(closer)"
    }

    /// The part of `help` that lists them, after the commands.
    static var overview: String {
        var text = "\nControl flow (on separate lines, or joined with ;):\n"
        for topic in topics { text += "  \(topic.usage)\n" }
        return text
    }
}
