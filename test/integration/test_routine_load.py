"""Routine Load from a real Kafka protocol endpoint: librdkafka's mock cluster (floe_kafka_mock)
on loopback, messages produced with librdkafka (confluent_kafka), jobs created and watched over
the MySQL protocol."""
import json
import os
import subprocess
import time

import pytest

from conftest import ROOT, FloeServer

confluent_kafka = pytest.importorskip("confluent_kafka")

MOCK = os.environ.get("FLOE_KAFKA_MOCK", os.path.join(ROOT, "build", "release", "test", "floe_kafka_mock"))


class KafkaMock:
    """floe_kafka_mock: a mock cluster with `brokers` brokers; topics, broker outages, producing."""

    def __init__(self, brokers=1):
        self.proc = subprocess.Popen([MOCK, str(brokers)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1)
        line = self.proc.stdout.readline().strip()
        assert line.startswith("BOOTSTRAP "), line
        self.bootstrap = line.split(" ", 1)[1]
        self.producer = confluent_kafka.Producer({"bootstrap.servers": self.bootstrap, "linger.ms": 5})

    def command(self, text):
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        assert answer == "OK", f"{text}: {answer}"

    def topic(self, name, partitions=1):
        self.command(f"topic {name} {partitions}")

    def produce(self, topic, messages, partition=None, timestamp_ms=None):
        for m in messages:
            value = m if isinstance(m, bytes) else (m if isinstance(m, str) else json.dumps(m)).encode()
            kwargs = {"partition": partition} if partition is not None else {}
            if timestamp_ms is not None:
                kwargs["timestamp"] = timestamp_ms
            self.producer.produce(topic, value, **kwargs)
        assert self.producer.flush(30) == 0

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(10)


@pytest.fixture(scope="module")
def kafka():
    if not os.path.exists(MOCK):
        pytest.fail(f"{MOCK} does not exist: build with `make` first")
    k = KafkaMock()
    yield k
    k.close()


def wait_for(predicate, timeout=30, what="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def show_job(server, db, name):
    conn = server.connect(database=db, cursorclass=__import__("pymysql").cursors.DictCursor)
    try:
        with conn.cursor() as cur:
            cur.execute(f"SHOW ROUTINE LOAD FOR {name}")
            rows = cur.fetchall()
            assert len(rows) == 1
            return rows[0]
    finally:
        conn.close()


def count(server, db, table, where="1=1"):
    return server.query(f"SELECT COUNT(*) FROM {db}.{table} WHERE {where}")[0][0]


def test_seed_json_job_with_jsonpaths_and_derived_column(server, kafka):
    kafka.topic("orders", 2)
    server.query("CREATE DATABASE rl_seed")
    server.query("""CREATE TABLE rl_seed.orders (order_id VARCHAR(50) NOT NULL, user_id BIGINT,
                    timestamp_ms BIGINT, amount DECIMAL(10, 2), order_date DATETIME)
                    PRIMARY KEY(order_id) DISTRIBUTED BY HASH(order_id) BUCKETS 4""")
    # Seed 001's statement, verbatim but for the broker address; messages already in the topic
    # are loaded from the beginning.
    kafka.produce("orders", [{"orderId": "o1", "userId": 7, "timestamp": 1700000000000, "amount": 12.5}], partition=0)
    conn = server.connect(database="rl_seed")
    with conn.cursor() as cur:
        cur.execute("""CREATE ROUTINE LOAD order_load ON orders
COLUMNS(
order_id,
user_id,
timestamp_ms,
amount,
order_date = FROM_UNIXTIME(timestamp_ms / 1000)
)
PROPERTIES (
"format" = "json",
"jsonpaths" = "[\\"$.orderId\\",\\"$.userId\\",\\"$.timestamp\\",\\"$.amount\\"]",
"max_batch_interval" = "0.2"
)
FROM KAFKA (
"kafka_broker_list" = "%s",
"kafka_topic" = "orders",
"property.kafka_default_offsets" = "OFFSET_BEGINNING"
)""" % kafka.bootstrap)
    conn.close()
    # Kafka orders messages within a partition only: the update of o1 goes where o1 went (as a
    # producer keyed by order id does).
    kafka.produce("orders", [{"orderId": "o2", "userId": 8, "timestamp": 1700000300000, "amount": 3}], partition=1)
    kafka.produce("orders", [{"orderId": "o1", "userId": 7, "timestamp": 1700000000000, "amount": 20}], partition=0)
    wait_for(lambda: count(server, "rl_seed", "orders") == 2 and
             server.query("SELECT amount FROM rl_seed.orders WHERE order_id = 'o1'")[0][0] == 20,
             what="three messages upserted into two rows")
    rows = server.query("SELECT order_id, user_id, order_date FROM rl_seed.orders ORDER BY order_id",
                        init_command="SET time_zone = 'UTC'")
    assert [(r[0], r[1], str(r[2])) for r in rows] == [("o1", 7, "2023-11-14 22:13:20"),
                                                       ("o2", 8, "2023-11-14 22:18:20")]
    job = wait_for(lambda: (lambda j: j if json.loads(j["Progress"]) == {"0": "1", "1": "0"} else None)(
        show_job(server, "rl_seed", "order_load")), what="progress of both partitions")
    assert job["State"] == "RUNNING"
    assert job["DataSourceType"] == "KAFKA"
    assert json.loads(job["Statistic"])["loadedRows"] == 3
    assert json.loads(job["OffsetLag"]) == {"0": "0", "1": "0"}
    assert job["LagMessages"] == 0
    assert job["LastCommitTime"] is not None


def test_seed_aggregate_job_aggregates_at_ingestion(server, kafka):
    kafka.topic("orders_agg", 1)
    server.query("CREATE DATABASE rl_agg")
    # Seed 001's order_stats table (delivery_type has a default: the job does not set it).
    server.query("""CREATE TABLE rl_agg.order_stats (
stat_time DATETIME NOT NULL COMMENT '5-minute intervals',
region VARCHAR(20) NOT NULL,
delivery_type VARCHAR(20) NOT NULL DEFAULT 'standard',
order_count BIGINT SUM DEFAULT "0",
total_amount DECIMAL(15, 2) SUM DEFAULT "0",
user_bitmap BITMAP BITMAP_UNION,
max_amount DECIMAL(10, 2) MAX
)
AGGREGATE KEY(stat_time, region, delivery_type)
PARTITION BY date_trunc('day', stat_time)
DISTRIBUTED BY HASH(stat_time) BUCKETS 10""")
    conn = server.connect(database="rl_agg")
    with conn.cursor() as cur:
        cur.execute("""CREATE ROUTINE LOAD order_stats_load ON order_stats
COLUMNS(
timestamp_ms,
region,
amount,
user_id,
-- Round to 5-minute intervals
stat_time = FROM_UNIXTIME(FLOOR(timestamp_ms / 1000 / 300) * 300),
order_count = 1,
total_amount = amount,
user_bitmap = BITMAP_HASH(user_id)
)
WHERE amount > 0
PROPERTIES ("format" = "json", "max_batch_interval" = "0.2", "timezone" = "UTC")
FROM KAFKA (
"kafka_broker_list" = "%s",
"kafka_topic" = "orders_agg"
)""" % kafka.bootstrap)
    conn.close()
    wait_for(lambda: show_job(server, "rl_agg", "order_stats_load")["State"] == "RUNNING", what="RUNNING")
    t0 = 1700000000000  # 2023-11-14 22:13:20 UTC: the 22:10 bucket
    events = [{"timestamp_ms": t0 + i * 1000, "region": "east" if i % 2 else "west", "amount": i,
               "user_id": i % 3} for i in range(10)]
    events.append({"timestamp_ms": t0 + 400000, "region": "east", "amount": 5, "user_id": 1})  # next bucket
    kafka.produce("orders_agg", events)
    wait_for(lambda: server.query("SELECT SUM(order_count) FROM rl_agg.order_stats")[0][0] == 10,
             what="ten orders (amount 0 is filtered by WHERE)")
    rows = server.query("""SELECT stat_time, region, order_count, total_amount, BITMAP_UNION_COUNT(user_bitmap)
                           FROM (SELECT stat_time, region, SUM(order_count) AS order_count,
                                 SUM(total_amount) AS total_amount, BITMAP_UNION(user_bitmap) AS user_bitmap
                                 FROM rl_agg.order_stats GROUP BY stat_time, region) t
                           GROUP BY stat_time, region, order_count, total_amount ORDER BY stat_time, region""")
    assert [(str(r[0]), r[1], r[2], float(r[3]), r[4]) for r in rows] == [
        ("2023-11-14 22:10:00", "east", 5, 25.0, 3),
        ("2023-11-14 22:10:00", "west", 4, 20.0, 3),
        ("2023-11-14 22:20:00", "east", 1, 5.0, 1),
    ]
    job = show_job(server, "rl_agg", "order_stats_load")
    assert json.loads(job["Statistic"])["unselectedRows"] == 1
    assert json.loads(job["JobProperties"])["whereExpr"] == "amount > 0"


def test_csv_job_with_separator_and_where(server, kafka):
    kafka.topic("clicks", 1)
    server.query("CREATE DATABASE rl_csv")
    server.query("CREATE TABLE rl_csv.clicks (id BIGINT, page VARCHAR(20), ms BIGINT) DUPLICATE KEY(id)")
    kafka.produce("clicks", ["1|home|10", "2|cart|20\n", "3|home|30"])
    server.query(f"""CREATE ROUTINE LOAD rl_csv.clicks_job ON clicks
        COLUMNS TERMINATED BY '|', COLUMNS(id, page, raw_ms, ms = raw_ms * 1000), WHERE page = 'home'
        PROPERTIES ("max_batch_interval" = "0.2")
        FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "clicks",
                    "kafka_partitions" = "0", "kafka_offsets" = "OFFSET_BEGINNING")""")
    wait_for(lambda: count(server, "rl_csv", "clicks") == 2, what="two home rows")
    assert server.query("SELECT id, page, ms FROM rl_csv.clicks ORDER BY id") == ((1, "home", 10000),
                                                                                  (3, "home", 30000))


def test_primary_key_upsert_and_delete_with_op(server, kafka):
    kafka.topic("cdc", 1)
    server.query("CREATE DATABASE rl_cdc")
    server.query("CREATE TABLE rl_cdc.users (id BIGINT NOT NULL, name VARCHAR(20), v INT) PRIMARY KEY(id)")
    server.query(f"""CREATE ROUTINE LOAD rl_cdc.cdc_job ON users
        COLUMNS(id, name, v, op, __op = IF(op = 'd', 1, 0))
        PROPERTIES ("format" = "json", "max_batch_interval" = "0.2")
        FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "cdc",
                    "property.kafka_default_offsets" = "OFFSET_BEGINNING")""")
    kafka.produce("cdc", [{"id": 1, "name": "a", "v": 1, "op": "u"}, {"id": 2, "name": "b", "v": 2, "op": "u"},
                          {"id": 3, "name": "c", "v": 3, "op": "u"}])
    wait_for(lambda: count(server, "rl_cdc", "users") == 3, what="three users")
    kafka.produce("cdc", [{"id": 2, "name": "B", "v": 20, "op": "u"}, {"id": 3, "op": "d"}])
    wait_for(lambda: server.query("SELECT id, name, v FROM rl_cdc.users ORDER BY id") == ((1, "a", 1), (2, "B", 20)),
             what="upsert of 2 and delete of 3")


def test_malformed_messages_go_to_the_error_table(server, kafka):
    kafka.topic("dirty", 1)
    server.query("CREATE DATABASE rl_err")
    server.query("CREATE TABLE rl_err.t (id BIGINT NOT NULL, v INT) DUPLICATE KEY(id)")
    server.query(f"""CREATE ROUTINE LOAD rl_err.dirty_job ON t
        PROPERTIES ("format" = "json", "max_batch_interval" = "0.2", "max_error_number" = "10")
        FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "dirty",
                    "property.kafka_default_offsets" = "OFFSET_BEGINNING")""")
    kafka.produce("dirty", [{"id": 1, "v": 1}, b'{"id": 2, "v": ', {"v": 3}, b"\xff\xfe not json",
                            {"id": 4, "v": 4}])
    wait_for(lambda: count(server, "rl_err", "t") == 2, what="the two good messages")
    errors = server.query("""SELECT KAFKA_PARTITION, KAFKA_OFFSET, REASON, MESSAGE, MESSAGE_HEX
                             FROM information_schema.routine_load_errors
                             WHERE DATABASE_NAME = 'rl_err' AND JOB_NAME = 'dirty_job' ORDER BY KAFKA_OFFSET""")
    assert [(e[0], e[1]) for e in errors] == [(0, 1), (0, 2), (0, 3)]
    assert "invalid JSON" in errors[0][2] and errors[0][3] == '{"id": 2, "v": '
    assert "NULL but declared NOT NULL" in errors[1][2]
    assert errors[2][4].startswith("fffe")  # the raw bytes, kept as they were
    job = show_job(server, "rl_err", "dirty_job")
    assert job["State"] == "RUNNING"
    assert json.loads(job["Statistic"])["errorRows"] == 3
    assert "offset 3" in job["LastError"]
    assert "routine_load_errors" in job["ErrorLogUrls"]


def test_too_many_errors_pause_the_job_with_a_reason(server, kafka):
    kafka.topic("strict", 1)
    server.query("CREATE DATABASE rl_strict")
    server.query("CREATE TABLE rl_strict.t (id BIGINT NOT NULL, v INT) DUPLICATE KEY(id)")
    server.query(f"""CREATE ROUTINE LOAD rl_strict.job ON t
        PROPERTIES ("format" = "json", "max_batch_interval" = "0.2")
        FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "strict",
                    "property.kafka_default_offsets" = "OFFSET_BEGINNING")""")
    kafka.produce("strict", [{"id": 1, "v": 1}, b"oops"])
    job = wait_for(lambda: (lambda j: j if j["State"] == "PAUSED" else None)(show_job(server, "rl_strict", "job")),
                   what="PAUSED")
    assert "max_error_number 0" in job["ReasonOfStateChanged"]
    assert "offset 1" in job["ReasonOfStateChanged"] and "oops" in job["ReasonOfStateChanged"]
    # The batch with the bad message was not committed (the good one may have had a batch of its own).
    assert json.loads(job["Progress"]) in ({"0": "OFFSET_ZERO"}, {"0": "0"})
    assert count(server, "rl_strict", "t") == int(json.loads(job["Progress"])["0"] == "0")
    # Allow errors, resume: the batch loads, the bad message is kept.
    server.query("ALTER ROUTINE LOAD FOR rl_strict.job PROPERTIES (\"max_error_number\" = \"5\")")
    server.query("RESUME ROUTINE LOAD FOR rl_strict.job")
    wait_for(lambda: count(server, "rl_strict", "t") == 1, what="the good row after resume")
    assert show_job(server, "rl_strict", "job")["State"] == "RUNNING"


def test_pause_resume_stop(server, kafka):
    kafka.topic("ctl", 1)
    server.query("CREATE DATABASE rl_ctl")
    server.query("CREATE TABLE rl_ctl.t (id BIGINT) DUPLICATE KEY(id)")
    server.query(f"""CREATE ROUTINE LOAD rl_ctl.job ON t COLUMNS TERMINATED BY ','
        PROPERTIES ("max_batch_interval" = "0.2")
        FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "ctl",
                    "property.kafka_default_offsets" = "OFFSET_BEGINNING")""")
    kafka.produce("ctl", ["1", "2"])
    wait_for(lambda: count(server, "rl_ctl", "t") == 2, what="2 rows")
    server.query("PAUSE ROUTINE LOAD FOR rl_ctl.job")
    job = show_job(server, "rl_ctl", "job")
    assert job["State"] == "PAUSED" and job["PauseTime"] is not None
    kafka.produce("ctl", ["3", "4", "5"])
    time.sleep(1)
    assert count(server, "rl_ctl", "t") == 2  # paused: nothing consumed
    assert server.query("SHOW ROUTINE LOAD TASK FROM rl_ctl WHERE JobName = 'job'") == ()
    server.query("RESUME ROUTINE LOAD FOR rl_ctl.job")
    wait_for(lambda: count(server, "rl_ctl", "t") == 5, what="5 rows after resume")
    tasks = server.query("SHOW ROUTINE LOAD TASK FROM rl_ctl WHERE JobName = 'job'")
    assert len(tasks) == 1
    server.query("STOP ROUTINE LOAD FOR rl_ctl.job")
    assert server.query("SHOW ROUTINE LOAD FROM rl_ctl") == ()  # stopped jobs only with ALL
    rows = server.query("SHOW ALL ROUTINE LOAD FROM rl_ctl")
    assert len(rows) == 1 and rows[0][7] == "STOPPED"
    with pytest.raises(Exception, match="cannot be resumed"):
        server.query("RESUME ROUTINE LOAD FOR rl_ctl.job")


def test_revoking_insert_pauses_the_owners_job(server, kafka):
    """A job loads with its owner's rights as they are at each batch: once INSERT is revoked, the
    next batch pauses the job with a reason naming the owner and the privilege, and loads nothing."""
    kafka.topic("revoke", 1)
    server.query("CREATE DATABASE rl_priv")
    server.query("CREATE TABLE rl_priv.t (id BIGINT, v VARCHAR(10)) DUPLICATE KEY(id)")
    server.query("CREATE USER IF NOT EXISTS rl_loader IDENTIFIED BY 'pw'")
    server.query("GRANT INSERT, SELECT ON TABLE rl_priv.t TO USER rl_loader")
    server.query(f"""CREATE ROUTINE LOAD rl_priv.job ON t COLUMNS TERMINATED BY ','
        PROPERTIES ("max_batch_interval" = "0.2")
        FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "revoke",
                    "property.kafka_default_offsets" = "OFFSET_BEGINNING")""", user="rl_loader", password="pw")
    kafka.produce("revoke", ["1,a", "2,b"])
    wait_for(lambda: count(server, "rl_priv", "t") == 2, what="2 rows loaded with the owner's INSERT")
    server.query("REVOKE INSERT ON TABLE rl_priv.t FROM USER rl_loader")
    kafka.produce("revoke", ["3,c"])
    job = wait_for(lambda: (lambda j: j if j["State"] == "PAUSED" else None)(show_job(server, "rl_priv", "job")),
                   what="the job paused after the revoke")
    reason = job["ReasonOfStateChanged"]
    assert "rl_loader" in reason and "INSERT" in reason, reason
    time.sleep(0.5)
    assert count(server, "rl_priv", "t") == 2  # nothing loaded without the privilege
    # Granted again and resumed: the waiting message loads.
    server.query("GRANT INSERT ON TABLE rl_priv.t TO USER rl_loader")
    server.query("RESUME ROUTINE LOAD FOR rl_priv.job")
    wait_for(lambda: count(server, "rl_priv", "t") == 3, what="the third row after the grant")


def test_bad_definitions_are_refused(server, kafka):
    server.query("CREATE DATABASE rl_bad")
    server.query("CREATE TABLE rl_bad.t (id BIGINT) DUPLICATE KEY(id)")
    src = f'FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "x")'
    cases = [
        (f"CREATE ROUTINE LOAD rl_bad.j ON missing {src}", "does not exist"),
        (f"CREATE ROUTINE LOAD rl_bad.j ON t COLUMNS(id, nope = id + 1) {src}", "not a column of the table"),
        (f'CREATE ROUTINE LOAD rl_bad.j ON t PROPERTIES ("format" = "avro") {src}', "format 'avro'"),
        (f'CREATE ROUTINE LOAD rl_bad.j ON t PROPERTIES ("max_batch_rows" = "lots") {src}', "max_batch_rows"),
        (f'CREATE ROUTINE LOAD rl_bad.j ON t PROPERTIES ("no_such" = "1") {src}', "unknown routine load property"),
        ('CREATE ROUTINE LOAD rl_bad.j ON t FROM KAFKA ("kafka_topic" = "x")', "kafka_broker_list is required"),
        (f"CREATE ROUTINE LOAD rl_bad.j ON t {src[:-1]}, \"kafka_partitions\" = \"0,1\", "
         f"\"kafka_offsets\" = \"0\")", "kafka_offsets has 1 offsets for 2"),
        ("PAUSE ROUTINE LOAD FOR rl_bad.nothing", "does not exist"),
        (f"CREATE ROUTINE LOAD rl_bad.j ON t {src.replace('KAFKA', 'PULSAR')}", "KAFKA"),
    ]
    for sql, message in cases:
        with pytest.raises(Exception, match=message):
            server.query(sql)
    assert server.query("SHOW ALL ROUTINE LOAD FROM rl_bad") == ()
    server.query(f"CREATE ROUTINE LOAD rl_bad.j ON t {src}")
    with pytest.raises(Exception, match="already used"):
        server.query(f"CREATE ROUTINE LOAD rl_bad.j ON t {src}")
    server.query("STOP ROUTINE LOAD FOR rl_bad.j")


def test_offset_out_of_range_pauses_with_reason(server, kafka):
    kafka.topic("short", 1)
    server.query("CREATE DATABASE rl_range")
    server.query("CREATE TABLE rl_range.t (id BIGINT) DUPLICATE KEY(id)")
    kafka.produce("short", ["1", "2"])
    server.query(f"""CREATE ROUTINE LOAD rl_range.job ON t PROPERTIES ("max_batch_interval" = "0.2")
        FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "short",
                    "kafka_partitions" = "0", "kafka_offsets" = "100")""")
    job = wait_for(lambda: (lambda j: j if j["State"] == "PAUSED" else None)(show_job(server, "rl_range", "job")),
                   what="PAUSED")
    assert "out of range" in job["ReasonOfStateChanged"]
    server.query("ALTER ROUTINE LOAD FOR rl_range.job FROM KAFKA (\"kafka_partitions\" = \"0\", "
                 "\"kafka_offsets\" = \"1\")")
    server.query("RESUME ROUTINE LOAD FOR rl_range.job")
    wait_for(lambda: server.query("SELECT id FROM rl_range.t") == ((2,),), what="the row from offset 1")


def test_broker_outage_keeps_the_job_running(tmp_path):
    kafka = KafkaMock(brokers=1)
    server = FloeServer(tmp_path / "data").start()
    try:
        kafka.topic("flaky", 1)
        server.query("CREATE DATABASE rl_flaky")
        server.query("CREATE TABLE rl_flaky.t (id BIGINT) DUPLICATE KEY(id)")
        server.query(f"""CREATE ROUTINE LOAD rl_flaky.job ON t PROPERTIES ("max_batch_interval" = "0.2")
            FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "flaky",
                        "property.kafka_default_offsets" = "OFFSET_BEGINNING")""")
        kafka.produce("flaky", ["1"])
        wait_for(lambda: count(server, "rl_flaky", "t") == 1, what="first row")
        kafka.command("down 1")
        time.sleep(3)
        state = show_job(server, "rl_flaky", "job")["State"]
        assert state in ("RUNNING", "UNSTABLE"), state
        kafka.command("up 1")
        kafka.produce("flaky", ["2"])
        wait_for(lambda: count(server, "rl_flaky", "t") == 2, timeout=60, what="the row after the outage")
        wait_for(lambda: show_job(server, "rl_flaky", "job")["State"] in ("RUNNING", "UNSTABLE"), what="running")
    finally:
        server.kill()
        kafka.close()


def test_exactly_once_across_kill_9(tmp_path):
    """Messages keep arriving while Floe is killed twice mid-consumption: afterwards the table holds
    every message exactly once (count and sum equal what was produced)."""
    kafka = KafkaMock()
    server = FloeServer(tmp_path / "data").start()
    try:
        kafka.topic("events", 3)
        server.query("CREATE DATABASE rl_once")
        server.query("CREATE TABLE rl_once.t (id BIGINT, v BIGINT) DUPLICATE KEY(id)")
        server.query(f"""CREATE ROUTINE LOAD rl_once.job ON t COLUMNS TERMINATED BY ','
            PROPERTIES ("max_batch_interval" = "0.1", "max_batch_rows" = "500")
            FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "events",
                        "property.kafka_default_offsets" = "OFFSET_BEGINNING")""")
        produced = 0
        total = 0
        for round_ in range(3):
            for chunk in range(10):
                batch = [f"{produced + i},{(produced + i) * 7}" for i in range(400)]
                kafka.produce("events", batch)
                total += sum((produced + i) * 7 for i in range(400))
                produced += 400
            # Kill while the job is (very likely) mid-batch, then restart on the same data.
            wait_for(lambda: count(server, "rl_once", "t") > 0, what="some rows")
            server.kill()
            server.start()
        wait_for(lambda: count(server, "rl_once", "t") >= produced, timeout=60, what=f"{produced} rows")
        time.sleep(1)
        assert server.query("SELECT COUNT(*), COUNT(DISTINCT id), SUM(v) FROM rl_once.t") == ((produced, produced,
                                                                                               total),)
        job = show_job(server, "rl_once", "job")
        assert job["State"] == "RUNNING"
        assert json.loads(job["Statistic"])["loadedRows"] == produced
        # A paused job stays paused across a clean restart, and resumes where it stopped.
        server.query("PAUSE ROUTINE LOAD FOR rl_once.job")
        kafka.produce("events", [f"{produced + i},0" for i in range(10)])
        server.restart()
        assert show_job(server, "rl_once", "job")["State"] == "PAUSED"
        time.sleep(0.5)
        assert count(server, "rl_once", "t") == produced
        server.query("RESUME ROUTINE LOAD FOR rl_once.job")
        wait_for(lambda: count(server, "rl_once", "t") == produced + 10, what="the messages produced while paused")
    finally:
        server.kill()
        kafka.close()


def test_merge_condition_keeps_the_newer_version(server, kafka):
    """merge_condition: a message replaces a stored row only when its version is not older.
    (kafka_offsets as a datetime goes through librdkafka's offsets_for_times; the mock cluster
    answers every time lookup with the end of the partition, so it is not tested here.)"""
    kafka.topic("versions", 1)
    server.query("CREATE DATABASE rl_merge")
    server.query("CREATE TABLE rl_merge.t (id BIGINT NOT NULL, v INT, version INT) PRIMARY KEY(id)")
    kafka.produce("versions", [{"id": i, "v": i, "version": 1} for i in range(4)])
    server.query(f"""CREATE ROUTINE LOAD rl_merge.job ON t
        PROPERTIES ("format" = "json", "max_batch_interval" = "0.2", "merge_condition" = "version")
        FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "versions",
                    "kafka_partitions" = "0", "kafka_offsets" = "OFFSET_BEGINNING")""")
    wait_for(lambda: count(server, "rl_merge", "t") == 4, what="four rows")
    kafka.produce("versions", [{"id": 2, "v": 20, "version": 2}, {"id": 3, "v": 30, "version": 0}])
    wait_for(lambda: server.query("SELECT id, v, version FROM rl_merge.t WHERE id >= 2 ORDER BY id") ==
             ((2, 20, 2), (3, 3, 1)), what="the newer version of 2 replaces it; the older one of 3 does not")


def test_leader_change_keeps_loading(server):
    kafka = KafkaMock(brokers=2)
    try:
        kafka.topic("moving", 1)
        kafka.command("leader moving 0 1")
        server.query("CREATE DATABASE rl_leader")
        server.query("CREATE TABLE rl_leader.t (id BIGINT) DUPLICATE KEY(id)")
        server.query(f"""CREATE ROUTINE LOAD rl_leader.job ON t PROPERTIES ("max_batch_interval" = "0.2")
            FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "moving",
                        "property.kafka_default_offsets" = "OFFSET_BEGINNING")""")
        kafka.produce("moving", [str(i) for i in range(100)])
        wait_for(lambda: count(server, "rl_leader", "t") == 100, what="100 rows from broker 1")
        kafka.command("leader moving 0 2")
        kafka.produce("moving", [str(i) for i in range(100, 200)])
        wait_for(lambda: count(server, "rl_leader", "t") == 200, timeout=60, what="100 more rows from broker 2")
        assert server.query("SELECT COUNT(DISTINCT id), SUM(id) FROM rl_leader.t") == ((200, 19900),)
        server.query("STOP ROUTINE LOAD FOR rl_leader.job")
    finally:
        kafka.close()


def test_desired_concurrent_number_consumers_load_what_one_consumer_loads(server, kafka):
    """4 consumers over 16 partitions give the same table as 1 (issue 26): each consumer reads its
    share of the partitions and commits its rows with its partitions' offsets."""
    kafka.topic("wide", 16)
    server.query("CREATE DATABASE rl_wide")
    for name in ("one", "four"):
        server.query(f"CREATE TABLE rl_wide.{name} (k BIGINT, v BIGINT, p INT) PRIMARY KEY(k) "
                     "DISTRIBUTED BY HASH(k) BUCKETS 4")
    messages = {p: [] for p in range(16)}
    for i in range(4000):
        # Keys repeat within a partition (later values win); each key stays in one partition.
        k = i % 1000
        messages[k % 16].append(json.dumps({"k": k, "v": i, "p": k % 16}))
    for p, batch in messages.items():
        kafka.produce("wide", batch, partition=p)
    for name, consumers in (("one", 1), ("four", 4)):
        server.query(f"""CREATE ROUTINE LOAD rl_wide.{name}_job ON {name}
            PROPERTIES ("format" = "json", "max_batch_interval" = "0.2", "max_batch_rows" = "300",
                        "desired_concurrent_number" = "{consumers}")
            FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "wide",
                        "property.kafka_default_offsets" = "OFFSET_BEGINNING")""")
    for name in ("one", "four"):
        wait_for(lambda: show_job(server, "rl_wide", f"{name}_job")["Statistic"] and
                 json.loads(show_job(server, "rl_wide", f"{name}_job")["Statistic"])["loadedRows"] == 4000,
                 timeout=60, what=f"{name}_job to load every message")
    one = server.query("SELECT k, v, p FROM rl_wide.one ORDER BY k")
    four = server.query("SELECT k, v, p FROM rl_wide.four ORDER BY k")
    assert len(one) == 1000 and one == four
    assert all(v == max(i for i in range(4000) if i % 1000 == k) for k, v, _ in four)
    job = show_job(server, "rl_wide", "four_job")
    assert job["CurrentTaskNum"] == 4 and json.loads(job["JobProperties"])["currentTaskConcurrentNum"] == "4"
    assert sorted(int(p) for p in json.loads(job["Progress"])) == list(range(16))
