"""Materialized views and tasks end to end (issue 21): seed 002's cross-tier MV over a hot table and
an Iceberg table, ASYNC MVs that follow loads by themselves, an MV that goes inactive on a breaking
base change and comes back by itself, schedules that survive kill -9 without firing all at once,
and SUBMIT TASK with retries and priorities.
"""
import datetime
import time

import pytest

from conftest import FloeServer


def wait_for(fn, timeout=30, interval=0.2, what="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}; last value: {last!r}")


def mv_row(s, name, columns):
    rows = s.query(f"SELECT {columns} FROM information_schema.materialized_views WHERE TABLE_NAME = '{name}'")
    return rows[0] if rows else None


@pytest.fixture
def srv(tmp_path):
    s = FloeServer(tmp_path / "data").start()
    yield s
    s.kill()


SEED_002_MV = """
CREATE MATERIALIZED VIEW mv_daily_revenue
DISTRIBUTED BY HASH(customer_id)
REFRESH ASYNC EVERY (INTERVAL 10 MINUTE)
AS
SELECT
 customer_id,
 DATE_TRUNC('day', order_date) AS day,
 SUM(revenue) AS daily_revenue,
 COUNT(*) AS order_count
FROM (
 SELECT customer_id, order_date, revenue
 FROM hot_db.orders
 UNION ALL
 SELECT customer_id, order_date, revenue
 FROM iceberg_cold.analytics.orders
 WHERE order_date >= CURRENT_DATE - INTERVAL 90 DAY
) combined
GROUP BY customer_id, DATE_TRUNC('day', order_date)
"""

DIRECT = """
SELECT customer_id, DATE_TRUNC('day', order_date) AS day, SUM(revenue), COUNT(*) FROM (
 SELECT customer_id, order_date, revenue FROM hot_db.orders
 UNION ALL
 SELECT customer_id, order_date, revenue FROM iceberg_cold.analytics.orders
 WHERE order_date >= CURRENT_DATE - INTERVAL 90 DAY) c
GROUP BY customer_id, DATE_TRUNC('day', order_date) ORDER BY 1, 2
"""


def test_seed_002_cross_tier_mv(srv, tmp_path):
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    today = datetime.date.today()
    d = [(today - datetime.timedelta(days=n)).isoformat() for n in range(0, 200, 10)]
    s = srv
    s.query("CREATE DATABASE hot_db")
    s.query("CREATE TABLE hot_db.orders (order_id VARCHAR(20), customer_id BIGINT, revenue DECIMAL(12, 2), "
            "status VARCHAR(10), order_date DATETIME) PRIMARY KEY (order_id) DISTRIBUTED BY HASH(order_id)")
    s.query(f"CREATE EXTERNAL CATALOG iceberg_cold PROPERTIES ('type'='iceberg', 'iceberg.catalog.type'='hadoop', "
            f"'iceberg.catalog.warehouse'='{warehouse}')")
    s.query("CREATE DATABASE iceberg_cold.analytics")
    s.query("CREATE TABLE iceberg_cold.analytics.orders (order_id STRING, customer_id BIGINT, "
            "revenue DECIMAL(12, 2), status STRING, order_date DATETIME) PARTITION BY day(order_date)")
    s.query(f"INSERT INTO hot_db.orders VALUES ('h1', 1, 10.50, 'new', '{d[0]} 10:00:00'), "
            f"('h2', 2, 20.00, 'new', '{d[0]} 11:00:00'), ('h3', 1, 5.25, 'paid', '{d[1]} 09:00:00')")
    s.query(f"INSERT INTO iceberg_cold.analytics.orders VALUES ('c1', 1, 100.00, 'paid', '{d[3]} 08:00:00'), "
            f"('c2', 3, 7.00, 'paid', '{d[5]} 08:00:00'), ('c3', 3, 1.00, 'paid', '{d[15]} 08:00:00')")
    conn = s.connect(database="hot_db")
    with conn.cursor() as cur:
        cur.execute(SEED_002_MV)
    conn.close()
    # IMMEDIATE: the first refresh runs on its own; the period (10 minutes) is scheduled.
    wait_for(lambda: (mv_row(s, "mv_daily_revenue", "LAST_REFRESH_STATE") or [None])[0] == "SUCCESS",
             what="the first refresh")
    row = mv_row(s, "mv_daily_revenue", "REFRESH_TYPE, IS_ACTIVE, IS_FRESH, NEXT_REFRESH_TIME, TASK_NAME")
    assert row[:3] == ("ASYNC", "true", "true")
    assert row[3] is not None and row[3] > datetime.datetime.now() + datetime.timedelta(minutes=9)
    mv = s.query("SELECT customer_id, day, daily_revenue, order_count FROM hot_db.mv_daily_revenue ORDER BY 1, 2")
    assert mv == s.query(DIRECT)
    assert len(mv) == 5  # d[15] is older than 90 days
    # Loads into both tiers make it stale; a refresh catches up with both.
    s.query(f"INSERT INTO hot_db.orders VALUES ('h4', 4, 1.00, 'new', '{d[0]} 12:00:00')")
    s.query(f"INSERT INTO hot_db.orders VALUES ('h1', 1, 11.50, 'paid', '{d[0]} 10:00:00')")  # an upsert
    s.query(f"INSERT INTO iceberg_cold.analytics.orders VALUES ('c4', 2, 2.00, 'paid', '{d[2]} 08:00:00')")
    fresh, reason = mv_row(s, "mv_daily_revenue", "IS_FRESH, STALE_REASON")
    assert fresh == "false" and "changed since the last refresh" in reason
    s.query("REFRESH MATERIALIZED VIEW hot_db.mv_daily_revenue WITH SYNC MODE")
    assert s.query("SELECT customer_id, day, daily_revenue, order_count FROM hot_db.mv_daily_revenue "
                   "ORDER BY 1, 2") == s.query(DIRECT)
    assert mv_row(s, "mv_daily_revenue", "IS_FRESH")[0] == "true"
    # A change of the Iceberg table alone is seen too (its snapshot is part of the MV's state).
    s.query("DELETE FROM iceberg_cold.analytics.orders WHERE order_id = 'c1'")
    fresh, reason = mv_row(s, "mv_daily_revenue", "IS_FRESH, STALE_REASON")
    assert fresh == "false" and "iceberg_cold.analytics.orders" in reason
    s.query("REFRESH MATERIALIZED VIEW hot_db.mv_daily_revenue WITH SYNC MODE")
    assert s.query("SELECT customer_id, day, daily_revenue, order_count FROM hot_db.mv_daily_revenue "
                   "ORDER BY 1, 2") == s.query(DIRECT)


