"""The emulator's per-account, per-region, per-operation rate limits (issue 14): AWS's
ThrottlingException over the configured rate, counted in /_emulator/state, with botocore's
standard and adaptive retry modes; the token bucket itself with a clock passed in."""
import http.client
import json
import os
import sys
import urllib.parse

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
import botocore.exceptions
import pytest
from botocore.config import Config

from conftest import ROOT, start_emulator

sys.path.insert(0, os.path.join(ROOT, "scripts", "emulator"))
from emulator.ratelimit import RateLimiter, parse_limit  # noqa: E402

EMULATOR_DIR = os.path.join(ROOT, "scripts", "emulator")


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_the_token_bucket_allows_the_burst_then_the_rate():
    clock = Clock()
    limiter = RateLimiter(clock)
    limits = {"SendCommand": {"rate": 2, "burst": 3}}
    assert [limiter.take(limits, "1", "r", "SendCommand") for _ in range(4)] == [True, True, True, False]
    clock.now += 0.5   # one token back at 2 a second
    assert [limiter.take(limits, "1", "r", "SendCommand") for _ in range(2)] == [True, False]
    assert limiter.take(limits, "2", "r", "SendCommand"), "each account has its own bucket"
    assert limiter.take(limits, "1", "other", "SendCommand"), "each region has its own bucket"
    assert all(limiter.take(limits, "1", "r", "ListCommands") for _ in range(10)), "other operations are not limited"
    assert limiter.take({}, "1", "r", "SendCommand"), "no limits: nothing is throttled"


def test_the_buckets_are_bounded_whatever_operation_names_callers_send():
    limiter = RateLimiter(Clock())
    limiter.max_buckets = 10
    for n in range(25):
        limiter.take({"*": {"rate": 1, "burst": 1}}, "1", "r", "Made-up-%d" % n)
    assert len(limiter.buckets) <= 10


def test_a_star_limit_covers_every_operation_and_the_start_option_is_read():
    limiter = RateLimiter(Clock())
    limits = dict([parse_limit("*=1")])
    assert limits == {"*": {"rate": 1.0, "burst": 1.0}}
    assert [limiter.take(limits, "1", "r", "ListCommands") for _ in range(2)] == [True, False]
    assert parse_limit("SendCommand=0.5:4") == ("SendCommand", {"rate": 0.5, "burst": 4.0})
    for bad in ("SendCommand", "=3", "SendCommand=0", "SendCommand=x", "SendCommand=1:0", "SendCommand=nan", "SendCommand=inf",
                "SendCommand=1:nan"):
        with pytest.raises(ValueError):
            parse_limit(bad)


@pytest.fixture(scope="module")
def limited():
    started = start_emulator("--fleet", os.path.join(EMULATOR_DIR, "fleets", "multi.json"),
                             "--identities", os.path.join(EMULATOR_DIR, "identities-multi.json"),
                             "--rate-limit", "DescribeInstanceInformation=2:3")
    yield started
    started.process.terminate()
    started.process.wait(timeout=10)


@pytest.fixture(autouse=True)
def reset_limited(request):
    yield
    if "limited" in request.fixturenames:
        request.getfixturevalue("limited").control("reset", {})


def ssm(emulator, identity, region, mode, attempts):
    creds = emulator.identity(identity)
    return boto3.session.Session().client("ssm", region_name=region, endpoint_url=emulator.endpoint,
                                           aws_access_key_id=creds["access_key_id"], aws_secret_access_key=creds["secret_access_key"],
                                           config=Config(retries={"mode": mode, "max_attempts": attempts}))


def raw_call(emulator, identity, region, target, body):
    """One signed SSM call by hand: (HTTP status, JSON body), as the wire carries them."""
    creds = emulator.identity(identity)
    request = botocore.awsrequest.AWSRequest(method="POST", url=emulator.endpoint + "/", data=body.encode(),
                                             headers={"X-Amz-Target": "AmazonSSM." + target, "Content-Type": "application/x-amz-json-1.1"})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(creds["access_key_id"], creds["secret_access_key"]), "ssm", region).add_auth(request)
    url = urllib.parse.urlsplit(emulator.endpoint)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    connection.request("POST", "/", body=body.encode(), headers=dict(request.headers.items()))
    response = connection.getresponse()
    return response.status, json.loads(response.read())


