"""Buckets and their objects, in memory. Pure: no HTTP here."""
import dataclasses
import hashlib
import re
import threading
import time

# Bucket naming rules (S3 User Guide, "General purpose bucket naming rules"): 3-63 characters,
# lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit.
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


@dataclasses.dataclass
class StoredObject:
    body: bytes
    content_type: str
    last_modified: float
    metadata: dict
    multipart_etag: str = None      # set when a multipart upload made it

    @property
    def etag(self):
        # A single-part upload's ETag is the MD5 of its bytes, quoted (S3 API reference, Object).
        return self.multipart_etag or '"%s"' % hashlib.md5(self.body).hexdigest()


@dataclasses.dataclass
class Bucket:
    name: str
    region: str
    created: float
    objects: dict = dataclasses.field(default_factory=dict)   # key -> StoredObject
    owner: str = ""   # the account that made it: ListBuckets shows an account its own


class ObjectStore:
    """Every bucket, of every account (bucket names are global, as on S3); safe to call from any thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.buckets = {}

    @staticmethod
    def valid_bucket_name(name):
        return bool(BUCKET_NAME.match(name)) and ".." not in name and not re.match(r"^\d+\.\d+\.\d+\.\d+$", name)

    def create_bucket(self, name, region, owner=""):
        """The new Bucket, or None when it exists already."""
        with self.lock:
            if name in self.buckets:
                return None
            bucket = self.buckets[name] = Bucket(name, region, time.time(), owner=owner)
            return bucket

    def bucket(self, name):
        return self.buckets.get(name)

    def put(self, bucket, key, body, content_type, metadata):
        stored = StoredObject(bytes(body), content_type or "binary/octet-stream", time.time(), dict(metadata))
        with self.lock:
            bucket.objects[key] = stored
        return stored

    def delete(self, bucket, key):
        with self.lock:
            bucket.objects.pop(key, None)

    def list(self, bucket, prefix="", delimiter="", start_after="", max_keys=1000):
        """ListObjectsV2's page: (entries, truncated, last) where entries are ("key", key, object)
        and ("prefix", common_prefix, None) in key order, and last is the key or common prefix to
        continue after. Common prefixes count against max_keys as keys do (S3 API reference)."""
        with self.lock:
            keys = sorted(k for k in bucket.objects if k.startswith(prefix) and k > start_after)
            objects = {k: bucket.objects[k] for k in keys}
        entries, seen_prefixes = [], set()
        for key in keys:
            if delimiter:
                cut = key.find(delimiter, len(prefix))
                if cut >= 0:
                    common = key[:cut + len(delimiter)]
                    if common in seen_prefixes or common <= start_after:
                        continue
                    if len(entries) == max_keys:
                        return entries, True, entries[-1][1] if entries else start_after
                    seen_prefixes.add(common)
                    entries.append(("prefix", common, None))
                    continue
            if len(entries) == max_keys:
                return entries, True, entries[-1][1] if entries else start_after
            entries.append(("key", key, objects[key]))
        return entries, False, ""
