import ShellLanguage
/// The sender `get` runs on the node as AWS-StartInteractiveCommand's command, on a pty put in raw
/// mode first (no CR added to its newlines). Its output is text only: the agent's output path
/// passes a valid U+FFFD (EF BF BD) on as one byte (agent/session/shell/shell.go
/// processStdoutData), so raw bytes would come back changed. Each file is base64 on one line
/// between its `F` line and its `S` line with the node's SHA-256; `GetStreamDecoder` reads it.
/// After END it waits for the client's newline before it exits: the agent closes the channel
/// at most 2 s after the command ends whatever the client has not acknowledged
/// (agent/session/datachannel/datachannel.go PrepareToCloseChannel), and ChannelClosed may
/// overtake output still on its way, so an exit right after END could cut the copy short.
/// (AWS-StartNonInteractiveCommand gives the command no stdin to wait on: shell_unix.go.)
///
///     @ssm-shell-get@ D <mode> <path>
///     @ssm-shell-get@ F <mode> <size> <path>
///     <base64 of the bytes>
///     @ssm-shell-get@ S <sha256 hex>
///     @ssm-shell-get@ SKIP <path> <why>
///     @ssm-shell-get@ FAIL <why>
///     @ssm-shell-get@ END
public enum GetSenderScript {
    public static let marker = "@ssm-shell-get@"

    /// The POSIX sh text (GNU coreutils: `stat -c`, `base64 -w 0`, `sha256sum`). Directories are
    /// walked with globs (hidden names too); paths travel as base64, so any name comes back as it
    /// is. A symbolic link inside the tree is reported and left out.
    public static func posix(source: String) -> String {
        """
        M=\(marker) src=\(ShellQuote.singleQuoted(source, for: .posix)) root=\(ShellQuote.singleQuoted(TransferEntry.baseName(source), for: .posix))
        say() { printf '%s %s\\n' "$M" "$*"; }
        [ -n "$HOME" ] || HOME=$(getent passwd "$(id -un)" | cut -d: -f6); cd "$HOME" 2>/dev/null
        case $src in "~") src=$HOME;; "~/"*) src=$HOME/${src#"~/"};; esac
        b() { printf %s "$1" | base64 -w 0; }
        one() {
          if [ -L "$1" ] && [ "$1" != "$src" ]; then say SKIP "$(b "$2")" a symbolic link
          elif [ -d "$1" ]; then say D "$(stat -L -c %a -- "$1")" "$(b "$2")"; walk "$1" "$2"
          elif [ -f "$1" ] && [ -r "$1" ]; then
            say F "$(stat -L -c %a -- "$1")" "$(stat -L -c %s -- "$1")" "$(b "$2")"
            base64 -w 0 <"$1"; printf '\\n'; h=$(sha256sum <"$1"); say S "${h%% *}"
          elif [ -f "$1" ]; then say SKIP "$(b "$2")" not readable
          else say SKIP "$(b "$2")" not a regular file or directory
          fi
        }
        walk() { for e in "$1"/* "$1"/.[!.]* "$1"/..?*; do if [ -e "$e" ] || [ -L "$e" ]; then one "$e" "$2/${e##*/}"; fi; done; }
        stty raw -echo -iexten 2>/dev/null || { say FAIL "stty cannot put the terminal in raw mode"; exit 1; }
        if [ -e "$src" ]; then one "$src" "$root"; say END; head -c 1 >/dev/null; else say FAIL "$src: no such file or directory on the node"; exit 1; fi
        """
    }

    /// The PowerShell text for Windows nodes (mode bits are reported as 644 and 755).
    /// Untested against a real PowerShell: only its text is checked.
    public static func powerShell(source: String) -> String {
        """
        $ErrorActionPreference = 'Stop'; $M = '\(marker)'; $src = \(ShellQuote.singleQuoted(source, for: .powerShell)); $root = \(ShellQuote.singleQuoted(TransferEntry.baseName(source), for: .powerShell))
        Set-Location $HOME; if ($src -eq '~' -or $src.StartsWith('~/') -or $src.StartsWith('~\\')) { $src = $HOME + $src.Substring(1) }
        function Say($t) { [Console]::Out.Write("$M $t`n") }
        function B($p) { [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($p)) }
        function One($p, $rel) {
          $i = Get-Item -LiteralPath $p -Force
          if ($i.PSIsContainer) { Say "D 755 $(B $rel)"; Get-ChildItem -LiteralPath $p -Force | ForEach-Object { One $_.FullName "$rel/$($_.Name)" } }
          else {
            Say "F 644 $($i.Length) $(B $rel)"
            $s = [IO.File]::OpenRead($i.FullName); $buf = New-Object byte[] 3145728; $sha = [Security.Cryptography.SHA256]::Create()
            while (($n = $s.Read($buf, 0, $buf.Length)) -gt 0) { [Console]::Out.Write([Convert]::ToBase64String($buf, 0, $n)); [void]$sha.TransformBlock($buf, 0, $n, $null, 0) }
            $s.Close(); [void]$sha.TransformFinalBlock([byte[]]@(), 0, 0); [Console]::Out.Write("`n")
            Say "S $(-join ($sha.Hash | ForEach-Object { $_.ToString('x2') }))"
          }
        }
        if (Test-Path -LiteralPath $src) { One $src $root; Say 'END'; [void][Console]::In.ReadLine() } else { Say "FAIL ${src}: no such file or directory on the node"; exit 1 }
        """
    }
}
