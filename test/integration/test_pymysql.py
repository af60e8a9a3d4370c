"""pymysql: the statements it and SQLAlchemy send, values of each type, large packets."""
import datetime
import decimal

import pymysql
import pytest


@pytest.fixture
def conn(server):
    c = server.connect(autocommit=False, max_allowed_packet=64 * 1024 * 1024)
    yield c
    c.close()


def one(conn, sql, args=None):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall()


def test_values_of_each_type(conn):
    row = one(conn, "SELECT 1, -2.5, 'héllo', NULL, TRUE, 1e3, DATE '2024-02-29', "
                    "CAST('2024-01-02 03:04:05' AS DATETIME), CAST(7 AS DECIMAL(10,2))")[0]
    assert row == (1, decimal.Decimal("-2.5"), "héllo", None, 1, 1000.0, datetime.date(2024, 2, 29),
                   datetime.datetime(2024, 1, 2, 3, 4, 5), decimal.Decimal("7.00"))


def test_expressions(conn):
    assert one(conn, "SELECT 1 + 2 * 3, 7 / 2, 10 DIV 3, 10 % 3") == ((7, 3.5, 3, 1),)
    assert one(conn, "SELECT CASE WHEN 1 > 2 THEN 'a' ELSE 'b' END, CAST('12' AS SIGNED) + 1") == (("b", 13),)
    assert one(conn, "SELECT upper(%s), %s + 1", ("abc", 41)) == (("ABC", 42),)


def test_session_functions(conn, server):
    assert one(conn, "SELECT VERSION()") == (("8.0.33-floe-0.1.0",),)
    assert one(conn, "SELECT DATABASE()") == ((None,),)
    assert one(conn, "SELECT USER()")[0][0].startswith("root@")
    assert isinstance(one(conn, "SELECT CONNECTION_ID()")[0][0], int)
    assert one(conn, "SELECT @@version_comment")[0][0].startswith("Floe")


def test_driver_connect_statements(conn):
    with conn.cursor() as cur:
        cur.execute("SET NAMES utf8mb4")
        cur.execute("SET autocommit=0")
        cur.execute("SELECT @@autocommit")
        assert cur.fetchall() == ((0,),)
        cur.execute("set autocommit=1, sql_mode = concat(@@sql_mode,',STRICT_TRANS_TABLES')")
        cur.execute("SELECT @@sql_mode")
        assert "STRICT_TRANS_TABLES" in cur.fetchall()[0][0]
        cur.execute("SELECT @@max_allowed_packet,@@system_time_zone,@@time_zone,@@auto_increment_increment")
        assert cur.fetchall() == ((67108864, "UTC", "UTC", 1),)
        cur.execute("SELECT @@tx_isolation")
        assert cur.fetchall() == (("REPEATABLE-READ",),)
        cur.execute("SELECT @@transaction_isolation")
        assert cur.fetchall() == (("REPEATABLE-READ",),)
        cur.execute("SELECT @@lower_case_table_names")
        assert cur.fetchall() == ((0,),)
        cur.execute("SET @@session.wait_timeout = 100")
        cur.execute("SELECT @@session.wait_timeout")
        assert cur.fetchall() == ((100,),)
        cur.execute("SHOW VARIABLES LIKE 'version%'")
        names = [r[0] for r in cur.fetchall()]
        assert "version" in names and "version_comment" in names
        cur.execute("BEGIN")
        cur.execute("COMMIT")
        cur.execute("ROLLBACK")
    conn.commit()
    conn.rollback()


def test_databases(conn):
    with conn.cursor() as cur:
        cur.execute("CREATE DATABASE IF NOT EXISTS db_pymysql")
        cur.execute("SHOW DATABASES")
        assert ("db_pymysql",) in cur.fetchall()
        cur.execute("CREATE DATABASE scratch_pymysql")
        cur.execute("USE scratch_pymysql")
        cur.execute("SELECT DATABASE()")
        assert cur.fetchall() == (("scratch_pymysql",),)
        cur.execute("SHOW TABLES")
        assert cur.fetchall() == ()
        cur.execute("DROP DATABASE scratch_pymysql")
        cur.execute("SELECT DATABASE()")
        assert cur.fetchall() == ((None,),)
    conn.select_db("information_schema")
    assert one(conn, "SELECT DATABASE()") == (("information_schema",),)


def test_limit_zero_and_filters(conn):
    assert one(conn, "SELECT 1 LIMIT 0") == ()
    rows = one(conn, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'information_schema'")
    assert rows == (("information_schema",),)


def test_result_row_over_16mb(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT repeat('x', 20000000), 'after'")
        value, after = cur.fetchall()[0]
    assert len(value) == 20000000 and value == "x" * 20000000 and after == "after"


def test_query_text_over_16mb(conn):
    literal = "y" * (17 * 1024 * 1024)
    assert one(conn, "SELECT length('" + literal + "')") == ((len(literal),),)
    # The connection keeps working after the large packets.
    assert one(conn, "SELECT 1") == ((1,),)


def test_multi_statement(server):
    c = server.connect(client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS)
    try:
        with c.cursor() as cur:
            cur.execute("SELECT 1; SELECT 2, 3")
            assert cur.fetchall() == ((1,),)
            assert cur.nextset()
            assert cur.fetchall() == ((2, 3),)
    finally:
        c.close()
