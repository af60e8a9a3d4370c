"""Query profiles (issue 25): the operator tree of every statement that runs a plan (SELECT,
INSERT ... SELECT, CTAS, ...) with per-operator rows and times, what each scan read and pruned,
and the statement's peak memory is kept (SHOW PROFILELIST, ANALYZE PROFILE FROM 'id'), in a
bounded ring; failed queries too; a user sees only their own queries' profiles unless they hold
OPERATE."""
import re

import pymysql
import pytest

from conftest import FloeServer


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = FloeServer(tmp_path_factory.mktemp("profiles")).start()
    s.query("CREATE DATABASE p")
    s.query("CREATE TABLE p.orders (id INT, customer INT, amount INT) DUPLICATE KEY(id)")
    s.query("CREATE TABLE p.customers (id INT, region VARCHAR(10)) DUPLICATE KEY(id)")
    s.query("INSERT INTO p.orders SELECT number, number % 100, number % 7 FROM numbers(50000)")
    s.query("INSERT INTO p.customers SELECT number, concat('r', number % 5) FROM numbers(100)")
    s.query("CREATE USER analyst IDENTIFIED BY 'pw'")
    s.query("GRANT SELECT ON ALL TABLES IN DATABASE p TO USER analyst")
    yield s
    s.stop()


def run(conn, sql):
    with conn.cursor() as c:
        c.execute(sql)
        return c.fetchall()


