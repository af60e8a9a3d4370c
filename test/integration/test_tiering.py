"""Tiering end to end (issue 22): one logical table over a hot Primary Key table and its Iceberg
history, while Stream Load and a Routine Load (librdkafka's mock cluster) write steadily — new rows,
late rows for days already moved, upserts of moved keys — and the boundary moves several times. A
query loop checks count, sum and key sets every few milliseconds: no gap (every acknowledged row is
there), no duplicate. Repeated with kill -9 at random points of moves, and with the cold store
unreachable for a while. An independent reader (python3-avro for the manifests, DuckDB for the
Parquet files, position deletes applied) sees in the cold table exactly what Floe serves below the
boundary.
"""
import datetime
import json
import os
import random
import shutil
import subprocess
import threading
import time

import pytest

from conftest import ROOT, FloeServer
from duckdb_peer import HAVE_DUCKDB, duckdb_sql

avro_datafile = pytest.importorskip("avro.datafile")
avro_io = pytest.importorskip("avro.io")

MOCK = os.environ.get("FLOE_KAFKA_MOCK", os.path.join(ROOT, "build", "release", "test", "floe_kafka_mock"))
TODAY = datetime.date.today()
DAYS = 40  # rows are spread over the last 40 days


def day(n):
    return (TODAY - datetime.timedelta(days=n)).isoformat()


def stream_load(srv, rows, label, delete=False):
    data = "".join(f"{i},{d},{v},1,{1 if delete else 0}\n" for i, d, v in rows)
    path = f"/tmp/floe-tier-{srv.http_port}-{label}.csv"
    with open(path, "w") as f:
        f.write(data)
    out = subprocess.run(["curl", "-s", "--max-time", "60", "--location-trusted", "-u", "root:", "-H",
                          "column_separator:,", "-H", "columns: id, d, v, w, __op", "-H", f"label:{label}",
                          "-T", path,
                          f"http://127.0.0.1:{srv.http_port}/api/h/ev/_stream_load"],
                         capture_output=True, text=True, timeout=90)
    os.unlink(path)
    if out.returncode != 0 or not out.stdout:
        return None
    r = json.loads(out.stdout)
    return r if r.get("Status") == "Success" else None


def create_tables(srv, warehouse):
    srv.query(f"CREATE EXTERNAL CATALOG lake PROPERTIES ('type' = 'iceberg', 'iceberg.catalog.type' = 'hadoop', "
              f"'iceberg.catalog.warehouse' = '{warehouse}')")
    srv.query("CREATE DATABASE lake.db")
    srv.query("CREATE DATABASE h")
    srv.query("CREATE TABLE h.ev (id BIGINT NOT NULL, d DATE NOT NULL, v BIGINT, w INT) PRIMARY KEY(id, d) "
              "PARTITION BY date_trunc('day', d) DISTRIBUTED BY HASH(id) BUCKETS 2")


def set_policy(srv, move_after_days):
    srv.query(f"ALTER TABLE h.ev SET (\"tiering.cold_table\" = \"lake.db.ev\", "
              f"\"tiering.move_after\" = \"{move_after_days} DAY\", \"tiering.check_interval\" = \"3600\")")


def tiering_row(srv):
    conn = srv.connect(cursorclass=__import__("pymysql").cursors.DictCursor)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT * FROM information_schema.tiering WHERE table_name = 'ev'")
            return cur.fetchone()
    finally:
        conn.close()


