import ShellLanguage
/// The receiver `put` runs on the node as AWS-StartInteractiveCommand's `command`: the agent runs
/// it as `sh -c COMMAND` on a pty (agent/session/shell/shell_unix.go StartCommandExecutor) and
/// writes the client's input to that pty. AWS-StartNonInteractiveCommand would give it no stdin
/// at all (the same file: plugin.stdin is nil there). The pty is put in raw mode first (no echo,
/// no line editing, no ^C/^D/^V or CR translation), and only then does the receiver say READY: the
/// client sends nothing before it. It reads `PutFraming` records, writes each file to a
/// temporary name beside the target, checks its SHA-256, sets its mode and renames it into place,
/// answering one `PutReplies` line per record. A relative destination (and `~`) is from the
/// user's home: the agent starts session commands elsewhere (/usr/bin on Amazon Linux), as scp
/// and sftp do. After DONE it waits for the client's newline, so
/// the session ends only once the client has every answer (see `GetSenderScript`).
public enum PutReceiverScript {
    /// What starts every line the receiver says (output that is not its answer is not one of them).
    public static let marker = "@ssm-shell-put@"

    /// The POSIX sh text. `into`: the entries go under `destination` (several sources, or a
    /// destination written with a trailing `/`); it is so too when `destination` is a directory
    /// on the node. Every part of the stream is read with `head -c` and an exact count (GNU
    /// coreutils head.c reads no more than it has left to copy), never with `read`: bash reads a
    /// terminal up to 4 KiB at a time and would swallow the bytes after a line (`PutFraming`).
    /// A file is written under a name `mktemp` makes (created exclusively, mode 0600; `umask
    /// 077` for everything else made) and given its mode only when complete. Without `force` it
    /// is linked to its name (link fails on any name that appeared meanwhile; `mv -n` where the
    /// file system has no links); with it, `mv -fT` replaces a file but never enters a directory.
    /// Modes are set on the directories this copy made, never on ones that were there (`/tmp`).
    public static func posix(destination: String, force: Bool, into: Bool) -> String {
        """
        M=\(marker) dest=\(ShellQuote.singleQuoted(destination, for: .posix)) force=\(force ? 1 : 0) into=\(into ? 1 : 0) tmp= made=' '
        set -f; umask 077
        say() { printf '%s %s\\n' "$M" "$*"; }
        [ -n "$HOME" ] || HOME=$(getent passwd "$(id -un)" | cut -d: -f6); cd "$HOME" 2>/dev/null
        case $dest in "~") dest=$HOME;; "~/"*) dest=$HOME/${dest#"~/"};; esac
        trap 'rm -f -- "$tmp"' EXIT
        trap 'exit 129' HUP INT TERM
        if [ -d "$dest" ]; then into=1; elif [ "$into" = 1 ]; then say FAIL "$dest is not a directory on the node"; exit 1; fi
        stty raw -echo -iexten 2>/dev/null || { say FAIL "stty cannot put the terminal in raw mode"; exit 1; }
        name() {
          n=$(printf %s "$1" | base64 -d && printf x) || return 1; n=${n%x}
          if [ "$into" = 1 ]; then t="${dest%/}/$n"; else case $n in */*) t="$dest/${n#*/}";; *) t=$dest;; esac; fi
        }
        say READY
        while h=$(head -c \(1 + PutFraming.headDigits)) && [ ${#h} = \(1 + PutFraming.headDigits) ]; do
          k=${h%"${h#?}"}; r=$(head -c "${h#?}"); set -- $r
          case $k in
          D) name "$2" || exit 1
            if [ -d "$t" ]; then :; elif mkdir -- "$t"; then made="$made$2 "; else say FAIL "cannot make the directory $t"; exit 1; fi; say DIR ;;
          M) name "$2" || exit 1; case $made in *" $2 "*) chmod "$1" -- "$t" || say FAIL "cannot set the mode of $t" ;; esac; say DIR ;;
          F) name "$3" || exit 1
            if [ -d "$t" ] || { { [ -e "$t" ] || [ -L "$t" ]; } && [ "$force" != 1 ]; }; then
              head -c "$2" >/dev/null; head -c 65 >/dev/null; if [ -d "$t" ]; then say ISDIR "$3"; else say EXISTS "$3"; fi; continue
            fi
            case $t in */*) d=${t%/*}/;; *) d=;; esac
            tmp=$(mktemp -- "$d.ssm-shell-part.XXXXXXXX") || { tmp=; say FAIL "cannot make a file in ${d:-.}"; exit 1; }
            head -c "$2" >"$tmp" || { say FAIL "cannot write $tmp"; exit 1; }
            s=$(head -c 65); h=$(sha256sum <"$tmp"); h=${h%% *}
            if [ "$h" != "$s" ]; then rm -f -- "$tmp"; tmp=; say BADSUM "$3" "$h"; continue; fi
            chmod "$1" -- "$tmp" || { say FAIL "cannot set the mode of $tmp"; exit 1; }
            if [ "$force" = 1 ]; then mv -fT -- "$tmp" "$t" || { say FAIL "cannot move the file into place at $t"; exit 1; }
            elif ln -T -- "$tmp" "$t" 2>/dev/null; then rm -f -- "$tmp"
            elif [ -e "$t" ] || [ -L "$t" ]; then rm -f -- "$tmp"; tmp=; say EXISTS "$3"; continue
            else mv -nT -- "$tmp" "$t"; if [ -e "$tmp" ]; then say FAIL "cannot move the file into place at $t"; exit 1; fi
            fi
            tmp=; say OK "$3" "$h" ;;
          E) say DONE; head -c 1 >/dev/null; exit 0 ;;
          *) say FAIL "the stream is out of step"; exit 1 ;;
          esac
        done
        say FAIL "the stream ended early"; exit 1
        """
    }

