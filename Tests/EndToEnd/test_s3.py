"""The emulator's S3 through the real AWS CLI (`aws s3 cp`, `aws s3api ...`) and botocore:
path-style on the emulator's one port, S3's SigV4 rules (x-amz-content-sha256, keys signed as
sent), S3's XML errors and the IAM checks with bucket and object ARNs."""
import hashlib
import os
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import boto3
import botocore.exceptions
import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.config import Config

from conftest import ended_invocation

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "emulator"))
from emulator.s3 import output_keys  # noqa: E402 (the emulator's package, for its pure key rules)

# Keys a client must sign exactly as it sends them: spaces, '+', '~', non-ASCII, '//' and '.'.
AWKWARD_KEYS = ["plain.txt", "with space/and+plus~tilde.txt", "non-ascii/été 東京.log", "double//slash/x", "dots/./and/../y",
                "percent%20literal", "query?and=equals&amp"]


def new_bucket(emulator):
    name = "e2e-" + secrets.token_hex(6)
    emulator.aws("s3api", "create-bucket", "--bucket", name)
    return name


def keyed_client(emulator, keys):
    """An S3 client with KEYS (an identity the control API made), path-style as for any endpoint override."""
    return boto3.session.Session().client("s3", region_name=emulator.region, endpoint_url=emulator.endpoint,
                                          config=Config(s3={"addressing_style": "path"}), aws_access_key_id=keys["access_key_id"],
                                          aws_secret_access_key=keys["secret_access_key"])


def limited_identity(emulator, name, actions, resource="*"):
    """An identity allowed only ACTIONS on RESOURCE (the control API adds it)."""
    return emulator.control("identities", {"name": name, "policy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": actions, "Resource": resource}]}})


