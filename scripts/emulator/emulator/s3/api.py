"""S3 on the emulator's port, path-style (`/BUCKET` and `/BUCKET/KEY`; S3 API reference), and
virtual-hosted style for hosts named BUCKET.s3.REGION.DOMAIN (the real agent's; hosted_bucket).
Served: ListBuckets, CreateBucket, HeadBucket, GetBucketLocation, GetBucketEncryption,
ListObjectsV2, PutObject, GetObject (with Range), HeadObject, DeleteObject. Requests are signed
with S3's SigV4 rules (signing.py) and checked against the caller's policy with bucket and
object ARNs. The routes are the app's last, so /v1/... and /_emulator/... are never a bucket."""
import base64
import binascii
import hashlib
import re

from aiohttp import web

from ..auth import action_allowed
from ..errors import AWSError
from . import responses, signing
from .responses import S3Error
from .multipart import MultipartUploads
from .store import ObjectStore

# An object body the emulator takes in one request (S3's own limit for one PUT is 5 GiB).
MAX_BODY = 256 * 1024 * 1024
# Subresources of a bucket GET that are not served: answered NotImplemented, never as a listing.
UNSERVED = {"acl", "cors", "lifecycle", "logging", "policy", "tagging", "versioning", "versions", "website", "uploads",
            "notification", "replication", "ownershipControls", "publicAccessBlock", "object-lock", "accelerate"}