def cold_rows_independently(warehouse, snapshot_id):
    """The cold table's rows at `snapshot_id`, read without Floe: manifests with python3-avro, data
    and position-delete files with DuckDB."""
    md = os.path.join(warehouse, "db", "ev", "metadata")
    with open(os.path.join(md, "version-hint.text")) as f:
        meta = json.load(open(os.path.join(md, f"v{f.read().strip()}.metadata.json")))
    snap = [s for s in meta["snapshots"] if s["snapshot-id"] == snapshot_id]
    assert snap, f"snapshot {snapshot_id} not in the cold table's metadata"
    data, deletes = [], []
    with open(snap[0]["manifest-list"].removeprefix("file://"), "rb") as f:
        for m in avro_datafile.DataFileReader(f, avro_io.DatumReader()):
            with open(m["manifest_path"].removeprefix("file://"), "rb") as g:
                for e in avro_datafile.DataFileReader(g, avro_io.DatumReader()):
                    if e["status"] == 2:
                        continue
                    df = e["data_file"]
                    path = df["file_path"].removeprefix("file://")
                    (deletes if df.get("content", 0) == 1 else data).append(path)
    if not data:
        return set()
    files = ", ".join(f"'{p}'" for p in data)
    sql = (f"SELECT id, CAST(d AS VARCHAR) AS d, v FROM read_parquet([{files}], filename=true, "
           f"file_row_number=true) t")
    if deletes:
        dfiles = ", ".join(f"'{p}'" for p in deletes)
        sql += (f" WHERE NOT EXISTS (SELECT 1 FROM read_parquet([{dfiles}]) x "
                f"WHERE x.file_path IN (t.filename, 'file://' || t.filename) AND x.pos = t.file_row_number)")
    return {(int(r["id"]), r["d"], int(r["v"])) for r in duckdb_sql(sql)}


class Writer:
    """Stream Load batches of new rows (every day of the range, so late rows for moved days too) and
    upserts of older keys; tracks what was acknowledged."""

    def __init__(self, srv):
        self.srv = srv
        self.next_id = 1
        self.expected = {}  # (id, d) -> v, acknowledged
        self.acked_keys = 0
        self.sent_keys = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.batches = 0
        self.deleting = 0  # keys being deleted right now
        self.deleted = 0
        self.uncertain = set()  # keys whose DELETE was cut off by a kill: either outcome is right

    def batch(self, n=40):
        rows = []
        with self.lock:
            for _ in range(n):
                rows.append((self.next_id, day(random.randrange(DAYS)), random.randrange(1000)))
                self.next_id += 1
            known = list(self.expected)
            for k in random.sample(known, min(5, len(known))):  # upserts of older (often moved) keys
                rows.append((k[0], k[1], random.randrange(1000, 2000)))
            self.sent_keys += n
        self.batches += 1
        r = stream_load(self.srv, rows, f"b{self.batches}_{random.randrange(1 << 30)}")
        with self.lock:
            if r:
                for i, d, v in rows:
                    self.expected[(i, d)] = v
                self.acked_keys = len(self.expected)
            return r is not None

    def delete_one(self):
        """DELETE of an acknowledged key (often one already moved to the cold tier)."""
        with self.lock:
            if not self.expected:
                return
            key = random.choice(list(self.expected))
            self.deleting += 1
        try:
            if self.deleted % 2 == 0:
                self.srv.query(f"DELETE FROM h.ev WHERE id = {key[0]} AND d = '{key[1]}'")
                ok = True
            else:  # a Stream Load delete (__op = 1): a tombstone until the next move
                ok = stream_load(self.srv, [(key[0], key[1], 0)], f"del{random.randrange(1 << 30)}", True) is not None
        except Exception:  # noqa: BLE001 - the server may be killed under it
            ok = False
        with self.lock:
            self.deleting -= 1
            if ok:
                del self.expected[key]
                self.deleted += 1
                self.acked_keys = len(self.expected)
                self.sent_keys -= 1
            else:
                self.uncertain.add(key)
        return ok

    def run(self):
        while not self.stop.is_set():
            self.batch()
            if self.batches % 4 == 0:
                self.delete_one()
            time.sleep(0.02)