def signed_request(emulator, method, path, body=b"", content_sha256=None, secret=None, headers=None, send_path=None, unsigned=None):
    """A raw request signed by botocore's S3 signer, with x-amz-content-sha256 as given (None: the
    signer's own, the body's hash) and the status, headers and body S3 answered. SEND_PATH is what
    goes on the wire when it differs from the PATH signed; UNSIGNED headers are added after signing."""
    admin = emulator.identity("admin")
    request = AWSRequest(method=method, url=emulator.endpoint + path, data=body, headers=dict(headers or {}))
    signer = S3SigV4Auth(Credentials(admin["access_key_id"], secret or admin["secret_access_key"]), "s3", emulator.region)
    if content_sha256:
        signer.payload = lambda r: content_sha256   # the signer writes and signs this as x-amz-content-sha256
    signer.add_auth(request)
    if content_sha256 is False:
        del request.headers["X-Amz-Content-SHA256"]
    sent_headers = dict(request.headers.items(), **(unsigned or {}))
    # http.client sends str values as Latin-1: send non-ASCII ones as the UTF-8 they were signed as.
    sent_headers = {k: v.encode("utf-8") if isinstance(v, str) and not v.isascii() else v for k, v in sent_headers.items()}
    prepared = urllib.request.Request(emulator.endpoint + (send_path or path), data=body or None, method=method, headers=sent_headers)
    try:
        with urllib.request.urlopen(prepared, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_cli_copies_a_binary_file_up_and_down_and_lists_it(emulator, tmp_path):
    bucket = new_bucket(emulator)
    data = os.urandom(300_000) + bytes.fromhex("efbfbd00ff")
    local = tmp_path / "in.bin"
    local.write_bytes(data)
    key = "runs/a b+c~é.bin"
    emulator.aws("s3", "cp", str(local), "s3://%s/%s" % (bucket, key))
    listing = emulator.aws_json("s3api", "list-objects-v2", "--bucket", bucket)
    assert [(o["Key"], o["Size"]) for o in listing["Contents"]] == [(key, len(data))]
    head = emulator.aws_json("s3api", "head-object", "--bucket", bucket, "--key", key)
    assert head["ContentLength"] == len(data) and head["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
    emulator.aws("s3", "cp", "s3://%s/%s" % (bucket, key), str(tmp_path / "back.bin"))
    assert (tmp_path / "back.bin").read_bytes() == data
    got = emulator.aws_json("s3api", "get-object", "--bucket", bucket, "--key", key, "--range", "bytes=10-19", str(tmp_path / "part"))
    assert got["ContentRange"] == "bytes 10-19/%d" % len(data) and (tmp_path / "part").read_bytes() == data[10:20]
    assert "runs/a b+c~é.bin" in emulator.aws("s3", "ls", "s3://%s/" % bucket, "--recursive").stdout
    emulator.aws("s3", "rm", "s3://%s/%s" % (bucket, key))
    assert "Contents" not in emulator.aws_json("s3api", "list-objects-v2", "--bucket", bucket)


def test_cli_copies_a_20_mib_file_in_parts_both_ways(emulator, tmp_path):
    # Past 8 MiB `aws s3 cp` uploads in parts (multipart) and downloads in ranged GETs.
    bucket = new_bucket(emulator)
    data = os.urandom(20 * 1024 * 1024 + 12345)
    (tmp_path / "big").write_bytes(data)
    emulator.aws("s3", "cp", str(tmp_path / "big"), "s3://%s/big" % bucket)
    head = emulator.aws_json("s3api", "head-object", "--bucket", bucket, "--key", "big")
    assert head["ContentLength"] == len(data) and head["ETag"].endswith('-3"')
    emulator.aws("s3", "cp", "s3://%s/big" % bucket, str(tmp_path / "back"))
    assert hashlib.sha256((tmp_path / "back").read_bytes()).digest() == hashlib.sha256(data).digest()
    calls = emulator.control("state")["api_calls"]
    assert calls["s3:UploadPart"]["admin"] >= 3 and calls["s3:CompleteMultipartUpload"]["admin"] >= 1


def test_botocore_round_trips_awkward_keys_and_lists_them_by_prefix_and_page(emulator):
    s3 = emulator.client("s3")
    bucket = new_bucket(emulator)
    for key in AWKWARD_KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode() * 3)
    for key in AWKWARD_KEYS:
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == key.encode() * 3
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={"PageSize": 2})
    listed = [o["Key"] for page in pages for o in page.get("Contents", [])]
    assert listed == sorted(AWKWARD_KEYS)
    top = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert sorted(p["Prefix"] for p in top["CommonPrefixes"]) == ["dots/", "double/", "non-ascii/", "with space/"]
    assert sorted(o["Key"] for o in top["Contents"]) == ["percent%20literal", "plain.txt", "query?and=equals&amp"]
    assert top["KeyCount"] == 7
    nested = s3.list_objects_v2(Bucket=bucket, Prefix="double/", Delimiter="/")
    assert [p["Prefix"] for p in nested["CommonPrefixes"]] == ["double//"]


def test_unsigned_payload_is_accepted_and_a_wrong_body_hash_is_refused(emulator):
    bucket = new_bucket(emulator)
    status, _, _ = signed_request(emulator, "PUT", "/%s/unsigned" % bucket, b"body", content_sha256="UNSIGNED-PAYLOAD")
    assert status == 200
    assert emulator.client("s3").get_object(Bucket=bucket, Key="unsigned")["Body"].read() == b"body"
    status, _, body = signed_request(emulator, "PUT", "/%s/wrong" % bucket, b"body", content_sha256=hashlib.sha256(b"other").hexdigest())
    assert status == 400 and b"<Code>XAmzContentSHA256Mismatch</Code>" in body
    status, _, body = signed_request(emulator, "PUT", "/%s/missing" % bucket, b"body", content_sha256=False)
    assert status == 400 and b"Missing required header for this request: x-amz-content-sha256" in body
    status, _, body = signed_request(emulator, "GET", "/%s/unsigned" % bucket, secret="wrong/secret")
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body


