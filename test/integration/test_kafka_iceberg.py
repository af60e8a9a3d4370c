"""Kafka into Iceberg tables through Routine Load (issue 27): CREATE ROUTINE LOAD ... ON
catalog.db.table with the hot tables' grammar and formats; each batch one append snapshot whose
summary records the offsets it consumed (floe.routine-load.offsets), mirrored in the meta store;
exactly once across kill -9 (the offsets recovered from the table's snapshots); other writers
committing to the same table meanwhile; messages that do not parse or convert (and, when asked,
those the WHERE drops) in a dead-letter Iceberg table `<table>__dead_letters` with their topic,
partition, offset, key, raw value and error. The tables are checked by the strict spec checker
and DuckDB reading the live data files, besides Floe's SELECT."""
import json
import os
import random
import threading
import time

import pytest

from conftest import FloeServer
from duckdb_peer import HAVE_DUCKDB, duckdb_sql
from test_routine_load import KafkaMock, kafka, wait_for  # noqa: F401 (kafka: the mock cluster fixture)
from test_iceberg_write import live_data_files

import iceberg_spec_check  # noqa: E402

pytest.importorskip("confluent_kafka")
pytestmark = pytest.mark.filterwarnings("ignore::avro.errors.IgnoredLogicalType")


def metadata_path(warehouse, db, table):
    md = os.path.join(warehouse, db, table, "metadata")
    with open(os.path.join(md, "version-hint.text")) as f:
        return os.path.join(md, f"v{f.read().strip()}.metadata.json")


def check_table(warehouse, db, table):
    """The strict spec checker finds nothing wrong; returns the live data files."""
    meta = metadata_path(warehouse, db, table)
    problems = iceberg_spec_check.check_table(meta, strict=True, stats={})
    assert problems == [], "\n".join(problems)
    return live_data_files(meta)


def snapshots(warehouse, db, table):
    with open(metadata_path(warehouse, db, table)) as f:
        return json.load(f).get("snapshots", [])


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    warehouse = str(tmp_path_factory.mktemp("kafka-ice-warehouse"))
    s = FloeServer(tmp_path_factory.mktemp("floe-kafka-iceberg")).start()
    s.query("CREATE EXTERNAL CATALOG ice PROPERTIES ('type'='iceberg', 'iceberg.catalog.type'='hadoop', "
            f"'iceberg.catalog.warehouse'='{warehouse}')")
    s.query("CREATE DATABASE ice.db")
    s.query("CREATE DATABASE jobs")
    s.warehouse = warehouse
    yield s
    s.stop()


def create_job(s, kafka, name, target, topic, extra="", clauses=""):
    s.query(f"""CREATE ROUTINE LOAD jobs.{name} ON {target} {clauses}
        PROPERTIES ("max_batch_interval" = "0.2"{extra})
        FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "{topic}",
                    "property.kafka_default_offsets" = "OFFSET_BEGINNING")""")


def job_row(s, name):
    r = s.query("SELECT STATE, LOADED_ROWS, FILTERED_ROWS, TABLE_NAME, REASON FROM information_schema.routine_load_jobs "
                f"WHERE NAME = '{name}'")
    return r[0]