def test_profile_of_a_join_and_aggregate(srv):
    conn = srv.connect()
    try:
        rows = run(conn, "SELECT c.region, count(*), sum(o.amount) FROM p.orders o JOIN p.customers c "
                         "ON o.customer = c.id WHERE o.amount > 0 GROUP BY c.region ORDER BY c.region")
        assert len(rows) == 5
        listed = run(conn, "SHOW PROFILELIST LIMIT 5")
        query_id, _, took, state, statement = listed[0]
        assert state == "Finished" and statement.startswith("SELECT c.region") and took.endswith("ms")
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", query_id)
        lines = [r[0] for r in run(conn, f"ANALYZE PROFILE FROM '{query_id}'")]
        assert lines[0] == f"Query ID: {query_id}"
        text = "\n".join(lines)
        for op in ("HASH_JOIN", "HASH_AGGREGATE", "TABLE_SCAN", "SORT"):
            assert op in text, text
        # Per-operator figures: rows out of each operator, and the scans' own summaries.
        scans = [l for l in lines if l.strip().startswith("TABLE_SCAN")]
        assert sorted(int(re.search(r"rows=(\d+)", l).group(1)) for l in scans) == [100, 50000], scans
        assert all(re.search(r"time=\d+\.\d{3}ms \(\d+\.\d%\)", l) for l in lines if "rows=" in l), text
        agg = next(l for l in lines if l.strip().startswith("HASH_AGGREGATE"))
        assert "rows=5 " in agg and re.search(r"rows_in=(\d+)", agg).group(1) == str(50000 - 50000 // 7 - 1), agg
        assert "SCANNED p.orders: rowsets" in text
        assert re.search(r"Peak memory: \d", lines[1]), lines[1]
        join = next(l for l in lines if l.strip().startswith("HASH_JOIN"))
        assert re.search(r" mem=\d+(\.\d)? (KiB|MiB)$", join), join
        # Node ids are accepted (StarRocks' form); an unknown id is an error naming it.
        assert run(conn, f"ANALYZE PROFILE FROM '{query_id}', 1, 2")[0][0] == f"Query ID: {query_id}"
        with pytest.raises(pymysql.MySQLError, match="no profile of query 'nope'"):
            run(conn, "ANALYZE PROFILE FROM 'nope'")
    finally:
        conn.close()


def test_failed_query_keeps_its_profile(srv):
    conn = srv.connect()
    try:
        run(conn, "SET query_mem_limit = 65536")
        with pytest.raises(pymysql.MySQLError):
            run(conn, "SELECT id, count(*) FROM p.orders GROUP BY id ORDER BY 2 DESC")
        run(conn, "SET query_mem_limit = 0")
        listed = run(conn, "SHOW PROFILELIST LIMIT 3")
        failed = [r for r in listed if r[4].startswith("SELECT id, count(*)")]
        assert failed and failed[0][3] == "Error", listed
    finally:
        conn.close()


def test_profiles_are_private_and_bounded(srv):
    root = srv.connect()
    analyst = srv.connect(user="analyst", password="pw")
    try:
        run(root, "SELECT count(*) FROM p.customers WHERE region = 'secret-marker'")
        root_id = run(root, "SHOW PROFILELIST LIMIT 1")[0][0]
        run(analyst, "SELECT count(*) FROM p.orders")
        mine = run(analyst, "SHOW PROFILELIST")
        assert mine and all("secret-marker" not in r[4] for r in mine)
        with pytest.raises(pymysql.MySQLError, match="no profile of query"):
            run(analyst, f"ANALYZE PROFILE FROM '{root_id}'")
        assert run(root, f"ANALYZE PROFILE FROM '{mine[0][0]}'")[0][0] == f"Query ID: {mine[0][0]}"  # OPERATE
        for i in range(230):
            run(analyst, f"SELECT {i}")
        assert len(run(root, "SHOW PROFILELIST")) <= 300
    finally:
        root.close()
        analyst.close()


def test_last_query_id_and_get_query_profile(srv):
    conn = srv.connect()
    analyst = srv.connect(user="analyst", password="pw")
    try:
        assert run(conn, "SELECT last_query_id()")[0][0] is None  # the session's first statement
        run(conn, "SELECT count(*) FROM p.orders WHERE amount = 3")
        previous = run(conn, "SHOW PROFILELIST LIMIT 1")[0][0]
        # last_query_id() names the statement before it: here SHOW PROFILELIST's.
        last = run(conn, "SELECT last_query_id()")[0][0]
        assert re.fullmatch(r"[0-9a-f-]{36}", last) and last != previous
        text = run(conn, f"SELECT get_query_profile('{previous}')")[0][0]
        assert text.startswith(f"Query ID: {previous}") and "TABLE_SCAN rows=50000" in text, text
        assert run(analyst, f"SELECT get_query_profile('{previous}')")[0][0] is None  # not theirs
        assert run(conn, "SELECT get_query_profile('nope')")[0][0] is None
    finally:
        conn.close()
        analyst.close()


def test_insert_and_ctas_keep_profiles_with_pruning(srv):
    srv.query("CREATE TABLE p.events (d DATE, id INT, v INT) DUPLICATE KEY(d, id) "
              "PARTITION BY RANGE(d) (PARTITION p1 VALUES LESS THAN ('2026-02-01'), "
              "PARTITION p2 VALUES LESS THAN ('2026-03-01'), PARTITION p3 VALUES LESS THAN ('2026-04-01')) "
              "DISTRIBUTED BY HASH(id) BUCKETS 4")
    srv.query("INSERT INTO p.events SELECT CAST('2026-01-01' AS DATE) + INTERVAL (number % 85) DAY, number, 1 "
              "FROM numbers(20000)")
    conn = srv.connect()
    try:
        run(conn, "INSERT INTO p.events SELECT d, id + 100000, v FROM p.events WHERE d >= '2026-03-01' AND id = 7")
        query_id = run(conn, "SELECT last_query_id()")[0][0]
        listed = {r[0]: r for r in run(conn, "SHOW PROFILELIST")}
        assert listed[query_id][4].startswith("INSERT INTO p.events") and listed[query_id][3] == "Finished"
        text = "\n".join(r[0] for r in run(conn, f"ANALYZE PROFILE FROM '{query_id}'"))
        # Planning kept one partition of three and one bucket of four: one tablet read.
        assert "SCANNED p.events:" in text and "partitions 1/3, buckets 1/4, tablets 1" in text, text
        run(conn, "CREATE TABLE p.copy AS SELECT region, count(*) AS n FROM p.customers GROUP BY region")
        query_id = run(conn, "SELECT last_query_id()")[0][0]
        text = "\n".join(r[0] for r in run(conn, f"ANALYZE PROFILE FROM '{query_id}'"))
        assert "HASH_AGGREGATE rows=5" in text and "SCANNED p.customers" in text, text
        # Statements without a plan keep none.
        run(conn, "SET @x = 1")
        query_id = run(conn, "SELECT last_query_id()")[0][0]
        assert query_id not in {r[0] for r in run(conn, "SHOW PROFILELIST")}
    finally:
        conn.close()
