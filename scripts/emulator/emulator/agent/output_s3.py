"""The simulated agent's S3 output of one Run Command plugin, as amazon-ssm-agent 3.3 writes it:
each stream goes whole to a file as the script writes it (iohandler/iomodule/fileS3.go), and when
the plugin ends each non-empty file is uploaded with PutObject (Content-Type text/plain, ACL
bucket-owner-full-control: s3util/s3util.go S3Upload) before the plugin's reply goes out. The key
is <prefix>/<CommandId>/<InstanceId>/awsrunShellScript/0.awsrunShellScript/stdout (or stderr;
s3/output_keys.py). A failed upload is logged and the command goes on, as the agent does.

Uploads go through the emulator's front door, path-style, signed as the node with S3's SigV4
(x-amz-content-sha256 the body's hash, as aws-sdk-go signs over http).

The sink seam of ScriptRun: open(), write(stream, bytes), close()."""
import asyncio
import datetime
import hashlib
import logging
import os
import tempfile
from urllib.parse import quote

import aiohttp
from botocore.auth import SIGV4_TIMESTAMP, S3SigV4Auth
from botocore.awsrequest import AWSRequest

from ..s3 import output_keys

log = logging.getLogger(__name__)


def s3_settings(content, command_id, instance_id, plugin_name, step):
    """(bucket, plugin key prefix, step name) for a SendCommandPayload CONTENT, or None when it
    names no bucket (runpluginutil.go: S3 output only with OutputS3BucketName)."""
    bucket = content.get("OutputS3BucketName") or ""
    if not bucket:
        return None
    prefix = output_keys.plugin_key_prefix(content.get("OutputS3KeyPrefix") or "", command_id, instance_id, plugin_name)
    return bucket, prefix, output_keys.step_name(step)


class S3Uploader:
    """PutObject to the emulator's S3 as the node's identity (SIGNER: agent/signing.py Signer)."""

    def __init__(self, http, base_url, signer):
        self.http = http
        self.base_url = base_url      # the emulator's http(s) endpoint
        self.signer = signer

    async def put(self, bucket, key, path):
        """Uploads the file at PATH; True when S3 took it."""
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
        url = "%s/%s/%s" % (self.base_url, quote(bucket, safe=""), quote(key, safe="/~"))
        headers = self._headers(url, digest.hexdigest(), os.path.getsize(path))
        with open(path, "rb") as body:
            async with self.http.put(url, data=body, headers=headers) as response:
                if response.status == 200:
                    return True
                log.warning("S3 upload of s3://%s/%s failed: HTTP %d %s", bucket, key, response.status, (await response.text())[:300])
                return False

    def _headers(self, url, payload_hash, length):
        request = AWSRequest(method="PUT", url=url, headers={
            "Content-Type": "text/plain", "Content-Length": str(length), "x-amz-acl": "bucket-owner-full-control"})
        signer = S3SigV4Auth(self.signer.credentials, "s3", self.signer.region)
        signer.payload = lambda r: payload_hash
        now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=self.signer.skew())
        request.context["timestamp"] = now.strftime(SIGV4_TIMESTAMP)
        signer.add_auth(request)
        return dict(request.headers.items())


class S3Output:
    """One plugin's stdout and stderr files, uploaded at close."""

    def __init__(self, uploader, bucket, key_prefix, step):
        self.uploader = uploader
        self.bucket = bucket
        self.key_prefix = key_prefix
        self.step = step
        self.directory = None
        self.files = {}

    async def open(self):
        self.directory = tempfile.mkdtemp(prefix="ssm-agent-output-")
        self.files = {stream: open(os.path.join(self.directory, stream), "wb") for stream in output_keys.STREAMS}

    def write(self, stream, data):
        f = self.files.get(stream)
        if f is not None:
            f.write(data)

    def discard(self):
        """The run ended without close (the emulator stopping, the script not started): the
        files go, nothing is uploaded."""
        for f in self.files.values():
            f.close()
        self._remove_files()

    async def close(self):
        if self.directory is None:      # never opened: a job cancelled before it ran
            return
        try:
            for stream, f in self.files.items():
                f.close()
                path = os.path.join(self.directory, stream)
                # fileS3.go: only a stream that has something is uploaded.
                if os.path.getsize(path) > 0:
                    try:
                        await self.uploader.put(self.bucket, output_keys.stream_key(self.key_prefix, self.step, stream), path)
                    except (OSError, aiohttp.ClientError, asyncio.TimeoutError) as e:
                        log.warning("S3 upload of %s to s3://%s failed: %s", stream, self.bucket, e)
        finally:
            self._remove_files()

    def _remove_files(self):
        if self.directory is None:
            return
        for stream in self.files:
            try:
                os.remove(os.path.join(self.directory, stream))
            except OSError:
                pass
        try:
            os.rmdir(self.directory)
        except OSError:
            pass
        self.files = {}
        self.directory = None
