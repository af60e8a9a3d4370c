"""A real S3 endpoint for the tests: s3rver (npm, test/integration/node_modules) on a free port
with a temporary directory, started and stopped by the `s3` fixture, plus a botocore client
(Debian's python3-botocore) to put, list and delete objects the way an AWS SDK does.

s3rver checks SigV4 signatures only for its own credentials, S3RVER/S3RVER (any other key is
refused as InvalidAccessKeyId). Usage:

    from s3_server import s3  # noqa: F401  (the fixture)
    def test_x(s3): s3.put("bucket", "k.parquet", data); s3.endpoint  # "127.0.0.1:<port>"
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
S3RVER = os.path.join(HERE, "node_modules", "s3rver", "bin", "s3rver.js")
LAUNCHER = os.path.join(HERE, "s3rver_launcher.js")
ACCESS_KEY = "S3RVER"
SECRET_KEY = "S3RVER"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class S3Server:
    def __init__(self, buckets=("floe",)):
        self.buckets = list(buckets)
        self.dir = None
        self.proc = None
        self.port = None
        self._client = None

    @staticmethod
    def available():
        return os.path.exists(S3RVER) and shutil.which("node") is not None

    @property
    def endpoint(self):
        return f"127.0.0.1:{self.port}"

    @property
    def url(self):
        return f"http://{self.endpoint}"

    def properties(self, **overrides):
        """FILES() / catalog properties (StarRocks' names) that reach this server."""
        p = {"aws.s3.endpoint": self.url, "aws.s3.access_key": ACCESS_KEY, "aws.s3.secret_key": SECRET_KEY,
             "aws.s3.region": "us-east-1", "aws.s3.enable_path_style_access": "true"}
        p.update(overrides)
        return p

    def start(self, timeout=30):
        self.dir = tempfile.mkdtemp(prefix="floe-s3rver-")
        self.port = _free_port()
        # DES (s3rver's continuation tokens) needs OpenSSL 3's legacy provider.
        # s3rver_launcher.js: s3rver with its delimiter listing and conditional PUT answering as S3 does.
        args = ["node", "--openssl-legacy-provider", LAUNCHER, "-d", self.dir, "-a", "127.0.0.1", "-p", str(self.port), "--silent",
                "--service-endpoint", "localhost"]  # virtual-hosted: <bucket>.s3.localhost
        for b in self.buckets:
            args += ["--configure-bucket", b]
        self.log = open(os.path.join(self.dir, "..", os.path.basename(self.dir) + ".log"), "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"s3rver exited with {self.proc.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("s3rver did not start listening")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def client(self):
        if self._client is None:
            import botocore.session
            from botocore.config import Config
            options = dict(s3={"addressing_style": "path"}, retries={"max_attempts": 2})
            try:  # botocore >= 1.36 sends CRC trailers (aws-chunked) unless told not to; s3rver has none
                config = Config(request_checksum_calculation="when_required",
                                response_checksum_validation="when_required", **options)
            except TypeError:
                config = Config(**options)
            self._client = botocore.session.get_session().create_client(
                "s3", endpoint_url=self.url, region_name="us-east-1", aws_access_key_id=ACCESS_KEY,
                aws_secret_access_key=SECRET_KEY, config=config)
        return self._client

    def create_bucket(self, bucket):
        self.client().create_bucket(Bucket=bucket)

    def put(self, bucket, key, data):
        self.client().put_object(Bucket=bucket, Key=key, Body=data)

    def put_file(self, bucket, key, path):
        with open(path, "rb") as f:
            self.put(bucket, key, f.read())

    def put_tree(self, bucket, prefix, directory, rewrite=None):
        """Uploads every file below `directory` to `prefix`/<relative path>; `rewrite(path, bytes)`
        may change a file's bytes on the way (absolute paths inside metadata)."""
        for root, _, files in os.walk(directory):
            for name in files:
                path = os.path.join(root, name)
                rel = os.path.relpath(path, directory)
                with open(path, "rb") as f:
                    data = f.read()
                if rewrite:
                    data = rewrite(path, data)
                self.put(bucket, f"{prefix}/{rel}" if prefix else rel, data)

    def get(self, bucket, key):
        return self.client().get_object(Bucket=bucket, Key=key)["Body"].read()

    def keys(self, bucket, prefix=""):
        out = []
        for page in self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            out += [o["Key"] for o in page.get("Contents", [])]
        return out


@pytest.fixture(scope="module")
def s3():
    if not S3Server.available():
        pytest.skip("s3rver is not installed (scripts/install-deps.sh installs it into test/integration/node_modules)")
    server = S3Server(buckets=("floe", "other")).start()
    yield server
    server.stop()
