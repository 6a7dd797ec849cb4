/// ssh's escapes in the keys of an interactive session, recognised only at the start of a line
/// (ssh(1), ESCAPE CHARACTERS): `~.` leaves the session, `~?` lists the escapes, `~~` sends one `~`;
/// `~` followed by anything else sends both. Keys in any chunking give the same result.
public struct EscapeScanner: Sendable, Equatable {
    public enum Piece: Sendable, Equatable {
        /// Keys for the agent.
        case keys([UInt8])
        /// `~?`: show the list of escapes.
        case help
        /// `~.`: leave the session (what came before it in the chunk was sent).
        case leave
    }

    public static let help = Array(
        "\r\nSupported escape sequences:\r\n ~.  - leave the session\r\n ~?  - this message\r\n ~~  - send the escape character\r\n(Escapes are only recognized immediately after a newline.)\r\n"
            .utf8)
    public static let leaving = Array("\r\n[ssm-shell: leaving the session]\r\n".utf8)

    private var atLineStart = true
    private var pendingTilde = false

    public init() {}

    /// The keys of one read, in order: keys to send, help requests, and at most one `.leave`
    /// (always last: the rest of the chunk is not sent).
    public mutating func scan(_ input: [UInt8]) -> [Piece] {
        var pieces: [Piece] = []
        var out: [UInt8] = []
        for key in input {
            if pendingTilde {
                pendingTilde = false
                switch key {
                case UInt8(ascii: "."):
                    if !out.isEmpty { pieces.append(.keys(out)) }
                    pieces.append(.leave)
                    return pieces
                case UInt8(ascii: "?"):
                    // Shown at once; the keys before it go out with the rest of the chunk.
                    pieces.append(.help)
                    continue
                case UInt8(ascii: "~"):
                    out.append(key)
                default:
                    out += [UInt8(ascii: "~"), key]
                }
                atLineStart = false
                continue
            }
            if key == UInt8(ascii: "~") && atLineStart {
                pendingTilde = true
                continue
            }
            out.append(key)
            atLineStart = key == 13 || key == 10
        }
        if !out.isEmpty { pieces.append(.keys(out)) }
        return pieces
    }
}
