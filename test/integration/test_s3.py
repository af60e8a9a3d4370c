"""Object storage: FILES() and an Iceberg catalog over a real S3 endpoint (s3rver, started by the
`s3` fixture of s3_server.py), through Floe's own SigV4 and S3 client. Parquet on S3 answers as the
same files do locally; listings follow continuation tokens past 1,000 keys; multipart uploads and
batch deletes (test/floe_s3); wrong credentials, a missing bucket or key, an unreachable or silent
endpoint and a 503 storm each end in an error naming the object and the cause, within bounded time.
Iceberg on S3 through JDBC and hadoop (filesystem) catalogs, read and written; INSERT INTO FILES()
to S3 (Parquet, CSV, JSON, partitioned, multipart)."""
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


def create_catalog(floe, name, props):
    floe.query(f"CREATE EXTERNAL CATALOG {name} PROPERTIES (" +
               ", ".join(f"'{k}' = '{v}'" for k, v in props.items()) + ")")


@requires_duckdb
def test_hadoop_catalog_on_s3_reads_another_writers_tables(floe, s3, tmp_path):
    # A warehouse in the hadoop layout (written by the test's own Iceberg writer, then uploaded):
    # namespaces are prefixes, tables are prefixes whose metadata/ holds vN.metadata.json and the hint.
    warehouse = str(tmp_path / "hwh")
    table = IcebergTable(warehouse, "sales", "orders", [("id", "long"), ("region", "string"), ("amount", "double")])
    table.append([[(1, "eu", 10.0), (2, "us", 20.0)], [(3, "eu", 30.0)]])
    table.append([[(4, "apac", 40.0)]])
    IcebergTable(warehouse, "sales", "empty", [("x", "long")])
    s3.put_tree("floe", "hwh", warehouse)
    s3.put("floe", "hwh/staging/", b"")  # an empty namespace: S3A's directory marker
    props = {"type": "iceberg", "iceberg.catalog.type": "hadoop", "iceberg.catalog.warehouse": "s3://floe/hwh",
             "location.rewrite": f"{warehouse}=>s3://floe/hwh", **s3.properties()}
    create_catalog(floe, "h3", props)
    try:
        assert query(floe, "SHOW DATABASES FROM h3") == [("sales",), ("staging",)]
        assert query(floe, "SHOW TABLES FROM h3.sales") == [("empty",), ("orders",)]
        assert query(floe, "SELECT count(*), sum(amount) FROM h3.sales.orders") == [(4, 100.0)]
        first = table.snapshots[0]["snapshot-id"]
        assert query(floe, f"SELECT count(*) FROM h3.sales.orders FOR VERSION AS OF {first}") == [(3,)]
        assert query(floe, "SELECT count(*) FROM h3.sales.empty") == [(0,)]
        # A lagging hint: v3 appears without the hint moving; readers probe past it.
        table.append([[(5, "us", 50.0)]])
        hint = s3.get("floe", "hwh/sales/orders/metadata/version-hint.text")
        s3.put_tree("floe", "hwh", warehouse)
        s3.put("floe", "hwh/sales/orders/metadata/version-hint.text", hint.replace(b"3", b"2"))
        assert query(floe, "SELECT count(*) FROM h3.sales.orders") == [(5,)]
        m = error_of(floe, "SELECT * FROM h3.sales.missing")
        assert "missing" in m, m
    finally:
        floe.query("DROP CATALOG h3")


