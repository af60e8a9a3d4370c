"""Iceberg table upkeep (issue 23) end to end: each maintenance procedure with a concurrent writer,
checked by readers independent of Floe (python3-avro for the metadata, DuckDB for the Parquet data and
position deletes, the spec checker); orphan removal with a writer committing while it runs; 3,000
small appends tidied by the automatic rounds; maintenance of a tiering cold table."""

import json
import os
import threading
import time

import pymysql
import pytest

from conftest import FloeServer
from duckdb_peer import duckdb_sql, requires_duckdb

avro_datafile = pytest.importorskip("avro.datafile")
avro_io = pytest.importorskip("avro.io")
import iceberg_spec_check  # noqa: E402

pytestmark = [requires_duckdb, pytest.mark.filterwarnings("ignore::avro.errors.IgnoredLogicalType")]

DAY = 86400


def metadata_path(table_dir):
    md = os.path.join(table_dir, "metadata")
    with open(os.path.join(md, "version-hint.text")) as f:
        return os.path.join(md, f"v{f.read().strip()}.metadata.json")


def live_files(table_dir):
    """(data files, position-delete files) of the current snapshot, read with python3-avro."""
    meta = json.load(open(metadata_path(table_dir)))
    cur = meta.get("current-snapshot-id")
    snap = [s for s in meta.get("snapshots", []) if s["snapshot-id"] == cur]
    data, deletes = [], []
    if not snap:
        return data, deletes
    with open(snap[0]["manifest-list"].removeprefix("file://"), "rb") as f:
        for m in avro_datafile.DataFileReader(f, avro_io.DatumReader()):
            with open(m["manifest_path"].removeprefix("file://"), "rb") as g:
                for e in avro_datafile.DataFileReader(g, avro_io.DatumReader()):
                    if e["status"] == 2:
                        continue
                    df = e["data_file"]
                    assert df.get("content", 0) != 2, "Floe writes no equality deletes"
                    (deletes if df.get("content", 0) == 1 else data).append(df["file_path"].removeprefix("file://"))
    return data, deletes


def independent_rows(table_dir):
    """The table's (id, v) rows read without Floe; every file the metadata names must exist."""
    data, deletes = live_files(table_dir)
    for p in data + deletes:
        assert os.path.exists(p), f"the metadata names {p}, which is gone"
    if not data:
        return []
    files = ", ".join(f"'{p}'" for p in data)
    sql = f"SELECT id, v FROM read_parquet([{files}], filename=true, file_row_number=true) t"
    if deletes:
        dfiles = ", ".join(f"'{p}'" for p in deletes)
        sql += (f" WHERE NOT EXISTS (SELECT 1 FROM read_parquet([{dfiles}]) x "
                f"WHERE x.file_path IN (t.filename, 'file://' || t.filename) AND x.pos = t.file_row_number)")
    return sorted((int(r["id"]), int(r["v"])) for r in duckdb_sql(sql))


def check(srv, table_dir, fq, expected):
    """Floe, the spec checker and the independent reader agree with `expected` ({id: v})."""
    want = sorted(expected.items())
    got = sorted((int(a), int(b)) for a, b in srv.query(f"SELECT id, v FROM {fq}"))
    assert got == want, "Floe SELECT"
    problems = iceberg_spec_check.check_table(metadata_path(table_dir), strict=True)
    assert problems == [], "\n".join(problems)
    assert independent_rows(table_dir) == want, "independent reader"


def health(srv, table):
    conn = srv.connect(cursorclass=pymysql.cursors.DictCursor)
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT * FROM information_schema.iceberg_table_health WHERE table_name = '{table}'")
            return cur.fetchone()
    finally:
        conn.close()


class Appender:
    """Appends one row per INSERT (one commit each) until stopped; tracks acknowledged rows."""

    def __init__(self, srv, fq, start_id, kinds=("a", "b", "c")):
        self.srv, self.fq, self.next, self.kinds = srv, fq, start_id, kinds
        self.acked = {}
        self.errors = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        conn = self.srv.connect()
        try:
            while not self.stop.is_set():
                i = self.next
                self.next += 1
                try:
                    with conn.cursor() as cur:
                        cur.execute(f"INSERT INTO {self.fq} VALUES ({i}, '{self.kinds[i % len(self.kinds)]}', {i * 10})")
                    self.acked[i] = i * 10
                except pymysql.MySQLError as e:
                    self.errors.append(str(e))
                time.sleep(0.01)
        finally:
            conn.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(120)


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    warehouse = str(tmp_path_factory.mktemp("lake-maint"))
    srv = FloeServer(tmp_path_factory.mktemp("floe-lake-maint")).start()
    srv.query("CREATE EXTERNAL CATALOG lake PROPERTIES ('type' = 'iceberg', 'iceberg.catalog.type' = 'hadoop', "
              f"'iceberg.catalog.warehouse' = '{warehouse}')")
    srv.query("CREATE DATABASE lake.db")
    yield srv, warehouse
    srv.stop()


