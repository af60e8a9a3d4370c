"""The data cache (seed 002's warm tier) over a real S3 endpoint (s3rver, started by the `s3`
fixture of s3_server.py): a second scan of the same Parquet files or Iceberg table is served from
the cache (hits in EXPLAIN ANALYZE and information_schema.be_datacache_metrics, no block fetched
again); the disk tier serves after a restart; an object replaced under the same key, or a new
snapshot, is read fresh; enable_scan_datacache = false reads around the cache; size limits evict;
corrupt cache files are dropped, never served; CACHE SELECT warms the cache; ALTER SYSTEM SET
enable_datacache is accepted."""
import hashlib
import os
import re
import sqlite3

import pymysql
import pytest

from conftest import FloeServer
from iceberg_writer import IcebergTable
from s3_server import s3  # noqa: F401  (the fixture)

ROWS = 40000  # with an md5 per row, about 1.5 MiB of Parquet: a file spans two cache blocks


@pytest.fixture(scope="module")
def floe(tmp_path_factory):
    s = FloeServer(tmp_path_factory.mktemp("floe-datacache")).start()
    yield s
    s.stop()


def files(path, properties):
    return "FILES(" + ", ".join(f'"{k}" = "{v}"' for k, v in {"path": path, **properties}.items()) + ")"


def query(floe, sql):
    return [tuple(r) for r in floe.query(sql)]


def analyze(floe, sql):
    """(hits, misses) of the scans of EXPLAIN ANALYZE `sql`, and the plan text."""
    text = "\n".join(r[0] for r in floe.query("EXPLAIN ANALYZE " + sql))
    found = re.findall(r"data cache: (\d+) hits, (\d+) misses", text)
    assert found, text
    return sum(int(h) for h, _ in found), sum(int(m) for _, m in found), text


def metrics(floe):
    cur = floe.connect().cursor(pymysql.cursors.DictCursor)
    cur.execute("SELECT * FROM information_schema.be_datacache_metrics")
    rows = cur.fetchall()
    assert len(rows) == 1
    return rows[0]


def write_parquet(floe, local, name, salt=""):
    """A Parquet file of ROWS rows at `local`/`name` written by Floe's INSERT INTO FILES."""
    table = f"dc.src_{hashlib.md5((name + salt).encode()).hexdigest()[:8]}"
    floe.query("CREATE DATABASE IF NOT EXISTS dc")
    floe.query(f"DROP TABLE IF EXISTS {table}")
    floe.query(f"CREATE TABLE {table} (id BIGINT NOT NULL, h VARCHAR(40)) DUPLICATE KEY(id)")
    for start in range(0, ROWS, 5000):
        values = ", ".join(f"({i}, '{hashlib.md5(f'{salt}{i}'.encode()).hexdigest()}')"
                           for i in range(start, start + 5000))
        floe.query(f"INSERT INTO {table} VALUES {values}")
    out = local / (name + ".dir")
    floe.query(f'INSERT INTO FILES("path" = "{out}/", "format" = "parquet") SELECT * FROM {table}')
    written = sorted(os.listdir(out))
    assert len(written) == 1
    os.replace(out / written[0], local / name)
    return local / name


@pytest.fixture(scope="module")
def parquet(floe, s3, tmp_path_factory):
    local = tmp_path_factory.mktemp("dc-pq")
    path = write_parquet(floe, local, "a.parquet")
    assert os.path.getsize(path) > (1 << 20)
    s3.put_file("floe", "dc/a.parquet", path)
    return local