def test_hadoop_catalog_on_s3_written_by_floe(floe, s3):
    props = {"type": "iceberg", "iceberg.catalog.type": "hadoop", "iceberg.catalog.warehouse": "s3a://floe/hw2/",
             **s3.properties()}
    create_catalog(floe, "hw", props)
    try:
        floe.query("CREATE DATABASE hw.sales")
        assert "hw2/sales/" in s3.keys("floe", "hw2/")
        floe.query("CREATE DATABASE hw.`a.b`")  # a nested namespace: hw2/a/b/
        assert query(floe, "SHOW DATABASES FROM hw") == [("a",), ("a.b",), ("sales",)]
        m = error_of(floe, "CREATE DATABASE hw.sales")
        assert "exists" in m, m
        floe.query("CREATE TABLE hw.sales.orders (id BIGINT, region VARCHAR(10), amount DOUBLE) PARTITION BY (region)")
        floe.query("INSERT INTO hw.sales.orders VALUES (1, 'eu', 10.0), (2, 'us', 20.0), (3, 'eu', 30.0)")
        floe.query("INSERT INTO hw.sales.orders VALUES (4, 'apac', 40.0)")
        floe.query("DELETE FROM hw.sales.orders WHERE id = 1")
        floe.query("UPDATE hw.sales.orders SET amount = amount + 1 WHERE region = 'us'")
        assert query(floe, "SELECT id, region, amount FROM hw.sales.orders ORDER BY id") == \
            [(2, "us", 21.0), (3, "eu", 30.0), (4, "apac", 40.0)]
        keys = s3.keys("floe", "hw2/sales/orders/metadata/")
        versions = sorted(k for k in keys if k.endswith(".metadata.json"))
        assert versions == [f"hw2/sales/orders/metadata/v{i}.metadata.json" for i in range(1, 6)], versions
        assert s3.get("floe", "hw2/sales/orders/metadata/version-hint.text") == b"5"
        paths = [r[0] for r in floe.query("SELECT file_path FROM hw.sales.orders$files")]
        assert paths and all(p.startswith("s3a://floe/hw2/sales/orders/data/") for p in paths), paths
        assert query(floe, "SHOW TABLES FROM hw.sales") == [("orders",)]
        # A second catalog over the same warehouse sees the same table (the layout is the catalog).
        create_catalog(floe, "hw_again", {**props, "iceberg.catalog.warehouse": "s3://floe/hw2"})
        try:
            assert query(floe, "SELECT count(*), sum(amount) FROM hw_again.sales.orders") == [(3, 91.0)]
        finally:
            floe.query("DROP CATALOG hw_again")
        m = error_of(floe, "DROP DATABASE hw.sales")
        assert "not empty" in m, m
        floe.query("DROP TABLE hw.sales.orders FORCE")
        assert s3.keys("floe", "hw2/sales/orders/") == []
        floe.query("DROP DATABASE hw.sales")
        floe.query("DROP DATABASE hw.`a.b`")
        assert query(floe, "SHOW DATABASES FROM hw") == [("a",)]
    finally:
        floe.query("DROP CATALOG hw")