def test_json_into_a_partitioned_iceberg_table_with_dead_letters(lake, kafka):
    lake.query("CREATE TABLE ice.db.events (id BIGINT NOT NULL, name STRING, ts DATETIME, amount DECIMAL(10, 2)) "
               "PARTITION BY (day(ts))")
    kafka.topic("ice_events", 2)
    create_job(lake, kafka, "events_job", "ice.db.events", "ice_events", extra=', "format" = "json"')
    # The dead-letter table was created next to the target.
    assert ("events__dead_letters",) in lake.query("SHOW TABLES FROM ice.db")
    good = [{"id": i, "name": f"n{i}", "ts": f"2026-0{1 + i % 3}-1{i % 9} 10:00:00", "amount": i * 1.25}
            for i in range(200)]
    for i, e in enumerate(good):
        kafka.producer.produce("ice_events", json.dumps(e).encode(), key=str(i).encode(), partition=i % 2)
    # Bad messages: not JSON, and a NOT NULL column without a value.
    kafka.producer.produce("ice_events", b"{not json", key=b"bad1", partition=0)
    kafka.producer.produce("ice_events", json.dumps({"name": "no id"}).encode(), partition=1)
    assert kafka.producer.flush(30) == 0
    wait_for(lambda: lake.query("SELECT count(*) FROM ice.db.events")[0][0] == 200, what="200 rows")
    wait_for(lambda: lake.query("SELECT count(*) FROM ice.db.events__dead_letters")[0][0] == 2, what="2 dead letters")
    assert lake.query("SELECT count(*), count(DISTINCT id), sum(amount) FROM ice.db.events") == \
        ((200, 200, sum(__import__("decimal").Decimal(str(i * 1.25)).quantize(__import__("decimal").Decimal("0.01"))
                        for i in range(200))),)
    dead = lake.query("SELECT topic, `partition`, `offset`, `key`, raw_value, error, job FROM "
                      "ice.db.events__dead_letters ORDER BY `partition`")
    assert dead[0][:5] == ("ice_events", 0, 100, "bad1", "{not json"), dead
    assert dead[1][0:2] == ("ice_events", 1) and dead[1][2] == 100 and dead[1][3] is None, dead
    assert "id" in dead[1][5] and dead[0][5], dead
    assert dead[0][6] == "jobs.events_job"
    state, loaded, filtered, table, reason = job_row(lake, "events_job")
    assert (state, loaded, filtered, table) == ("RUNNING", 200, 2, "ice.db.events"), (state, reason)
    # Every commit's summary names the job and the offsets; the newest covers both partitions.
    snaps = [s for s in snapshots(lake.warehouse, "db", "events") if "floe.routine-load.job" in s["summary"]]
    assert snaps, "no routine load snapshot"
    covered = {}
    for snap in snaps:
        for item in snap["summary"]["floe.routine-load.offsets"].split(","):
            p, o = item.split(":")
            covered[int(p)] = max(covered.get(int(p), 0), int(o))
    assert covered == {0: 101, 1: 101}, covered
    # Independent readers: the strict spec checker, and DuckDB over the live data files.
    files = check_table(lake.warehouse, "db", "events")
    check_table(lake.warehouse, "db", "events__dead_letters")
    if HAVE_DUCKDB:
        listed = ", ".join("'" + f + "'" for f in files)
        duck = duckdb_sql(f"SELECT count(*) AS n, count(DISTINCT id) AS d FROM read_parquet([{listed}])")
        assert (int(duck[0]["n"]), int(duck[0]["d"])) == (200, 200)
    # SHOW ROUTINE LOAD names the Iceberg table; pause and resume work as for hot tables.
    show = lake.query("SHOW ROUTINE LOAD FOR jobs.events_job")
    assert "ice.db.events" in show[0]
    lake.query("PAUSE ROUTINE LOAD FOR jobs.events_job")
    kafka.producer.produce("ice_events", json.dumps({"id": 500, "ts": "2026-05-01 00:00:00"}).encode(), partition=0)
    assert kafka.producer.flush(30) == 0
    time.sleep(0.8)
    assert lake.query("SELECT count(*) FROM ice.db.events")[0][0] == 200
    lake.query("RESUME ROUTINE LOAD FOR jobs.events_job")
    wait_for(lambda: lake.query("SELECT count(*) FROM ice.db.events")[0][0] == 201, what="the row after resume")