def test_async_mv_follows_loads(srv):
    s = srv
    s.query("CREATE DATABASE a")
    s.query("CREATE TABLE a.ev (dt DATE, k INT, v INT) DUPLICATE KEY(dt) PARTITION BY date_trunc('day', dt) "
            "DISTRIBUTED BY HASH(k)")
    s.query("INSERT INTO a.ev VALUES ('2024-03-01', 1, 1), ('2024-03-02', 2, 2)")
    s.query("CREATE MATERIALIZED VIEW a.per_day PARTITION BY dt REFRESH ASYNC AS "
            "SELECT dt, sum(v) AS total FROM a.ev GROUP BY dt")
    want = lambda: s.query("SELECT dt, sum(v) FROM a.ev GROUP BY dt ORDER BY dt")
    got = lambda: s.query("SELECT dt, total FROM a.per_day ORDER BY dt")
    wait_for(lambda: got() == want(), what="the first refresh")
    for i in range(3):
        s.query(f"INSERT INTO a.ev VALUES ('2024-03-0{i + 2}', 9, {10 + i})")
        wait_for(lambda: got() == want(), what=f"the refresh after load {i}")
    # Only the partition the load touched was recomputed.
    parts = mv_row(s, "per_day", "LAST_REFRESH_MV_REFRESH_PARTITIONS")[0]
    assert parts == "p2024_03_04", parts
    # An MV over another MV follows too (nested).
    s.query("CREATE MATERIALIZED VIEW a.grand REFRESH ASYNC AS SELECT sum(total) AS t FROM a.per_day")
    wait_for(lambda: s.query("SELECT t FROM a.grand") == s.query("SELECT sum(v) FROM a.ev"), what="nested MV")
    s.query("INSERT INTO a.ev VALUES ('2024-03-01', 5, 100)")
    wait_for(lambda: s.query("SELECT t FROM a.grand") == s.query("SELECT sum(v) FROM a.ev"),
             what="nested MV after a load")


