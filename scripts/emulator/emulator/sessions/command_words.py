"""How the agent splits the command of AWS-StartNonInteractiveCommand into the words it executes
without a shell (agent/session/shell/shell_unix.go StartCommandExecutor, which uses the vendored
github.com/google/shlex Split). Its rules, which are not sh's: words split on space, tab, CR and
LF; '...' is literal; in "..." and outside quotes a backslash takes the next character as it is
(so "\\n" is n); a # at the start of a word comments out the rest of the line; nothing expands
and ; | & $ ( ) are ordinary characters. An unclosed quote or a trailing backslash is an error."""

SPACES = " \t\r\n"
UNCLOSED_QUOTE = "EOF found when expecting closing quote"
TRAILING_ESCAPE = "EOF found after escape character"


def split_command(text):
    """The words of `text`, or ValueError carrying the splitter's own message."""
    words = []
    word = None          # None between words; a list of characters inside one
    state = "start"
    for char in text:
        if state == "comment":
            if char == "\n":
                state = "start"
            continue
        if state == "escape":
            word.append(char)
            state = "word"
        elif state == "double-escape":
            word.append(char)
            state = "double"
        elif state == "single":
            if char == "'":
                state = "word"
            else:
                word.append(char)
        elif state == "double":
            if char == '"':
                state = "word"
            elif char == "\\":
                state = "double-escape"
            else:
                word.append(char)
        elif char in SPACES:
            if word is not None:
                words.append("".join(word))
                word = None
            state = "start"
        elif state == "start" and char == "#":
            state = "comment"
        else:
            if word is None:
                word = []
            state = {"'": "single", '"': "double", "\\": "escape"}.get(char, "word")
            if state == "word":
                word.append(char)
    if state in ("single", "double"):
        raise ValueError(UNCLOSED_QUOTE)
    if state in ("escape", "double-escape"):
        raise ValueError(TRAILING_ESCAPE)
    if word is not None:
        words.append("".join(word))
    return words