def test_a_virtual_hosted_request_names_its_bucket_in_the_host(emulator):
    # The real agent's SDK has no path-style switch: it sends BUCKET.s3.REGION.DOMAIN as the Host.
    bucket = new_bucket(emulator)
    host = "%s.s3.%s.emulator.invalid:%s" % (bucket, emulator.region, emulator.endpoint.rsplit(":", 1)[1])
    status, _, _ = signed_request(emulator, "PUT", "/hosted%20key", b"hosted", headers={"Host": host})
    assert status == 200
    assert emulator.client("s3").get_object(Bucket=bucket, Key="hosted key")["Body"].read() == b"hosted"


def test_errors_are_s3_shaped_through_the_cli(emulator, tmp_path):
    bucket = new_bucket(emulator)
    missing = emulator.aws("s3api", "get-object", "--bucket", bucket, "--key", "nope", str(tmp_path / "x"), check=False)
    assert missing.returncode != 0 and "NoSuchKey" in missing.stderr
    no_bucket = emulator.aws("s3api", "list-objects-v2", "--bucket", "no-such-bucket-here", check=False)
    assert "NoSuchBucket" in no_bucket.stderr
    head = emulator.aws("s3api", "head-object", "--bucket", bucket, "--key", "nope", check=False)
    assert "404" in head.stderr
    denied = emulator.aws("s3api", "list-objects-v2", "--bucket", bucket, identity="basic", check=False)
    assert "AccessDenied" in denied.stderr and "s3:ListBucket" in denied.stderr and "arn:aws:s3:::%s" % bucket in denied.stderr
    wrong = emulator.aws("s3api", "list-objects-v2", "--bucket", bucket, check=False,
                         env=emulator.env(AWS_SECRET_ACCESS_KEY="not-the-secret"))
    assert "SignatureDoesNotMatch" in wrong.stderr
    unknown = emulator.aws("s3api", "list-objects-v2", "--bucket", bucket, check=False, env=emulator.env(AWS_ACCESS_KEY_ID="AKIANOSUCHKEY0000000"))
    assert "InvalidAccessKeyId" in unknown.stderr
    elsewhere = emulator.aws("s3api", "list-objects-v2", "--bucket", bucket, "--region", "eu-west-3", check=False)
    assert "AuthorizationHeaderMalformed" in elsewhere.stderr and "eu-west-3" in elsewhere.stderr
    emulator.faults(clock_skew=3600)
    skewed = emulator.aws("s3api", "list-objects-v2", "--bucket", bucket, check=False)
    assert "RequestTimeTooSkewed" in skewed.stderr


def test_object_permissions_use_object_arns_and_hide_missing_keys_without_list_bucket(emulator):
    bucket = new_bucket(emulator)
    s3 = emulator.client("s3")
    s3.put_object(Bucket=bucket, Key="team/a.txt", Body=b"a")
    s3.put_object(Bucket=bucket, Key="other/b.txt", Body=b"b")
    keys = limited_identity(emulator, "s3-team-reader", ["s3:GetObject"], "arn:aws:s3:::%s/team/*" % bucket)
    reader = keyed_client(emulator, keys)
    assert reader.get_object(Bucket=bucket, Key="team/a.txt")["Body"].read() == b"a"
    with pytest.raises(botocore.exceptions.ClientError) as denied:
        reader.get_object(Bucket=bucket, Key="other/b.txt")
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    # Without s3:ListBucket a missing key is AccessDenied (403), never NoSuchKey.
    with pytest.raises(botocore.exceptions.ClientError) as hidden:
        reader.get_object(Bucket=bucket, Key="team/missing.txt")
    assert hidden.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(botocore.exceptions.ClientError) as no_put:
        reader.put_object(Bucket=bucket, Key="team/new.txt", Body=b"x")
    assert no_put.value.response["Error"]["Code"] == "AccessDenied"


