"""KMS-encrypted sessions with an agent from before the KMS challenge (issue 11, item 10): it sends
no Challenge, and decrypts the data key with the encryption context {aws:ssm:SessionId,
aws:ssm:TargetId} only (data-channel spec 6.5), so the client must leave aws:ssm:RandomChallenge
out of GenerateDataKey and send no ChallengeAcknowledgement."""
import subprocess

import pexpect

from test_shell import BINARY, shell_env


def test_an_agent_without_the_challenge(emulator):
    emulator.faults(kms_key_id="alias/session-key", kms_challenge=False)
    env = shell_env(emulator, "admin")
    piped = subprocess.run([BINARY, "-c", "connect web-1 --command 'echo secret-$((6*7)); exit 4'"], env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=30)
    assert (piped.returncode, piped.stdout) == (4, "secret-42\n"), piped.stderr
    assert "This session is encrypted using AWS KMS." in piped.stderr
    child = pexpect.spawn(BINARY, ["-c", "connect web-2"], env=env, encoding="utf-8", timeout=20)
    child.expect("encrypted using AWS KMS")
    child.expect(r"\$ ")
    child.sendline("echo typed-$((2+3))")
    child.expect("typed-5")
    child.sendline("exit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_a_current_agent_still_gets_the_challenge_answered(emulator):
    emulator.faults(kms_key_id="alias/session-key", kms_challenge=True)
    piped = subprocess.run([BINARY, "-c", "connect web-1 --command 'echo sealed'"], env=shell_env(emulator, "admin"),
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    assert (piped.returncode, piped.stdout) == (0, "sealed\n"), piped.stderr
