"""Run Command through the gateway as amazon-ssm-agent 3.3 runs it (issue 12): the script file run
by the node's own `sh`, the agent's environment, its 24,000 cut, and its exit-code rules for 168
and 169. Each rule names the agent source it comes from."""
from conftest import ended_invocation

WEB_1 = "i-0a1b2c3d4e5f60001"       # Amazon Linux 2023: /bin/sh is bash
DB_1 = "i-0a1b2c3d4e5f60004"        # Ubuntu 22.04: /bin/sh is dash


def run(emulator, instance_id, commands, **parameters):
    """SendCommand on one node and its GetCommandInvocation once it has ended."""
    ssm = emulator.client("ssm")
    params = dict({"commands": commands}, **parameters)
    command_id = ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[instance_id], Parameters=params)["Command"]["CommandId"]
    return command_id, ended_invocation(ssm, command_id, instance_id)


def details_output(emulator, command_id):
    listed = emulator.client("ssm").list_command_invocations(CommandId=command_id, Details=True)["CommandInvocations"]
    return listed[0]["CommandPlugins"][0]["Output"]


def test_exactly_24000_characters_are_already_cut(emulator):
    # pluginutil StringPrefix keeps only output shorter than 24,000: at 24,000 the last 20 go.
    _, out = run(emulator, WEB_1, ["printf '%24000s' '' | tr ' ' x"])
    assert out["StandardOutputContent"] == "x" * 23980 + "--output truncated--"
    _, out = run(emulator, WEB_1, ["printf '%23999s' '' | tr ' ' x"])
    assert out["StandardOutputContent"] == "x" * 23999


def test_exit_168_is_success_and_169_failure_with_the_agents_sentence(emulator):
    # framework/runpluginutil: 168 marks the step succeeded (stderr dropped), 169 failed; both add
    # the agent's sentence to the output, and the ResponseCode stays the script's.
    command_id, out = run(emulator, WEB_1, ["echo out", "echo err >&2", "exit 168"])
    assert (out["Status"], out["ResponseCode"], out["StandardErrorContent"]) == ("Success", 168, "")
    assert out["StandardOutputContent"] == ("out\n\nStep exited with code 168. Therefore, marking step as succeeded. "
                                            "Further document steps will be skipped.")
    # The plugin's Output is stdout alone (seen with 3.3.1142.0 under with-agent).
    assert details_output(emulator, command_id) == "out\n"
    command_id, out = run(emulator, WEB_1, ["echo out", "exit 169"])
    line = "\nStep exited with code 169. Therefore, marking step as Failed. Further document steps will be skipped."
    assert (out["Status"], out["ResponseCode"]) == ("Failed", 169)
    assert out["StandardOutputContent"] == "out\n" + line
    assert out["StandardErrorContent"] == "failed to run commands: exit status 169" + line
    assert details_output(emulator, command_id) == "out\n\n----------ERROR-------\nfailed to run commands: exit status 169"


def test_the_script_is_a_file_run_by_the_nodes_sh(emulator):
    # plugins/runscript: `sh -c <orchestration dir>/_script.sh`; sh is bash on Amazon Linux and
    # dash on Ubuntu, so bash's $'...' quoting works on one and not on the other.
    _, bash = run(emulator, WEB_1, ["echo $'a\\tb'", "basename \"$0\""])
    assert bash["StandardOutputContent"] == "a\tb\n_script.sh\n"
    _, dash = run(emulator, DB_1, ["echo $'a\\tb'"])
    # dash: "$" then the quoted a\tb, whose \t dash's echo turns into a tab.
    assert dash["Status"] == "Success" and dash["StandardOutputContent"] == "$a\tb\n"


def test_the_agents_environment_names_the_command_and_the_platform(emulator):
    # runscript setCommandIdEnvironment and executers prepareEnvironment.
    command_id, out = run(emulator, WEB_1, ["echo $SSM_COMMAND_ID", "echo $AWS_SSM_INSTANCE_ID $AWS_SSM_REGION_NAME",
                                            "echo $AWS_SSM_PLATFORM_NAME $AWS_SSM_PLATFORM_VERSION"])
    assert out["StandardOutputContent"] == "%s\n%s %s\nAmazon Linux 2023\n" % (command_id, WEB_1, emulator.region)


def test_a_relative_working_directory_is_the_default_one(emulator):
    # plugins/runscript runCommands: a relative directory the document did not download is
    # replaced by the default working directory, without an error.
    _, default = run(emulator, WEB_1, ["pwd"])
    _, relative = run(emulator, WEB_1, ["pwd"], workingDirectory=["no/such/dir"])
    assert relative["Status"] == "Success" and relative["StandardOutputContent"] == default["StandardOutputContent"]
    _, absolute = run(emulator, WEB_1, ["pwd"], workingDirectory=["/no/such/dir"])
    # Go's exec names sh, not the directory (seen with 3.3.1142.0 under with-agent).
    assert (absolute["Status"], absolute["ResponseCode"]) == ("Failed", 1)
    assert absolute["StandardErrorContent"] == "failed to run commands: fork/exec /usr/bin/sh: no such file or directory"


def vm_hwm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))


def reset_peak_resident_set(pid):
    # The emulator lives for the whole test session and earlier tests (a 64 MiB forward) raise its
    # peak; writing 5 to clear_refs resets VmHWM to the current resident set (proc(5), Linux 4.0).
    with open("/proc/%d/clear_refs" % pid, "w") as f:
        f.write("5")


def test_a_script_that_prints_without_end_does_not_fill_the_emulators_memory(emulator):
    # The agent keeps its first 24,000 characters (it writes the rest to files it never loads);
    # the simulated agent kept every byte until the script ended: 400 MB printed, 400 MB held.
    reset_peak_resident_set(emulator.process.pid)
    before = vm_hwm_kib(emulator.process.pid)
    _, out = run(emulator, WEB_1, ["yes | head -c 400000000"])
    assert out["StandardOutputContent"] == "y\n" * 11990 + "--output truncated--"
    grown = vm_hwm_kib(emulator.process.pid) - before
    assert grown < 100 * 1024, "the emulator's peak resident set grew by %d KiB with the output" % grown
