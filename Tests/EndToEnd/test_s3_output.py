"""`run --output-bucket` and `output` reading the complete output from S3 (issue 13), end to end:
the built ssm-shell against the emulator, whose simulated agent uploads each stream to the keys
the real agent writes, and whose S3 checks SigV4 with S3's rules (so every read here is signed
as S3 wants it)."""
import json
import secrets

from test_shell import shell_env, ssm_shell

TWO_HUNDRED_THOUSAND = "sh -c 'yes 0123456789abcdefghi | head -c 200000'"


def new_bucket(emulator):
    name = "e2e-out-" + secrets.token_hex(5)
    emulator.aws("s3api", "create-bucket", "--bucket", name)
    return name


def test_output_reads_all_200000_characters_and_the_whole_stderr_from_s3(emulator, tmp_path):
    bucket = new_bucket(emulator)
    script = ("use web-1; run --output-bucket %s/e2e/run --wait sh -c 'yes 0123456789abcdefghi | head -c 200000; yes err | head -c 20000 >&2'; "
              "output --save %s" % (bucket, tmp_path))
    result = ssm_shell("-c", script, env=shell_env(emulator, identity="admin"))
    assert result.returncode == 0, result.stderr
    expected = ("0123456789abcdefghi\n" * 10000)[:200000]
    header = "== web-1 · Success, exit 0\n"
    # `run --wait` shows the output once, `output --save` again: both whole, neither with the cut note.
    whole = header + expected + "-- stderr\n" + ("err\n" * 5000)
    assert len(expected) == 200000
    assert result.stdout.count(whole) == 2, "stdout holds %d characters" % len(result.stdout)
    assert "(stdout cut" not in result.stdout and "(stderr truncated" not in result.stdout
    # --save writes the whole streams too.
    saved = {p.name: p.read_text() for p in tmp_path.iterdir()}
    assert saved == {"i-0a1b2c3d4e5f60001.stdout": expected, "i-0a1b2c3d4e5f60001.stderr": "err\n" * 5000}, sorted(saved)
    listed = json.loads(emulator.aws("s3api", "list-objects-v2", "--bucket", bucket, "--prefix", "e2e/run/").stdout)
    keys = sorted(o["Key"] for o in listed["Contents"])
    assert len(keys) == 2 and all("/awsrunShellScript/0.awsrunShellScript/" in k for k in keys), keys
    assert {k.rsplit("/", 1)[1] for k in keys} == {"stdout", "stderr"}


def test_set_output_bucket_applies_to_later_runs_and_a_short_output_needs_no_s3_read(emulator):
    bucket = new_bucket(emulator)
    script = "use web-1; set output-bucket %s; run --wait echo short; set output-bucket off; run --wait %s" % (bucket, TWO_HUNDRED_THOUSAND)
    result = ssm_shell("-c", script, env=shell_env(emulator, identity="admin"))
    assert result.returncode == 0, result.stderr
    assert "== web-1 · Success, exit 0\nshort\n" in result.stdout
    # The second run sent no bucket: its output is cut, and the note says which option gets the rest.
    assert "(stdout cut by the agent at 24,000 characters: run the command with --output-bucket BUCKET (S3) or --cloudwatch" in result.stdout
    listed = json.loads(emulator.aws("s3api", "list-objects-v2", "--bucket", bucket).stdout)
    assert [o["Key"].rsplit("/", 1)[1] for o in listed.get("Contents", [])] == ["stdout"], "only the first run uploaded"


def test_an_identity_without_s3_get_object_keeps_the_cut_output_and_is_told_the_action(emulator):
    bucket = new_bucket(emulator)
    sent = ssm_shell("-c", "use web-1; run --output-bucket %s --wait %s" % (bucket, TWO_HUNDRED_THOUSAND),
                     env=shell_env(emulator, identity="admin"))
    assert sent.returncode == 0, sent.stderr
    command_id = sent.stdout.split()[0]
    # `advanced` may read invocations but has no S3 rights in the emulator's policies.
    denied = ssm_shell("-c", "output %s web-1" % command_id, env=shell_env(emulator, identity="advanced"))
    assert denied.returncode == 0, denied.stderr
    kept = ("0123456789abcdefghi\n" * 2000)[:23980]
    note = "(stdout cut by the agent at 24,000 characters; the whole of it is in S3 but could not be read, as said above)\n"
    assert "== web-1 · Success, exit 0\n" + kept + note in denied.stdout, denied.stdout[-300:]
    assert "web-1: could not read s3://%s/" % bucket in denied.stderr, denied.stderr
    assert "(AccessDenied)" in denied.stderr and "ssm-shell needs s3:GetObject" in denied.stderr, denied.stderr