def test_csv_with_where_sends_dropped_rows_to_a_named_dead_letter_table(lake, kafka):
    lake.query("CREATE TABLE ice.db.readings (sensor INT, v DOUBLE)")
    kafka.topic("ice_readings", 1)
    create_job(lake, kafka, "readings_job", "ice.db.readings", "ice_readings",
               extra=', "dead_letter_table" = "readings_rejects", "dead_letter_where" = "true"',
               clauses="COLUMNS TERMINATED BY ',', COLUMNS (sensor, v), WHERE v >= 0")
    kafka.produce("ice_readings", ["1,1.5", "2,-3", "3,x", "4,4"])
    wait_for(lambda: lake.query("SELECT count(*) FROM ice.db.readings_rejects")[0][0] == 2, what="2 dead letters")
    assert lake.query("SELECT sensor, v FROM ice.db.readings ORDER BY sensor") == ((1, 1.5), (4, 4.0))
    dead = lake.query("SELECT `offset`, raw_value, error FROM ice.db.readings_rejects ORDER BY `offset`")
    assert [d[:2] for d in dead] == [(1, "2,-3"), (2, "3,x")], dead
    assert "WHERE" in dead[0][2], dead
    # Without a dead-letter table ("" turns it off) bad rows count against max_error_number again.
    lake.query("CREATE TABLE ice.db.strict (a INT)")
    kafka.topic("ice_strict", 1)
    create_job(lake, kafka, "strict_job", "ice.db.strict", "ice_strict",
               extra=', "dead_letter_table" = "", "format" = "json"')
    kafka.produce("ice_strict", [json.dumps({"a": 1}), "nope"])
    wait_for(lambda: job_row(lake, "strict_job")[0] == "PAUSED", what="the job to pause")
    assert "max_error_number" in job_row(lake, "strict_job")[4]


def test_alter_offsets_rewinds_an_iceberg_job(lake, kafka):
    """The table's snapshots say where a job resumes after a crash, but offsets set by ALTER ROUTINE
    LOAD win over the snapshots committed before it."""
    lake.query("CREATE TABLE ice.db.rewound (a INT)")
    kafka.topic("ice_rewound", 1)
    create_job(lake, kafka, "rewound_job", "ice.db.rewound", "ice_rewound")
    kafka.produce("ice_rewound", ["1", "2", "3"])
    wait_for(lambda: lake.query("SELECT count(*) FROM ice.db.rewound")[0][0] == 3, what="3 rows")
    lake.query("PAUSE ROUTINE LOAD FOR jobs.rewound_job")
    lake.query('ALTER ROUTINE LOAD FOR jobs.rewound_job FROM KAFKA ("kafka_partitions" = "0", "kafka_offsets" = "1")')
    lake.query("RESUME ROUTINE LOAD FOR jobs.rewound_job")
    wait_for(lambda: lake.query("SELECT count(*) FROM ice.db.rewound")[0][0] == 5, what="offsets 1 and 2 again")
    assert lake.query("SELECT a, count(*) FROM ice.db.rewound GROUP BY a ORDER BY a") == ((1, 1), (2, 2), (3, 2))


def test_hot_table_job_names_an_iceberg_dead_letter_table(lake, kafka):
    lake.query("CREATE TABLE jobs.hot (a INT, b VARCHAR(10)) DUPLICATE KEY(a)")
    kafka.topic("hot_with_dlq", 1)
    create_job(lake, kafka, "hot_job", "hot", "hot_with_dlq",
               extra=', "format" = "json", "dead_letter_table" = "ice.db.hot_dead_letters"')
    kafka.produce("hot_with_dlq", [json.dumps({"a": 1, "b": "x"}), "garbage", json.dumps({"a": 2, "b": "y"})])
    wait_for(lambda: lake.query("SELECT count(*) FROM jobs.hot")[0][0] == 2, what="2 hot rows")
    wait_for(lambda: lake.query("SELECT count(*) FROM ice.db.hot_dead_letters")[0][0] == 1, what="the dead letter")
    assert lake.query("SELECT `offset`, raw_value FROM ice.db.hot_dead_letters") == ((1, "garbage"),)
    assert job_row(lake, "hot_job")[0] == "RUNNING"


