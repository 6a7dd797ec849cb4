"""Security hardening (issue 11, items 11, 14, 15) end to end: what a file in the current directory,
a Name tag or a child process may and may not reach."""
import os
import subprocess
import tempfile

import pytest

from test_shell import BINARY, shell_env


@pytest.mark.parametrize("word", ["proxy", "policy", "doctor", "console"])
def test_a_file_named_like_a_command_is_never_run_in_its_place(emulator, word):
    # ssh runs ProxyCommand in whatever directory the user is in: a `proxy` file there is data.
    cwd = tempfile.mkdtemp()
    with open(os.path.join(cwd, word), "w") as f:
        f.write("! touch marker\n")
    subprocess.run([BINARY, word], env=shell_env(emulator), cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    assert not os.path.exists(os.path.join(cwd, "marker")), "ssm-shell %s ran ./%s" % (word, word)
    # The script of that name runs when asked for by path.
    script = subprocess.run([BINARY, "./" + word], env=shell_env(emulator), cwd=cwd, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=60)
    assert script.returncode == 0, script.stderr
    assert os.path.exists(os.path.join(cwd, "marker"))
