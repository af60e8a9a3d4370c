"""Object storage: FILES() and an Iceberg catalog over a real S3 endpoint (s3rver, started by the
`s3` fixture of s3_server.py), through Floe's own SigV4 and S3 client. Parquet on S3 answers as the
same files do locally; listings follow continuation tokens past 1,000 keys; multipart uploads and
batch deletes (test/floe_s3); wrong credentials, a missing bucket or key, an unreachable or silent
endpoint and a 503 storm each end in an error naming the object and the cause, within bounded time."""
import http.server
import os
import socket
import sqlite3
import subprocess
import threading
import time

import pymysql
import pytest

from conftest import FLOE, FloeServer
from duckdb_peer import requires_duckdb
from iceberg_writer import IcebergTable
from s3_server import ACCESS_KEY, SECRET_KEY, s3  # noqa: F401  (the fixture)

FLOE_S3 = os.path.join(os.path.dirname(FLOE), "test", "floe_s3")
ROWS = [(i, f"name{i % 7}", i * 0.25) for i in range(1, 3001)]


@pytest.fixture(scope="module")
def floe(tmp_path_factory):
    s = FloeServer(tmp_path_factory.mktemp("floe-s3")).start()
    yield s
    s.stop()


def files(path, properties):
    return "FILES(" + ", ".join(f'"{k}" = "{v}"' for k, v in {"path": path, **properties}.items()) + ")"


def query(floe, sql):
    return [tuple(r) for r in floe.query(sql)]


def error_of(floe, sql):
    with pytest.raises(pymysql.MySQLError) as e:
        floe.query(sql)
    return str(e.value)


@pytest.fixture(scope="module")
def parquet(floe, s3, tmp_path_factory):
    """The same Parquet files locally and in s3://floe/pq/ (written by Floe's INSERT INTO FILES)."""
    local = tmp_path_factory.mktemp("pq")
    floe.query("CREATE DATABASE IF NOT EXISTS s3db")
    floe.query("CREATE TABLE s3db.src (id BIGINT NOT NULL, name VARCHAR(20), amount DOUBLE) DUPLICATE KEY(id)")
    for start in range(0, len(ROWS), 500):
        values = ", ".join(f"({a}, '{b}', {c})" for a, b, c in ROWS[start:start + 500])
        floe.query(f"INSERT INTO s3db.src VALUES {values}")
    floe.query(f'INSERT INTO FILES("path" = "{local}/a/", "format" = "parquet") SELECT * FROM s3db.src WHERE id <= 1000')
    floe.query(f'INSERT INTO FILES("path" = "{local}/b/", "format" = "parquet") SELECT * FROM s3db.src WHERE id > 1000')
    for sub in ("a", "b"):
        for name in sorted(os.listdir(local / sub)):
            os.replace(local / sub / name, local / f"{sub}_{name}")
            s3.put_file("floe", f"pq/{sub}_{name}", local / f"{sub}_{name}")
    s3.put("floe", "pq/_SUCCESS", b"")
    return local


QUERIES = [
    "SELECT count(*), sum(id), sum(amount), min(name), max(name) FROM {}",
    "SELECT name, count(*), sum(amount) FROM {} WHERE id % 3 = 0 GROUP BY name ORDER BY name",
    "SELECT id, name, amount FROM {} WHERE id BETWEEN 995 AND 1005 ORDER BY id",
]


def test_files_over_parquet_on_s3_answers_as_local(floe, s3, parquet):
    local = files(f"{parquet}/*.parquet", {})
    remote = files("s3://floe/pq/*.parquet", s3.properties())
    for q in QUERIES:
        expected = query(floe, q.format(local))
        assert expected and query(floe, q.format(remote)) == expected, q
    assert query(floe, QUERIES[0].format(remote))[0][:2] == (3000, sum(r[0] for r in ROWS))
    # s3a://, a directory (hidden _SUCCESS left out), one key, and DESC of the inferred columns.
    assert query(floe, f"SELECT count(*) FROM {files('s3a://floe/pq/', s3.properties())}") == [(3000,)]
    one = sorted(k for k in s3.keys("floe", "pq/") if k.endswith(".parquet"))[0]
    assert query(floe, f"SELECT count(*) FROM {files(f's3://floe/{one}', s3.properties())}")[0][0] > 0
    assert query(floe, f"SELECT count(*) FROM {files('s3://floe/pq/b_*', s3.properties())}") == [(2000,)]