def test_the_other_routes_still_win_over_bucket_paths(emulator):
    # /_emulator/... and POST / are the emulator's, not a bucket's; an unsigned S3 request is denied.
    assert "faults" in emulator.control("state")
    assert emulator.client("ssm").describe_instance_information()["InstanceInformationList"]
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        urllib.request.urlopen(emulator.endpoint + "/some-bucket/key", timeout=10)
    assert anonymous.value.code == 403 and b"<Code>AccessDenied</Code>" in anonymous.value.read()


# -- Run Command output in S3 ----------------------------------------------------------------------

NODE = "i-0a1b2c3d4e5f60001"
TERMINAL = ("Success", "Failed", "TimedOut", "Cancelled")


def run_and_wait(emulator, commands, seconds=60, **options):
    """SendCommand to NODE with OPTIONS (OutputS3*), then the invocation once it has ended."""
    ssm = emulator.client("ssm")
    command_id = ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[NODE], Parameters={"commands": commands},
                                  **options)["Command"]["CommandId"]
    return command_id, ended_invocation(ssm, command_id, NODE, seconds)


def key_of(url, bucket):
    """The key of a StandardOutputUrl: path-style, the bucket first, the key percent-encoded."""
    parts = urllib.parse.urlsplit(url)
    assert parts.scheme == "https" and parts.netloc == "s3.us-east-1.amazonaws.com", url
    first, _, key = parts.path.lstrip("/").partition("/")
    assert first == bucket
    return urllib.parse.unquote(key)


def test_an_invocation_printing_200000_characters_is_read_back_whole_from_s3(emulator, tmp_path):
    bucket = new_bucket(emulator)
    # 20,000 lines of 10 characters: 200,000 characters, far past the API's 24,000.
    command_id, invocation = run_and_wait(emulator, ["yes 012345678 | head -n 20000", "echo 'to stderr' >&2"],
                                          OutputS3BucketName=bucket, OutputS3KeyPrefix="runs/2026")
    expected = "012345678\n" * 20000
    assert invocation["Status"] == "Success"
    assert len(invocation["StandardOutputContent"]) == 24000 and invocation["StandardOutputContent"].endswith("--output truncated--")
    stdout_key = key_of(invocation["StandardOutputUrl"], bucket)
    assert stdout_key == "runs/2026/%s/%s/awsrunShellScript/0.awsrunShellScript/stdout" % (command_id, NODE)
    s3 = emulator.client("s3")
    whole = s3.get_object(Bucket=bucket, Key=stdout_key)["Body"].read().decode()
    assert len(whole) == 200000 and whole == expected
    assert s3.get_object(Bucket=bucket, Key=key_of(invocation["StandardErrorUrl"], bucket))["Body"].read() == b"to stderr\n"
    # Uploaded through the front door, signed as the node (the simulated agents' identity), one PutObject per stream.
    assert emulator.control("state")["api_calls"]["s3:PutObject"] == {"emulator-agent": 2}
    # The AWS CLI reads the same object.
    emulator.aws("s3", "cp", "s3://%s/%s" % (bucket, stdout_key), str(tmp_path / "stdout"))
    assert (tmp_path / "stdout").read_text() == expected


