"""Floe's SigV4 signer against botocore's (Debian's python3-botocore): a set of generated S3
requests (keys with spaces, unicode and reserved characters, queries with '/', '+' and '=',
repeated and padded headers, bodies, session tokens) is signed by both, with the same clock, and
the Authorization headers must be identical. Floe signs through test/floe_sigv4 of the build."""
import hashlib
import os
import random
import subprocess
from urllib.parse import quote

import pytest

from conftest import FLOE

botocore_auth = pytest.importorskip("botocore.auth")
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

SIGV4 = os.environ.get("FLOE_SIGV4", os.path.join(os.path.dirname(FLOE), "test", "floe_sigv4"))
KEY_CHARS = "abcXYZ019 -_.~/+=&?%!$'()*,;:@#[]\u00e9\u4e2d\U0001f600"


def botocore_authorization(method, host, path, query, headers, body, date, region, creds):
    url = f"http://{host}{quote(path, safe='/~')}"
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers), params=query)
    auth = botocore_auth.S3SigV4Auth(creds, "s3", region)
    # add_auth() without its clock: the same steps with a fixed timestamp.
    request.context["timestamp"] = date
    auth._modify_request_before_signing(request)
    canonical = auth.canonical_request(request)
    signature = auth.signature(auth.string_to_sign(request, canonical), request)
    auth._inject_signature_to_request(request, signature)
    return request.headers["Authorization"], canonical


def floe_authorization(method, host, path, query, headers, body, date, region, creds):
    args = [SIGV4, "--method", method, "--path", path, "--header", f"Host: {host}",
            "--payload-hash", hashlib.sha256(body or b"").hexdigest(), "--date", date, "--region", region,
            "--access-key", creds.access_key, "--secret-key", creds.secret_key]
    if creds.token:
        args += ["--token", creds.token]
    for k, v in query:
        args += ["--query", f"{k}={v}"]
    for k, v in headers:
        args += ["--header", f"{k}: {v}"]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    first, _, rest = out.partition("\n")
    return first, rest.rstrip("\n")


def generated_requests(n, seed=19):
    rng = random.Random(seed)
    for i in range(n):
        method = rng.choice(["GET", "HEAD", "PUT", "POST", "DELETE"])
        bucket = rng.choice(["bucket", "my-bucket.with.dots", "b1"])
        key = "".join(rng.choice(KEY_CHARS) for _ in range(rng.randint(1, 24)))
        path = f"/{bucket}/{key}" if rng.random() < 0.7 else f"/{key}"
        query = []
        for _ in range(rng.randint(0, 3)):
            name = rng.choice(["prefix", "continuation-token", "list-type", "max-keys", "uploadId", "partNumber",
                               "delimiter", "x-id", "uploads", "delete"])
            value = "" if name in ("uploads", "delete") else \
                "".join(rng.choice(KEY_CHARS) for _ in range(rng.randint(0, 12)))
            query.append((name, value))
        headers = []
        if rng.random() < 0.4:
            headers.append(("Range", f"bytes={rng.randint(0, 100)}-{rng.randint(101, 10**9)}"))
        if rng.random() < 0.3:
            headers.append(("Content-Type", rng.choice(["application/octet-stream", "text/plain;  charset=utf-8"])))
        if rng.random() < 0.3:
            headers.append(("x-amz-meta-Note", "  padded   value  "))
        body = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 64))) if method in ("PUT", "POST") and \
            rng.random() < 0.7 else b""
        token = "FwoGZXIvYXdzE" + "".join(rng.choice("abcXYZ019+/=") for _ in range(40)) if rng.random() < 0.3 else None
        creds = Credentials(rng.choice(["AKIDEXAMPLE", "S3RVER", "minioadmin"]),
                            rng.choice(["wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "S3RVER", "s/+=ecret"]), token)
        region = rng.choice(["us-east-1", "eu-central-1", "ap-southeast-2"])
        date = f"20{rng.randint(15, 30)}0{rng.randint(1, 9)}{rng.randint(10, 28)}T{rng.randint(10, 23)}3600Z"
        host = rng.choice(["s3.amazonaws.com", f"{bucket}.s3.eu-central-1.amazonaws.com", "127.0.0.1:9000"])
        yield i, (method, host, path, query, headers, body, date, region, creds)


@pytest.mark.skipif(not os.path.exists(SIGV4), reason="floe_sigv4 is not built (cmake --build <dir> --target floe_sigv4)")
@pytest.mark.parametrize("case", range(4))
def test_floe_signs_like_botocore(case):
    count = 0
    for i, req in generated_requests(50, seed=19 + case):
        expected, expected_canonical = botocore_authorization(*req)
        got, got_canonical = floe_authorization(*req)
        assert got_canonical == expected_canonical, f"request {i}: {req}"
        assert got == expected, f"request {i}: {req}"
        count += 1
    assert count == 50

