#!/usr/bin/env python3
"""Writes Tests/Fixtures/sigv4/botocore-s3-generated.json: the S3 requests botocore builds and signs.

botocore's own S3 signer (botocore.auth.S3SigV4Auth, pinned in scripts/requirements.txt) is the
reference for ssm-shell's S3 signing: no path normalisation, no second URI encoding, a signed
x-amz-content-sha256 header holding the payload hash or UNSIGNED-PAYLOAD. The clock is frozen and
nothing is sent: a before-send hook captures each request and stops it.

    python3 scripts/testing/generate_s3_sigv4_fixtures.py          # rewrite the fixture
    python3 scripts/testing/generate_s3_sigv4_fixtures.py --check  # exit 1 if it is not current
"""

import argparse
import datetime
import json
import pathlib
import sys

import botocore
import botocore.auth
import botocore.session
from botocore.config import Config

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "Tests/Fixtures/sigv4/botocore-s3-generated.json"
FROZEN = datetime.datetime(2015, 8, 30, 12, 36, 0)
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YqcWPFfDXTfDHNydoZLE6IQzLEF27Vwhv1ho6vqy04yHtD5DRhKs1W91JZM3J/kNgsWGYMkkkFG2pomOAm1TNvtIp/ABI9rHw3Mzl4pB35TzZMgWL6MD3rh8OCLSYPaSeKjeWNHDO/BJ+OLzpzx7J64Jdd7W6ziovWLLC3opRFAHMdTjJyZ7WpygeyvXpEzSaqwwYqSUoH8OvUbJr/yvY9XMyLL8sSHnW1w3lzeFQfk8U/3CrEwNHqOs7zPLZX9kcFJlbdd+zPxvbiI8nPzcxCAmhJnOxkV8aIjezRdvUeBNHaoDc0kbNNs1LDVuGW8TO2cqYPd8f1X0S99yITYATw7Vz1LJ4MLCqp8CBNoUBWUkx1ZbGqSZo8r0JO44iimPexSCs6FyaMMrw+Dpg=="

BUCKETS = ["examplebucket", "example.bucket.with.dots"]
KEYS = [
    "plain.txt",
    "ssm/run/i-0123456789abcdef0/awsrunShellScript/0.awsrunShellScript/stdout",
    "with space/and more spaces.txt",
    "plus+sign+key",
    "tilde~key~",
    "caf\u00e9/\u65e5\u672c\u8a9e/\u0444\u0430\u0439\u043b",
    "double//slash//key",
    "/leading-slash",
    "dots/../not/./normalised",
    "trailing/",
    "reserved!*'()$&,;=@:key",
    "percent%2Fliteral%20key",
    "question?hash#key",
    "emoji-\U0001f600",
]
PREFIXES = ["", "ssm/run/", "with space/", "plus+", "caf\u00e9/", "a//b"]
TOKENS = ["1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=", "token with spaces+plus"]
REGIONS = ["us-east-1", "us-west-2", "eu-central-1", "cn-north-1", "us-gov-west-1"]
ENDPOINT_OVERRIDES = ["http://127.0.0.1:4566", "https://s3.internal.example:8443/"]


def operations():
    """Every (name, operation, input, extra config) the fixture covers."""
    for bucket in BUCKETS:
        for key in KEYS:
            yield "get", "get_object", {"Bucket": bucket, "Key": key}
            yield "head", "head_object", {"Bucket": bucket, "Key": key}
        yield "get-range", "get_object", {"Bucket": bucket, "Key": KEYS[1], "Range": "bytes=0-23999"}
        yield "get-version", "get_object", {"Bucket": bucket, "Key": KEYS[2], "VersionId": "3/L4kqtJl40Nr8X8gdRQBpUMLUo+x/y=z"}
        yield "get-override", "get_object", {"Bucket": bucket, "Key": KEYS[3], "ResponseContentType": "text/plain; charset=utf-8"}
        for prefix in PREFIXES:
            yield "list", "list_objects_v2", {"Bucket": bucket, "Prefix": prefix}
        for token in TOKENS:
            yield "list-token", "list_objects_v2", {"Bucket": bucket, "Prefix": "ssm/", "ContinuationToken": token, "MaxKeys": 1000}
        yield "list-delimiter", "list_objects_v2", {"Bucket": bucket, "Delimiter": "/", "StartAfter": "b c", "FetchOwner": True}
        for body in ["", "hello", "line one\nline two\n", "caf\u00e9 \u2603\n"]:
            yield "put", "put_object", {"Bucket": bucket, "Key": KEYS[2], "Body": body.encode()}


class Captured(Exception):
    """Raised from before-send to stop the request once it is signed."""


SESSIONS = {}


def session_for(token):
    """One botocore session per token: a session caches the loaded models, which makes ~200 clients quick."""
    if token not in SESSIONS:
        session = botocore.session.Session()
        session.set_credentials(ACCESS_KEY, SECRET_KEY, token)
        SESSIONS[token] = session
    return SESSIONS[token]