class S3Service:
    def __init__(self, state, auth):
        self.state = state
        self.auth = auth
        self.store = ObjectStore()
        self.multipart = MultipartUploads()

    def routes(self, app):
        """Registered after every other route: the catch-all patterns must not shadow them."""
        app.router.add_get("/", self.handle)
        app.router.add_route("*", "/{bucket}", self.handle)
        app.router.add_route("*", "/{bucket}/{key:.*}", self.handle)

    def seed(self, names):
        """Buckets made at start (`--bucket NAME`), in the emulator's region."""
        for name in names:
            if not self.store.valid_bucket_name(name):
                raise ValueError("%r is not a valid bucket name (3-63 characters: a-z, 0-9, '.', '-')" % name)
            self.store.create_bucket(name, self.state.region, self.state.default_account)

    async def handle(self, request):
        request_id, host_id = responses.request_ids()
        head = request.method == "HEAD"
        try:
            response = await self._serve(request)
        except S3Error as e:
            response = web.Response(status=e.status, body=None if head else responses.error_body(e, request_id, host_id),
                                    content_type=None if head else "application/xml")
        response.headers["x-amz-request-id"] = request_id
        response.headers["x-amz-id-2"] = host_id
        response.headers["Server"] = "AmazonS3"
        return response

    async def _serve(self, request):
        raw_path, _, raw_query = request.raw_path.partition("?")
        body = await read_body(request)
        who = self._authenticate(request, raw_path, raw_query, body)
        query = signing.query_params(raw_query)
        hosted = hosted_bucket(request.host)
        if hosted:
            bucket_name, key = hosted, raw_path[1:]
        else:
            bucket_name, _, key = raw_path.lstrip("/").partition("/")
        bucket_name, key = signing.decoded_key(bucket_name), signing.decoded_key(key)
        method = request.method
        if not bucket_name:
            if method != "GET":
                raise S3Error("MethodNotAllowed", "The specified method is not allowed against this resource.", 405)
            return self._list_buckets(who)
        if not key:
            return self._bucket_call(request, method, bucket_name, query, body, who)
        return self._object_call(request, method, bucket_name, key, query, body, who)

    def _authenticate(self, request, raw_path, raw_query, body):
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            payload = signing.payload_hash(headers, body) if "authorization" in headers else None
            url = "%s://%s%s" % (request.scheme, request.host, signing.canonical_path(raw_path))
            if raw_query:
                url += "?" + signing.canonical_query(raw_query)
            who = self.auth.authenticate(request.method, url, request.headers, body, "s3", payload)
        except AWSError as e:
            raise signing.auth_error(e)
        except UnicodeEncodeError:
            # A header that is not UTF-8 on the wire (aiohttp keeps its bytes as surrogates) cannot be what was signed.
            raise S3Error("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. "
                          "Check your key and signing method.", 403)
        unsigned = signing.unsigned_amz_headers(headers)
        if unsigned:
            raise S3Error("AccessDenied", "There were headers present in the request which were not signed", 403,
                          HeadersNotSigned=", ".join(unsigned))
        return who

    def _allow(self, who, action, resource):
        if not action_allowed(who.policy, action, resource):
            raise S3Error("AccessDenied", "User: %s is not authorized to perform: %s on resource: \"%s\" because no identity-based "
                          "policy allows the %s action" % (who.arn, action, resource, action), 403)

    def _count(self, operation, who):
        self.state.count_call("s3:" + operation, who.name)

    # -- the account and buckets --------------------------------------------------------------

    def _list_buckets(self, who):
        self._count("ListBuckets", who)
        self._allow(who, "s3:ListAllMyBuckets", "*")
        own = [b for b in self.store.buckets.values() if (b.owner or self.state.default_account) == who.account]
        return self._xml(responses.list_buckets(own, who.user_id))

    def _bucket(self, name):
        bucket = self.store.bucket(name)
        if bucket is None:
            raise responses.no_such_bucket(name)
        return bucket

    def _bucket_call(self, request, method, name, query, body, who):
        arn = "arn:aws:s3:::" + name
        if method == "PUT" and not query:
            self._count("CreateBucket", who)
            return self._create_bucket(name, body, who, arn)
        if method == "HEAD":
            self._count("HeadBucket", who)
            self._allow(who, "s3:ListBucket", arn)
            bucket = self._bucket(name)
            return web.Response(headers={"x-amz-bucket-region": bucket.region, "x-amz-access-point-alias": "false"})
        if method == "GET" and "location" in query:
            self._count("GetBucketLocation", who)
            self._allow(who, "s3:GetBucketLocation", arn)
            return self._xml(responses.bucket_location(self._bucket(name).region))
        if method == "GET" and "encryption" in query:
            self._count("GetBucketEncryption", who)
            self._allow(who, "s3:GetEncryptionConfiguration", arn)
            self._bucket(name)
            return self._xml(responses.bucket_encryption())
        if method == "GET" and query.get("list-type") == "2" and not UNSERVED.intersection(query):
            self._count("ListObjectsV2", who)
            self._allow(who, "s3:ListBucket", arn)
            return self._list_objects_v2(self._bucket(name), query)
        raise S3Error("NotImplemented", "The emulator serves ListObjectsV2 (list-type=2), HeadBucket, CreateBucket, GetBucketLocation "
                      "and GetBucketEncryption on a bucket, not %s %s." % (method, "?" + "&".join(sorted(query)) if query else "/"), 501)

    def _create_bucket(self, name, body, who, arn):
        self._allow(who, "s3:CreateBucket", arn)
        if not self.store.valid_bucket_name(name):
            raise S3Error("InvalidBucketName", "The specified bucket is not valid.", 400, BucketName=name)
        location = ""
        if body.strip():
            text = body.decode("utf-8", "replace")
            start, end = text.find("<LocationConstraint>"), text.find("</LocationConstraint>")
            location = text[start + len("<LocationConstraint>"):end].strip() if start >= 0 and end > start else ""
        region = who.region
        if location and location != region:
            raise S3Error("IllegalLocationConstraintException",
                          "The %s location constraint is incompatible for the region specific endpoint this request was sent to." % location, 400)
        if not location and region != "us-east-1":
            raise S3Error("IllegalLocationConstraintException",
                          "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.", 400)
        if self.store.create_bucket(name, region, who.account) is None and region != "us-east-1":
            # us-east-1 answers 200 to its owner creating a bucket again (S3 API reference, CreateBucket).
            raise S3Error("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.",
                          409, BucketName=name)
        return web.Response(headers={"Location": "/" + name})

    def _list_objects_v2(self, bucket, query):
        try:
            max_keys = int(query.get("max-keys", "1000"))
        except ValueError:
            raise S3Error("InvalidArgument", "Provided max-keys not an integer or within integer range", 400,
                          ArgumentName="max-keys", ArgumentValue=query.get("max-keys"))
        if max_keys < 0:
            raise S3Error("InvalidArgument", "Argument maxKeys must be an integer between 0 and 2147483647", 400,
                          ArgumentName="maxKeys", ArgumentValue=str(max_keys))
        if query.get("encoding-type") not in (None, "url"):
            raise S3Error("InvalidArgument", "Invalid Encoding Method specified in Request", 400,
                          ArgumentName="encoding-type", ArgumentValue=query["encoding-type"])
        start_after = query.get("start-after", "")
        token = query.get("continuation-token")
        if token is not None:
            try:
                start_after = base64.urlsafe_b64decode(token.encode()).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError, ValueError):
                raise S3Error("InvalidArgument", "The continuation token provided is incorrect", 400,
                              ArgumentName="continuation-token", ArgumentValue=token)
        query = dict(query, **{"max-keys": min(max_keys, 1000)})
        entries, truncated, last = self.store.list(bucket, query.get("prefix", ""), query.get("delimiter", ""), start_after,
                                                   query["max-keys"])
        next_token = base64.urlsafe_b64encode(last.encode("utf-8")).decode() if truncated else ""
        return self._xml(responses.list_objects_v2(bucket, query, entries, truncated, next_token))

    # -- objects ------------------------------------------------------------------------------

    def _object_call(self, request, method, bucket_name, key, query, body, who):
        arn = "arn:aws:s3:::%s/%s" % (bucket_name, key)
        if "uploads" in query or "uploadId" in query:
            return self._multipart_call(request, method, self._bucket(bucket_name), key, query, body, who, arn)
        if query and not set(query) <= {"x-id", "versionId"}:
            raise S3Error("NotImplemented", "The emulator serves PutObject, GetObject, HeadObject and DeleteObject, "
                          "not %s with ?%s." % (method, "&".join(sorted(query))), 501)
        if method == "PUT":
            self._count("PutObject", who)
            self._allow(who, "s3:PutObject", arn)
            return self._put_object(request, self._bucket(bucket_name), key, body)
        if method in ("GET", "HEAD"):
            self._count("GetObject" if method == "GET" else "HeadObject", who)
            self._allow(who, "s3:GetObject", arn)
            stored = self._bucket(bucket_name).objects.get(key)
            if stored is None:
                # Without s3:ListBucket a missing key is 403, not 404 (S3 API reference, GetObject permissions).
                self._allow(who, "s3:ListBucket", "arn:aws:s3:::" + bucket_name)
                raise responses.no_such_key(key)
            return self._object_response(request, stored, method == "HEAD")
        if method == "DELETE":
            self._count("DeleteObject", who)
            self._allow(who, "s3:DeleteObject", arn)
            self.store.delete(self._bucket(bucket_name), key)
            return web.Response(status=204)
        raise S3Error("MethodNotAllowed", "The specified method is not allowed against this resource.", 405, Method=method,
                      ResourceType="OBJECT")

    def _multipart_call(self, request, method, bucket, key, query, body, who, arn):
        # Each step is authorised as s3:PutObject (AbortMultipartUpload has its own action).
        if method == "POST" and "uploads" in query:
            self._count("CreateMultipartUpload", who)
            self._allow(who, "s3:PutObject", arn)
            upload = self.multipart.create(bucket, key, request.headers.get("Content-Type"),
                                           {k: v for k, v in request.headers.items() if k.lower().startswith("x-amz-meta-")})
            return self._xml(responses.multipart_created(bucket.name, key, upload.id))
        upload_id = query.get("uploadId", "")
        if method == "PUT":
            self._count("UploadPart", who)
            self._allow(who, "s3:PutObject", arn)
            upload = self.multipart.get(upload_id, bucket, key)
            return web.Response(headers={"ETag": self.multipart.put_part(upload, query.get("partNumber", ""), body)})
        if method == "POST":
            self._count("CompleteMultipartUpload", who)
            self._allow(who, "s3:PutObject", arn)
            upload = self.multipart.get(upload_id, bucket, key)
            data, etag = self.multipart.complete(upload, body)
            stored = self.store.put(bucket, key, data, upload.content_type, upload.metadata)
            stored.multipart_etag = etag
            return self._xml(responses.multipart_completed(bucket.name, key, etag))
        if method == "DELETE":
            self._count("AbortMultipartUpload", who)
            self._allow(who, "s3:AbortMultipartUpload", arn)
            self.multipart.abort(self.multipart.get(upload_id, bucket, key))
            return web.Response(status=204)
        raise S3Error("MethodNotAllowed", "The specified method is not allowed against this resource.", 405, Method=method,
                      ResourceType="UPLOAD")

    def _put_object(self, request, bucket, key, body):
        if request.headers.get("x-amz-copy-source"):
            raise S3Error("NotImplemented", "The emulator does not serve CopyObject.", 501)
        md5 = request.headers.get("Content-MD5")
        if md5 is not None:
            try:
                given = base64.b64decode(md5, validate=True)
            except (binascii.Error, ValueError):
                given = b""
            if len(given) != 16:
                raise S3Error("InvalidDigest", "The Content-MD5 you specified was invalid.", 400, **{"Content-MD5": md5})
            if given != hashlib.md5(body).digest():
                raise S3Error("BadDigest", "The Content-MD5 you specified did not match what we received.", 400,
                              ExpectedDigest=md5, CalculatedDigest=base64.b64encode(hashlib.md5(body).digest()).decode())
        metadata = {k: v for k, v in request.headers.items() if k.lower().startswith("x-amz-meta-")}
        stored = self.store.put(bucket, key, body, request.headers.get("Content-Type"), metadata)
        headers = {"ETag": stored.etag, "x-amz-server-side-encryption": "AES256"}
        # The checksum a client sent is the one S3 stores and echoes (flexible checksums).
        headers.update({k: v for k, v in request.headers.items() if k.lower().startswith("x-amz-checksum-")})
        return web.Response(headers=headers)

    def _object_response(self, request, stored, head):
        size = len(stored.body)
        headers = {"ETag": stored.etag, "Last-Modified": responses.http_date(stored.last_modified), "Accept-Ranges": "bytes",
                   "Content-Type": stored.content_type, "x-amz-server-side-encryption": "AES256"}
        headers.update(stored.metadata)
        status, start, end = 200, 0, size
        wanted = byte_range(request.headers["Range"], size) if "Range" in request.headers else None
        if wanted is not None:
            status, (start, end) = 206, wanted
            headers["Content-Range"] = "bytes %d-%d/%d" % (start, end - 1, size)
        if head:
            headers["Content-Length"] = str(end - start)
            return web.Response(status=status, headers=headers)
        return web.Response(status=status, body=stored.body[start:end], headers=headers)

    @staticmethod
    def _xml(body):
        return web.Response(body=body, content_type="application/xml")


