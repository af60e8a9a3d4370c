"""Debezium change events into Floe tables through Routine Load (issue 26, first part):
`"format" = "json", "envelope" = "debezium"` decodes each Kafka message (key and value) as the
Debezium documentation describes the envelope: with and without the JsonConverter's schema
wrapper, ops c/r/u upsert `after`, d deletes by `before` or the message key, tombstones, `m`
messages and heartbeats skipped, Debezium's decimal and temporal encodings converted to the
column types; unchanged-TOAST placeholders keep the stored value; truncates remove the rows
older than them; ordering by source position. Events are built here from the documented shapes and produced
to librdkafka's mock cluster."""
import base64
import json
import os
import time

import pytest

from conftest import FloeServer
from test_routine_load import kafka, wait_for  # noqa: F401 (kafka: the mock cluster fixture)

confluent_kafka = pytest.importorskip("confluent_kafka")



@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = FloeServer(tmp_path_factory.mktemp("debezium")).start()
    s.query("CREATE DATABASE cdc")
    yield s
    s.stop()


def produce(kafka, topic, events):
    """events: (key, value) pairs; dicts are JSON-encoded, None is a null key or a tombstone."""
    for key, value in events:
        kafka.producer.produce(topic, None if value is None else json.dumps(value).encode(),
                               key=None if key is None else json.dumps(key).encode())
    assert kafka.producer.flush(30) == 0


def decimal_b64(unscaled):
    n = (unscaled.bit_length() + 8) // 8
    return base64.b64encode(unscaled.to_bytes(n, "big", signed=True)).decode()


SOURCE = {"version": "2.7.0.Final", "connector": "postgresql", "name": "pg", "ts_ms": 1767225600000,
          "snapshot": "false", "db": "shop", "schema": "public", "table": "accounts", "txId": 770, "lsn": 24023128}

VALUE_SCHEMA = {
    "type": "struct", "name": "pg.public.accounts.Envelope", "optional": False,
    "fields": [
        {"type": "struct", "optional": True, "field": "before", "name": "pg.public.accounts.Value", "fields": [
            {"type": "int64", "optional": False, "field": "id"}]},
        {"type": "struct", "optional": True, "field": "after", "name": "pg.public.accounts.Value", "fields": [
            {"type": "int64", "optional": False, "field": "id"},
            {"type": "string", "optional": True, "field": "name"},
            {"type": "bytes", "optional": True, "field": "balance", "name": "org.apache.kafka.connect.data.Decimal",
             "version": 1, "parameters": {"scale": "2", "connect.decimal.precision": "12"}},
            {"type": "int32", "optional": True, "field": "born", "name": "io.debezium.time.Date", "version": 1},
            {"type": "int64", "optional": True, "field": "seen", "name": "io.debezium.time.MicroTimestamp",
             "version": 1},
            {"type": "string", "optional": True, "field": "changed", "name": "io.debezium.time.ZonedTimestamp",
             "version": 1},
            {"type": "int64", "optional": True, "field": "opened", "name": "io.debezium.time.Timestamp",
             "version": 1}]},
        {"type": "struct", "optional": False, "field": "source", "fields": []},
        {"type": "string", "optional": False, "field": "op"},
        {"type": "int64", "optional": True, "field": "ts_ms"}]}
KEY_SCHEMA = {"type": "struct", "name": "pg.public.accounts.Key", "optional": False,
              "fields": [{"type": "int64", "optional": False, "field": "id"}]}


def with_schema(payload):
    return {"schema": VALUE_SCHEMA, "payload": payload}


def key(i, schema=True):
    return {"schema": KEY_SCHEMA, "payload": {"id": i}} if schema else {"id": i}


def event(op, before=None, after=None):
    return {"before": before, "after": after, "source": SOURCE, "op": op, "ts_ms": 1767225600123}