def test_virtual_hosted_addressing(floe, s3, parquet):
    # <bucket>.s3.localhost:<port> (curl resolves *.localhost to the loopback; s3rver serves the
    # bucket from the host name with --service-endpoint localhost).
    props = s3.properties(**{"aws.s3.endpoint": f"http://s3.localhost:{s3.port}",
                             "aws.s3.enable_path_style_access": "false"})
    assert query(floe, f"SELECT count(*) FROM {files('s3://floe/pq/*.parquet', props)}") == [(3000,)]


def test_listing_over_1000_keys(floe, s3):
    n = 1234
    for i in range(n):
        s3.put("floe", f"many/k{i:05d}.csv", f"{i}\n".encode())
    s3.put("floe", "many/sub/deeper.csv", b"1000000\n")  # not matched by many/*.csv
    csv = {"format": "csv", **s3.properties()}
    assert query(floe, f"SELECT count(*), sum($1) FROM {files('s3://floe/many/*.csv', csv)}") == \
        [(n, n * (n - 1) // 2)]
    assert query(floe, f"SELECT count(*) FROM {files('s3://floe/many/', csv)}") == [(n,)]
    assert query(floe, f"SELECT count(*) FROM {files('s3://floe/many/k000??.csv', csv)}") == [(100,)]


def test_wrong_credentials_name_bucket_key_and_code(floe, s3, parquet):
    wrong = s3.properties(**{"aws.s3.access_key": "NOPE", "aws.s3.secret_key": "not-the-secret"})
    m = error_of(floe, f"SELECT * FROM {files('s3://floe/pq/*.parquet', wrong)}")
    assert "s3://floe/pq/" in m and "InvalidAccessKeyId" in m, m
    one = sorted(k for k in s3.keys("floe", "pq/") if k.endswith(".parquet"))[0]
    m = error_of(floe, f"SELECT * FROM {files(f's3://floe/{one}', wrong)}")
    assert f"s3://floe/{one}" in m and "InvalidAccessKeyId" in m and "not-the-secret" not in m, m
    # s3rver checks the access key but not SigV4 signatures (the signer is checked against the AWS
    # test vectors and botocore instead): a server that refuses the signature stands in for S3.
    with _error_server(403, "SignatureDoesNotMatch", "The request signature we calculated does not match") as url:
        props = {"aws.s3.endpoint": url, "aws.s3.access_key": "a", "aws.s3.secret_key": "not-the-secret"}
        m = error_of(floe, f"SELECT * FROM {files('s3://bucket/dir/x.parquet', props)}")
        assert "s3://bucket/dir/x.parquet" in m and "SignatureDoesNotMatch (HTTP 403)" in m, m
        assert "not-the-secret" not in m and "attempts" not in m, m  # a 403 is not retried


def test_missing_bucket_and_key(floe, s3, parquet):
    m = error_of(floe, f"SELECT * FROM {files('s3://nobucket/dir/*.parquet', s3.properties())}")
    assert "s3://nobucket/dir/" in m and "NoSuchBucket" in m, m
    m = error_of(floe, f"SELECT * FROM {files('s3://floe/pq/missing_*.parquet', s3.properties())}")
    assert "no files match 's3://floe/pq/missing_*.parquet'" in m, m
    m = error_of(floe, f"SELECT * FROM {files('s3://floe/pq/missing.parquet', s3.properties())}")
    assert "s3://floe/pq/missing.parquet" in m, m
    m = error_of(floe, f"SELECT * FROM {files('s3://floe/pq/*.parquet', s3.properties(**{'aws.s3.enable_ssl': 'perhaps'}))}")
    assert "aws.s3.enable_ssl" in m, m


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_endpoint_fails_within_the_timeout(floe):
    props = {"aws.s3.endpoint": f"http://127.0.0.1:{_closed_port()}", "aws.s3.access_key": "a",
             "aws.s3.secret_key": "b", "aws.s3.max_attempts": "3"}
    start = time.time()
    m = error_of(floe, f"SELECT * FROM {files('s3://floe/x/*.parquet', props)}")
    assert time.time() - start < 10
    assert "s3://floe/x/" in m and "cannot reach" in m and "after 3 attempts" in m, m


def test_silent_endpoint_times_out(floe):
    # Accepts connections and never answers: the stall timeout ends each attempt.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                pass

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        props = {"aws.s3.endpoint": f"http://127.0.0.1:{listener.getsockname()[1]}", "aws.s3.access_key": "a",
                 "aws.s3.secret_key": "b", "aws.s3.request_timeout_ms": "1000", "aws.s3.max_attempts": "2"}
        start = time.time()
        m = error_of(floe, f"SELECT * FROM {files('s3://floe/k.parquet', props)}")
        assert time.time() - start < 15
        assert "s3://floe/k.parquet" in m and "after 2 attempts" in m, m
    finally:
        stop.set()
        t.join()
        for c in held:
            c.close()
        listener.close()


class _ErrorServer(http.server.ThreadingHTTPServer):
    """Answers every request with one S3 error (status, <Code>, <Message>) and counts them."""

    def __init__(self, status, code, message):
        self.status, self.code, self.message, self.count = status, code, message, 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(handler):
                self.count += 1
                body = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{self.code}</Code>'
                        f'<Message>{self.message}</Message></Error>').encode()
                handler.send_response(self.status)
                handler.send_header("Content-Type", "application/xml")
                handler.send_header("Content-Length", str(len(body)))
                handler.end_headers()
                if handler.command != "HEAD":
                    handler.wfile.write(body)

            do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _answer

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)