def make_table(srv, warehouse, name, rows=30, extra=""):
    srv.query(f"CREATE TABLE lake.db.{name} (id BIGINT, kind STRING, v BIGINT) PARTITION BY (kind){extra}")
    conn = srv.connect()
    expected = {}
    with conn.cursor() as cur:
        for i in range(1, rows + 1):
            cur.execute(f"INSERT INTO lake.db.{name} VALUES ({i}, '{'abc'[i % 3]}', {i * 10})")
            expected[i] = i * 10
    conn.close()
    return os.path.join(warehouse, "db", name), expected


def test_compaction_with_concurrent_appends_and_deletes(lake):
    srv, warehouse = lake
    table_dir, expected = make_table(srv, warehouse, "compact")
    assert health(srv, "compact")["DATA_FILES"] == 30
    # Deletes first: compaction applies them and drops their files.
    srv.query("DELETE FROM lake.db.compact WHERE id IN (3, 4, 5)")
    for i in (3, 4, 5):
        del expected[i]
    with Appender(srv, "lake.db.compact", 1000) as app:
        time.sleep(0.3)
        r = srv.query("ALTER TABLE lake.db.compact EXECUTE rewrite_data_files()")
        time.sleep(0.3)
    assert app.errors == []
    assert r[0][0] >= 30 and r[0][1] == 3, r  # every small file in (appends too), one per partition out
    expected.update(app.acked)
    check(srv, table_dir, "lake.db.compact", expected)
    h = health(srv, "compact")
    assert h["DELETE_FILES"] == 0
    assert h["DATA_FILES"] < 3 + len(app.acked)

    # A delete landing on files a compaction rewrites: one of them gives up, nothing is lost.
    conn = srv.connect()
    failures = []

    def deleter():
        for i in range(10, 20):
            try:
                with conn.cursor() as cur:
                    cur.execute(f"DELETE FROM lake.db.compact WHERE id = {i}")
                expected.pop(i, None)
            except pymysql.MySQLError as e:
                failures.append(str(e))

    t = threading.Thread(target=deleter)
    t.start()
    for _ in range(3):
        try:
            srv.query("ALTER TABLE lake.db.compact EXECUTE rewrite_data_files(rewrite_all => true)")
        except pymysql.MySQLError as e:
            failures.append(str(e))
    t.join()
    conn.close()
    for f in failures:
        assert "concurrent" in f, f
    got = {int(a): int(b) for a, b in srv.query("SELECT id, v FROM lake.db.compact")}
    # A DELETE that failed left its row; one that succeeded removed it for good.
    for i in range(10, 20):
        if i in got:
            expected[i] = i * 10
    check(srv, table_dir, "lake.db.compact", expected)


def test_rewrite_manifests_and_position_deletes(lake):
    srv, warehouse = lake
    table_dir, expected = make_table(srv, warehouse, "manif", rows=12)
    # One file per partition with four rows each, then three deletes of partition b's rows: three
    # position-delete files for one data file.
    srv.query("INSERT INTO lake.db.manif SELECT id + 100, kind, v + 1000 FROM lake.db.manif")
    for i in range(1, 13):
        expected[i + 100] = i * 10 + 1000
    for ids in ((101,), (104,), (107, 2)):
        srv.query(f"DELETE FROM lake.db.manif WHERE id IN ({', '.join(map(str, ids))})")
        for i in ids:
            del expected[i]
    before = health(srv, "manif")
    assert before["MANIFESTS"] > 10
    with Appender(srv, "lake.db.manif", 500) as app:
        time.sleep(0.2)
        r = srv.query("ALTER TABLE lake.db.manif EXECUTE rewrite_manifests()")
        r2 = srv.query("ALTER TABLE lake.db.manif EXECUTE rewrite_position_delete_files()")
    assert app.errors == []
    assert r[0][0] > r[0][1]
    expected.update(app.acked)
    check(srv, table_dir, "lake.db.manif", expected)
    # Fewer position-delete files afterwards: the INSERT ... SELECT above writes partition b's new
    # rows with parallel writers, so they land in one or two data files; a data file with a single
    # delete file keeps it (2 files rewritten into 1), one with all three gets one (3 into 1).
    assert 2 <= r2[0][0] <= 3 and 1 <= r2[0][1] < r2[0][0], r2
    _, deletes = live_files(table_dir)
    assert len(deletes) >= r2[0][1]


