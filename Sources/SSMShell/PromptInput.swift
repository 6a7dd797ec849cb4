import AWSCore
import ShellLanguage

/// The prompt's lines until they make something to run (docs/language.md, The prompt): a line
/// that opens a block (`if`, `for`, `def`) or a here-document is held, and the prompt asks for
/// more with `... ` until its `end` (or delimiter line) comes; then the lines run together. Pure:
/// lines in, what to do out.
struct PromptInput {
    /// The lines of a block still open; empty at the main prompt.
    private(set) var lines: [String] = []

    enum Action: Equatable {
        /// Nothing to run (a blank line at the main prompt).
        case nothing
        /// Ask for another line, with the continuation prompt.
        case needMore
        /// Run these lines as one source text.
        case run(String)
    }

    static let continuationPrompt = "... "

    var isOpen: Bool { !lines.isEmpty }

    mutating func take(_ line: String, commandNames: Set<String>) -> Action {
        if lines.isEmpty && line.trimmingWhitespace().isEmpty { return .nothing }
        lines.append(line)
        let source = lines.joined(separator: "\n")
        do {
            _ = try Parser.parse(source, file: "prompt", commandNames: commandNames)
        } catch {
            // Any other mistake is for the shell to report when it runs the text.
            if error.incomplete { return .needMore }
        }
        lines = []
        return .run(source)
    }

    /// Ctrl-C: the open block is dropped.
    mutating func abandon() { lines = [] }
}