def job(srv, kafka, name, table, topic, extra=""):
    srv.query(f"""CREATE ROUTINE LOAD cdc.{name} ON {table}
        PROPERTIES ("format" = "json", "envelope" = "debezium", "max_batch_interval" = "0.2"{extra})
        FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "{topic}",
                    "property.kafka_default_offsets" = "OFFSET_BEGINNING")""")


def rows(srv, sql):
    return srv.query(sql)


def test_every_op_with_and_without_schema_into_a_primary_key_table(srv, kafka):
    srv.query("CREATE TABLE cdc.accounts (id BIGINT, name VARCHAR(40), balance DECIMAL(12, 2), born DATE, "
              "seen DATETIME, changed DATETIME, opened DATETIME) PRIMARY KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 2")
    kafka.topic("pg.public.accounts", 1)
    job(srv, kafka, "accounts_job", "accounts", "pg.public.accounts")
    full = {"id": 1, "name": "ann", "balance": decimal_b64(123456), "born": 20000, "seen": 1767225600123456,
            "changed": "2026-03-01T10:00:00+02:00", "opened": 1767225600123}
    produce(kafka, "pg.public.accounts", [
        (key(1), with_schema(event("c", after=full))),
        # A snapshot read without the schema wrapper (schemas.enable=false): plain values.
        (key(2, False), event("r", after={"id": 2, "name": "bob", "balance": 7.5, "born": "2001-02-03",
                                          "seen": "2026-01-01 00:00:00", "changed": None, "opened": None})),
        (key(3), with_schema(event("c", after={**full, "id": 3, "name": "cy"}))),
    ])
    wait_for(lambda: rows(srv, "SELECT count(*) FROM cdc.accounts")[0][0] == 3, what="three rows")
    dt = __import__("datetime")
    assert rows(srv, "SELECT id, name, CAST(balance AS CHAR), born, seen, changed, opened, date_format(seen, '%f'), "
                     "date_format(opened, '%f') FROM cdc.accounts WHERE id = 1") == \
        ((1, "ann", "1234.56", dt.date(2024, 10, 4), dt.datetime(2026, 1, 1), dt.datetime(2026, 3, 1, 8, 0, 0),
          dt.datetime(2026, 1, 1), "123456", "123000"),)
    assert rows(srv, "SELECT name, CAST(balance AS CHAR), born FROM cdc.accounts WHERE id = 2") == \
        (("bob", "7.50", __import__("datetime").date(2001, 2, 3)),)
    produce(kafka, "pg.public.accounts", [
        # u: the new image wins.
        (key(1), with_schema(event("u", before={"id": 1}, after={**full, "name": "ann2",
                                                                  "balance": decimal_b64(-500)}))),
        # d by the before image, then its tombstone.
        (key(2, False), event("d", before={"id": 2})),
        (key(2, False), None),
        # d with no before image (REPLICA IDENTITY NOTHING): the message key says which row.
        (key(3), with_schema(event("d"))),
        # Skipped: a logical decoding message, a heartbeat, a transaction marker.
        (None, {"op": "m", "ts_ms": 1, "source": SOURCE, "message": {"prefix": "x", "content": "eA=="}}),
        ({"serverName": "pg"}, {"ts_ms": 1767225600999}),
        (None, {"status": "BEGIN", "id": "771:24023200", "ts_ms": 1, "event_count": None}),
    ])
    wait_for(lambda: rows(srv, "SELECT id, name, CAST(balance AS CHAR) FROM cdc.accounts ORDER BY id") ==
             ((1, "ann2", "-5.00"),), what="the update and the deletes")
    state = rows(srv, "SELECT STATE, FILTERED_ROWS, LAST_ERROR FROM information_schema.routine_load_jobs "
                      "WHERE NAME = 'accounts_job'")
    assert state[0][0] == "RUNNING" and state[0][1] == 0, state