def test_inactive_on_breaking_change_and_back(srv):
    s = srv
    s.query("CREATE DATABASE b")
    s.query("CREATE TABLE b.t (k INT, v INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k)")
    s.query("INSERT INTO b.t VALUES (1, 10), (2, 20)")
    s.query("CREATE MATERIALIZED VIEW b.sums REFRESH ASYNC AS SELECT k, sum(v) AS sv FROM b.t GROUP BY k")
    wait_for(lambda: s.query("SELECT count(*) FROM b.sums")[0][0] == 2, what="the first refresh")
    # Dropping a column the MV reads: inactive by itself, with the reason, and still queryable.
    s.query("ALTER TABLE b.t DROP COLUMN v")
    row = wait_for(lambda: (lambda r: r if r[0] == "false" else None)(mv_row(s, "sums", "IS_ACTIVE, INACTIVE_REASON")),
                   what="the MV to go inactive")
    assert "Unknown column 'v'" in row[1]
    assert s.query("SELECT count(*) FROM b.sums")[0][0] == 2
    with pytest.raises(Exception, match="inactive"):
        s.query("REFRESH MATERIALIZED VIEW b.sums WITH SYNC MODE")
    # Undoing the change: active again and refreshed, nobody asking.
    s.query("ALTER TABLE b.t ADD COLUMN v INT")
    s.query("INSERT INTO b.t VALUES (3, 30)")
    wait_for(lambda: mv_row(s, "sums", "IS_ACTIVE")[0] == "true", what="the MV to come back")
    wait_for(lambda: s.query("SELECT k, sv FROM b.sums ORDER BY k") == ((1, None), (2, None), (3, 30)),
             what="the refresh after coming back")
    # A dropped and recreated base: the MV refreshes from the new table.
    s.query("DROP TABLE b.t")
    wait_for(lambda: mv_row(s, "sums", "IS_ACTIVE")[0] == "false", what="inactive after DROP TABLE")
    s.query("CREATE TABLE b.t (k INT, v INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k)")
    s.query("INSERT INTO b.t VALUES (7, 70)")
    wait_for(lambda: s.query("SELECT k, sv FROM b.sums ORDER BY k") == ((7, 70),), what="refresh from the new table")
    # A user's INACTIVE is not undone by the system.
    s.query("ALTER MATERIALIZED VIEW b.sums INACTIVE")
    s.query("INSERT INTO b.t VALUES (8, 80)")
    time.sleep(1.5)
    assert mv_row(s, "sums", "IS_ACTIVE")[0] == "false"
    assert s.query("SELECT count(*) FROM b.sums")[0][0] == 1


def test_schedules_survive_kill9(tmp_path):
    s = FloeServer(tmp_path / "data").start()
    try:
        s.query("CREATE DATABASE c")
        s.query("CREATE TABLE c.ticks (id INT, at DATETIME) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id)")
        s.query("CREATE TABLE c.src (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k)")
        s.query("INSERT INTO c.src VALUES (1)")
        for i in range(5):
            s.query(f"SUBMIT TASK c.tick{i} SCHEDULE EVERY (INTERVAL 2 SECOND) AS INSERT INTO c.ticks SELECT {i}, now()")
        s.query("CREATE MATERIALIZED VIEW c.cnt REFRESH ASYNC EVERY (INTERVAL 2 SECOND) AS SELECT count(*) AS n FROM c.src")
        wait_for(lambda: s.query("SELECT count(DISTINCT id) FROM c.ticks")[0][0] == 5, what="every task to run")
        s.kill()
        # Down for a while: several periods are missed.
        time.sleep(5)
        s.start()
        started = time.time()
        assert {r[0] for r in s.query("SELECT TASK_NAME FROM information_schema.tasks WHERE TASK_NAME LIKE 'tick%'")} \
            == {f"tick{i}" for i in range(5)}
        before = s.query("SELECT count(*) FROM c.ticks")[0][0]
        # Each overdue task fires once after the restart, staggered, then on its period.
        wait_for(lambda: s.query(f"SELECT count(*) FROM c.ticks")[0][0] >= before + 5, timeout=30,
                 what="the tasks to run after the restart")
        runs = s.query("SELECT TASK_NAME, START_TIME FROM information_schema.task_runs "
                       "WHERE TASK_NAME LIKE 'tick%' AND STATE = 'SUCCESS' ORDER BY START_TIME")
        first_after = sorted(r[1] for r in runs if r[1] is not None)[-5:]
        assert (first_after[-1] - first_after[0]).total_seconds() >= 1, "the overdue tasks fired all at once"
        assert time.time() - started < 30
        # The MV's schedule survived too: a change of its base shows up without anyone asking.
        s.query("INSERT INTO c.src VALUES (2), (3)")
        wait_for(lambda: s.query("SELECT n FROM c.cnt") == ((3,),), what="the scheduled MV refresh")
        next_times = s.query("SELECT NEXT_RUN_TIME FROM information_schema.tasks WHERE TASK_NAME LIKE 'tick%'")
        assert all(t[0] is not None for t in next_times)
        s.query("DROP TASK c.tick0")
        assert s.query("SELECT count(*) FROM information_schema.tasks WHERE TASK_NAME = 'tick0'")[0][0] == 0
    finally:
        s.kill()