def test_expire_snapshots_with_concurrent_writer(lake):
    srv, warehouse = lake
    table_dir, expected = make_table(srv, warehouse, "expire", rows=15)
    srv.query("ALTER TABLE lake.db.expire EXECUTE rewrite_data_files(rewrite_all => true)")
    old_data, _ = [], None
    replaced = [p for p in os.listdir(os.path.join(table_dir, "data"))]
    with Appender(srv, "lake.db.expire", 700) as app:
        time.sleep(0.2)
        r = srv.query("ALTER TABLE lake.db.expire EXECUTE expire_snapshots(older_than => '0s', retain_last => 1)")
        time.sleep(0.2)
    assert app.errors == []
    assert r[0][0] >= 15
    expected.update(app.acked)
    check(srv, table_dir, "lake.db.expire", expected)
    # The 15 files the compaction replaced are gone from disk; every live one is there.
    data, _ = live_files(table_dir)
    on_disk = set()
    for root, _, files in os.walk(os.path.join(table_dir, "data")):
        on_disk.update(os.path.join(root, f) for f in files)
    assert set(data) <= on_disk
    assert len(on_disk) == len(data), "files of expired snapshots are deleted"
    assert len(replaced) >= 1 and old_data == []


def test_orphan_removal_never_deletes_referenced_files(lake):
    srv, warehouse = lake
    table_dir, expected = make_table(srv, warehouse, "orphans", rows=9)
    srv.query("ALTER TABLE lake.db.orphans EXECUTE rewrite_data_files(rewrite_all => true)")
    srv.query("ALTER TABLE lake.db.orphans EXECUTE expire_snapshots(older_than => '0s')")
    # Every file ages four days (only references protect them now), and orphans appear: a failed
    # write's data file, a stray manifest and an old metadata file nobody lists.
    old = time.time() - 4 * DAY
    orphans = [os.path.join(table_dir, "data", "kind=a", "stray-00001.parquet"),
               os.path.join(table_dir, "metadata", "lost-m0.avro"),
               os.path.join(table_dir, "data", "tmp", ".part-0001.tmp")]
    # A file beside the table's data and metadata directories is not the table's to judge.
    beside = os.path.join(table_dir, "NOTES.txt")
    for p in orphans + [beside]:
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(b"orphan" * 100)
    for root, _, files in os.walk(table_dir):
        for f in files:
            os.utime(os.path.join(root, f), (old, old))
    dry = srv.query("ALTER TABLE lake.db.orphans EXECUTE remove_orphan_files(older_than => '3d', dry_run => true)")
    listed = {r[0] for r in dry}
    assert set(orphans) <= listed
    # Only files nothing references: old metadata versions beyond the log may be listed too.
    for p in listed:
        assert p in orphans or (p.endswith(".metadata.json") and "/metadata/" in p), p
    with Appender(srv, "lake.db.orphans", 900) as app:
        for _ in range(3):
            srv.query("ALTER TABLE lake.db.orphans EXECUTE remove_orphan_files(older_than => '3d')")
            time.sleep(0.1)
    assert app.errors == []
    for p in orphans:
        assert not os.path.exists(p)
    assert os.path.exists(beside)
    expected.update(app.acked)
    check(srv, table_dir, "lake.db.orphans", expected)
    log = srv.query("SELECT state FROM information_schema.iceberg_maintenance_log "
                    "WHERE table_name = 'orphans' AND action = 'remove_orphan_files'")
    assert [r[0] for r in log] == ["SUCCESS"] * 4