class _error_server:
    def __init__(self, status, code, message):
        self.server = _ErrorServer(status, code, message)

    def __enter__(self):
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_503_storm_retries_then_fails(floe):
    storm = _error_server(503, "SlowDown", "Please reduce your request rate.")
    with storm as url:
        props = {"aws.s3.endpoint": url, "aws.s3.access_key": "a", "aws.s3.secret_key": "b",
                 "aws.s3.max_attempts": "4"}
        start = time.time()
        m = error_of(floe, f"SELECT * FROM {files('s3://storm/d/*.parquet', props)}")
        assert time.time() - start < 15
        assert "s3://storm/d/" in m and "SlowDown" in m and "after 4 attempts" in m, m
        assert storm.server.count == 4


@requires_duckdb
def test_iceberg_table_on_s3_through_a_jdbc_catalog(floe, s3, tmp_path):
    warehouse = str(tmp_path / "warehouse")
    table = IcebergTable(warehouse, "sales", "orders", [("id", "long"), ("region", "string"), ("amount", "double")])
    table.append([[(1, "eu", 10.0), (2, "us", 20.0)], [(3, "eu", 30.0)]])
    table.append([[(4, "apac", 40.0)]])
    # The writer wrote local absolute paths; the catalog maps them onto the bucket.
    s3.put_tree("floe", "wh", warehouse)
    db = tmp_path / "catalog.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) "
                 "NOT NULL, table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000), "
                 "previous_metadata_location VARCHAR(1000), PRIMARY KEY (catalog_name, table_namespace, table_name))")
    conn.execute("INSERT INTO iceberg_tables VALUES ('lake_s3', 'sales', 'orders', ?, NULL)",
                 (f"s3://floe/wh/sales/orders/metadata/v{table.version}.metadata.json",))
    conn.commit()
    conn.close()
    props = {"type": "iceberg", "iceberg.catalog.type": "jdbc", "iceberg.catalog.uri": f"jdbc:sqlite:{db}",
             "iceberg.catalog.warehouse": "s3://floe/wh", "location.rewrite": f"{warehouse}=>s3://floe/wh",
             **s3.properties()}
    floe.query("CREATE EXTERNAL CATALOG lake_s3 PROPERTIES (" +
               ", ".join(f"'{k}' = '{v}'" for k, v in props.items()) + ")")
    try:
        assert query(floe, "SELECT count(*), sum(amount) FROM lake_s3.sales.orders") == [(4, 100.0)]
        assert query(floe, "SELECT region, sum(amount) FROM lake_s3.sales.orders GROUP BY region ORDER BY 1") == \
            [("apac", 40.0), ("eu", 40.0), ("us", 20.0)]
        first = table.snapshots[0]["snapshot-id"]
        assert query(floe, f"SELECT count(*) FROM lake_s3.sales.orders FOR VERSION AS OF {first}") == [(3,)]
        create = floe.query("SHOW CREATE CATALOG lake_s3")[0][1]
        assert SECRET_KEY not in create.replace("aws.s3.secret_key", "")
    finally:
        floe.query("DROP CATALOG lake_s3")


