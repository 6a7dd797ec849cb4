/// The lines typed at the prompt this session and in earlier ones (the history file): what
/// `history` lists; and this session's commands, what `policy` without a file reads.
public struct PromptHistory: Sendable, Equatable {
    public private(set) var lines: [String] = []
    /// This session's commands, each as it ran (a block whole, its lines joined by newlines).
    public private(set) var sessionCommands: [String] = []

    public init() {}

    public mutating func append(_ line: String) { lines.append(line) }

    /// A command run at the prompt in this session.
    public mutating func ran(_ source: String) { sessionCommands.append(source) }

    /// As `history` prints it: numbered from 1, right-aligned in five columns.
    var listing: String {
        lines.enumerated().map { "\(String($0.offset + 1).leftPadded(5))  \($0.element)\n" }.joined()
    }
}