def test_debezium_events_append_a_change_log(lake, kafka):
    """Into an Iceberg table, Debezium events append as a change log (the Kafka Connect Iceberg
    sink's shape): c/r/u their after image, d its before image, with the op letter and the source
    position in columns the job names; the newest state is a window query away."""
    lake.query("CREATE TABLE ice.db.accounts_log (id BIGINT, name STRING, op STRING, lsn BIGINT)")
    kafka.topic("pg_accounts_log", 1)
    create_job(lake, kafka, "log_job", "ice.db.accounts_log", "pg_accounts_log",
               extra=', "format" = "json", "envelope" = "debezium", "debezium.op_column" = "op", '
                     '"debezium.position_column" = "lsn"')
    src = {"connector": "postgresql", "ts_ms": 1, "lsn": 0}

    def ev(op, lsn, before=None, after=None):
        return json.dumps({"before": before, "after": after, "source": {**src, "lsn": lsn}, "op": op})
    kafka.produce("pg_accounts_log", [
        ev("r", 10, after={"id": 1, "name": "ann"}),
        ev("c", 11, after={"id": 2, "name": "bob"}),
        ev("u", 12, before={"id": 1, "name": "ann"}, after={"id": 1, "name": "anne"}),
        ev("d", 13, before={"id": 2, "name": "bob"}),
    ])
    wait_for(lambda: lake.query("SELECT count(*) FROM ice.db.accounts_log")[0][0] == 4, what="4 change rows")
    assert lake.query("SELECT id, name, op, lsn FROM ice.db.accounts_log ORDER BY lsn") == \
        ((1, "ann", "r", 10), (2, "bob", "c", 11), (1, "anne", "u", 12), (2, "bob", "d", 13))
    latest = lake.query("SELECT id, name FROM (SELECT id, name, op, row_number() OVER (PARTITION BY id ORDER BY lsn "
                        "DESC) AS rn FROM ice.db.accounts_log) t WHERE rn = 1 AND op <> 'd' ORDER BY id")
    assert latest == ((1, "anne"),)
    # A truncate cannot apply to an append-only table: it goes to the dead letters.
    kafka.produce("pg_accounts_log", [json.dumps({"source": {**src, "lsn": 20}, "op": "t"})])
    wait_for(lambda: lake.query("SELECT count(*) FROM ice.db.accounts_log__dead_letters")[0][0] == 1,
             what="the truncate's dead letter")
    assert "truncate" in lake.query("SELECT error FROM ice.db.accounts_log__dead_letters")[0][0]


def test_bad_definitions_are_refused(lake, kafka):
    def refused(sql, needle):
        with pytest.raises(Exception) as e:
            lake.query(sql)
        assert needle in str(e.value), str(e.value)
    src = f'FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "x")'
    refused(f"CREATE ROUTINE LOAD jobs.j1 ON ice.db.missing {src}", "missing")
    refused(f"CREATE ROUTINE LOAD jobs.j2 ON nocat.db.t {src}", "nocat")
    lake.query("CREATE TABLE ice.db.plain (a INT)")
    refused(f'CREATE ROUTINE LOAD jobs.j3 ON ice.db.plain PROPERTIES ("partial_update" = "true") {src}', "PRIMARY KEY")
    refused(f'CREATE ROUTINE LOAD jobs.j4 ON hot2 PROPERTIES ("dead_letter_table" = "dl") {src}', "")
    # A refused job leaves no dead-letter table behind.
    refused(f'CREATE ROUTINE LOAD jobs.j6 ON ice.db.plain PROPERTIES ("max_batch_rows" = "x") {src}', "max_batch_rows")
    assert ("plain__dead_letters",) not in lake.query("SHOW TABLES FROM ice.db")
    # Loading an Iceberg table needs what writing it needs: USAGE and ALTER on its catalog.
    lake.query("CREATE USER IF NOT EXISTS rl_reader IDENTIFIED BY 'pw'")
    lake.query("GRANT USAGE ON CATALOG ice TO USER rl_reader")
    with pytest.raises(Exception) as e:
        lake.query(f"CREATE ROUTINE LOAD jobs.j5 ON ice.db.plain {src}", user="rl_reader", password="pw")
    assert "denied" in str(e.value).lower(), str(e.value)
    assert not lake.query("SELECT NAME FROM information_schema.routine_load_jobs WHERE NAME = 'j5'")