def test_output_s3_options_are_kept_and_returned_as_aws_returns_them(emulator):
    bucket = new_bucket(emulator)
    command_id, invocation = run_and_wait(emulator, ["echo hi"], OutputS3BucketName=bucket, OutputS3KeyPrefix="p//q/",
                                          OutputS3Region="us-east-1")
    ssm = emulator.client("ssm")
    command = ssm.list_commands(CommandId=command_id)["Commands"][0]
    assert (command["OutputS3BucketName"], command["OutputS3KeyPrefix"], command["OutputS3Region"]) == (bucket, "p//q/", "us-east-1")
    entry = ssm.list_command_invocations(CommandId=command_id, Details=True)["CommandInvocations"][0]
    plugin = entry["CommandPlugins"][0]
    # The agent joins the prefix with Go's path.Join: '//' and the trailing '/' collapse.
    assert plugin["OutputS3KeyPrefix"] == "p/q/%s/%s/awsrunShellScript" % (command_id, NODE)
    assert plugin["OutputS3BucketName"] == bucket and plugin["OutputS3Region"] == "us-east-1"
    assert plugin["StandardOutputUrl"] == entry["StandardOutputUrl"] == invocation["StandardOutputUrl"]
    assert emulator.client("s3").get_object(Bucket=bucket, Key=key_of(plugin["StandardOutputUrl"], bucket))["Body"].read() == b"hi\n"
    # Nothing went to stderr: the agent uploads no empty stream, the URL still names where it would be.
    with pytest.raises(botocore.exceptions.ClientError) as missing:
        emulator.client("s3").get_object(Bucket=bucket, Key=key_of(invocation["StandardErrorUrl"], bucket))
    assert missing.value.response["Error"]["Code"] == "NoSuchKey"
    listed = emulator.client("s3").list_objects_v2(Bucket=bucket)["Contents"]
    assert [o["Key"] for o in listed] == ["p/q/%s/%s/awsrunShellScript/0.awsrunShellScript/stdout" % (command_id, NODE)]


def test_urls_are_empty_until_the_invocation_ends_and_without_a_bucket(emulator, tmp_path):
    bucket = new_bucket(emulator)
    gate = tmp_path / "go"
    ssm = emulator.client("ssm")
    command_id = ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[NODE], OutputS3BucketName=bucket,
                                  Parameters={"commands": ["echo started", "while [ ! -e %s ]; do sleep 0.05; done" % gate]})["Command"]["CommandId"]
    deadline = time.monotonic() + 30
    while ssm.list_command_invocations(CommandId=command_id)["CommandInvocations"][0]["Status"] != "InProgress":
        assert time.monotonic() < deadline, "the command never ran"
        time.sleep(0.05)
    running = ssm.list_command_invocations(CommandId=command_id, Details=True)["CommandInvocations"][0]
    assert running["StandardOutputUrl"] == "" and running["CommandPlugins"][0]["StandardOutputUrl"] == ""
    gate.touch()
    _, plain = run_and_wait(emulator, ["echo no bucket"])
    assert plain["StandardOutputUrl"] == plain["StandardErrorUrl"] == ""
    deadline = time.monotonic() + 30
    while not ssm.get_command_invocation(CommandId=command_id, InstanceId=NODE)["StandardOutputUrl"]:
        assert time.monotonic() < deadline, "the command never ended"
        time.sleep(0.05)
    assert key_of(ssm.get_command_invocation(CommandId=command_id, InstanceId=NODE)["StandardOutputUrl"], bucket).startswith(command_id + "/")


def test_a_command_cancelled_before_it_runs_still_ends_cancelled_with_nothing_uploaded(emulator):
    bucket = new_bucket(emulator)
    emulator.faults(agent_delay=1.0)      # the agent holds the job a second before it runs it
    ssm = emulator.client("ssm")
    command_id = ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[NODE], OutputS3BucketName=bucket,
                                  Parameters={"commands": ["echo never"]})["Command"]["CommandId"]
    ssm.cancel_command(CommandId=command_id)
    deadline = time.monotonic() + 30
    while (status := ssm.list_command_invocations(CommandId=command_id)["CommandInvocations"][0]["Status"]) not in TERMINAL:
        assert time.monotonic() < deadline, "the cancelled invocation never ended (still %s)" % status
        time.sleep(0.1)
    assert status == "Cancelled"
    assert "Contents" not in emulator.client("s3").list_objects_v2(Bucket=bucket)


