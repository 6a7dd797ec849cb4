/// The remote exit status of an interactive command session. The agent reports none for a pty
/// session (spec 7.1), so `connect --command` on a terminal runs `( CMD ); printf MARKER $?` and
/// this filter takes the marker (an OSC sequence terminals ignore anyway) out of the output.
/// The command stands on lines of its own there, so that what it ends with (a `#` comment, a
/// here-document) cannot take in the wrapping: sh reads it as it would alone (issue 11, item 17).
public struct ExitMarker: Sendable, Equatable {
    public static let prefix = Array("\u{1B}]7777;ssm-shell-exit=".utf8)

    /// The command to send: the user's, in a subshell so that `exit N` still reaches the marker.
    public static func wrap(_ command: String) -> String {
        "(\n\(command)\n); printf '\\033]7777;ssm-shell-exit=%d\\007' $?"
    }

    private var carry: [UInt8] = []

    public init() {}
    public private(set) var exitCode: Int32?

    /// Output in, output out (marker removed); holds back bytes that may begin a marker.
    public mutating func filter(_ bytes: [UInt8]) -> [UInt8] {
        var data = carry + bytes
        carry = []
        var out: [UInt8] = []
        var i = 0
        while i < data.count {
            if data[i] == 0x1B {
                let available = data.count - i
                let compare = min(available, Self.prefix.count)
                if Array(data[i..<(i + compare)]) == Array(Self.prefix[0..<compare]) {
                    if available < Self.prefix.count {
                        carry = Array(data[i...])  // may be a marker cut in two
                        break
                    }
                    if let end = data[(i + Self.prefix.count)...].firstIndex(of: 0x07) {
                        exitCode = Int32(String(decoding: data[(i + Self.prefix.count)..<end], as: UTF8.self))
                        i = end + 1
                        continue
                    }
                    if data.count - i < Self.prefix.count + 12 { carry = Array(data[i...]); break }
                }
            }
            out.append(data[i])
            i += 1
        }
        data = []
        return out
    }
}
