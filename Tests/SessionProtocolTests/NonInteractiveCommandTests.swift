import SessionProtocol
import Testing

/// AWS-StartNonInteractiveCommand runs no shell on the node (issue 18, item 1): the command is
/// wrapped so that the node's shell reads it, and its exit status comes back.
@Suite struct NonInteractiveCommandTests {
    @Test func linuxAndMacOSNodesGetShWithTheCommandSingleQuoted() {
        #expect(NonInteractiveCommand.commandLine("echo real-$((6*7)); exit 5", windows: false) == "sh -c 'echo real-$((6*7)); exit 5'")
        #expect(NonInteractiveCommand.commandLine("grep 'it''s' \"$f\" # note", windows: false) == #"sh -c 'grep '\''it'\'''\''s'\'' "$f" # note'"#)
        #expect(NonInteractiveCommand.commandLine("", windows: false) == "sh -c ''")
        #expect(NonInteractiveCommand.commandLine("a\\b\nc", windows: false) == "sh -c 'a\\b\nc'")
    }

    /// A quote followed by a combining mark, a joiner or a variation selector is one Swift
    /// Character that is not "'"; the agent's splitter and sh read code points and end the string
    /// at it. Compared scalar by scalar: String's == would call canonically equal texts the same.
    @Test(arguments: ["\u{301}", "\u{200D}", "\u{FE0F}"])
    func aQuoteBeforeACombiningMarkIsEscapedToo(_ mark: String) {
        let line = NonInteractiveCommand.commandLine("echo '" + mark + "x y'; reboot", windows: false)
        let expected = "sh -c 'echo '\\''" + mark + "x y'\\''; reboot'"
        #expect(Array(line.unicodeScalars) == Array(expected.unicodeScalars))
    }

    @Test func windowsNodesGetPowerShellsEncodedCommand() {
        // "exit 5" in UTF-16LE, base64: what powershell.exe -EncodedCommand decodes.
        #expect(NonInteractiveCommand.commandLine("exit 5", windows: true) == "-EncodedCommand ZQB4AGkAdAAgADUA")
        // Outside the BMP a character is a surrogate pair, each half little-endian.
        #expect(NonInteractiveCommand.commandLine("é😀", windows: true) == "-EncodedCommand 6QA92ADe")
    }
}