def test_task_retries_and_priorities(srv):
    s = srv
    s.query("CREATE DATABASE d")
    s.query("CREATE TABLE d.log (name VARCHAR(20), at DATETIME(6)) DUPLICATE KEY(name) DISTRIBUTED BY HASH(name)")
    # A failing task is retried with backoff (1 s, then 2 s) and reports every attempt.
    s.query("SUBMIT TASK d.flaky SCHEDULE EVERY (INTERVAL 1 DAY) PROPERTIES ('retry_count' = '2', "
            "'retry_interval_seconds' = '1') AS INSERT INTO d.log SELECT name, now() FROM d.missing")
    t0 = time.time()
    state = s.query("EXECUTE TASK d.flaky")[0][1]
    assert state == "FAILED"
    assert time.time() - t0 >= 3
    runs = s.query("SELECT ATTEMPT, STATE, ERROR_MESSAGE FROM information_schema.task_runs "
                   "WHERE TASK_NAME = 'flaky' ORDER BY ATTEMPT")
    assert [r[:2] for r in runs] == [(0, "FAILED"), (1, "FAILED"), (2, "FAILED")]
    assert all("missing" in r[2] for r in runs)
    # One runner: a higher-priority submission goes before an older, lower one.
    s.query("SET GLOBAL task_runs_concurrency = 1")
    time.sleep(1.2)  # the scheduler picks the setting up
    s.query("SUBMIT TASK d.blocker PROPERTIES ('priority' = '0') AS "
            "INSERT INTO d.log SELECT 'blocker', now() FROM (SELECT sleep(2) AS x) t")
    time.sleep(0.3)
    s.query("SUBMIT TASK d.low PROPERTIES ('priority' = '0') AS INSERT INTO d.log SELECT 'low', now()")
    s.query("SUBMIT TASK d.high PROPERTIES ('priority' = '9') AS INSERT INTO d.log SELECT 'high', now()")
    wait_for(lambda: s.query("SELECT count(*) FROM d.log")[0][0] == 3, what="the three tasks")
    order = [r[0] for r in s.query("SELECT TASK_NAME FROM information_schema.task_runs WHERE TASK_NAME IN "
                                   "('blocker', 'low', 'high') ORDER BY START_TIME, JOB_ID")]
    assert order == ["blocker", "high", "low"], order
    s.query("SET GLOBAL task_runs_concurrency = 4")


def test_refresh_is_atomic_for_readers(srv):
    """Readers during refreshes see the MV's old or new contents, never a mix."""
    import threading
    s = srv
    s.query("CREATE DATABASE e")
    s.query("CREATE TABLE e.ev (dt DATE, k INT, v BIGINT) DUPLICATE KEY(dt) PARTITION BY date_trunc('day', dt) "
            "DISTRIBUTED BY HASH(k)")
    s.query("INSERT INTO e.ev SELECT CAST('2024-01-01' AS DATE) + INTERVAL (number % 20) DAY, number % 100, 1 "
            "FROM numbers(200000)")
    s.query("CREATE MATERIALIZED VIEW e.per_day PARTITION BY dt REFRESH DEFERRED MANUAL AS "
            "SELECT dt, k, sum(v) AS total FROM e.ev GROUP BY dt, k")
    s.query("REFRESH MATERIALIZED VIEW e.per_day WITH SYNC MODE")
    valid = {s.query("SELECT sum(v) FROM e.ev")[0][0]}
    seen = set()
    stop = threading.Event()
    errors = []

    def reader():
        conn = s.connect()
        try:
            with conn.cursor() as cur:
                while not stop.is_set():
                    cur.execute("SELECT sum(total) FROM e.per_day")
                    seen.add(cur.fetchone()[0])
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            conn.close()

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for i in range(8):
            # Rows into several days; full and partition refreshes alternate.
            s.query(f"INSERT INTO e.ev SELECT CAST('2024-01-01' AS DATE) + INTERVAL (number % 5) DAY, number % 100, "
                    f"{i + 2} FROM numbers(20000)")
            force = " FORCE" if i % 2 else ""
            s.query(f"REFRESH MATERIALIZED VIEW e.per_day{force} WITH SYNC MODE")
            valid.add(s.query("SELECT sum(v) FROM e.ev")[0][0])
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors
    assert seen <= valid, f"readers saw a half-refreshed MV: {sorted(seen - valid)}"
    assert len(seen) > 1
    assert s.query("SELECT sum(total) FROM e.per_day") == s.query("SELECT sum(v) FROM e.ev")


