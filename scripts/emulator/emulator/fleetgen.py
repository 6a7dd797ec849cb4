"""A generated fleet for scale (`--cheap-nodes N`): N nodes served by the cheap agent
(cheapagent.py), spread round-robin over every account and region given, with ids, Name tags,
Role and Env tags, platforms and delays that depend only on each node's number (the same
fleet every start)."""

ROLES = ("web", "api", "worker", "db")
ENVS = ("prod", "staging")
# (platform, platform_name, platform_version): mostly Linux, one node in 25 Windows.
LINUX = (("Linux", "Amazon Linux", "2023"), ("Linux", "Ubuntu", "22.04"))
WINDOWS = ("Windows", "Microsoft Windows Server 2022 Datacenter", "10.0.20348")


class FleetGenerator:
    """COUNT nodes over ACCOUNTS x REGIONS; each takes its command after a delay between
    MIN_DELAY and MAX_DELAY seconds (spread evenly by a fixed permutation of node numbers)."""

    def __init__(self, count, accounts, regions, min_delay=0.05, max_delay=0.05):
        self.count = count
        self.pairs = [(a, r) for a in accounts for r in regions]
        self.min_delay = min_delay
        self.max_delay = max_delay

    def nodes(self):
        return [self.node(i) for i in range(self.count)]

    def node(self, i):
        account, region = self.pairs[i % len(self.pairs)]
        pair_index = i % len(self.pairs)
        role = ROLES[(i // len(self.pairs)) % len(ROLES)]
        windows = i % 25 == 24
        platform, platform_name, platform_version = WINDOWS if windows else LINUX[(i // 7) % len(LINUX)]
        name = "%s-%05d" % ("win" if windows else role, i)
        ip = "10.%d.%d.%d" % (pair_index, (i >> 8) & 255, i & 255)
        spread = ((i * 7919) % 1000) / 999.0     # a fixed permutation of 0..999, so delays are not in id order
        return {
            "id": "i-0c%015x" % i, "account": account, "region": region, "agent": "cheap",
            "tags": {"Name": name, "Role": "windows" if windows else role, "Env": ENVS[i % len(ENVS)], "Fleet": "scale"},
            "platform": platform, "platform_name": platform_name, "platform_version": platform_version,
            "agent_version": "3.3.1142.0", "ping_status": "Online", "ip": ip,
            "computer_name": "ip-%s.%s.compute.internal" % (ip.replace(".", "-"), region),
            "resource_type": "EC2Instance", "iam_role": "ssm-instance-role",
            "delivery_delay": round(self.min_delay + (self.max_delay - self.min_delay) * spread, 4),
        }
