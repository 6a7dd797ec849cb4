"""Multipart uploads (S3 API reference: CreateMultipartUpload, UploadPart,
CompleteMultipartUpload, AbortMultipartUpload), as `aws s3 cp` uses them past 8 MiB and the
agent's s3manager past 5 MiB. Pure: parts in, the object's bytes and ETag out."""
import hashlib
import re
import secrets
import threading

from .responses import S3Error

MIN_PART_SIZE = 5 * 1024 * 1024     # every part but the last (EntityTooSmall)
MAX_PART_NUMBER = 10000


def no_such_upload(upload_id):
    return S3Error("NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been "
                   "aborted or completed.", 404, UploadId=upload_id)


class Upload:
    def __init__(self, bucket, key, content_type, metadata):
        self.id = secrets.token_urlsafe(48)
        self.bucket = bucket
        self.key = key
        self.content_type = content_type
        self.metadata = metadata
        self.parts = {}             # part number -> bytes


class MultipartUploads:
    def __init__(self):
        self.lock = threading.Lock()
        self.uploads = {}

    def create(self, bucket, key, content_type, metadata):
        upload = Upload(bucket, key, content_type, metadata)
        with self.lock:
            self.uploads[upload.id] = upload
        return upload

    def get(self, upload_id, bucket, key):
        upload = self.uploads.get(upload_id)
        if upload is None or upload.bucket is not bucket or upload.key != key:
            raise no_such_upload(upload_id)
        return upload

    def put_part(self, upload, number_text, body):
        """The part's ETag."""
        if not number_text.isdigit() or not 1 <= int(number_text) <= MAX_PART_NUMBER:
            raise S3Error("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive", 400,
                          ArgumentName="partNumber", ArgumentValue=number_text)
        upload.parts[int(number_text)] = bytes(body)
        return '"%s"' % hashlib.md5(body).hexdigest()

    def complete(self, upload, request_body):
        """(bytes, ETag) of the object the listed parts make: each part as last uploaded, named by
        its number and ETag, in ascending order, each but the last at least 5 MiB."""
        listed = [(int(n), tag.strip()) for n, tag in re.findall(r"<Part><PartNumber>(\d+)</PartNumber><ETag>([^<]*)</ETag></Part>",
                                                                 _part_order(request_body.decode("utf-8", "replace")))]
        if not listed:
            raise S3Error("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400)
        if [n for n, _ in listed] != sorted({n for n, _ in listed}):
            raise S3Error("InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.", 400)
        chunks, digests = [], []
        for index, (number, tag) in enumerate(listed):
            body = upload.parts.get(number)
            wanted = tag.replace("&quot;", '"').strip('"')
            if body is None or hashlib.md5(body).hexdigest() != wanted:
                raise S3Error("InvalidPart", "One or more of the specified parts could not be found.  The part may not have been uploaded, "
                              "or the specified entity tag may not match the part's entity tag.", 400, PartNumber=number, ETag=tag)
            if index < len(listed) - 1 and len(body) < MIN_PART_SIZE:
                raise S3Error("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", 400,
                              ProposedSize=len(body), MinSizeAllowed=MIN_PART_SIZE, PartNumber=number, ETag=tag)
            chunks.append(body)
            digests.append(hashlib.md5(body).digest())
        with self.lock:
            self.uploads.pop(upload.id, None)
        # A multipart object's ETag: the MD5 of the parts' MD5s, a dash and the number of parts.
        return b"".join(chunks), '"%s-%d"' % (hashlib.md5(b"".join(digests)).hexdigest(), len(listed))

    def abort(self, upload):
        with self.lock:
            self.uploads.pop(upload.id, None)


def _part_order(text):
    """The request's <Part> elements with PartNumber before ETag, whatever order the client wrote
    them in (botocore writes ETag first)."""
    def reorder(match):
        inner = match.group(1)
        number = re.search(r"<PartNumber>\s*(\d+)\s*</PartNumber>", inner)
        tag = re.search(r"<ETag>([^<]*)</ETag>", inner)
        if not number or not tag:
            return ""
        return "<Part><PartNumber>%s</PartNumber><ETag>%s</ETag></Part>" % (number.group(1), tag.group(1))
    return re.sub(r"<Part>(.*?)</Part>", reorder, text, flags=re.S)
