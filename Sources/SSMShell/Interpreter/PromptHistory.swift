/// The lines typed at the prompt this session and in earlier ones (the history file): what
/// `history` lists and `policy` without a file reads.
public struct PromptHistory: Sendable, Equatable {
    public private(set) var lines: [String] = []

    public init() {}

    public mutating func append(_ line: String) { lines.append(line) }

    /// As `history` prints it: numbered from 1, right-aligned in five columns.
    var listing: String {
        lines.enumerated().map { "\(String($0.offset + 1).leftPadded(5))  \($0.element)\n" }.joined()
    }

    /// The lines as one script, for `policy`.
    var script: String { lines.joined(separator: "\n") }
}
