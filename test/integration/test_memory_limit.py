"""--memory-limit bounds the server: a query that would take it over fails with error 1037 naming
the limit, while other connections and later queries go on."""
import threading

import pymysql
import pytest

from conftest import FloeServer


@pytest.fixture
def limited_server(tmp_path):
    s = FloeServer(tmp_path / "data", ["--memory-limit", "256M"]).start()
    yield s
    s.kill()


def test_query_over_the_server_limit_fails_cleanly(limited_server):
    s = limited_server
    assert "memory_limit=\"256.0 MiB\"" in s.log()
    conn = s.connect()
    with conn.cursor() as cur:
        # 40M distinct keys need about 2 GiB of hash table: far over 256 MiB.
        with pytest.raises(pymysql.err.OperationalError) as e:
            cur.execute("SELECT count(DISTINCT number) FROM numbers(40000000)")
        assert e.value.args[0] == 1037
        assert "--memory-limit" in e.value.args[1] and "256.0 MiB" in e.value.args[1]
        # The same connection keeps working, and memory was given back.
        cur.execute("SELECT count(DISTINCT number) FROM numbers(100000)")
        assert cur.fetchone() == (100000,)
    conn.close()


def test_statement_limit_applies_per_session(limited_server):
    s = limited_server
    a, b = s.connect(), s.connect()
    with a.cursor() as ca, b.cursor() as cb:
        ca.execute("SET query_mem_limit = 4194304")
        with pytest.raises(pymysql.err.OperationalError) as e:
            ca.execute("SELECT number, count(*) FROM numbers(1000000) GROUP BY number LIMIT 1")
        assert e.value.args[0] == 1037 and "query_mem_limit" in e.value.args[1]
        cb.execute("SELECT count(*) FROM (SELECT number FROM numbers(1000000) GROUP BY number) t")
        assert cb.fetchone() == (1000000,)
    a.close()
    b.close()


def test_concurrent_heavy_queries_do_not_crash_the_server(limited_server):
    s = limited_server
    errors, results = [], []

    def run():
        try:
            conn = s.connect()
            with conn.cursor() as cur:
                cur.execute("SELECT count(DISTINCT number) FROM numbers(6000000)")
                results.append(cur.fetchone()[0])
            conn.close()
        except pymysql.err.OperationalError as e:
            errors.append(e.args[0])

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) + len(errors) == 4
    assert all(code == 1037 for code in errors)
    assert all(r == 6000000 for r in results)
    assert s.proc.poll() is None
    assert s.query("SELECT 1") == ((1,),)
