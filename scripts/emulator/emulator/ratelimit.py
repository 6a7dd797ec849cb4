"""Per-account, per-region, per-operation request rates, as AWS throttles its APIs: a token bucket
for each (account, region, operation), refilled at `rate` a second up to `burst`; a call that finds
it empty is answered ThrottlingException. Configured by the `rate_limits` fault (state.Faults):
{"OPERATION" or "*": {"rate": R, "burst": B}}; empty (the default) throttles nothing."""
import math
import time

from .errors import AWSError


def throttling_error(protocol):
    """The error AWS sends for a throttled call, in each protocol's shape: JSON services answer
    coral's availability ThrottlingException, awsQuery (STS) Throttling, EC2 RequestLimitExceeded."""
    if protocol == "json":
        return AWSError("ThrottlingException", "Rate exceeded", 400, namespace="com.amazon.coral.availability#")
    if protocol == "ec2":
        return AWSError("RequestLimitExceeded", "Request limit exceeded.", 503, sender=False)
    return AWSError("Throttling", "Rate exceeded", 400)


def parse_limit(text):
    """A start option's OPERATION=RATE[:BURST] as (operation, {"rate": R, "burst": B}); ValueError when malformed."""
    operation, _, numbers = text.partition("=")
    rate, _, burst = numbers.partition(":")
    limit = {"rate": float(rate), "burst": float(burst) if burst else max(1.0, float(rate))}
    if not operation or not all(map(math.isfinite, limit.values())) or limit["rate"] <= 0 or limit["burst"] < 1:
        raise ValueError("%r: expected OPERATION=RATE[:BURST] with RATE > 0 and BURST >= 1 (OPERATION may be *)" % text)
    return operation, limit


def checked_limits(limits):
    """The `rate_limits` fault's value, checked: {OPERATION: {"rate": R > 0, "burst": B >= 1}}; ValueError otherwise."""
    if not isinstance(limits, dict):
        raise ValueError("rate_limits: expected {OPERATION: {\"rate\": R, \"burst\": B}}")
    checked = {}
    for operation, limit in limits.items():
        if not isinstance(limit, dict) or set(limit) - {"rate", "burst"}:
            raise ValueError("rate_limits[%r]: expected {\"rate\": R, \"burst\": B}" % operation)
        try:
            rate = float(limit.get("rate", 0))
            burst = float(limit["burst"]) if "burst" in limit else max(1.0, rate)
        except (TypeError, ValueError):
            raise ValueError("rate_limits[%r]: rate and burst must be numbers" % operation)
        if not (math.isfinite(rate) and math.isfinite(burst)) or rate <= 0 or burst < 1:
            raise ValueError("rate_limits[%r]: rate must be > 0 and burst >= 1" % operation)
        checked[operation] = {"rate": rate, "burst": burst}
    return checked


class RateLimiter:
    """The token buckets; CLOCK (monotonic seconds) is passed in for tests."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.buckets = {}     # (account, region, operation) -> [tokens, last refill time, (rate, burst)]
        # A `*` limit keys buckets by whatever operation name a caller sends: bounded, a full table starts afresh.
        self.max_buckets = 100_000

    def take(self, limits, account, region, operation):
        """True when the call may go ahead (a token taken), False when it is over the rate."""
        limit = limits.get(operation) or limits.get("*")
        if not limit:
            return True
        rate, burst = limit["rate"], limit["burst"]
        key = (account, region, operation)
        now = self.clock()
        bucket = self.buckets.get(key)
        if bucket is None and len(self.buckets) >= self.max_buckets:
            self.buckets.clear()
        if bucket is None or bucket[2] != (rate, burst):
            bucket = self.buckets[key] = [burst, now, (rate, burst)]   # a new or changed limit starts full
        bucket[0] = min(burst, bucket[0] + (now - bucket[1]) * rate)
        bucket[1] = now
        if bucket[0] < 1:
            return False
        bucket[0] -= 1
        return True

    def reset(self):
        self.buckets.clear()
