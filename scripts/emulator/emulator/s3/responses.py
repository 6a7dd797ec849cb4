"""S3's REST-XML bodies and errors (S3 API reference: ListObjectsV2, ListBuckets, Error responses)."""
import datetime
import email.utils
import secrets
from urllib.parse import quote_plus
from xml.sax.saxutils import escape

NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


class S3Error(Exception):
    """An error S3 returns: code, message, HTTP status, and extra elements of <Error>."""

    def __init__(self, code, message, status, **extra):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra


def no_such_bucket(name):
    return S3Error("NoSuchBucket", "The specified bucket does not exist", 404, BucketName=name)


def no_such_key(key):
    return S3Error("NoSuchKey", "The specified key does not exist.", 404, Key=key)


def error_body(error, request_id, host_id):
    extra = "".join("<%s>%s</%s>" % (name, escape(str(value)), name) for name, value in error.extra.items())
    return (DECLARATION + "<Error><Code>%s</Code><Message>%s</Message>%s<RequestId>%s</RequestId><HostId>%s</HostId></Error>" % (
        escape(error.code), escape(error.message), extra, request_id, host_id)).encode()


def request_ids():
    """x-amz-request-id (16 hex characters) and x-amz-id-2, as S3 sends them."""
    return secrets.token_hex(8).upper(), secrets.token_urlsafe(48)


def iso_time(seconds):
    moment = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def http_date(seconds):
    return email.utils.formatdate(int(seconds), usegmt=True)


def url_encoded(text, encode):
    """With encoding-type=url S3 form-encodes keys and prefixes (space as '+'); botocore decodes
    them with unquote_plus (botocore/handlers.py decode_list_object_v2)."""
    return quote_plus(text, safe="/") if encode else text


def list_objects_v2(bucket, params, entries, truncated, next_token):
    encode = params.get("encoding-type") == "url"
    parts = ["<ListBucketResult xmlns=\"%s\">" % NAMESPACE, "<Name>%s</Name>" % escape(bucket.name),
             "<Prefix>%s</Prefix>" % escape(url_encoded(params.get("prefix", ""), encode))]
    if params.get("delimiter"):
        parts.append("<Delimiter>%s</Delimiter>" % escape(url_encoded(params["delimiter"], encode)))
    parts.append("<MaxKeys>%d</MaxKeys>" % params["max-keys"])
    if encode:
        parts.append("<EncodingType>url</EncodingType>")
    parts.append("<KeyCount>%d</KeyCount>" % len(entries))
    parts.append("<IsTruncated>%s</IsTruncated>" % ("true" if truncated else "false"))
    if params.get("continuation-token"):
        parts.append("<ContinuationToken>%s</ContinuationToken>" % escape(params["continuation-token"]))
    if truncated:
        parts.append("<NextContinuationToken>%s</NextContinuationToken>" % escape(next_token))
    if params.get("start-after"):
        parts.append("<StartAfter>%s</StartAfter>" % escape(url_encoded(params["start-after"], encode)))
    for kind, name, stored in entries:
        if kind == "key":
            parts.append("<Contents><Key>%s</Key><LastModified>%s</LastModified><ETag>%s</ETag><Size>%d</Size>"
                         "<StorageClass>STANDARD</StorageClass></Contents>" % (
                             escape(url_encoded(name, encode)), iso_time(stored.last_modified), escape(stored.etag), len(stored.body)))
    for kind, name, _ in entries:
        if kind == "prefix":
            parts.append("<CommonPrefixes><Prefix>%s</Prefix></CommonPrefixes>" % escape(url_encoded(name, encode)))
    parts.append("</ListBucketResult>")
    return (DECLARATION + "".join(parts)).encode()


def list_buckets(buckets, owner_id):
    items = "".join("<Bucket><Name>%s</Name><CreationDate>%s</CreationDate><BucketRegion>%s</BucketRegion></Bucket>" % (
        escape(b.name), iso_time(b.created), b.region) for b in sorted(buckets, key=lambda b: b.name))
    return (DECLARATION + "<ListAllMyBucketsResult xmlns=\"%s\"><Owner><ID>%s</ID></Owner><Buckets>%s</Buckets></ListAllMyBucketsResult>" % (
        NAMESPACE, owner_id, items)).encode()


def bucket_location(region):
    # GetBucketLocation: us-east-1 is an empty LocationConstraint (S3 API reference).
    value = "" if region == "us-east-1" else region
    return (DECLARATION + "<LocationConstraint xmlns=\"%s\">%s</LocationConstraint>" % (NAMESPACE, value)).encode()


def bucket_encryption():
    # Every bucket has SSE-S3 by default since January 2023 (S3 User Guide, default encryption).
    return (DECLARATION + "<ServerSideEncryptionConfiguration xmlns=\"%s\"><Rule><ApplyServerSideEncryptionByDefault>"
            "<SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled>"
            "</Rule></ServerSideEncryptionConfiguration>" % NAMESPACE).encode()


def multipart_created(bucket, key, upload_id):
    return (DECLARATION + "<InitiateMultipartUploadResult xmlns=\"%s\"><Bucket>%s</Bucket><Key>%s</Key><UploadId>%s</UploadId>"
            "</InitiateMultipartUploadResult>" % (NAMESPACE, escape(bucket), escape(key), escape(upload_id))).encode()


def multipart_completed(bucket, key, etag):
    return (DECLARATION + "<CompleteMultipartUploadResult xmlns=\"%s\"><Location>/%s/%s</Location><Bucket>%s</Bucket><Key>%s</Key>"
            "<ETag>%s</ETag></CompleteMultipartUploadResult>" % (NAMESPACE, escape(bucket), escape(key), escape(bucket), escape(key),
                                                                  escape(etag))).encode()
