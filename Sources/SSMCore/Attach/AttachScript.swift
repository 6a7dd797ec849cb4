import ShellLanguage

/// What `attach` types into a node's shell session (the default shell document: `sh` on a pty,
/// agent/session/shell/shell_unix.go) so that `AttachFramer` can tell each line's output, its
/// standard error and its end apart. The user's line runs with `eval` in the shell itself, so
/// the working directory, variables and functions persist; a syntax error is `eval`'s failure,
/// and if the shell abandons the rest of the input line for it (dash does), the ending is on a
/// line of its own and still runs.
///
/// Frames start with `frameStart`, which the text typed here never contains literally (it is
/// written `\036` for printf): the pty echoes the setup before `stty -echo` takes effect, and
/// that echo must not look like a frame.
public enum AttachScript {
    /// The record separator and `@`: the start of every frame.
    public static let frameStart: [UInt8] = [0x1E, 0x40]
    /// Ctrl-C: the pty sends SIGINT to the foreground process group (the running command, or the
    /// shell itself in a builtin loop) and discards its queued input.
    public static let interrupt: [UInt8] = [0x03]
    /// The longest line the pty takes in canonical mode is 4095 bytes (Linux n_tty.c
    /// N_TTY_BUF_SIZE); the framing around the line needs some of it.
    public static let lineLimit = 3900

    /// POSIX sh: echo and output processing off (bytes arrive as written, `\n` not `\r\n`),
    /// line editing off (bash's readline would take a Tab for completion), empty prompts, no
    /// history file. Standard error goes through fd 9 into a fifo read by a filter of its own
    /// that frames each line (a pipe would put the line in a subshell and lose its state); where
    /// no fifo can be made, fd 9 frames nothing and standard error shows as output.
    public static func posixSetup(session: String) -> String {
        """
        stty -echo -opost 2>/dev/null
        set +o emacs +o vi 2>/dev/null
        PS1= PS2= PS4=; unset PROMPT_COMMAND HISTFILE; export PAGER=cat GIT_PAGER=cat MANPAGER=cat SYSTEMD_PAGER=cat
        set +m; __ssm_d=$(mktemp -d 2>/dev/null) && mkfifo "$__ssm_d/e" && { (trap '' INT; while IFS= read -r l; do printf '\\036@E%s:%s\\n' \(session) "$l"; done) <"$__ssm_d/e" & exec 9>"$__ssm_d/e"; rm -rf "$__ssm_d"; __ssm_sync() { printf '\\nS%s\\n' "$1" >&9; }; } || { exec 9>&2; __ssm_sync() { printf '\\036@E%s:S%s\\n' \(session) "$1"; }; }; set -m
        __ssm_st() { return "$1"; }
        printf '\\036@R%s\\n' \(session)

        """
    }

    /// One line, then its ending on a line of its own: the line's last standard error through
    /// the filter, its status, and `$?` set back to it for the next line.
    public static func posixLine(_ line: String, session: String, nonce: String) -> String {
        "{ eval \(ShellQuote.singleQuoted(line, for: .posix)); } </dev/null 2>&9\n" + posixEnding(session: session, nonce: nonce)
    }

    /// After Ctrl-C: an ending with a nonce of its own (the line's may have been discarded).
    public static func posixEnding(session: String, nonce: String) -> String {
        "__ssm_s=$?; __ssm_sync \(nonce); printf '\\036@A%s%s %d\\n' \(session) \(nonce) \"$__ssm_s\"; __ssm_st \"$__ssm_s\"\n"
    }

    /// Why a line cannot be sent as it is, or nil: control characters are the pty's editing
    /// keys in canonical mode (^U erases the line, ^C interrupts), and a line must fit its buffer.
    public static func problem(with line: String) -> String? {
        if line.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) {
            return "the line holds a control character, which the node's terminal would take as a key; write it with printf escapes"
        }
        // The line as it is typed into the node's terminal, quoted for eval.
        let typed = ShellQuote.singleQuoted(line, for: .posix).utf8.count
        if typed > lineLimit {
            return "the line is \(typed) bytes long once quoted and the node's terminal takes at most \(lineLimit); put it in a script with `put` and run that"
        }
        return nil
    }

    /// PowerShell (Windows nodes): the same frames, written with [Console]::Out; error records
    /// are framed as standard error, and the status is $LASTEXITCODE, or 1 when a command
    /// failed. Untested against a real PowerShell: only its text is checked.
    public static func powerShellSetup(session: String) -> String {
        """
        Remove-Module PSReadLine -ErrorAction SilentlyContinue; function prompt { '' }
        $ProgressPreference = 'SilentlyContinue'
        function __ssm_frame($t) { [Console]::Out.Write([string][char]30 + '@' + $t + "`n"); [Console]::Out.Flush() }
        function __ssm_sync($n) { __ssm_frame ('E\(session):S' + $n) }
        __ssm_frame 'R\(session)'

        """
    }

    public static func powerShellLine(_ line: String, session: String, nonce: String) -> String {
        let quoted = ShellQuote.singleQuoted(line, for: .powerShell)
        return "$global:LASTEXITCODE = 0; $__ssm_ok = $true; try { Invoke-Expression \(quoted) 2>&1 | ForEach-Object { "
            + "if ($_ -is [Management.Automation.ErrorRecord]) { $__ssm_ok = $false; ($_ | Out-String -Stream) | ForEach-Object { __ssm_frame ('E\(session):' + $_) } } "
            + "else { $_ } } | Out-Host } catch { $__ssm_ok = $false; __ssm_frame ('E\(session):' + $_) }\n"
            + powerShellEnding(session: session, nonce: nonce)
    }

    public static func powerShellEnding(session: String, nonce: String) -> String {
        "$__ssm_s = if ($LASTEXITCODE) { $LASTEXITCODE } elseif ($__ssm_ok) { 0 } else { 1 }; __ssm_sync '\(nonce)'; __ssm_frame ('A\(session)\(nonce) ' + $__ssm_s)\n"
    }
}