def test_materialized_view_privileges(srv):
    s = srv
    s.query("CREATE DATABASE g")
    s.query("CREATE TABLE g.t (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k)")
    s.query("INSERT INTO g.t VALUES (1), (2)")
    s.query("CREATE MATERIALIZED VIEW g.m REFRESH DEFERRED MANUAL AS SELECT count(*) AS c FROM g.t")
    s.query("CREATE USER mvu IDENTIFIED BY 'pw'")
    as_user = dict(user="mvu", password="pw")
    with pytest.raises(Exception, match="REFRESH"):
        s.query("REFRESH MATERIALIZED VIEW g.m WITH SYNC MODE", **as_user)
    assert s.query("SELECT count(*) FROM information_schema.materialized_views WHERE TABLE_NAME = 'm'",
                   **as_user) == ((0,),)
    s.query("GRANT REFRESH, SELECT ON MATERIALIZED VIEW g.m TO mvu")
    s.query("REFRESH MATERIALIZED VIEW g.m WITH SYNC MODE", **as_user)
    assert s.query("SELECT c FROM g.m", **as_user) == ((2,),)
    assert s.query("SELECT TABLE_NAME FROM information_schema.materialized_views", **as_user) == (("m",),)
    with pytest.raises(Exception, match="DROP"):
        s.query("DROP MATERIALIZED VIEW g.m", **as_user)
    # Reading the MV does not give its base table.
    with pytest.raises(Exception, match="SELECT"):
        s.query("SELECT * FROM g.t", **as_user)


