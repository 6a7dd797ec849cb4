internal import Crypto

/// The command line that `connect --command` sends as AWS-StartNonInteractiveCommand's `command`.
/// The agent runs no shell there: it splits the text into words (google/shlex: quotes and
/// backslashes only; `;`, `$` and `|` are ordinary characters) and executes the first word
/// (agent/session/shell/shell_unix.go StartCommandExecutor). On Windows it hands the words to
/// powershell.exe (shell_windows.go startExecCmd). So the user's text is wrapped for the node's
/// shell, which then reads it as it would on a terminal and its exit status comes back (issue 18).
public enum NonInteractiveCommand {
    /// `sh -c '...'` for Linux and macOS nodes; `-EncodedCommand ...` for powershell.exe on Windows.
    public static func commandLine(_ command: String, windows: Bool) -> String {
        if windows {
            // about_PowerShell_exe: -EncodedCommand takes base64 of UTF-16LE text, which no word
            // splitting or Windows argument quoting can change.
            let bytes = command.utf16.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }
            return "-EncodedCommand " + Base64.encode(bytes)
        }
        // Between single quotes the splitter, like sh (POSIX 2.2.2), takes every character as it
        // is; a quote in the command closes the string, stands escaped and reopens it. Scalar by
        // scalar: a quote followed by a combining mark is one Character that is not "'", yet
        // the splitter, which reads code points, ends the string there.
        var quoted = String.UnicodeScalarView()
        for scalar in command.unicodeScalars {
            if scalar == "'" { quoted.append(contentsOf: "'\\'".unicodeScalars) }
            quoted.append(scalar)
        }
        return "sh -c '" + String(quoted) + "'"
    }
}