def capture(region, endpoint, addressing, payload_signing, token, operation, params):
    """Builds, signs and captures one request; returns the canonical request and the wire form."""
    session = session_for(token)
    s3_config = {"addressing_style": addressing}
    if payload_signing is not None:
        s3_config["payload_signing_enabled"] = payload_signing
    config = Config(
        region_name=region,
        s3=s3_config,
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        retries={"max_attempts": 1},
    )
    client = session.create_client("s3", endpoint_url=endpoint, config=config)
    seen = {}
    original = botocore.auth.SigV4Auth.string_to_sign

    def recording(self, request, canonical_request):
        result = original(self, request, canonical_request)
        seen["canonical_request"] = canonical_request
        seen["string_to_sign"] = result
        seen["signing_region"] = self._region_name
        seen["signing_name"] = self._service_name
        return result

    def stop(request, **_):
        seen["request"] = request
        raise Captured()

    client.meta.events.register("before-send.s3", stop)
    botocore.auth.SigV4Auth.string_to_sign = recording
    try:
        getattr(client, operation)(**params)
    except Captured:
        pass
    finally:
        botocore.auth.SigV4Auth.string_to_sign = original
    return seen


def case(name, region, endpoint, addressing, payload_signing, token, operation, params):
    seen = capture(region, endpoint, addressing, payload_signing, token, operation, params)
    request = seen["request"]
    signed = seen["canonical_request"].split("\n")[-2].split(";")
    added_by_signer = {"host", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"}
    text = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()}
    headers = {k: v for k, v in text.items() if k.lower() in signed and k.lower() not in added_by_signer}
    body = request.body or b""
    if hasattr(body, "read"):
        body = body.read()
    payload = text["X-Amz-Content-SHA256"]
    authorization = text["Authorization"]
    return {
        "name": name,
        "operation": operation,
        "input": {k: (v.decode() if isinstance(v, bytes) else v) for k, v in params.items()},
        "region": region,
        "endpoint_url": endpoint,
        "addressing_style": addressing,
        "signing_region": seen["signing_region"],
        "signing_name": seen["signing_name"],
        "method": request.method,
        "url": request.url,
        "headers": dict(sorted(headers.items())),
        "body": body.decode() if isinstance(body, bytes) else body,
        "payload": "unsigned" if payload == "UNSIGNED-PAYLOAD" else "signed",
        "session_token": token,
        "canonical_request": seen["canonical_request"],
        "string_to_sign": seen["string_to_sign"],
        "signature": authorization.rsplit("Signature=", 1)[1],
        "authorization": authorization,
    }


def cases():
    """Operations against AWS (virtual-hosted and path-style) in several partitions, and against
    endpoint overrides (path-style), signed and UNSIGNED-PAYLOAD, with and without a token."""
    out = []
    counter = 0
    for index, (kind, operation, params) in enumerate(operations()):
        region = REGIONS[index % len(REGIONS)]
        token = SESSION_TOKEN if index % 3 == 0 else None
        payload_signing = False if index % 4 == 1 else None
        setups = [(None, "virtual"), (ENDPOINT_OVERRIDES[index % 2], "path")]
        if index % 5 == 0:
            setups.append((None, "path"))
        for endpoint, addressing in setups:
            counter += 1
            where = "override" if endpoint else f"aws-{addressing}"
            name = f"{counter:03d}-{kind}-{where}-{region}"
            out.append(case(name, region, endpoint, addressing, payload_signing, token, operation, params))
    return out


def render():
    document = {
        "description": [
            "S3 requests built and signed by botocore's S3SigV4Auth, captured before sending (never sent).",
            f"Generated by scripts/testing/generate_s3_sigv4_fixtures.py with botocore {botocore.__version__}, clock frozen at "
            + FROZEN.strftime("%Y-%m-%dT%H:%M:%SZ")
            + ", credentials of the AWS SigV4 test suite.",
            "headers: the request's headers that were signed, minus the four the signer adds (host, x-amz-date,",
            "x-amz-security-token, x-amz-content-sha256). payload: signed (the body's SHA-256) or unsigned (UNSIGNED-PAYLOAD).",
        ],
        "botocore_version": botocore.__version__,
        "timestamp": FROZEN.strftime("%Y%m%dT%H%M%SZ"),
        "access_key_id": ACCESS_KEY,
        "secret_access_key": SECRET_KEY,
        "cases": cases(),
    }
    return json.dumps(document, indent=1, ensure_ascii=False, sort_keys=False) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed fixture differs")
    parser.add_argument("--output", type=pathlib.Path, default=FIXTURE)
    args = parser.parse_args()
    botocore.auth.get_current_datetime = lambda remove_tzinfo=True: FROZEN
    text = render()
    count = text.count('"canonical_request"')
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is not current: run {sys.argv[0]} to regenerate it", file=sys.stderr)
            return 1
        print(f"{args.output} is current ({count} cases)")
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({count} cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