class Checker:
    """Queries the logical table every few ms: stream-loaded keys between acknowledged and sent
    (no gap), no key twice, sum(w) = count (no duplicate row), Kafka keys never decrease."""

    def __init__(self, srv, writer):
        self.srv, self.writer = srv, writer
        self.stop = threading.Event()
        self.errors = []
        self.checks = 0
        self.last_kafka = 0

    def run(self):
        conn = self.srv.connect()
        try:
            while not self.stop.is_set():
                with self.writer.lock:
                    lo = self.writer.acked_keys - self.writer.deleting
                    hi = self.writer.sent_keys
                with conn.cursor() as cur:
                    cur.execute("SELECT count(*), sum(w), count(DISTINCT id), "
                                "sum(CASE WHEN id < 1000000 THEN 1 ELSE 0 END), "
                                "sum(CASE WHEN id >= 1000000 THEN 1 ELSE 0 END) FROM h.ev")
                    n, w, distinct, stream, kafka = cur.fetchone()
                n, w, distinct, stream, kafka = (int(x or 0) for x in (n, w, distinct, stream, kafka))
                if w != n or distinct != n:
                    self.errors.append(f"duplicate: count {n}, sum(w) {w}, distinct ids {distinct}")
                if not (lo <= stream <= hi):
                    self.errors.append(f"gap or extra: {stream} stream keys, acknowledged {lo}, sent {hi}")
                if kafka < self.last_kafka:
                    self.errors.append(f"kafka keys went back from {self.last_kafka} to {kafka}")
                self.last_kafka = kafka
                self.checks += 1
                time.sleep(0.005)
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.errors.append(f"query failed: {e!r}")
        finally:
            conn.close()