def test_hadoop_catalog_on_s3_two_servers_commit_safely(s3, tmp_path):
    # Two Floe servers commit to one table of an S3 hadoop warehouse at once: the conditional PUT of
    # metadata/v<N+1>.metadata.json lets one writer win each version; the other retries. Every
    # acknowledged row is there once, and the snapshot count is the commit count.
    servers = [FloeServer(tmp_path / f"floe{i}").start() for i in range(2)]
    try:
        props = {"type": "iceberg", "iceberg.catalog.type": "hadoop", "iceberg.catalog.warehouse": "s3://floe/race",
                 **s3.properties()}
        for srv in servers:
            create_catalog(srv, "race", props)
        servers[0].query("CREATE DATABASE race.db")
        servers[0].query("CREATE TABLE race.db.events (id BIGINT, server INT) PROPERTIES "
                         "('commit.retry.num-retries' = '30', 'commit.retry.min-wait-ms' = '5', "
                         "'commit.retry.max-wait-ms' = '100')")
        acknowledged, errors = [], []
        lock = threading.Lock()

        def client(server_index, client_index):
            conn = servers[server_index].connect()
            try:
                with conn.cursor() as cur:
                    for k in range(6):
                        row_id = (server_index * 3 + client_index) * 1000 + k
                        try:
                            cur.execute(f"INSERT INTO race.db.events VALUES ({row_id}, {server_index})")
                            with lock:
                                acknowledged.append(row_id)
                        except pymysql.MySQLError as e:
                            with lock:
                                errors.append(str(e))
            finally:
                conn.close()

        threads = [threading.Thread(target=client, args=(srv, c)) for srv in range(2) for c in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for e in errors:
            assert "commit" in e.lower() or "concurrent" in e, e
        assert len(acknowledged) >= 18, errors[:3]
        ids = sorted(r[0] for r in servers[1].query("SELECT id FROM race.db.events"))
        assert ids == sorted(acknowledged)
        assert servers[0].query("SELECT count(*) FROM race.db.events$snapshots")[0][0] == len(acknowledged)
        versions = [k for k in s3.keys("floe", "race/db/events/metadata/") if k.endswith(".metadata.json")]
        assert len(versions) == len(acknowledged) + 1  # the create, then one per commit
    finally:
        for srv in servers:
            srv.stop()


def test_rest_catalog_vends_s3_credentials(s3, tmp_path):
    # Server A serves a hadoop catalog on S3 over the Iceberg REST API with
    # 'iceberg.rest.vended-credentials'; B attaches it knowing no S3 endpoint or key and reads and
    # writes the table's files with the credentials A's LoadTableResult vends. Without the
    # property A vends nothing, and B cannot reach the files.
    a = FloeServer(tmp_path / "a").start()
    b = FloeServer(tmp_path / "b").start()
    try:
        props = {"type": "iceberg", "iceberg.catalog.type": "hadoop", "iceberg.catalog.warehouse": "s3://floe/vend",
                 "iceberg.rest.vended-credentials": "true", **s3.properties()}
        create_catalog(a, "served", props)
        create_catalog(a, "closed", {**props, "iceberg.rest.vended-credentials": "false",
                                     "iceberg.catalog.warehouse": "s3://floe/vend_closed"})
        for catalog in ("served", "closed"):
            a.query(f"CREATE DATABASE {catalog}.db")
            a.query(f"CREATE TABLE {catalog}.db.t (id BIGINT, v VARCHAR(10))")
            a.query(f"INSERT INTO {catalog}.db.t VALUES (1, 'a'), (2, 'b')")
        a.query("CREATE USER lakeuser IDENTIFIED BY 'pw'")
        a.query("GRANT USAGE, ALTER ON CATALOG served TO lakeuser")
        a.query("GRANT USAGE, ALTER ON CATALOG closed TO lakeuser")
        base = f"http://127.0.0.1:{a.http_port}/iceberg"
        for name, warehouse in (("r", "served"), ("r_closed", "closed")):
            b.query(f"CREATE EXTERNAL CATALOG {name} PROPERTIES ('type' = 'iceberg', 'iceberg.catalog.type' = 'rest', "
                    f"'iceberg.catalog.uri' = '{base}', 'iceberg.catalog.warehouse' = '{warehouse}', "
                    f"'iceberg.catalog.oauth2.credential' = 'lakeuser:pw')")
        assert query(b, "SELECT id, v FROM r.db.t ORDER BY id") == [(1, "a"), (2, "b")]
        b.query("INSERT INTO r.db.t VALUES (3, 'c')")
        assert query(a, "SELECT count(*) FROM served.db.t") == [(3,)]
        m = error_of(b, "SELECT * FROM r_closed.db.t")
        assert "s3://floe/vend_closed/db/t/" in m, m
    finally:
        a.stop()
        b.stop()


# Every DDL and DML statement on a table whose files live on S3, the same script for each kind of
# catalog: (statement, expected rows of the check that follows or None).
S3_SCRIPT = [
    ("CREATE DATABASE {c}.sales", None),
    ("CREATE TABLE {c}.sales.orders (id BIGINT, region VARCHAR(10), amount INT, ts DATETIME) "
     "PARTITION BY (region) ORDER BY (id)", None),
    ("INSERT INTO {c}.sales.orders VALUES (1, 'eu', 10, '2024-01-01 10:00:00'), (2, 'us', 20, '2024-01-02 11:00:00'), "
     "(3, 'eu', 30, '2024-02-01 12:00:00')", [(1, "eu", 10), (2, "us", 20), (3, "eu", 30)]),
    ("INSERT OVERWRITE {c}.sales.orders SELECT id, region, amount * 2, ts FROM {c}.sales.orders WHERE id < 3",
     [(1, "eu", 20), (2, "us", 40)]),
    ("SET dynamic_overwrite = true; INSERT OVERWRITE {c}.sales.orders VALUES (7, 'us', 70, NULL); "
     "SET dynamic_overwrite = false", [(1, "eu", 20), (7, "us", 70)]),
    ("DELETE FROM {c}.sales.orders WHERE id = 1", [(7, "us", 70)]),
    ("INSERT INTO {c}.sales.orders VALUES (8, 'apac', 80, NULL), (9, 'eu', 90, NULL)",
     [(7, "us", 70), (8, "apac", 80), (9, "eu", 90)]),
    ("UPDATE {c}.sales.orders SET amount = amount + 1 WHERE region = 'eu'", [(7, "us", 70), (8, "apac", 80), (9, "eu", 91)]),
    ("MERGE INTO {c}.sales.orders t USING (SELECT 8 AS id, 0 AS amount UNION ALL SELECT 10, 100) s ON t.id = s.id "
     "WHEN MATCHED THEN DELETE WHEN NOT MATCHED THEN INSERT (id, region, amount) VALUES (s.id, 'us', s.amount)",
     [(7, "us", 70), (9, "eu", 91), (10, "us", 100)]),
    ("ALTER TABLE {c}.sales.orders ADD COLUMN note VARCHAR(20)", None),
    ("ALTER TABLE {c}.sales.orders RENAME COLUMN amount TO total", None),
    ("ALTER TABLE {c}.sales.orders ADD PARTITION COLUMN day(ts)", None),
    ("INSERT INTO {c}.sales.orders (id, region, total, ts, note) VALUES (11, 'eu', 110, '2024-03-01 00:00:00', 'x')",
     [(7, "us", 70), (9, "eu", 91), (10, "us", 100), (11, "eu", 110)]),
    ("ALTER TABLE {c}.sales.orders CREATE TAG before_drop", None),
    ("ALTER TABLE {c}.sales.orders DROP COLUMN note", None),
    ("CREATE TABLE {c}.sales.copy AS SELECT id, total FROM {c}.sales.orders WHERE total > 90", None),
    ("DELETE FROM {c}.sales.orders WHERE id > 0", []),
    ("ROLLBACK TO before_drop", None),  # rollback_to_snapshot of the tag's snapshot (id looked up)
]


@pytest.mark.parametrize("kind", ["hadoop", "jdbc", "postgres", "rest"])
def test_every_statement_on_s3_for_each_catalog(s3, tmp_path, kind):
    servers = [FloeServer(tmp_path / "floe").start()]
    pg = None
    try:
        floe = servers[0]
        warehouse = f"s3://floe/matrix_{kind}"
        props = {"type": "iceberg", "iceberg.catalog.warehouse": warehouse, **s3.properties()}
        if kind == "hadoop":
            props["iceberg.catalog.type"] = "hadoop"
        elif kind == "jdbc":
            props.update({"iceberg.catalog.type": "jdbc", "iceberg.catalog.uri": f"jdbc:sqlite:{tmp_path}/c.db"})
        elif kind == "postgres":
            from postgres_server import PostgresServer
            pg = PostgresServer().start()
            props.update({"iceberg.catalog.type": "jdbc", "iceberg.catalog.uri": pg.jdbc_uri})
        else:  # a second Floe serves a hadoop catalog on S3 over REST; this one holds no S3 keys
            server = FloeServer(tmp_path / "server").start()
            servers.append(server)
            create_catalog(server, "served", {**props, "iceberg.catalog.type": "hadoop",
                                              "iceberg.rest.vended-credentials": "true"})
            props = {"type": "iceberg", "iceberg.catalog.type": "rest", "iceberg.catalog.warehouse": "served",
                     "iceberg.catalog.uri": f"http://127.0.0.1:{server.http_port}/iceberg",
                     "iceberg.catalog.oauth2.credential": "root:"}
        create_catalog(floe, "m", props)
        conn = floe.connect()
        with conn.cursor() as cur:
            for sql, expected in S3_SCRIPT:
                if sql.startswith("ROLLBACK TO"):
                    cur.execute("SELECT snapshot_id FROM m.sales.orders$refs WHERE name = 'before_drop'")
                    sql = f"ALTER TABLE m.sales.orders EXECUTE rollback_to_snapshot({cur.fetchone()[0]})"
                for part in sql.format(c="m").split("; "):
                    cur.execute(part)
                if expected is not None:
                    cur.execute("SELECT * FROM m.sales.orders ORDER BY id")  # id, region, amount first
                    got = [tuple(r[:3]) for r in cur.fetchall()]
                    assert got == expected, (sql, got)
            cur.execute("SELECT id, total FROM m.sales.orders ORDER BY id")
            assert cur.fetchall() == ((7, 70), (9, 91), (10, 100), (11, 110))
            cur.execute("SELECT id, total FROM m.sales.copy ORDER BY id")
            assert cur.fetchall() == ((9, 91), (10, 100), (11, 110))
            cur.execute("SELECT count(*) FROM m.sales.orders$snapshots")
            assert cur.fetchone()[0] >= 8
            for t in ("orders", "copy"):
                cur.execute(f"DROP TABLE m.sales.{t} FORCE")
            cur.execute("DROP DATABASE m.sales")
        conn.close()
        leftover = [k for k in s3.keys("floe", f"matrix_{kind}/") if not k.endswith("/")]
        assert leftover == [], leftover[:5]
    finally:
        for srv in servers:
            srv.stop()
        if pg:
            pg.stop()


def test_insert_into_files_on_s3(floe, s3, parquet):
    props = ", ".join(f'"{k}" = "{v}"' for k, v in s3.properties().items())
    # Parquet, read back through FILES() over S3.
    floe.query(f'INSERT INTO FILES("path" = "s3://floe/unload/pq/", "format" = "parquet", {props}) '
               f'SELECT * FROM s3db.src')
    written = s3.keys("floe", "unload/pq/")
    assert written and all(k.startswith("unload/pq/data_") and k.endswith(".parquet") for k in written)
    src = query(floe, "SELECT count(*), sum(id), sum(amount), min(name), max(name) FROM s3db.src")
    back = files("s3://floe/unload/pq/*.parquet", s3.properties())
    assert query(floe, f"SELECT count(*), sum(id), sum(amount), min(name), max(name) FROM {back}") == src
    # CSV in several files (target_max_file_size), then partitioned into name=<value>/ prefixes;
    # JSON lines to one object.
    floe.query(f'INSERT INTO FILES("path" = "s3://floe/unload/split/", "format" = "csv", '
               f'"target_max_file_size" = "20000", {props}) SELECT * FROM s3db.src')
    assert len(s3.keys("floe", "unload/split/")) > 2
    split = files("s3://floe/unload/split/", {"format": "csv", "csv.column_separator": "\\t", **s3.properties()})
    assert query(floe, f"SELECT count(*), sum($1) FROM {split}") == [(3000, sum(r[0] for r in ROWS))]
    floe.query(f'INSERT INTO FILES("path" = "s3a://floe/unload/csv", "format" = "csv", "partition_by" = "name", '
               f'{props}) SELECT id, amount, name FROM s3db.src')
    parts = sorted({k.split("/")[2] for k in s3.keys("floe", "unload/csv/")})
    assert parts == [f"name=name{i}" for i in range(7)], parts
    csv = files("s3://floe/unload/csv/name=name3/*", {"format": "csv", "csv.column_separator": "\\t",
                                                       **s3.properties()})
    assert query(floe, f"SELECT count(*) FROM {csv}") == query(floe, "SELECT count(*) FROM s3db.src "
                                                                     "WHERE name = 'name3'")
    floe.query(f'INSERT INTO FILES("path" = "s3://floe/unload/one", "format" = "json", "single" = "true", {props}) '
               f'SELECT id, name FROM s3db.src WHERE id <= 3 ORDER BY id')
    [key] = s3.keys("floe", "unload/one")
    assert s3.get("floe", key).decode().splitlines()[0] == '{"id":1,"name":"name1"}'


def test_insert_into_files_on_s3_multipart_and_errors(floe, s3):
    props = ", ".join(f'"{k}" = "{v}"' for k, v in s3.properties().items())
    # One file of ~20 MB goes up as a multipart upload (8 MiB parts).
    floe.query(f'INSERT INTO FILES("path" = "s3://floe/big/", "format" = "csv", "single" = "true", {props}) '
               f'SELECT number, repeat(\'x\', 90) FROM numbers(200000)')
    [key] = s3.keys("floe", "big/")
    body = s3.get("floe", key)
    assert len(body) > 16 * 1024 * 1024 and body.count(b"\n") == 200000
    big = files("s3://floe/big/*", {"format": "csv", "csv.column_separator": "\\t", **s3.properties()})
    assert query(floe, f"SELECT count(*), sum($1) FROM {big}") == [(200000, 199999 * 200000 // 2)]
    # Wrong keys: an error naming the object and S3's code; nothing is left behind.
    # (s3rver checks the access key, not the signature.)
    bad = s3.properties(**{"aws.s3.access_key": "NOPE", "aws.s3.secret_key": "not-the-secret"})
    bad_props = ", ".join(f'"{k}" = "{v}"' for k, v in bad.items())
    m = error_of(floe, f'INSERT INTO FILES("path" = "s3://floe/denied/", "format" = "csv", {bad_props}) SELECT 1')
    assert "s3://floe/denied/" in m and "InvalidAccessKeyId" in m and "not-the-secret" not in m, m
    assert s3.keys("floe", "denied/") == []
    m = error_of(floe, f'INSERT INTO FILES("path" = "s3://no-such-bucket/x/", "format" = "csv", {props}) SELECT 1')
    assert "no-such-bucket" in m and "NoSuchBucket" in m, m
    m = error_of(floe, f'INSERT INTO FILES("path" = "/tmp/x/", "format" = "csv", {props}) SELECT 1')
    assert "applies to s3:// paths only" in m, m


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