def test_output_keys_join_the_prefix_as_gos_path_join_does():
    # Pure: the agent joins with Go's path.Join (fileutil.BuildS3Path), ':' dropped from each added element.
    assert output_keys.go_path_join("", "cmd", "i-1") == "cmd/i-1"
    assert output_keys.go_path_join("a//b/", "./c", "d/../e") == "a/b/c/e"
    assert output_keys.go_path_join("/abs/", "x") == "/abs/x" and output_keys.go_path_join("", "") == ""
    prefix = output_keys.plugin_key_prefix("runs/", "c1", "i-1", "aws:runShellScript")
    assert prefix == "runs/c1/i-1/awsrunShellScript"
    assert output_keys.stream_key(prefix, output_keys.step_name("0.aws:runShellScript"), "stderr") == prefix + "/0.awsrunShellScript/stderr"
    assert output_keys.object_url("eu-west-3", "b", "p q/é") == "https://s3.eu-west-3.amazonaws.com/b/p%20q/%C3%A9"



def test_x_amz_headers_must_be_signed(emulator):
    bucket = new_bucket(emulator)
    status, _, body = signed_request(emulator, "PUT", "/%s/k" % bucket, b"x", unsigned={"x-amz-meta-added": "later"})
    assert status == 403 and b"<Code>AccessDenied</Code>" in body and b"<HeadersNotSigned>x-amz-meta-added</HeadersNotSigned>" in body


def test_a_plus_in_the_query_is_a_plus_as_it_was_signed(emulator):
    bucket = new_bucket(emulator)
    s3 = emulator.client("s3")
    for key in ("a+b/1", "a b/2"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    # Signed as a%2Bb (SigV4 encodes '+'), sent as a raw '+': both are the key prefix "a+b".
    status, _, body = signed_request(emulator, "GET", "/%s?list-type=2&prefix=a%%2Bb" % bucket, send_path="/%s?list-type=2&prefix=a+b" % bucket)
    assert status == 200 and b"<Key>a+b/1</Key>" in body and b"a b/2" not in body


def test_a_malformed_range_is_ignored_and_an_unsatisfiable_one_refused(emulator):
    bucket = new_bucket(emulator)
    emulator.client("s3").put_object(Bucket=bucket, Key="r", Body=b"0123456789")
    for malformed in ("bytes=a-5", "bytes=-\u00b2", "bytes=1-2,4-5", "items=1-2"):
        status, _, body = signed_request(emulator, "GET", "/%s/r" % bucket, headers={"Range": malformed})
        assert (status, body) == (200, b"0123456789"), malformed
    status, _, body = signed_request(emulator, "GET", "/%s/r" % bucket, headers={"Range": "bytes=10-"})
    assert status == 416 and b"<Code>InvalidRange</Code>" in body
    # A signed header whose bytes on the wire are not the UTF-8 signed (Latin-1 here) fails the
    # signature check; it never crashes the service.
    status, _, body = signed_request(emulator, "GET", "/%s/r" % bucket, headers={"Range": "bytes=-\u00b2"},
                                     unsigned={"Range": "bytes=-\u00b2".encode("latin-1")})
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body
    status, _, body = signed_request(emulator, "GET", "/%s/r" % bucket, headers={"Range": "bytes=10-"})
    assert status == 416 and b"<Code>InvalidRange</Code>" in body
    status, _, body = signed_request(emulator, "GET", "/%s/r" % bucket, headers={"Range": "bytes=-3"})
    assert (status, body) == (206, b"789")


def test_a_key_that_is_not_utf8_is_refused_and_never_taken_for_another(emulator):
    bucket = new_bucket(emulator)
    status, _, body = signed_request(emulator, "PUT", "/%s/%%FF" % bucket, b"x")
    assert status == 400 and b"<Code>InvalidURI</Code>" in body
    assert "Contents" not in emulator.client("s3").list_objects_v2(Bucket=bucket)