class Kafka:
    def __init__(self):
        confluent_kafka = pytest.importorskip("confluent_kafka")
        if not os.path.exists(MOCK):
            pytest.fail(f"{MOCK} does not exist: build with `make` first")
        self.proc = subprocess.Popen([MOCK, "1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     bufsize=1)
        line = self.proc.stdout.readline().strip()
        assert line.startswith("BOOTSTRAP "), line
        self.bootstrap = line.split(" ", 1)[1]
        self.proc.stdin.write("topic tier 1\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "OK"
        self.producer = confluent_kafka.Producer({"bootstrap.servers": self.bootstrap, "linger.ms": 5})
        self.produced = 0
        self.stop = threading.Event()

    def run(self):
        i = 1000000
        while not self.stop.is_set():
            for _ in range(20):
                self.producer.produce("tier", json.dumps({"id": i, "d": day(random.randrange(DAYS)),
                                                          "v": 1, "w": 1}).encode())
                i += 1
                self.produced += 1
            self.producer.flush(30)
            time.sleep(0.05)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(10)


def start_routine_load(srv, kafka):
    srv.query(f"CREATE ROUTINE LOAD h.tier_job ON ev COLUMNS(id, d, v, w) PROPERTIES (\"format\" = \"json\", "
              f"\"max_batch_interval\" = \"0.3\") FROM KAFKA (\"kafka_broker_list\" = \"{kafka.bootstrap}\", "
              f"\"kafka_topic\" = \"tier\", \"kafka_partitions\" = \"0\", \"kafka_offsets\" = \"OFFSET_BEGINNING\")")


def wait_for(fn, timeout=60, what="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def final_checks(srv, writer, warehouse, kafka_rows=None):
    srv.query("ALTER TABLE h.ev EXECUTE tier_move()")  # flush late rows
    rows = srv.query("SELECT id, CAST(d AS VARCHAR), v FROM h.ev WHERE id < 1000000")
    got = {(int(i), d): int(v) for i, d, v in rows}
    assert len(rows) == len(got), "a key appears twice"
    for k in writer.uncertain:
        got.pop(k, None)
    assert got == {k: v for k, v in writer.expected.items() if k not in writer.uncertain}
    if kafka_rows is not None:
        n = srv.query("SELECT count(*), count(DISTINCT id) FROM h.ev WHERE id >= 1000000")[0]
        assert int(n[0]) == int(n[1]) == kafka_rows
    t = tiering_row(srv)
    assert t["LATE_ROWS"] == 0
    boundary = t["BOUNDARY"]
    # Floe's answer below the boundary is what an independent reader finds in the cold snapshot.
    below = {(int(i), d, int(v)) for i, d, v in
             srv.query(f"SELECT id, CAST(d AS VARCHAR), v FROM h.ev WHERE d < '{boundary}'")}
    if HAVE_DUCKDB:
        assert cold_rows_independently(warehouse, t["COLD_SNAPSHOT_ID"]) == below
    # Nothing below the boundary is left in the hot tier.
    assert t["HOT_ROWS"] == int(srv.query(f"SELECT count(*) FROM h.ev WHERE d >= '{boundary}'")[0][0])
    return t


@pytest.fixture
def env(tmp_path):
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    srv = FloeServer(tmp_path / "data").start()
    create_tables(srv, warehouse)
    yield srv, str(warehouse)
    srv.kill()


def test_boundary_moves_under_ingestion_without_gap_or_duplicate(env):
    srv, warehouse = env
    writer = Writer(srv)
    for _ in range(10):
        assert writer.batch()
    kafka = Kafka()
    start_routine_load(srv, kafka)
    bytes_before = int(srv.query("SHOW DATA FROM h")[0][4])
    checker = Checker(srv, writer)
    threads = [threading.Thread(target=t, daemon=True) for t in (writer.run, checker.run, kafka.run)]
    for t in threads:
        t.start()
    try:
        for move_after in (35, 30, 24, 18, 12, 7):
            set_policy(srv, move_after)
            srv.query("ALTER TABLE h.ev EXECUTE tier_move()")
            t = tiering_row(srv)
            assert t["BOUNDARY"] >= day(move_after), t
            time.sleep(0.5)
    finally:
        writer.stop.set()
        kafka.stop.set()
        for t in threads[::2]:
            t.join(60)
        # Let the routine load catch up, then stop checking.
        wait_for(lambda: int(srv.query("SELECT count(*) FROM h.ev WHERE id >= 1000000")[0][0]) == kafka.produced,
                 what="the routine load to consume every message")
        checker.stop.set()
        threads[1].join(60)
        kafka.close()
    assert checker.errors == [], checker.errors[:5]
    assert checker.checks > 100, checker.checks
    assert writer.deleted > 0
    t = final_checks(srv, writer, warehouse, kafka.produced)
    assert t["MOVED_PARTITIONS"] > 0 and t["COLD_ROWS"] > 0
    # The moved days' hot bytes were released.
    assert int(srv.query("SHOW DATA FROM h")[0][4]) < bytes_before + t["HOT_BYTES"]
    assert t["HOT_PARTITIONS"] <= 8, t


def test_kill_9_during_moves_loses_and_duplicates_nothing(env):
    srv, warehouse = env
    writer = Writer(srv)
    for _ in range(20):
        assert writer.batch()
    rng = random.Random(22)
    kills = int(os.environ.get("FLOE_TIER_KILLS", "8"))  # `make stress` runs 60
    for round_ in range(kills):
        move_after = 36 - (round_ * 21) // max(1, kills - 1)  # the boundary walks from 36 to 15 days
        set_policy(srv, move_after)

        def move():
            try:
                srv.query("ALTER TABLE h.ev EXECUTE tier_move()")
            except Exception:  # noqa: BLE001 - the server dies under it
                pass

        mover = threading.Thread(target=move, daemon=True)
        mover.start()
        writer.batch()
        writer.delete_one()
        time.sleep(rng.uniform(0, 0.4))
        srv.kill()
        mover.join(30)
        srv.start()
        # Every acknowledged row once, whatever step the move was at.
        rows = srv.query("SELECT id, CAST(d AS VARCHAR), v FROM h.ev")
        got = {(int(i), d): int(v) for i, d, v in rows}
        assert len(rows) == len(got), f"round {round_}: a key appears twice"
        for k, v in writer.expected.items():
            if k in writer.uncertain:
                continue
            assert got.get(k) == v, f"round {round_}: key {k} has {got.get(k)}, acknowledged {v}"
    t = final_checks(srv, writer, warehouse)
    assert t["BOUNDARY"] >= day(15)
    assert kills >= 2


def test_stream_load_deletes_of_moved_keys(env):
    srv, warehouse = env
    writer = Writer(srv)
    for _ in range(5):
        assert writer.batch()
    set_policy(srv, 10)
    srv.query("ALTER TABLE h.ev EXECUTE tier_move()")
    boundary = tiering_row(srv)["BOUNDARY"]
    moved = [k for k in writer.expected if k[1] < boundary][:6]
    assert len(moved) == 6
    # Deleted through Stream Load's __op: gone from queries at once.
    assert stream_load(srv, [(i, d, 0) for i, d in moved], "deletes", True) is not None
    for k in moved:
        del writer.expected[k]
    got = {(int(i), d) for i, d in srv.query("SELECT id, CAST(d AS VARCHAR) FROM h.ev")}
    assert not got & set(moved)
    assert tiering_row(srv)["PENDING_DELETES"] == 6
    srv.kill()  # the tombstones are durable
    srv.start()
    got = {(int(i), d) for i, d in srv.query("SELECT id, CAST(d AS VARCHAR) FROM h.ev")}
    assert not got & set(moved)
    # Re-inserting one deleted key brings back only the new row.
    again = moved[0]
    assert stream_load(srv, [(again[0], again[1], 4242)], "again") is not None
    writer.expected[again] = 4242
    assert srv.query(f"SELECT v FROM h.ev WHERE id = {again[0]}") == ((4242,),)
    # The next move applies them to the cold table; an independent reader agrees.
    srv.query("ALTER TABLE h.ev EXECUTE tier_move()")
    t = final_checks(srv, writer, warehouse)
    assert t["PENDING_DELETES"] == 0
    srv.restart()
    assert srv.query(f"SELECT v FROM h.ev WHERE id = {again[0]}") == ((4242,),)
    assert int(srv.query("SELECT count(*) FROM h.ev")[0][0]) == len(writer.expected)


def test_background_moves_flush_late_rows_within_the_interval(env):
    srv, warehouse = env
    writer = Writer(srv)
    for _ in range(5):
        assert writer.batch()
    # No EXECUTE: the policy's first run and the periodic ones (every second here) do the work.
    srv.query("ALTER TABLE h.ev SET (\"tiering.cold_table\" = \"lake.db.ev\", \"tiering.move_after\" = \"10 DAY\", "
              "\"tiering.check_interval\" = \"1\")")
    wait_for(lambda: (tiering_row(srv)["BOUNDARY"] or "") >= day(10), what="the first background move")
    for _ in range(3):
        assert writer.batch()  # late rows for moved days, upserts, and deletes of moved keys
        writer.delete_one()
        writer.delete_one()
    wait_for(lambda: tiering_row(srv)["LATE_ROWS"] == 0 and tiering_row(srv)["PENDING_DELETES"] == 0,
             timeout=30, what="late rows and deletes to reach the cold table")
    t = tiering_row(srv)
    below = {(int(i), d, int(v)) for i, d, v in
             srv.query(f"SELECT id, CAST(d AS VARCHAR), v FROM h.ev WHERE d < '{t['BOUNDARY']}'")}
    assert below == {(i, d, v) for (i, d), v in writer.expected.items() if d < t["BOUNDARY"]}
    if HAVE_DUCKDB:
        assert cold_rows_independently(warehouse, t["COLD_SNAPSHOT_ID"]) == below


def test_cold_store_unreachable_keeps_rows_hot_with_the_reason(env):
    srv, warehouse = env
    writer = Writer(srv)
    for _ in range(5):
        assert writer.batch()
    set_policy(srv, 30)
    srv.query("ALTER TABLE h.ev EXECUTE tier_move()")
    before = tiering_row(srv)
    # The warehouse goes away (the store is down): the move fails, the boundary stays.
    moved = warehouse + ".away"
    os.rename(warehouse, moved)
    try:
        set_policy(srv, 10)
        with pytest.raises(Exception) as e:
            srv.query("ALTER TABLE h.ev EXECUTE tier_move()")
        assert "tier move" in str(e.value)
        t = tiering_row(srv)
        assert t["BOUNDARY"] == before["BOUNDARY"] and t["STATE"] == "ERROR" and t["REASON"], t
        # Recent days are still served (the cold tier is not needed); writes go on.
        assert writer.batch()
        recent = srv.query(f"SELECT count(*) FROM h.ev WHERE d >= '{before['BOUNDARY']}'")[0][0]
        assert int(recent) == sum(1 for (i, d) in writer.expected if d >= before["BOUNDARY"])
        # A query that needs the cold rows says why it cannot have them.
        with pytest.raises(Exception) as e:
            srv.query("SELECT count(*) FROM h.ev")
        assert "cold tier" in str(e.value)
    finally:
        os.rename(moved, warehouse)
    srv.query("ALTER TABLE h.ev EXECUTE tier_move()")
    t = final_checks(srv, writer, warehouse)
    assert t["BOUNDARY"] >= day(10) and t["STATE"] == "IDLE"