def test_second_scan_is_served_from_the_cache(floe, s3, parquet):
    source = files("s3://floe/dc/a.parquet", s3.properties())
    sql = f"SELECT count(*), sum(id), max(h) FROM {source}"
    expected = query(floe, sql)
    assert expected[0][:2] == (ROWS, ROWS * (ROWS - 1) // 2)
    before = metrics(floe)
    hits, misses, text = analyze(floe, sql)
    assert misses == 0 and hits >= 2, text
    after = metrics(floe)
    assert after["MISS_COUNT"] == before["MISS_COUNT"]  # no block fetched again
    assert after["HIT_COUNT"] > before["HIT_COUNT"]
    assert after["HIT_BYTES"] > before["HIT_BYTES"]
    assert after["STATUS"] == "Normal"
    assert after["MEM_USED_BYTES"] > 0 and after["DISK_USED_BYTES"] > 0
    assert query(floe, sql) == expected


def test_disk_cache_survives_a_restart(floe, s3, parquet):
    source = files("s3://floe/dc/a.parquet", s3.properties())
    sql = f"SELECT count(*), sum(id), max(h) FROM {source}"
    expected = query(floe, sql)
    floe.restart()
    m = metrics(floe)
    assert m["DISK_USED_BYTES"] > 0 and m["DISK_BLOCKS"] >= 2 and m["MEM_USED_BYTES"] == 0
    hits, misses, text = analyze(floe, sql)
    assert misses == 0 and hits >= 2, text
    assert query(floe, sql) == expected
    assert metrics(floe)["MISS_COUNT"] == 0  # binding and scanning: every block from the disk tier


def test_replaced_object_is_read_fresh(floe, s3, tmp_path):
    first = write_parquet(floe, tmp_path, "r1.parquet", salt="one")
    second = write_parquet(floe, tmp_path, "r2.parquet", salt="two")
    source = files("s3://floe/dc/replaced.parquet", s3.properties())
    sql = f"SELECT count(*), min(h), max(h) FROM {source}"
    s3.put_file("floe", "dc/replaced.parquet", first)
    old = query(floe, sql)
    assert analyze(floe, sql)[1] == 0  # cached
    s3.put_file("floe", "dc/replaced.parquet", second)  # same key, new ETag
    before = metrics(floe)["MISS_COUNT"]
    new = query(floe, sql)
    # The new object's blocks are fetched (when binding FILES() reads the footer, or by the scan).
    assert metrics(floe)["MISS_COUNT"] >= before + 2
    assert new != old
    assert new == query(floe, f"SELECT count(*), min(h), max(h) FROM {files(str(second), {})}")


def test_session_variable_bypasses_the_cache(floe, s3, parquet):
    source = files("s3://floe/dc/a.parquet", s3.properties())
    sql = f"SELECT count(*) FROM {source}"
    conn = floe.connect()
    cur = conn.cursor()
    cur.execute("SET enable_scan_datacache = false")
    cur.execute("SELECT @@enable_scan_datacache")
    assert cur.fetchall()[0][0] == 0
    before = metrics(floe)
    cur.execute("EXPLAIN ANALYZE " + sql)
    text = "\n".join(r[0] for r in cur.fetchall())
    m = re.search(r"data cache: (\d+) hits, (\d+) misses, .* from cache, (.*) from remote", text)
    assert m and m.group(1) == "0" and m.group(2) == "0", text
    after = metrics(floe)
    assert after["HIT_COUNT"] == before["HIT_COUNT"] and after["MISS_COUNT"] == before["MISS_COUNT"]
    cur.execute("SET enable_scan_datacache = true")
    cur.execute("EXPLAIN ANALYZE " + sql)
    text = "\n".join(r[0] for r in cur.fetchall())
    assert re.search(r"data cache: [1-9]\d* hits, 0 misses", text), text


def test_cache_select_warms_the_cache(floe, s3, tmp_path):
    path = write_parquet(floe, tmp_path, "w.parquet", salt="warm")
    s3.put_file("floe", "dc/warm.parquet", path)
    source = files("s3://floe/dc/warm.parquet", s3.properties())
    cur = floe.connect().cursor(pymysql.cursors.DictCursor)
    cur.execute(f"CACHE SELECT id, h FROM {source} WHERE id >= 0")
    rows = cur.fetchall()
    assert len(rows) == 1
    row = rows[0]
    assert list(row) == ["READ_CACHE_SIZE", "WRITE_CACHE_SIZE", "AVG_WRITE_CACHE_TIME", "TOTAL_CACHE_USAGE"]
    assert row["WRITE_CACHE_SIZE"] != "0B" and row["WRITE_CACHE_SIZE"].endswith("B")
    assert row["AVG_WRITE_CACHE_TIME"].endswith("ms") and row["TOTAL_CACHE_USAGE"].endswith("%")
    hits, misses, text = analyze(floe, f"SELECT count(*), max(h) FROM {source}")
    assert misses == 0 and hits > 0, text
    cur.execute(f"CACHE SELECT * FROM {source}")
    again = cur.fetchall()[0]
    assert again["WRITE_CACHE_SIZE"] == "0B" and again["READ_CACHE_SIZE"] != "0B"


def test_settings_and_alter_system_alias(floe, s3, parquet):
    assert query(floe, "SELECT @@global.datacache_enable, @@global.datacache_mem_size, @@global.datacache_disk_size")
    with pytest.raises(pymysql.MySQLError) as e:
        floe.query("SET GLOBAL datacache_mem_size = 'lots'")
    assert "datacache_mem_size" in str(e.value)
    floe.query("ALTER SYSTEM SET enable_datacache = false")
    try:
        assert query(floe, "SELECT @@global.datacache_enable") == [(0,)]
        assert metrics(floe)["STATUS"] == "Disabled"
        source = files("s3://floe/dc/a.parquet", s3.properties())
        hits, misses, _ = analyze(floe, f"SELECT count(*) FROM {source}")
        assert hits == 0 and misses == 0
        with pytest.raises(pymysql.MySQLError) as e:
            floe.query(f"CACHE SELECT * FROM {source}")
        assert "datacache_enable" in str(e.value)
    finally:
        floe.query("ALTER SYSTEM SET enable_datacache = true")
    assert metrics(floe)["STATUS"] == "Normal"


def test_size_limits_evict(floe, s3, parquet):
    source = files("s3://floe/dc/a.parquet", s3.properties())
    sql = f"SELECT count(*), max(h) FROM {source}"
    expected = query(floe, sql)
    floe.query("SET GLOBAL datacache_mem_size = '100K'")
    floe.query("SET GLOBAL datacache_disk_size = '1100K'")
    try:
        m = metrics(floe)
        assert m["MEM_QUOTA_BYTES"] == 100 << 10 and m["DISK_QUOTA_BYTES"] == 1100 << 10
        assert m["MEM_USED_BYTES"] <= 100 << 10 and m["DISK_USED_BYTES"] <= 1100 << 10
        for _ in range(2):
            before = metrics(floe)["MISS_COUNT"]
            assert query(floe, sql) == expected
            m = metrics(floe)
            assert m["MEM_USED_BYTES"] <= 100 << 10 and m["DISK_USED_BYTES"] <= 1100 << 10
            # The file's two blocks (1 MiB and ~0.2 MiB) fit in neither tier together: each
            # query evicts what the next one needs.
            assert m["MISS_COUNT"] > before
    finally:
        floe.query("SET GLOBAL datacache_mem_size = DEFAULT")
        floe.query("SET GLOBAL datacache_disk_size = DEFAULT")


def test_corrupt_cache_files_are_dropped(floe, s3, parquet):
    source = files("s3://floe/dc/a.parquet", s3.properties())
    sql = f"SELECT count(*), sum(id), max(h) FROM {source}"
    expected = query(floe, sql)
    floe.stop()
    cache_dir = os.path.join(floe.data_dir, "datacache")
    entries = [os.path.join(cache_dir, n) for n in os.listdir(cache_dir)]
    assert entries
    for path in entries:  # flip a byte in the middle of every entry's data
        with open(path, "r+b") as f:
            f.seek(os.path.getsize(path) // 2)
            b = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([b[0] ^ 0xFF]))
    with open(os.path.join(cache_dir, "garbage.blk"), "wb") as f:
        f.write(b"not a cache entry")
    floe.start()
    assert query(floe, sql) == expected
    m = metrics(floe)
    assert m["MISS_COUNT"] >= 2  # the corrupt blocks were fetched again, never served
    assert not os.path.exists(os.path.join(cache_dir, "garbage.blk"))
    hits, misses, text = analyze(floe, sql)  # and the fresh copies now serve
    assert misses == 0 and hits >= 2, text


def test_iceberg_on_s3_second_query_and_new_snapshot(floe, s3, tmp_path):
    warehouse = str(tmp_path / "warehouse")
    table = IcebergTable(warehouse, "sales", "orders", [("id", "long"), ("region", "string"), ("amount", "double")])
    table.append([[(i, ["eu", "us", "apac"][i % 3], float(i)) for i in range(1, 2001)]])
    s3.put_tree("floe", "dcwh", warehouse)
    db = tmp_path / "catalog.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) "
                 "NOT NULL, table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000), "
                 "previous_metadata_location VARCHAR(1000), PRIMARY KEY (catalog_name, table_namespace, table_name))")

    def point_catalog_at_current_version():
        conn.execute("INSERT OR REPLACE INTO iceberg_tables VALUES ('lake_dc', 'sales', 'orders', ?, NULL)",
                     (f"s3://floe/dcwh/sales/orders/metadata/v{table.version}.metadata.json",))
        conn.commit()

    point_catalog_at_current_version()
    props = {"type": "iceberg", "iceberg.catalog.type": "jdbc", "iceberg.catalog.uri": f"jdbc:sqlite:{db}",
             "iceberg.catalog.warehouse": "s3://floe/dcwh", "location.rewrite": f"{warehouse}=>s3://floe/dcwh",
             **s3.properties()}
    floe.query("CREATE EXTERNAL CATALOG lake_dc PROPERTIES (" +
               ", ".join(f"'{k}' = '{v}'" for k, v in props.items()) + ")")
    try:
        sql = "SELECT count(*), sum(amount) FROM lake_dc.sales.orders"
        assert query(floe, sql) == [(2000, float(sum(range(1, 2001))))]
        hits, misses, text = analyze(floe, sql)
        assert misses == 0 and hits > 0, text
        # A new snapshot: its new data file misses, the old one hits, and the answer is the new one.
        table.append([[(5000, "eu", 1000.0)]])
        s3.put_tree("floe", "dcwh", warehouse)
        point_catalog_at_current_version()
        before = metrics(floe)["MISS_COUNT"]
        assert query(floe, sql) == [(2001, float(sum(range(1, 2001))) + 1000.0)]
        assert metrics(floe)["MISS_COUNT"] > before  # the new data file (and metadata) fetched
        hits, misses, text = analyze(floe, "SELECT count(*), sum(amount) FROM lake_dc.sales.orders")
        assert misses == 0 and hits > 0, text
        cur = floe.connect().cursor()
        cur.execute("CACHE SELECT id, amount FROM lake_dc.sales.orders WHERE region = 'eu'")
        assert len(cur.fetchall()) == 1
    finally:
        floe.query("DROP CATALOG lake_dc")
        conn.close()
