"""The MFA question across accounts (issue 14, "MFA asked once per source profile"): two profiles
whose roles (breakglass in 222222222222 and in 111111111111, both asking for alpha-admin's MFA)
are assumed from one source profile ask one question; Ctrl-C at it ends the command with 130 and
asks nothing more. Through a real pty, since the question is read from /dev/tty."""
import io
import os

import pexpect

from test_many_accounts import BINARY, multi  # noqa: F401 (the multi-account emulator fixture)

DEVICE = "arn:aws:iam::111111111111:mfa/alpha-admin"
QUESTION = "Enter MFA code for %s: " % DEVICE

CONFIG = """[profile base]
region = us-east-1
[profile prod]
role_arn = arn:aws:iam::222222222222:role/breakglass
source_profile = base
mfa_serial = {device}
region = eu-west-1
[profile staging]
role_arn = arn:aws:iam::111111111111:role/breakglass
source_profile = base
mfa_serial = {device}
region = us-east-1
""".format(device=DEVICE)

CREDENTIALS = """[base]
aws_access_key_id = AKIAMULTIALPHA001000
aws_secret_access_key = emulator/multi/alpha-admin/secret/0001
"""


def spawn(multi, commands, home):
    os.makedirs(os.path.join(home, ".aws"))
    for name, text in (("config", CONFIG), ("credentials", CREDENTIALS)):
        with open(os.path.join(home, ".aws", name), "w") as f:
            f.write(text)
    env = {"PATH": os.environ["PATH"], "HOME": home, "XDG_STATE_HOME": home + "/state", "AWS_ENDPOINT_URL": multi.endpoint}
    child = pexpect.spawn(BINARY, ["--output", "text", "-c", commands], env=env, encoding="utf-8", timeout=30, dimensions=(40, 200))
    child.logfile_read = io.StringIO()
    return child


def sessions_made(multi):
    return sum(multi.control("state")["api_calls"].get("GetSessionToken", {}).values())


def test_two_profiles_of_one_source_ask_for_the_mfa_code_once(multi, tmp_path):
    before = sessions_made(multi)
    child = spawn(multi, "use profile prod,staging\ninstances\necho done", str(tmp_path))
    child.expect_exact(QUESTION)
    child.sendline("123456")
    child.expect_exact("done")
    child.expect(pexpect.EOF)
    child.close()
    transcript = child.logfile_read.getvalue()
    assert child.exitstatus == 0, transcript
    assert transcript.count("Enter MFA code") == 1, transcript
    # prod is breakglass in 222222222222 (eu-west-1), staging breakglass in 111111111111 (us-east-1).
    assert "beta-web-2" in transcript and "alpha-web-1" in transcript, transcript
    assert sessions_made(multi) - before == 1


def test_ctrl_c_at_the_question_ends_the_command_with_130_and_asks_no_more(multi, tmp_path):
    # Both profiles wait on the one MFA session here, so the question is asked once whatever the
    # gate does; QuestionGateTests shows the gate refusing the questions queued behind Ctrl-C.
    child = spawn(multi, "use profile prod,staging\ninstances\necho done", str(tmp_path))
    child.expect_exact(QUESTION)
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    transcript = child.logfile_read.getvalue()
    assert child.exitstatus == 130, transcript
    assert transcript.count("Enter MFA code") == 1 and "done" not in transcript, transcript
    assert "interrupted at the MFA question" in transcript, transcript


def test_ctrl_d_after_a_half_typed_code_cancels_the_question_and_sends_nothing(multi, tmp_path):
    # The first Ctrl-D hands "123" over without a newline, the second is end of input: the code
    # was sent half-typed before (and refused by STS); now nothing is sent.
    before = sessions_made(multi)
    child = spawn(multi, "use profile prod\ninstances\necho done", str(tmp_path))
    child.expect_exact(QUESTION)
    child.send("123")
    child.sendeof()
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    transcript = child.logfile_read.getvalue()
    assert child.exitstatus == 1, transcript
    assert "the terminal gave no more input at the MFA question (Ctrl-D, or it closed): no code was sent" in transcript, transcript
    assert sessions_made(multi) == before, "no GetSessionToken with a partial code"