def test_truncates_apply_in_order_and_toast_placeholders_keep_stored_values(srv, kafka):
    # Without source positions a truncate removes every row loaded before it; the events after
    # it (in the same batch) follow.
    srv.query("CREATE TABLE cdc.t2 (id BIGINT, v VARCHAR(20)) PRIMARY KEY(id)")
    kafka.topic("pg.public.t2", 1)
    job(srv, kafka, "t2_job", "t2", "pg.public.t2")
    produce(kafka, "pg.public.t2", [(key(1, False), event("c", after={"id": 1, "v": "a"}))])
    wait_for(lambda: rows(srv, "SELECT count(*) FROM cdc.t2")[0][0] == 1, what="the first row")
    produce(kafka, "pg.public.t2", [(key(3, False), event("c", after={"id": 3, "v": "c"})),
                                     (None, {"source": SOURCE, "op": "t", "ts_ms": 5}),
                                     (key(2, False), event("c", after={"id": 2, "v": "b"}))])
    wait_for(lambda: rows(srv, "SELECT id, v FROM cdc.t2") == ((2, "b"),), what="the truncate and the row after it")
    r = rows(srv, "SELECT STATE, FILTERED_ROWS FROM information_schema.routine_load_jobs WHERE NAME = 't2_job'")
    assert r[0] == ("RUNNING", 0), r

    srv.query("CREATE TABLE cdc.t3 (id BIGINT, doc VARCHAR(200), n INT) PRIMARY KEY(id)")
    kafka.topic("pg.public.t3", 1)
    job(srv, kafka, "t3_job", "t3", "pg.public.t3", extra=', "max_error_number" = "5"')
    produce(kafka, "pg.public.t3", [
        (key(1, False), event("c", after={"id": 1, "doc": "x", "n": 1})),
        (key(9, False), "not an envelope"),
    ])
    wait_for(lambda: rows(srv, "SELECT count(*) FROM cdc.t3")[0][0] == 1, what="the first row")
    produce(kafka, "pg.public.t3", [
        # PostgreSQL's placeholder for an unchanged TOASTed value: the stored value stays.
        (key(1, False), event("u", before=None, after={"id": 1, "doc": "__debezium_unavailable_value", "n": 2})),
        (key(2, False), event("c", after={"id": 2, "doc": "y", "n": 3})),
    ])
    wait_for(lambda: rows(srv, "SELECT count(*) FROM cdc.t3")[0][0] == 2, what="the second row")
    assert rows(srv, "SELECT id, doc, n FROM cdc.t3 ORDER BY id") == ((1, "x", 2), (2, "y", 3))
    r = rows(srv, "SELECT FILTERED_ROWS FROM information_schema.routine_load_jobs WHERE NAME = 't3_job'")
    assert r[0][0] == 1, r
    errors = rows(srv, "SELECT * FROM information_schema.routine_load_errors WHERE JOB_NAME = 't3_job'")
    text = json.dumps(errors, default=str)
    assert "not a JSON object" in text, text


def test_a_table_without_a_primary_key_takes_upserts_and_refuses_deletes(srv, kafka):
    srv.query("CREATE TABLE cdc.log (id BIGINT, v VARCHAR(20)) DUPLICATE KEY(id)")
    kafka.topic("pg.public.log", 1)
    job(srv, kafka, "log_job", "log", "pg.public.log", extra=', "max_error_number" = "5"')
    produce(kafka, "pg.public.log", [(key(1, False), event("c", after={"id": 1, "v": "a"})),
                                      (key(1, False), event("d", before={"id": 1})),
                                      (key(2, False), event("r", after={"id": 2, "v": "b"}))])
    wait_for(lambda: rows(srv, "SELECT count(*) FROM cdc.log")[0][0] == 2, what="two rows")
    errors = json.dumps(rows(srv, "SELECT * FROM information_schema.routine_load_errors WHERE JOB_NAME = 'log_job'"),
                        default=str)
    assert "PRIMARY KEY tables only" in errors, errors