def hosted_bucket(host):
    """The bucket of a virtual-hosted-style request, BUCKET.s3.REGION.DOMAIN[:PORT] (the form
    amazon-ssm-agent's SDK uses, which has no path-style switch: scripts/real-agent points its
    S3.Endpoint at s3.REGION.emulator.invalid); "" for any other host (path-style)."""
    name = (host or "").rsplit(":", 1)[0] if not (host or "").startswith("[") else ""
    bucket, dot_s3, _ = name.partition(".s3.")
    return bucket if dot_s3 and bucket else ""


async def read_body(request):
    """The whole body, refused past MAX_BODY (the app's client_max_size is for the JSON APIs)."""
    body = bytearray()
    while chunk := await request.content.read(1024 * 1024):
        body += chunk
        if len(body) > MAX_BODY:
            raise S3Error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", 400, MaxSizeAllowed=MAX_BODY)
    return bytes(body)


def byte_range(header, size):
    """The [start, end) of an RFC 9110 single byte range; InvalidRange when none of it exists.
    A header that is not a single byte range is ignored by S3 (None: the whole object)."""
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", header.strip(), re.ASCII)
    if not match or not (match.group(1) or match.group(2)):
        return None
    first, last = match.groups()
    if not first:
        suffix = int(last)
        if suffix == 0:
            raise S3Error("InvalidRange", "The requested range is not satisfiable", 416, RangeRequested=header, ActualObjectSize=size)
        return max(0, size - suffix), size
    start = int(first)
    if last and int(last) < start:
        return None         # RFC 9110 14.1.1: an invalid range spec is ignored
    if start >= size:
        raise S3Error("InvalidRange", "The requested range is not satisfiable", 416, RangeRequested=header, ActualObjectSize=size)
    return start, min(size, int(last) + 1) if last else size
