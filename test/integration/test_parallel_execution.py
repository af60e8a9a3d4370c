"""Parallel execution under stress: queries whose pipelines run as tasks on the worker pool fail
cleanly when they pass the memory limit (error 1037 from whichever task noticed), stop when
killed (KILL QUERY from another connection), and leave the server serving other sessions, with
answers equal to one thread's."""
import threading
import time

import pymysql
import pytest

from conftest import FloeServer


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory):
    s = FloeServer(tmp_path_factory.mktemp("par") / "data", ["--memory-limit", "512M"]).start()
    s.query("CREATE DATABASE p")
    # 3M rows: 46 morsels of 64K rows, so scans, aggregations and joins run as parallel tasks.
    s.query("CREATE TABLE p.t (id BIGINT, g BIGINT, s VARCHAR(40)) DUPLICATE KEY(id)")
    s.query("INSERT INTO p.t SELECT number, number % 1000, concat('row-', number) FROM numbers(3000000)")
    yield s
    s.kill()


def test_parallel_answers_equal_one_thread(limited_server):
    conn = limited_server.connect()
    with conn.cursor() as cur:
        queries = [
            "SELECT count(*), sum(id), min(s), max(s) FROM p.t",
            "SELECT g, count(*), sum(id) FROM p.t GROUP BY g ORDER BY g LIMIT 5",
            "SELECT count(*) FROM p.t a JOIN p.t b ON a.id = b.id + 1 WHERE b.g = 7",
            "SELECT id, s FROM p.t WHERE id % 500000 = 3",
            "SELECT id FROM p.t ORDER BY s DESC LIMIT 3",
        ]
        answers = {}
        for dop in (1, 2):
            cur.execute(f"SET pipeline_dop = {dop}")
            for q in queries:
                cur.execute(q)
                answers.setdefault(q, []).append(cur.fetchall())
        for q, (one, two) in answers.items():
            assert one == two, q
    conn.close()


def test_parallel_aggregation_over_the_limit_fails_cleanly(limited_server):
    conn = limited_server.connect()
    with conn.cursor() as cur:
        cur.execute("SET query_mem_limit = 67108864")
        with pytest.raises(pymysql.err.OperationalError) as e:
            # 3M string groups in every task's partial table: far over 64 MiB.
            cur.execute("SELECT s, count(*) FROM p.t GROUP BY s ORDER BY 2 DESC LIMIT 1")
        assert e.value.args[0] == 1037 and "query_mem_limit" in e.value.args[1]
        cur.execute("SET query_mem_limit = 0")
        cur.execute("SELECT count(*) FROM p.t WHERE g = 3")
        assert cur.fetchone() == (3000,)
    conn.close()


def test_kill_query_stops_a_parallel_query(limited_server):
    s = limited_server
    victim = s.connect()
    with victim.cursor() as cur:
        cur.execute("SELECT CONNECTION_ID()")
        victim_id = cur.fetchone()[0]
    outcome = {}

    def run():
        try:
            with victim.cursor() as cur:
                # A regular expression over 3M strings of 7 KB: seconds if not stopped.
                cur.execute("SELECT count(*) FROM p.t WHERE repeat(s, 600) REGEXP 'x.*y.*zq'")
                outcome["rows"] = cur.fetchall()
        except pymysql.err.OperationalError as e:
            outcome["error"] = e.args[0]

    t = threading.Thread(target=run)
    t.start()
    time.sleep(1.0)
    s.query(f"KILL QUERY {victim_id}")
    t.join(timeout=60)
    assert not t.is_alive(), "the killed query did not stop"
    assert outcome.get("error") == 1317, outcome
    with victim.cursor() as cur:  # the connection survives KILL QUERY
        cur.execute("SELECT count(*) FROM p.t WHERE id < 10")
        assert cur.fetchone() == (10,)
    victim.close()
    assert s.proc.poll() is None
