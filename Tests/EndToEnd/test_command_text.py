"""`run` and `!` hand the command to another shell as written (issue 11, item 17): the emulator's
agent runs AWS-RunShellScript with a real bash, so what printf prints is what that shell
received; SendCommand's Parameters.commands must be the user's text byte for byte."""
import os
import re
import tempfile

from test_shell import shell_env, ssm_shell

# Values that would be code if pasted bare into sh: each must come back as it is.
NASTY = ["; echo INJECTED", "$(echo INJECTED)", "`echo INJECTED`", "it's \"q\"", "a  b", "\\", "x\ny", "ünï 日本", "*",
         "$HOME", "", "if", "A=b", "~", "-n", "' ; echo INJECTED '"]


def command_ids(stdout):
    return re.findall(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", stdout, re.M)


def sent_commands(emulator, command_id):
    listed = emulator.client("ssm").list_commands(CommandId=command_id)["Commands"]
    assert len(listed) == 1
    return listed[0]["Parameters"]["commands"]


def test_run_sends_the_text_as_written_and_the_remote_shell_reads_it(emulator):
    text = ("printf '<%s>\\n' \"*.log\" '$HOME' $HOME \"$(pwd)\" 'a b' \"it's\" \"q\\\"q\" ünï 日本 $(echo sub) `echo tick` "
            "a\\ b \"$NOT_AN_SSM_SHELL_NAME\" $(printf s; printf t) | tr -d x > out.txt && cat out.txt")
    result = ssm_shell("-c", "use web-1\nrun --wait " + text, env=shell_env(emulator))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.split("== web-1 · Success, exit 0\n")[1].splitlines()
    assert lines[:2] == ["<*.log>", "<$HOME>"]
    assert lines[2] == lines[3] and lines[2] != "<" + shell_env(emulator)["HOME"] + ">", "the node's $HOME, not ours"
    assert lines[4:] == ["<a b>", "<it's>", "<q\"q>", "<ünï>", "<日本>", "<sub>", "<tick>", "<a b>", "<>", "<st>"], result.stdout
    [command_id] = command_ids(result.stdout)
    assert sent_commands(emulator, command_id) == [text]


def test_ssm_shell_variables_reach_the_remote_shell_as_data(emulator):
    quoted = " ".join('"${%d}"' % n for n in range(1, len(NASTY) + 1))
    text = "printf '<%s>\\n' $@ " + quoted + " \"[$1|$2|$4]\" \"$(printf '%s|' $1 \"$2\")\""
    result = ssm_shell("-c", "use web-1\nrun --wait " + text, *NASTY, env=shell_env(emulator))
    assert result.returncode == 0, result.stdout + result.stderr
    expected = ("".join("<%s>\n" % v for v in NASTY) * 2 + "<[%s|%s|%s]>\n" % (NASTY[0], NASTY[1], NASTY[3])
                + "<%s|%s|>\n" % (NASTY[0], NASTY[1]))
    assert "== web-1 · Success, exit 0\n" + expected in result.stdout, result.stdout
    assert result.stdout.count("INJECTED") == expected.count("INJECTED")
    [command_id] = command_ids(result.stdout)
    [sent] = sent_commands(emulator, command_id)
    assert sent.startswith("printf '<%s>\\n' '; echo INJECTED' '$(echo INJECTED)' '`echo INJECTED`' 'it'\\''s \"q\"'"), sent


def test_windows_nodes_get_powershell_quoting(emulator):
    result = ssm_shell("-c", 'use win-1\nrun Write-Output $1 "$1" $env:TEMP \'$x\'', "it's \"q\" $(x) `", env=shell_env(emulator))
    assert result.returncode == 0, result.stdout + result.stderr
    [command_id] = command_ids(result.stdout)
    assert sent_commands(emulator, command_id) == ["Write-Output 'it''s \"q\" $(x) `' \"it's `\"q`\" `$(x) ``\" $env:TEMP '$x'"]


def test_a_name_that_is_not_the_shells_is_left_for_the_remote_shell(emulator):
    # Before: an error (not set), or the local environment's value pasted into the command.
    env = shell_env(emulator, LOCAL_ONLY="from-my-laptop")
    result = ssm_shell("-c", 'use web-1\nrun --wait printf "<%s>\\n" "$LOCAL_ONLY" "$AWS_SSM_INSTANCE_ID" $region', env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "<>\n<i-" in result.stdout and "<us-east-1>\n" in result.stdout
    assert "from-my-laptop" not in result.stdout


def test_values_inside_backquotes_are_refused_and_nothing_is_sent(emulator):
    result = ssm_shell("-c", "use web-1\nrun echo `echo $1`", "; echo INJECTED", env=shell_env(emulator))
    assert result.returncode == 2
    assert "ssm-shell's $1 cannot stand inside backquotes; write $(...) instead" in result.stderr
    assert command_ids(result.stdout) == []


def test_bang_runs_the_text_as_written_in_the_local_sh(emulator):
    cwd = tempfile.mkdtemp()
    open(os.path.join(cwd, "x.log"), "w").close()
    env = shell_env(emulator)
    script = "set v '; echo INJECTED'\n! printf '<%s>\\n' *.log \"*.log\" '$HOME' \"$HOME\" $v \"$v\" $@ | cat"
    result = ssm_shell("-c", script, "a  b", "$(echo INJECTED)", env=env, cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "<x.log>\n<*.log>\n<$HOME>\n<%s>\n<; echo INJECTED>\n<; echo INJECTED>\n<a  b>\n<$(echo INJECTED)>\n" % env["HOME"]


def test_connect_command_values_reach_the_remote_shell_as_data(emulator):
    """connect --command follows the same rule: the word's text is the node's sh code, and ssm-shell's
    values in it are quoted for where they stand (bare, in "...", in '...'), so the emulator's agent,
    which runs the command with sh -c as the real one does, prints each value back unchanged."""
    env = shell_env(emulator, LOCAL_ONLY="from-my-laptop")
    n = range(1, len(NASTY) + 1)
    code = ("printf '<%s>\\n' " + " ".join("${%d}" % i for i in n) + " " + " ".join('\\"${%d}\\"' % i for i in n) + " "
            + " ".join("'${%d}'" % i for i in n) + " \\\"[$LOCAL_ONLY|$AWS_SSM_INSTANCE_ID]\\\"")
    result = ssm_shell("-c", 'connect web-1 --command "%s"' % code, *NASTY, env=env, stdin="")
    assert result.returncode == 0, result.stdout + result.stderr
    values = "".join("<%s>\n" % v for v in NASTY)
    assert result.stdout.startswith(values * 3 + "<[|i-"), result.stdout
    assert result.stdout.count("INJECTED") == values.count("INJECTED") * 3


def test_connect_command_text_is_what_the_user_wrote(emulator):
    # The command is exactly the word's text: quotes, pipes and the node's own $NAMEs reach sh.
    result = ssm_shell("-c", "set v '$(echo INJECTED)'\nconnect web-1 --command=\"printf '%s|' \\\"*\\\" '$HOME' $v | tr '|' ,\"",
                       env=shell_env(emulator), stdin="")
    assert (result.returncode, result.stdout) == (0, "*,$HOME,$(echo INJECTED),"), result.stderr


def session_count(emulator):
    paginator = emulator.client("ssm").get_paginator("describe_sessions")
    return sum(len(page["Sessions"]) for state in ("Active", "History") for page in paginator.paginate(State=state))


def test_connect_command_refuses_what_it_cannot_quote_and_starts_nothing(emulator):
    before = session_count(emulator)
    result = ssm_shell("-c", "connect web-1 --command \"echo `echo $1`\"", "; echo INJECTED", env=shell_env(emulator), stdin="")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "ssm-shell's $1 cannot stand inside backquotes; write $(...) instead" in result.stderr
    assert session_count(emulator) == before


def test_the_exit_status_wrapping_keeps_the_commands_meaning(emulator):
    """For AWS-StartInteractiveCommand (the document on a terminal) the command is wrapped to report its
    exit status; the wrapping must not change what the text means: a comment or a here-document at its
    end must not take in the rest."""
    for text in ["echo hi; exit 3 # a comment", "cat <<EOF\nbody\nEOF\nexit 3"]:
        result = ssm_shell("-c", "connect web-1 --document AWS-StartInteractiveCommand --command '%s'" % text, env=shell_env(emulator), stdin="")
        assert result.returncode == 3, (text, result.stdout, result.stderr)
        assert "ssm-shell-exit" not in result.stdout


def test_bash_quotes_and_process_id_never_turn_a_value_into_code(emulator):
    # Before: $'a\' $1 ' was read as '...' then a bare $1, and $$2 became $'x\' (bash's $'...'),
    # so the next value's quote ended it: bash ran "echo INJECTED" on the node.
    payload = ";echo INJ\"\"ECTED;'"
    script = "use web-1\nrun --wait echo $'a\\' $1 ' #'\nrun --wait echo pid$$2 $3"
    result = ssm_shell("-c", script, payload, "x\\", payload, env=shell_env(emulator))
    assert "INJECTED" not in result.stdout, result.stdout
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("== web-1 · Success, exit 0\n") == 2, result.stdout
    assert "\na' $1 \n" in result.stdout, "$1 inside $'...' is text, as bash reads it"
    assert re.search(r"\npid[0-9]+2 " + re.escape(payload) + "\n", result.stdout), result.stdout


def test_a_value_after_a_comment_the_tracker_cannot_follow_is_refused(emulator):
    # Before: dash read "echo a|" then a comment, and the value stood bare on the next line.
    script = "set v 'echo INJECTED'\n! echo a|#\"\n$v #\""
    result = ssm_shell("-c", script, env=shell_env(emulator))
    assert "INJECTED" not in result.stdout, result.stdout
    assert result.returncode == 2, result.stdout + result.stderr
    assert "ssm-shell's $v cannot be quoted after a # comment" in result.stderr, result.stderr


def test_a_value_inside_arithmetic_is_refused(emulator):
    # Before: $(( '$(echo INJECTED >&2)0' + 1 )): sh reads ' as a character there and ran the $(...).
    result = ssm_shell("-c", "! echo $(( $1 + 1 ))", "$(echo INJECTED >&2)0", env=shell_env(emulator))
    assert "INJECTED" not in result.stdout + result.stderr.replace("$(echo INJECTED >&2)", ""), result.stdout + result.stderr
    assert result.returncode == 2, result.stdout + result.stderr
    assert "ssm-shell's $1 cannot stand inside arithmetic" in result.stderr, result.stderr