def test_iceberg_writes_on_s3_through_a_jdbc_catalog(floe, s3, tmp_path):
    # Floe creates, fills, changes and drops an Iceberg table whose files live on S3 (data files,
    # delete files, manifests, manifest lists and metadata all written through Floe's S3 client).
    db = tmp_path / "write_catalog.db"
    props = {"type": "iceberg", "iceberg.catalog.type": "jdbc", "iceberg.catalog.uri": f"jdbc:sqlite:{db}",
             "iceberg.catalog.warehouse": "s3://floe/lakew", **s3.properties()}
    floe.query("CREATE EXTERNAL CATALOG lake_w PROPERTIES (" +
               ", ".join(f"'{k}' = '{v}'" for k, v in props.items()) + ")")
    try:
        floe.query("CREATE DATABASE lake_w.sales")
        floe.query("CREATE TABLE lake_w.sales.orders (id BIGINT, region VARCHAR(10), amount DOUBLE) "
                   "PARTITION BY (region)")
        floe.query("INSERT INTO lake_w.sales.orders VALUES (1, 'eu', 10.0), (2, 'us', 20.0), (3, 'eu', 30.0)")
        floe.query("DELETE FROM lake_w.sales.orders WHERE id = 1")
        floe.query("UPDATE lake_w.sales.orders SET amount = amount + 1 WHERE region = 'us'")
        assert query(floe, "SELECT id, region, amount FROM lake_w.sales.orders ORDER BY id") == \
            [(2, "us", 21.0), (3, "eu", 30.0)]
        paths = [r[0] for r in floe.query("SELECT file_path FROM lake_w.sales.orders$files")]
        assert paths and all(p.startswith("s3://floe/lakew/sales/orders/") for p in paths), paths
        keys = s3.keys("floe", "lakew/sales/orders/")
        assert any(k.endswith(".metadata.json") for k in keys) and any(k.endswith(".avro") for k in keys)
        floe.query("DROP TABLE lake_w.sales.orders FORCE")
        assert s3.keys("floe", "lakew/sales/orders/") == []
    finally:
        floe.query("DROP CATALOG lake_w")


def test_hadoop_catalog_on_s3_is_refused_clearly(floe, s3):
    # Hadoop catalogs list directories; on S3 Floe reads Iceberg through JDBC catalogs for now.
    props = {"type": "iceberg", "iceberg.catalog.type": "hadoop", "iceberg.catalog.warehouse": "s3://floe/wh",
             **s3.properties()}
    floe.query("CREATE EXTERNAL CATALOG h3 PROPERTIES (" + ", ".join(f"'{k}' = '{v}'" for k, v in props.items()) + ")")
    try:
        m = error_of(floe, "SHOW DATABASES FROM h3")
        assert "s3://floe/wh" in m and "not supported" in m, m
    finally:
        floe.query("DROP CATALOG h3")


@pytest.mark.skipif(not os.path.exists(FLOE_S3), reason="test/floe_s3 is not built")
def test_multipart_upload_listing_and_batch_delete(s3, tmp_path):
    base = [FLOE_S3, "--endpoint", s3.url, "--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY, "--path-style"]
    data = os.urandom(5 * 1024 * 1024) * 2 + os.urandom(123_457)  # three parts of 5 MiB (the last shorter)
    (tmp_path / "big.bin").write_bytes(data)
    out = subprocess.run(base + ["--part-size", str(5 * 1024 * 1024), "put", "s3://floe/up/big.bin",
                                 str(tmp_path / "big.bin")], check=True, capture_output=True, text=True).stdout
    assert int(out) == len(data)
    assert s3.get("floe", "up/big.bin") == data  # read back by botocore
    got = subprocess.run(base + ["cat", "s3://floe/up/big.bin"], check=True, capture_output=True).stdout
    assert got == data
    # A small object is one PUT; listing and batch delete over more than 1,000 keys.
    (tmp_path / "small").write_bytes(b"tiny")
    subprocess.run(base + ["put", "s3://floe/up/small", str(tmp_path / "small")], check=True, capture_output=True)
    assert s3.get("floe", "up/small") == b"tiny"
    for i in range(1100):
        s3.put("floe", f"del/{i:05d}", b"x")
    listed = subprocess.run(base + ["ls", "s3://floe/del/"], check=True, capture_output=True, text=True).stdout
    keys = [line.split(" ", 1)[1] for line in listed.splitlines()]
    assert len(keys) == 1100 and keys[0] == "s3://floe/del/00000"
    subprocess.run(base + ["rm", *keys], check=True, capture_output=True)
    assert s3.keys("floe", "del/") == []
    r = subprocess.run(base + ["cat", "s3://floe/del/00001"], capture_output=True, text=True)
    assert r.returncode == 1 and "NoSuchKey" in r.stderr and "s3://floe/del/00001" in r.stderr