    /// The PowerShell text for Windows nodes, where the session's console is not a byte pipe: the
    /// client sends each file as base64 lines ending with an empty line (`PutFraming` with
    /// `PutFraming.base64Lines`). Windows keeps no mode bits, so `M` records are read and left.
    /// Untested against a real PowerShell: only its text is checked.
    public static func powerShell(destination: String, force: Bool, into: Bool) -> String {
        """
        $ErrorActionPreference = 'Stop'; $M = '\(marker)'; $dest = \(ShellQuote.singleQuoted(destination, for: .powerShell)); $force = $\(force); $into = $\(into)
        Set-Location $HOME; if ($dest -eq '~' -or $dest.StartsWith('~/') -or $dest.StartsWith('~\\')) { $dest = $HOME + $dest.Substring(1) }
        function Say($t) { [Console]::Out.Write("$M $t`n"); [Console]::Out.Flush() }
        if (Test-Path -LiteralPath $dest -PathType Container) { $into = $true } elseif ($into) { Say "FAIL $dest is not a directory on the node"; exit 1 }
        function Name($b) {
          $n = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($b))
          if ($into) { return (Join-Path $dest $n) }
          $i = $n.IndexOf('/'); if ($i -lt 0) { return $dest }; return $dest + $n.Substring($i)
        }
        Say 'READY'
        while ($true) {
          $l = [Console]::In.ReadLine(); if ($null -eq $l) { Say 'FAIL the stream ended early'; exit 1 }
          $f = $l.Split(' ')
          switch ($f[0]) {
            'D' { New-Item -ItemType Directory -Force -Path (Name $f[2]) | Out-Null; Say 'DIR' }
            'M' { Say 'DIR' }
            'F' {
              $t = Name $f[3]; $skip = (Test-Path -LiteralPath $t -PathType Container) -or ((Test-Path -LiteralPath $t) -and -not $force)
              $tmp = Join-Path (Split-Path -Parent ([IO.Path]::GetFullPath($t))) ('.' + (Split-Path -Leaf $t) + '.ssm-shell-part.' + $PID)
              $sha = [Security.Cryptography.SHA256]::Create(); $out = $null
              if (-not $skip) { $out = [IO.File]::Create($tmp) }
              while (($d = [Console]::In.ReadLine()) -ne '') {
                if ($null -eq $d) { if ($out) { $out.Close(); Remove-Item -LiteralPath $tmp }; Say 'FAIL the stream ended early'; exit 1 }
                $bytes = [Convert]::FromBase64String($d)
                if ($out) { $out.Write($bytes, 0, $bytes.Length); [void]$sha.TransformBlock($bytes, 0, $bytes.Length, $null, 0) }
              }
              $s = [Console]::In.ReadLine()
              if ($skip) { if (Test-Path -LiteralPath $t -PathType Container) { Say "ISDIR $($f[3])" } else { Say "EXISTS $($f[3])" }; continue }
              $out.Close(); [void]$sha.TransformFinalBlock([byte[]]@(), 0, 0)
              $h = -join ($sha.Hash | ForEach-Object { $_.ToString('x2') })
              if ($h -ne $s) { Remove-Item -LiteralPath $tmp; Say "BADSUM $($f[3]) $h"; continue }
              Move-Item -LiteralPath $tmp -Destination $t -Force; Say "OK $($f[3]) $h"
            }
            'E' { Say 'DONE'; [void][Console]::In.ReadLine(); exit 0 }
            default { Say 'FAIL the stream is out of step'; exit 1 }
          }
        }
        """
    }
}