# Slow rates, so that a loaded machine's slow calls cannot refill the bucket between them.
SLOW = {"DescribeInstanceInformation": {"rate": 0.2, "burst": 2}}


def test_over_the_rate_the_answer_is_awss_throttling_exception(limited):
    limited.faults(rate_limits=SLOW)
    answers = [raw_call(limited, "alpha-admin", "us-east-1", "DescribeInstanceInformation", "{}") for _ in range(4)]
    throttled = [a for a in answers if a[0] != 200]
    assert [a[0] for a in answers[:2]] == [200, 200]
    assert throttled, "four calls at once against a burst of 2 at one each 5 s"
    assert set(json.dumps(a) for a in throttled) == {json.dumps(
        [400, {"__type": "com.amazon.coral.availability#ThrottlingException", "message": "Rate exceeded"}])}
    state = limited.control("state")
    assert state["throttled"] == {"DescribeInstanceInformation": {"111111111111/us-east-1": len(throttled)}}
    # Another operation, another account and another region each have their own rate.
    assert raw_call(limited, "alpha-admin", "us-east-1", "ListCommands", "{}")[0] == 200
    assert raw_call(limited, "beta-admin", "us-east-1", "DescribeInstanceInformation", "{}")[0] == 200
    assert raw_call(limited, "alpha-admin", "eu-west-1", "DescribeInstanceInformation", "{}")[0] == 200


def test_botocore_without_retries_sees_the_error_and_both_retry_modes_get_through(limited):
    limited.faults(rate_limits=SLOW)
    single = ssm(limited, "beta-admin", "eu-west-1", "standard", 1)
    with pytest.raises(botocore.exceptions.ClientError) as error:
        for _ in range(4):
            single.describe_instance_information()
    assert (error.value.response["Error"]["Code"], error.value.response["Error"]["Message"]) == ("ThrottlingException", "Rate exceeded")
    for mode in ("standard", "adaptive"):
        limited.control("reset", {})
        limited.faults(rate_limits={"DescribeInstanceInformation": {"rate": 0.5, "burst": 1}})
        client = ssm(limited, "beta-admin", "eu-west-1", mode, 10)
        answers = [client.describe_instance_information()["InstanceInformationList"] for _ in range(3)]
        assert all(len(a) == 3 for a in answers), mode
        assert limited.control("state")["throttled"]["DescribeInstanceInformation"]["222222222222/eu-west-1"] >= 1, mode


def test_the_control_api_sets_and_reset_restores_the_start_options_limits(limited):
    limited.faults(rate_limits={"ListCommands": {"rate": 1, "burst": 1}})
    statuses = [raw_call(limited, "gamma-admin", "us-east-1", "ListCommands", "{}")[0] for _ in range(3)]
    assert statuses[0] == 200 and 400 in statuses
    assert all(raw_call(limited, "gamma-admin", "us-east-1", "DescribeInstanceInformation", "{}")[0] == 200 for _ in range(4)), \
        "the control API's limits replace the start option's"
    limited.control("reset", {})
    assert limited.control("state")["faults"]["rate_limits"] == {"DescribeInstanceInformation": {"rate": 2.0, "burst": 3.0}}
    assert limited.control("state")["throttled"] == {}


def test_a_malformed_limit_is_refused_by_the_control_api(emulator):
    import urllib.error
    for bad in (5, {"SendCommand": 3}, {"SendCommand": {"rate": 0}}, {"SendCommand": {"rate": 1, "burst": 0.5}},
                {"SendCommand": {"rate": 1, "per": "minute"}}, {"SendCommand": {"rate": 1, "burst": 0}},
                {"SendCommand": {"rate": "nan"}}, {"SendCommand": {"rate": 1, "burst": None}}):
        with pytest.raises(urllib.error.HTTPError) as refused:
            emulator.faults(rate_limits=bad)
        assert refused.value.code == 400, bad
    assert emulator.control("state")["faults"]["rate_limits"] == {}


def test_without_limits_nothing_is_throttled(emulator):
    client = emulator.client("ssm")
    for _ in range(20):
        client.list_commands(MaxResults=5)
    assert emulator.control("state")["throttled"] == {}