def test_envelope_properties_are_checked(srv, kafka):
    srv.query("CREATE TABLE cdc.chk (id BIGINT) PRIMARY KEY(id)")
    for props, message in [('"format" = "csv", "envelope" = "debezium"', "needs format json"),
                           ('"format" = "json", "envelope" = "maxwell"', "envelope 'maxwell' is not supported"),
                           ('"format" = "json", "envelope" = "debezium", "jsonpaths" = "[\\"$.a\\"]"',
                            "jsonpaths")]:
        with pytest.raises(Exception) as e:
            srv.query(f"""CREATE ROUTINE LOAD cdc.bad ON chk PROPERTIES ({props})
                FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "x")""")
        assert message in str(e.value), str(e.value)


def test_stream_load_takes_debezium_events(srv):
    import urllib.request
    srv.query("CREATE TABLE cdc.sl (id BIGINT, name VARCHAR(20), born DATE) PRIMARY KEY(id)")
    body = "\n".join(json.dumps(e) for e in [
        with_schema(event("c", after={**{"id": 1, "name": "a", "born": 20000}})),
        event("r", after={"id": 2, "name": "b", "born": 19000}),
        event("u", before={"id": 1}, after={"id": 1, "name": "a2", "born": 20001}),
        event("d", before={"id": 2}),
        {"op": "m", "source": SOURCE},
        event("t"),
    ]).encode()

    def load(label, data):
        req = urllib.request.Request(f"http://127.0.0.1:{srv.http_port}/api/cdc/sl/_stream_load", data=data,
                                     method="PUT", headers={"Authorization": "Basic " + base64.b64encode(b"root:").decode(),
                                                            "label": label, "format": "json", "envelope": "debezium",
                                                            "max_filter_ratio": "0.5"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())
    result = load("dbz1", body)
    assert result["Status"] == "Success", result
    # Five events are rows or skipped; the truncate is refused and counted as filtered.
    assert result["NumberFilteredRows"] == 1 and result["NumberLoadedRows"] == 4, result
    assert srv.query("SELECT id, name, born FROM cdc.sl ORDER BY id") == \
        ((1, "a2", __import__("datetime").date(2024, 10, 5)),)
    result = load("dbz2", b'{"op": "c", "after": {"id": 5, "name": "x"}} {"op": "c", "after": ')
    assert result["Status"] == "Fail" or result["NumberFilteredRows"] >= 1, result


def pg(op, i, v, lsn, before=True):
    src = {**SOURCE, "lsn": lsn}
    after = None if op == "d" else {"id": i, "v": v}
    return (key(i, False), {"before": {"id": i} if before and op != "c" else None, "after": after,
                            "source": src, "op": op, "ts_ms": 1})


def test_events_in_any_order_leave_the_newest_state_and_deletes_stay_deleted(tmp_path, kafka):
    """Rows keep their event's LSN (debezium.position_column); an event older than the stored row
    is dropped, deletes included, and a delete's position is kept (across restarts and compaction)
    so a stale update cannot bring the row back."""
    s = FloeServer(tmp_path / "data").start()
    try:
        s.query("CREATE DATABASE o")
        s.query("CREATE TABLE o.t (id BIGINT, v VARCHAR(20), _pos BIGINT) PRIMARY KEY(id)")
        kafka.topic("pg.ordered", 1)
        s.query(f"""CREATE ROUTINE LOAD o.ordered_job ON t
            PROPERTIES ("format" = "json", "envelope" = "debezium", "debezium.position_column" = "_pos",
                        "max_batch_interval" = "0.2")
            FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "pg.ordered",
                        "property.kafka_default_offsets" = "OFFSET_BEGINNING")""")
        def state():
            return s.query("SELECT id, v, _pos FROM o.t ORDER BY id")
        # One batch, out of order: the newest event of each key wins, a stale update does not
        # undo the delete that followed it at the source, an older delete leaves a newer row.
        produce(kafka, "pg.ordered", [pg("u", 1, "b", 200), pg("c", 1, "a", 100), pg("d", 2, None, 300),
                                      pg("u", 2, "x", 250), pg("c", 3, "new", 500), pg("d", 3, None, 450)])
        wait_for(lambda: state() == ((1, "b", 200), (3, "new", 500)), what="the newest state")
        # Later batches: replays and stale events change nothing.
        produce(kafka, "pg.ordered", [pg("c", 1, "a", 100), pg("u", 2, "stale", 260), pg("d", 3, None, 400)])
        produce(kafka, "pg.ordered", [pg("c", 9, "marker", 900)])
        wait_for(lambda: len(state()) == 3, what="the marker row")
        assert state() == ((1, "b", 200), (3, "new", 500), (9, "marker", 900))
        # A newer create brings a deleted key back.
        produce(kafka, "pg.ordered", [pg("c", 2, "again", 700)])
        wait_for(lambda: state()[1] == (2, "again", 700), what="key 2 back")
        # A delete's fence survives compaction and a kill -9.
        produce(kafka, "pg.ordered", [pg("d", 1, None, 800)])
        wait_for(lambda: [r[0] for r in state()] == [2, 3, 9], what="key 1 deleted")
        s.query("ALTER TABLE o.t COMPACT")
        s.kill()
        s.start()
        produce(kafka, "pg.ordered", [pg("u", 1, "stale-after-restart", 750), pg("c", 10, "marker2", 1000)])
        wait_for(lambda: [r[0] for r in state()] == [2, 3, 9, 10], timeout=60, what="the second marker")
        assert state() == ((2, "again", 700), (3, "new", 500), (9, "marker", 900), (10, "marker2", 1000))
        # Replaying the whole topic with a second job changes nothing.
        s.query(f"""CREATE ROUTINE LOAD o.replay_job ON t
            PROPERTIES ("format" = "json", "envelope" = "debezium", "debezium.position_column" = "_pos",
                        "max_batch_interval" = "0.2")
            FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "pg.ordered",
                        "property.kafka_default_offsets" = "OFFSET_BEGINNING")""")
        wait_for(lambda: s.query("SELECT COMMITTED_BATCHES FROM information_schema.routine_load_jobs "
                                 "WHERE NAME = 'replay_job'")[0][0] >= 1, what="the replay to run")
        time.sleep(1)
        assert state() == ((2, "again", 700), (3, "new", 500), (9, "marker", 900), (10, "marker2", 1000))
    finally:
        s.kill()


def test_a_truncate_removes_only_older_rows_and_fences_stale_events(tmp_path, kafka):
    """With source positions, a truncate removes the rows older than it (a row another partition
    already wrote at a later position stays) and every event older than it is dropped afterwards,
    across a kill -9."""
    s = FloeServer(tmp_path / "data").start()
    try:
        s.query("CREATE DATABASE o")
        s.query("CREATE TABLE o.t (id BIGINT, v VARCHAR(20), _pos BIGINT) PRIMARY KEY(id)")
        kafka.topic("pg.truncated", 1)
        s.query(f"""CREATE ROUTINE LOAD o.truncate_job ON t
            PROPERTIES ("format" = "json", "envelope" = "debezium", "debezium.position_column" = "_pos",
                        "max_batch_interval" = "0.2")
            FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "pg.truncated",
                        "property.kafka_default_offsets" = "OFFSET_BEGINNING")""")

        def state():
            return s.query("SELECT id, v, _pos FROM o.t ORDER BY id")
        truncate = (None, {"source": {**SOURCE, "lsn": 200}, "op": "t", "ts_ms": 1})
        produce(kafka, "pg.truncated", [pg("c", 1, "a", 100), pg("c", 2, "b", 300), pg("c", 4, "d", 120)])
        wait_for(lambda: len(state()) == 3, what="three rows")
        produce(kafka, "pg.truncated", [truncate, pg("u", 1, "stale", 150), pg("c", 3, "c", 250),
                                        pg("d", 2, None, 50), pg("c", 5, "e", 190)])
        wait_for(lambda: state() == ((2, "b", 300), (3, "c", 250)), what="the truncate")
        s.kill()
        s.start()
        produce(kafka, "pg.truncated", [pg("u", 1, "stale-after-restart", 180), pg("c", 6, "marker", 400)])
        wait_for(lambda: [r[0] for r in state()] == [2, 3, 6], timeout=60, what="the marker")
        assert state() == ((2, "b", 300), (3, "c", 250), (6, "marker", 400))
        r = s.query("SELECT STATE, FILTERED_ROWS FROM information_schema.routine_load_jobs WHERE NAME = 'truncate_job'")
        assert r[0] == ("RUNNING", 0), r
    finally:
        s.kill()


def test_kill_9_mid_stream_loses_and_duplicates_nothing(tmp_path, kafka):
    """Change events keep arriving over 3 partitions into a 2-consumer job while Floe is killed
    twice mid-consumption: the table ends as the newest event of each key says, and the job's
    loaded-row counter equals the events produced (none loaded twice)."""
    import random
    rng = random.Random(26)
    s = FloeServer(tmp_path / "data").start()
    try:
        s.query("CREATE DATABASE k")
        s.query("CREATE TABLE k.t (id BIGINT, v BIGINT, _pos BIGINT) PRIMARY KEY(id) "
                "DISTRIBUTED BY HASH(id) BUCKETS 3")
        kafka.topic("pg.killed", 3)
        s.query(f"""CREATE ROUTINE LOAD k.kill_job ON t
            PROPERTIES ("format" = "json", "envelope" = "debezium", "debezium.position_column" = "_pos",
                        "max_batch_interval" = "0.1", "max_batch_rows" = "300", "desired_concurrent_number" = "2")
            FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "pg.killed",
                        "property.kafka_default_offsets" = "OFFSET_BEGINNING")""")
        expected = {}
        lsn = 0
        produced = 0
        for _ in range(3):
            for _ in range(2000):
                i = rng.randrange(300)
                lsn += 1
                op = "d" if i in expected and rng.random() < 0.15 else ("u" if i in expected else "c")
                src = {**SOURCE, "lsn": lsn}
                value = {"before": {"id": i} if op != "c" else None,
                         "after": None if op == "d" else {"id": i, "v": lsn}, "source": src, "op": op}
                kafka.producer.produce("pg.killed", json.dumps(value).encode(), key=json.dumps({"id": i}).encode(),
                                       partition=i % 3)
                produced += 1
                if op == "d":
                    expected.pop(i)
                else:
                    expected[i] = lsn
            assert kafka.producer.flush(30) == 0
            wait_for(lambda: s.query("SELECT count(*) FROM k.t")[0][0] > 0, what="some rows")
            s.kill()
            s.start()

        def loaded():
            r = s.query("SELECT LOADED_ROWS FROM information_schema.routine_load_jobs WHERE NAME = 'kill_job'")
            return r[0][0]
        wait_for(lambda: loaded() >= produced, timeout=90, what=f"{produced} events loaded")
        time.sleep(1)
        assert loaded() == produced
        want = tuple(sorted((i, v, v) for i, v in expected.items()))
        assert s.query("SELECT id, v, _pos FROM k.t ORDER BY id") == want
    finally:
        s.kill()


def test_mysql_binlog_positions_order_events(srv, kafka):
    srv.query("CREATE TABLE cdc.my (id BIGINT, v VARCHAR(20), _pos BIGINT) PRIMARY KEY(id)")
    kafka.topic("my.inventory", 1)
    job(srv, kafka, "my_job", "my", "my.inventory", extra=', "debezium.position_column" = "_pos", '
                                                          '"debezium.position" = "binlog"')

    def my(op, i, v, file, pos, row=0):
        src = {"connector": "mysql", "file": file, "pos": pos, "row": row, "ts_ms": 1}
        return (key(i, False), {"before": {"id": i} if op != "c" else None,
                                "after": None if op == "d" else {"id": i, "v": v}, "source": src, "op": op})
    # A later binlog file outranks any position in an earlier one.
    produce(kafka, "my.inventory", [my("u", 1, "new", "mysql-bin.000004", 120), my("c", 1, "old", "mysql-bin.000003",
                                                                                  9000000)])
    wait_for(lambda: rows(srv, "SELECT v, _pos FROM cdc.my") == (("new", (4 << 40) | (120 << 8)),), what="the row")


def test_merge_condition_orders_deletes_too_in_stream_load(srv):
    """StarRocks' merge_condition does not fence deletes; Floe's does: a delete with an older
    condition value leaves a newer row, and an applied delete keeps its value so that an older
    upsert loaded later is dropped."""
    import urllib.request
    srv.query("CREATE TABLE cdc.mc (id BIGINT, v VARCHAR(20), ver BIGINT) PRIMARY KEY(id)")

    def load(label, body):
        req = urllib.request.Request(
            f"http://127.0.0.1:{srv.http_port}/api/cdc/mc/_stream_load", data=body.encode(), method="PUT",
            headers={"Authorization": "Basic " + base64.b64encode(b"root:").decode(), "label": label,
                     "column_separator": ",", "columns": "id, v, ver, __op", "merge_condition": "ver"})
        with urllib.request.urlopen(req, timeout=30) as r:
            result = json.loads(r.read())
        assert result["Status"] == "Success", result
    load("mc1", "1,a,10,0\n2,b,10,0\n")
    load("mc2", "1,,5,1\n2,,20,1\n")   # an older delete of 1 (kept), a newer delete of 2
    assert srv.query("SELECT id, v, ver FROM cdc.mc ORDER BY id") == ((1, "a", 10),)
    load("mc3", "2,stale,15,0\n")       # older than the delete: stays deleted
    assert srv.query("SELECT id FROM cdc.mc ORDER BY id") == ((1,),)
    load("mc4", "2,fresh,25,0\n")
    assert srv.query("SELECT id, v FROM cdc.mc ORDER BY id") == ((1, "a"), (2, "fresh"))
    # A delete without a condition value applies whatever is stored (as in StarRocks).
    load("mc5", "1,,\\N,1\n")
    assert srv.query("SELECT id FROM cdc.mc ORDER BY id") == ((2,),)


def test_a_compatible_schema_change_does_not_stop_the_job(srv, kafka):
    srv.query("CREATE TABLE cdc.evolve (id BIGINT, v VARCHAR(20)) PRIMARY KEY(id)")
    kafka.topic("pg.public.evolve", 2)
    job(srv, kafka, "evolve_job", "evolve", "pg.public.evolve")
    produce(kafka, "pg.public.evolve", [(key(1, False), event("c", after={"id": 1, "v": "a", "extra": 5}))])
    wait_for(lambda: rows(srv, "SELECT count(*) FROM cdc.evolve")[0][0] == 1, what="the first row")
    # The source table gained a column: add it here too; the running job picks it up.
    srv.query("ALTER TABLE cdc.evolve ADD COLUMN extra INT")
    produce(kafka, "pg.public.evolve", [(key(2, False), event("c", after={"id": 2, "v": "b", "extra": 7}))])
    wait_for(lambda: rows(srv, "SELECT id, v, extra FROM cdc.evolve ORDER BY id") == ((1, "a", None), (2, "b", 7)),
             what="the row with the new column")
    state = rows(srv, "SELECT STATE FROM information_schema.routine_load_jobs WHERE NAME = 'evolve_job'")
    assert state[0][0] == "RUNNING", state