def test_tiering_cold_table_is_compacted_and_its_snapshot_kept(lake):
    srv, warehouse = lake
    srv.query("CREATE DATABASE IF NOT EXISTS h")
    srv.query("CREATE TABLE h.t (id BIGINT NOT NULL, d DATE NOT NULL, v BIGINT) DUPLICATE KEY(id) "
              "PARTITION BY date_trunc('day', d) DISTRIBUTED BY HASH(id) BUCKETS 1")
    expected = {}
    for day in range(1, 9):
        rows = ", ".join(f"({day * 100 + k}, '2020-01-{day:02d}', {k})" for k in range(5))
        srv.query(f"INSERT INTO h.t VALUES {rows}")
        for k in range(5):
            expected[day * 100 + k] = k
    srv.query("ALTER TABLE h.t SET (\"tiering.cold_table\" = \"lake.db.tiered\", \"tiering.move_after\" = \"1 DAY\", "
              "\"tiering.check_interval\" = \"3600\")")
    srv.query("ALTER TABLE h.t EXECUTE tier_move()")
    # Late rows for moved days move in later batches: more small cold files per day partition.
    for n in range(6):
        srv.query(f"INSERT INTO h.t VALUES ({5000 + n}, '2020-01-01', {n})")
        expected[5000 + n] = n
        srv.query("ALTER TABLE h.t EXECUTE tier_move()")
    before = srv.query("SELECT cold_snapshot_id FROM information_schema.tiering WHERE table_name = 't'")[0][0]
    r = srv.query("ALTER TABLE lake.db.tiered EXECUTE rewrite_data_files()")
    assert r[0][0] >= 5, r
    after = srv.query("SELECT cold_snapshot_id FROM information_schema.tiering WHERE table_name = 't'")[0][0]
    assert after != before, "the hot table reads the compacted snapshot"
    got = {int(a): int(b) for a, b in srv.query("SELECT id, v FROM h.t")}
    assert got == expected
    # Expiry keeps the snapshot the hot table reads.
    srv.query("ALTER TABLE lake.db.tiered EXECUTE expire_snapshots(older_than => '0s')")
    snaps = [int(r[0]) for r in srv.query("SELECT snapshot_id FROM lake.db.tiered$snapshots")]
    assert int(after) in snaps
    got = {int(a): int(b) for a, b in srv.query("SELECT id, v FROM h.t")}
    assert got == expected
    # A later move still works on the compacted table.
    srv.query("INSERT INTO h.t VALUES (9000, '2020-01-02', 1)")
    expected[9000] = 1
    srv.query("ALTER TABLE h.t EXECUTE tier_move()")
    got = {int(a): int(b) for a, b in srv.query("SELECT id, v FROM h.t")}
    assert got == expected


def test_3000_small_appends_tidied_by_automatic_maintenance(tmp_path_factory):
    """A day of 30-second checkpoints: 3,000 one-row appends; the background rounds compact, expire
    and bring the file count back under the threshold with the data unchanged."""
    warehouse = str(tmp_path_factory.mktemp("lake-auto"))
    srv = FloeServer(tmp_path_factory.mktemp("floe-lake-auto"), ["--lake-maintenance-interval", "2"]).start()
    try:
        srv.query("CREATE EXTERNAL CATALOG lake PROPERTIES ('type' = 'iceberg', 'iceberg.catalog.type' = 'hadoop', "
                  f"'iceberg.catalog.warehouse' = '{warehouse}')")
        srv.query("CREATE DATABASE lake.db")
        srv.query("CREATE TABLE lake.db.stream (id BIGINT, kind STRING, v BIGINT) PARTITION BY (kind) PROPERTIES ("
                  "'floe.maintenance.interval-seconds' = '5', 'history.expire.max-snapshot-age-ms' = '20000')")
        table_dir = os.path.join(warehouse, "db", "stream")
        conn = srv.connect()
        expected = {}
        start = time.time()
        with conn.cursor() as cur:
            for i in range(3000):
                cur.execute(f"INSERT INTO lake.db.stream VALUES ({i}, '{'abc'[i % 3]}', {i * 10})")
                expected[i] = i * 10
        conn.close()
        append_seconds = time.time() - start
        # The background catches up: at most min-input-files small files per partition are left.
        deadline = time.time() + 240
        while time.time() < deadline:
            h = health(srv, "stream")
            if h["DATA_FILES"] <= 3 * 4 and h["SNAPSHOTS"] < 100:
                break
            time.sleep(2)
        h = health(srv, "stream")
        assert h["DATA_FILES"] <= 12, (h, append_seconds)
        assert h["SNAPSHOTS"] < 100, h
        # Hold the background still while the readers look (it deletes expired files meanwhile).
        srv.query("ALTER TABLE lake.db.stream SET ('floe.maintenance' = 'false')")
        last, still = None, 0
        while still < 3:
            time.sleep(1)
            now = metadata_path(table_dir)
            still = still + 1 if now == last else 0
            last = now
        check(srv, table_dir, "lake.db.stream", expected)
        log = srv.query("SELECT action, state FROM information_schema.iceberg_maintenance_log "
                        "WHERE table_name = 'stream' AND trigger = 'auto' AND state = 'SUCCESS'")
        actions = {r[0] for r in log}
        assert {"rewrite_data_files", "expire_snapshots"} <= actions, log
        failed = srv.query("SELECT message FROM information_schema.iceberg_maintenance_log "
                           "WHERE table_name = 'stream' AND state = 'FAILED'")
        for (message,) in failed:  # only lost races with the appends, retried next round
            assert "concurrent" in message or "changed" in message, message
    finally:
        srv.stop()
