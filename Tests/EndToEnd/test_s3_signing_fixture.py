"""The S3 signing fixture (Tests/Fixtures/sigv4/botocore-s3-generated.json) is what the pinned
botocore builds today: regenerate it and compare it with the committed file, so a botocore
upgrade or a hand edit cannot leave the Swift replay (S3SigningTests) checking stale data."""
import json
import os
import subprocess
import sys

from conftest import ROOT

GENERATOR = os.path.join(ROOT, "scripts/testing/generate_s3_sigv4_fixtures.py")
FIXTURE = os.path.join(ROOT, "Tests/Fixtures/sigv4/botocore-s3-generated.json")


def test_committed_fixture_is_what_botocore_generates(tmp_path):
    fresh = tmp_path / "fresh.json"
    run = subprocess.run([sys.executable, GENERATOR, "--output", str(fresh)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    with open(FIXTURE, encoding="utf-8") as committed:
        assert fresh.read_text(encoding="utf-8") == committed.read(), f"regenerate with python3 {GENERATOR}"


def test_check_mode_flags_a_stale_fixture(tmp_path):
    stale = tmp_path / "stale.json"
    with open(FIXTURE, encoding="utf-8") as committed:
        document = json.load(committed)
    document["cases"][0]["signature"] = "0" * 64
    stale.write_text(json.dumps(document), encoding="utf-8")
    run = subprocess.run([sys.executable, GENERATOR, "--check", "--output", str(stale)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 1
    assert "is not current" in run.stderr


def test_fixture_covers_the_issue_cases():
    with open(FIXTURE, encoding="utf-8") as committed:
        cases = json.load(committed)["cases"]
    keys = [c["input"].get("Key", "") for c in cases]
    assert len(cases) >= 150
    assert any(" " in k for k in keys) and any("+" in k for k in keys) and any("~" in k for k in keys)
    assert any("//" in k for k in keys) and any(not k.isascii() for k in keys)
    assert any("?" in c["url"] for c in cases)
    assert {c["payload"] for c in cases} == {"signed", "unsigned"}
    assert any(c["session_token"] for c in cases) and any(not c["session_token"] for c in cases)