def test_exactly_once_across_kills_and_beside_another_writer(tmp_path, kafka):
    """Messages keep arriving over 3 partitions while Floe is killed at random points; after each
    restart the Iceberg table holds every committed message exactly once. Meanwhile another
    writer (INSERTs through a second connection) commits to the same table."""
    kills = int(os.environ.get("FLOE_KAFKA_ICEBERG_KILLS", "20"))
    rng = random.Random(27)
    warehouse = str(tmp_path / "warehouse")
    os.makedirs(warehouse)
    s = FloeServer(tmp_path / "data").start()
    try:
        s.query("CREATE EXTERNAL CATALOG ice PROPERTIES ('type'='iceberg', 'iceberg.catalog.type'='hadoop', "
                f"'iceberg.catalog.warehouse'='{warehouse}')")
        s.query("CREATE DATABASE ice.db")
        s.query("CREATE DATABASE jobs")
        s.query("CREATE TABLE ice.db.t (id BIGINT, v BIGINT, src STRING)")
        kafka.topic("ice_once", 3)
        s.query(f"""CREATE ROUTINE LOAD jobs.once_job ON ice.db.t COLUMNS TERMINATED BY ',', COLUMNS (id, v, src)
            PROPERTIES ("max_batch_interval" = "0.1", "max_batch_rows" = "300", "desired_concurrent_number" = "2")
            FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "ice_once",
                        "property.kafka_default_offsets" = "OFFSET_BEGINNING")""")
        produced = 0
        inserted = 0
        stop = threading.Event()
        other_rows = []

        def other_writer():
            # A second writer: its own commits race the job's.
            n = 0
            while not stop.is_set():
                try:
                    s.query(f"INSERT INTO ice.db.t VALUES ({-1 - n}, 0, 'other')")
                    other_rows.append(n)
                    n += 1
                except Exception:
                    time.sleep(0.2)  # the server is being killed
                time.sleep(0.05)

        writer = threading.Thread(target=other_writer, daemon=True)
        writer.start()
        for _ in range(kills):
            for _ in range(5):
                batch = [f"{produced + i},{(produced + i) * 3},kafka" for i in range(200)]
                kafka.produce("ice_once", batch)
                produced += 200
            time.sleep(rng.uniform(0.2, 1.5))
            s.kill()
            s.start()

            def caught_up():
                r = s.query("SELECT count(*), count(DISTINCT id) FROM ice.db.t WHERE src = 'kafka'")[0]
                assert r[0] == r[1], f"duplicates: {r}"
                return r[0] == produced
            wait_for(caught_up, timeout=90, what=f"{produced} rows")
        # The lake upkeep's compaction commits while the job keeps loading: no row is lost or doubled.
        for _ in range(5):
            kafka.produce("ice_once", [f"{produced + i},{(produced + i) * 3},kafka" for i in range(200)])
            produced += 200
        compacted = s.query("ALTER TABLE ice.db.t EXECUTE rewrite_data_files(rewrite_all => true)")
        assert compacted, compacted
        stop.set()
        writer.join(10)
        wait_for(lambda: s.query("SELECT count(*) FROM ice.db.t WHERE src = 'kafka'")[0][0] >= produced,
                 timeout=60, what="the rows produced during compaction")
        total = s.query("SELECT count(*), count(DISTINCT id), sum(v) FROM ice.db.t WHERE src = 'kafka'")[0]
        assert total == (produced, produced, sum(i * 3 for i in range(produced)))
        others = s.query("SELECT count(*) FROM ice.db.t WHERE src = 'other'")[0][0]
        assert others >= len(other_rows) and others > 0  # every acknowledged INSERT is there
        check_table(warehouse, "db", "t")
        r = s.query("SELECT STATE FROM information_schema.routine_load_jobs WHERE NAME = 'once_job'")
        assert r[0][0] == "RUNNING"
    finally:
        s.kill()
