"""`attach` (issue 15) against the real amazon-ssm-agent: one targeted check, under
scripts/real-agent/with-agent only (the agent is CPU-heavy): attach, cd, pwd, a failing line, the
shell's state kept. Elsewhere the module skips with one line saying how to run it."""
import re

import pexpect
import pytest

import agent_target

_ready = agent_target.with_agent_ready_file()
if not isinstance(_ready, dict):
    pytest.skip("attach real-agent check SKIPPED: not under with-agent (run it with: scripts/real-agent/with-agent --agent-bin "
                "/work/agent-bin/3.3.1142.0 --nodes 1 -- python3 -m pytest -q Tests/EndToEnd/test_attach_real_agent.py)",
                allow_module_level=True)

PROMPT = r"attach \S+> "


def test_attach_keeps_the_real_agents_shell_state_and_reports_a_failing_line(agent):
    node = agent.node(0)
    child = agent.spawn("attach %s" % node, identity="basic", timeout=60)
    child.expect("Attached to")
    child.expect(PROMPT)
    child.sendline("cd /tmp && mkdir -p attach-real && cd attach-real; v=$((40+2))")
    child.expect(PROMPT)
    child.sendline("pwd; echo v=$v; echo err-$v >&2")
    child.expect(PROMPT)
    out = child.before.replace("\r\n", "\n")
    assert "/tmp/attach-real\n" in out and "v=42\n" in out and "err-42\n" in out, out
    child.sendline("ls /no-such-dir-$v")
    child.expect(r"attach \S+ \[3\]> ")
    assert re.search(r"failed on 1 of 1 node: \S+ \(exit 2\)", child.before), child.before
    child.sendline("echo back-$v")
    child.expect("back-42")
    child.expect(PROMPT)            # Ctrl-D is a key of the prompt, read only once it is there
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0   # the last line's status: `echo` succeeded