def test_incremental_chain_follows_a_live_routine_load(tmp_path):
    """Seed 004's pipeline: raw events from Kafka -> a filtered MV -> a rolled-up MV, both
    refresh_mode INCREMENTAL, keep up with a live Routine Load (each refresh reads only the rows
    added since the one before), through a kill -9, and end equal to the query over the raw table."""
    from test_routine_load import KafkaMock
    kafka = KafkaMock()
    srv = FloeServer(tmp_path / "data").start()
    try:
        kafka.topic("clicks", 2)
        srv.query("CREATE DATABASE pipe")
        srv.query("CREATE TABLE pipe.raw (ts DATETIME, region VARCHAR(8), amount INT, bot BOOLEAN) "
                  "DUPLICATE KEY(ts) DISTRIBUTED BY HASH(ts) BUCKETS 2")
        srv.query("CREATE MATERIALIZED VIEW pipe.humans REFRESH INCREMENTAL AS "
                  "SELECT ts, region, amount FROM pipe.raw WHERE NOT bot")
        srv.query("CREATE MATERIALIZED VIEW pipe.by_region REFRESH INCREMENTAL AS "
                  "SELECT region, sum(amount) AS total, count(*) AS n, max(ts) AS last_ts FROM pipe.humans GROUP BY region")
        srv.query(f"""CREATE ROUTINE LOAD pipe.clicks_load ON raw COLUMNS(ts, region, amount, bot)
PROPERTIES ("format" = "json", "max_batch_interval" = "0.2")
FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "clicks",
            "property.kafka_default_offsets" = "OFFSET_BEGINNING")""")
        direct = ("SELECT region, sum(amount), count(*), max(ts) FROM pipe.raw WHERE NOT bot "
                  "GROUP BY region ORDER BY region")
        view = "SELECT region, total, n, last_ts FROM pipe.by_region ORDER BY region"
        base = datetime.datetime(2024, 5, 1)
        sent = 0
        lags = []
        for batch in range(12):
            events = []
            for i in range(200):
                k = sent + i
                events.append({"ts": str(base + datetime.timedelta(seconds=k)), "region": ["eu", "us", "ap"][k % 3],
                               "amount": k % 17, "bot": k % 5 == 0})
            sent += len(events)
            produced = time.time()
            kafka.produce("clicks", events, partition=batch % 2)
            expected_n = sum(1 for k in range(sent) if k % 5 != 0)
            wait_for(lambda: sum(r[2] for r in srv.query(view)) == expected_n, timeout=60,
                     what=f"batch {batch} through both MVs")
            lags.append(time.time() - produced)
            if batch == 6:
                srv.kill()
                srv.start()
        print("produce -> rolled-up MV seconds per batch:", [round(x, 2) for x in lags])
        assert srv.query(view) == srv.query(direct)
        assert sorted(lags)[len(lags) // 2] < 10, lags
        # The refreshes read only new rows: after each MV's first, incremental (a restart may
        # recompute once when it finds no recorded state for a refresh cut short).
        runs = srv.query("SELECT TASK_NAME, EXTRA_MESSAGE FROM information_schema.task_runs "
                         "WHERE DATABASE = 'pipe' AND STATE = 'SUCCESS' ORDER BY CAST(JOB_ID AS BIGINT)")
        for name in {r[0] for r in runs}:
            messages = [r[1] for r in runs if r[0] == name]
            incremental = [m for m in messages if m.startswith("incremental")]
            assert len(incremental) >= len(messages) - 3, messages
    finally:
        srv.kill()
        kafka.close()


def test_incremental_mv_over_iceberg_falls_back_after_a_rollback(tmp_path):
    """An incremental MV over an Iceberg table merges the rows of append snapshots; after a rollback
    the snapshot it consumed is no longer an ancestor, so the next refresh recomputes (and equals
    the query over the table again)."""
    warehouse = tmp_path / "wh"
    warehouse.mkdir()
    srv = FloeServer(tmp_path / "data", extra_args=["--file-roots", str(warehouse)]).start()
    try:
        srv.query(f"CREATE EXTERNAL CATALOG lake PROPERTIES ('type' = 'iceberg', 'iceberg.catalog.type' = 'hadoop', "
                  f"'iceberg.catalog.warehouse' = '{warehouse}')")
        srv.query("CREATE DATABASE lake.db")
        srv.query("CREATE DATABASE app")
        srv.query("CREATE TABLE lake.db.sales (region VARCHAR(8), amount INT)")
        srv.query("INSERT INTO lake.db.sales VALUES ('eu', 1), ('us', 2)")
        first = srv.query("SELECT snapshot_id FROM lake.db.sales$snapshots ORDER BY committed_at")[-1][0]
        srv.query("CREATE MATERIALIZED VIEW app.totals REFRESH DEFERRED MANUAL PROPERTIES ('refresh_mode' = "
                  "'incremental') AS SELECT region, sum(amount) AS total, count(*) AS n FROM lake.db.sales GROUP BY region")
        srv.query("REFRESH MATERIALIZED VIEW app.totals WITH SYNC MODE")
        srv.query("INSERT INTO lake.db.sales VALUES ('eu', 10)")
        srv.query("INSERT INTO lake.db.sales VALUES ('ap', 5)")
        srv.query("REFRESH MATERIALIZED VIEW app.totals WITH SYNC MODE")
        last = "SELECT EXTRA_MESSAGE FROM information_schema.task_runs WHERE DATABASE = 'app' " \
               "ORDER BY CAST(JOB_ID AS BIGINT) DESC LIMIT 1"
        assert srv.query(last)[0][0].startswith("incremental: new rows merged"), srv.query(last)
        view = "SELECT region, total, n FROM app.totals ORDER BY region"
        direct = "SELECT region, sum(amount), count(*) FROM lake.db.sales GROUP BY region ORDER BY region"
        assert list(srv.query(view)) == list(srv.query(direct)) == [("ap", 5, 1), ("eu", 11, 2), ("us", 2, 1)]
        srv.query(f"ALTER TABLE lake.db.sales EXECUTE rollback_to_snapshot({first})")
        srv.query("REFRESH MATERIALIZED VIEW app.totals WITH SYNC MODE")
        message = srv.query(last)[0][0]
        assert message.startswith("full refresh") and "no longer an ancestor" in message, message
        assert list(srv.query(view)) == list(srv.query(direct)) == [("eu", 1, 1), ("us", 2, 1)]
        # Appends after the rollback are incremental again.
        srv.query("INSERT INTO lake.db.sales VALUES ('us', 3)")
        srv.query("REFRESH MATERIALIZED VIEW app.totals WITH SYNC MODE")
        assert srv.query(last)[0][0].startswith("incremental"), srv.query(last)
        assert list(srv.query(view)) == list(srv.query(direct)) == [("eu", 1, 1), ("us", 5, 2)]
    finally:
        srv.kill()
