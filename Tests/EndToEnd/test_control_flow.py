"""Control flow and init.ssm (issue 14, "A little control flow") end to end: the built binary
runs if/elif/else, for, def and break/continue against the emulator, and init.ssm at a prompt
driven through a real pty (docs/language.md, Control flow and Invocation)."""
import os
import re
import subprocess
import tempfile

import pexpect

from test_shell import BINARY, shell_env, ssm_shell

WEB_1 = "i-0a1b2c3d4e5f60001"
WEB_2 = "i-0a1b2c3d4e5f60002"


def write_script(text):
    path = os.path.join(tempfile.mkdtemp(), "flow.ssm")
    with open(path, "w") as f:
        f.write(text)
    return path


def env_with_init(emulator, init_text, **extra):
    env = shell_env(emulator, "admin", **extra)
    directory = os.path.join(env["HOME"], ".config", "ssm-shell")
    os.makedirs(directory)
    with open(os.path.join(directory, "init.ssm"), "w") as f:
        f.write(init_text)
    return env


def test_if_elif_else_on_wait_status_of_a_failing_and_a_succeeding_command(emulator):
    script = write_script("""use web-1
run sh -c 'echo broken >&2; exit 4'
if wait
  echo first succeeded
elif status web-1
  echo first failed with $status, web-1 still connected
else
  echo never
end
run true
if wait; echo second succeeded; else; echo second failed; end
""")
    result = ssm_shell(script, env=shell_env(emulator, "admin"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "first failed with 0, web-1 still connected\n" in result.stdout, result.stdout
    assert "second succeeded\n" in result.stdout
    assert "first succeeded" not in result.stdout and "never" not in result.stdout


def test_if_branch_sees_the_conditions_status(emulator):
    result = ssm_shell("-c", "use web-1; run exit 4; if wait; echo ok; else; echo status $status; end",
                       env=shell_env(emulator, "admin"))
    assert result.returncode == 0, result.stderr
    assert "status 3\n" in result.stdout


def test_for_over_the_targets_nodes_runs_a_command_per_node(emulator):
    script = write_script("""use web-1 web-2 db-1
for node in $targets
  run --on $node echo "hello from $node"
  wait
  output
end
""")
    result = ssm_shell(script, env=shell_env(emulator, "admin"))
    assert result.returncode == 0, result.stdout + result.stderr
    hellos = re.findall(r"hello from (i-\w+)", result.stdout)
    assert sorted(hellos) == [WEB_1, WEB_2, "i-0a1b2c3d4e5f60004"], result.stdout
    # One command per node: each output block names one node.
    assert len(re.findall(r"^== [\w-]+ · Success, exit 0$", result.stdout, re.M)) == 3, result.stdout


def test_def_with_arguments_and_return(emulator):
    script = write_script("""def check
  run --on $1 sh -c "exit $2"
  if wait; return 0; end
  return 7
end
try check web-1 0; echo first $status
try check web-2 5; echo second $status
echo args $# $@
""")
    result = ssm_shell(script, "outer", env=shell_env(emulator, "admin"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\nfirst 0\n.*\nsecond 7\nargs 1 outer\n$", result.stdout, re.S), result.stdout


def test_break_and_continue(emulator):
    # web-1 is skipped (continue), web-2 gets the command, and the loop ends there (break).
    script = write_script("""use web-1 web-2 db-1
set skip $target
for node in $targets
  if ! test $node = $skip; continue; end
  run --on $node echo ran
  wait
  break
end
echo stopped at $node
output
""")
    result = ssm_shell(script, env=shell_env(emulator, "admin"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "stopped at %s\n" % WEB_2 in result.stdout, result.stdout
    assert "== web-2 · Success, exit 0\nran\n" in result.stdout, result.stdout


def test_a_syntax_mistake_points_at_the_opener_and_sends_nothing(emulator):
    script = write_script("use web-1\nfor node in $targets\n  run echo $node\n")
    result = ssm_shell(script, env=shell_env(emulator, "admin"))
    assert result.returncode == 2
    assert result.stderr == "%s:2:1: error: this 'for' has no 'end': close its block with a line 'end'\n" % script


INIT = """# the user's set-up
set greeting hello
def hi
  echo $greeting from init, $1
end
"""


def test_init_runs_before_the_prompt_and_blocks_continue_over_lines(emulator):
    env = env_with_init(emulator, INIT)
    env["TERM"] = "xterm"
    child = pexpect.spawn(BINARY, env=env, encoding="utf-8", timeout=20, dimensions=(40, 160))
    child.expect("default:us-east-1> ")
    child.sendline("hi you")
    child.expect("hello from init, you")
    child.expect("default:us-east-1> ")
    child.sendline("for x in a b")
    child.expect(r"\.\.\. ")
    child.sendline("  echo item-$x")
    child.expect(r"\.\.\. ")
    child.sendline("end")
    child.expect("item-a")
    child.expect("item-b")
    child.expect("default:us-east-1> ")
    # Ctrl-C drops an open block.
    child.sendline("if status web-1")
    child.expect(r"\.\.\. ")
    child.sendintr()
    child.expect("default:us-east-1> ")
    child.sendline("exit 5")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 5


def test_init_is_not_run_before_a_script_unless_asked(emulator):
    env = env_with_init(emulator, INIT)
    plain = ssm_shell("-c", "hi there", env=env)
    assert plain.returncode == 2
    assert "unknown command 'hi'" in plain.stderr
    asked = ssm_shell("--init", "-c", "hi there", env=env)
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout == "hello from init, there\n"


def test_no_init_skips_it_at_the_prompt(emulator):
    env = env_with_init(emulator, INIT, XDG_CONFIG_HOME="")
    env["TERM"] = "xterm"
    child = pexpect.spawn(BINARY, ["--no-init"], env=env, encoding="utf-8", timeout=20, dimensions=(40, 160))
    child.expect("default:us-east-1> ")
    child.sendline("hi you")
    child.expect("unknown command 'hi'")
    child.expect(r"default:us-east-1 \[2\]> ")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()


def test_an_error_in_init_is_reported_with_its_line_and_the_prompt_starts(emulator):
    env = env_with_init(emulator, "set region-default ok\n", XDG_CONFIG_HOME="")
    init_path = os.path.join(env["HOME"], ".config", "ssm-shell", "init.ssm")
    with open(init_path, "w") as f:
        f.write("def hi; echo from-def; end\nstaus web-1\necho never\n")
    env["TERM"] = "xterm"
    child = pexpect.spawn(BINARY, env=env, encoding="utf-8", timeout=20, dimensions=(40, 160))
    child.expect(re.escape(init_path) + ":2: unknown command 'staus'; did you mean 'status'\\?")
    child.expect(r"default:us-east-1 \[2\]> ")
    child.sendline("hi")                     # what ran before the error stays
    child.expect("from-def\r\n")
    child.expect("default:us-east-1> ")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert "never" not in child.before
    # Before a script (--init), a failing init.ssm stops ssm-shell before the script runs.
    result = ssm_shell("--init", "-c", "echo script ran", env=env)
    assert result.returncode == 2
    assert "script ran" not in result.stdout
    assert init_path + ":2: unknown command 'staus'" in result.stderr


def test_the_canary_deploy_example_deploys_node_by_node(emulator):
    example = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                           "examples", "canary-deploy.ssm")
    result = ssm_shell(example, "3.1", env=shell_env(emulator, "admin"), cwd=tempfile.mkdtemp())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "canary %s is healthy on 3.1\n" % WEB_1 in result.stdout, result.stdout
    assert result.stdout.endswith("every web node runs 3.1\n"), result.stdout
    # The canary once, then every other web node: one command each.
    commands = re.findall(r"^[0-9a-f]{8}-[0-9a-f-]{27}$", result.stdout, re.M)
    assert len(commands) == 4, result.stdout


def test_ctrl_c_stops_a_loop_at_the_prompt(emulator):
    env = shell_env(emulator, "admin")
    env["TERM"] = "xterm"
    child = pexpect.spawn(BINARY, env=env, encoding="utf-8", timeout=20, dimensions=(40, 160))
    child.expect("default:us-east-1> ")
    child.sendline("for x in 1 2 3; echo turn-$x; sleep 30; end; echo after-loop")
    child.expect("turn-1")
    child.sendintr()
    child.expect(r"default:us-east-1 \[130\]> ")
    assert "turn-2" not in child.before and "after-loop" not in child.before
    child.sendline("exit")
    child.expect(pexpect.EOF)
    child.close()


def test_policy_reads_the_commands_inside_blocks():
    script = write_script("""def restart
  run --on $1 systemctl restart app
  if wait; return 0; end
  output
end
for node in $targets
  if status $node; restart $node; end
end
""")
    result = subprocess.run([BINARY, "policy", script], capture_output=True, text=True, timeout=30,
                            env={"PATH": os.environ["PATH"], "HOME": tempfile.mkdtemp()})
    assert result.returncode == 0, result.stderr
    actions = re.findall(r'"(ssm:\w+)"', result.stdout)
    assert actions == ["ssm:DescribeInstanceInformation", "ssm:GetCommandInvocation", "ssm:GetConnectionStatus",
                       "ssm:ListCommandInvocations", "ssm:ListCommands", "ssm:SendCommand"], result.stdout
