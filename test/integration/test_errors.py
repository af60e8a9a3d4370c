"""Errors carry MySQL's errno and SQLSTATE, and the connection survives them."""
import subprocess

import MySQLdb
import pymysql
import pytest


def cli_error(server, sql, *args):
    r = subprocess.run(["mysql", "-h", "127.0.0.1", "-P", str(server.mysql_port), "-u", "root", *args, "-e", sql],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    return r.stderr


def test_wrong_password(server):
    with pytest.raises(pymysql.err.OperationalError) as e:
        server.connect(password="wrong")
    assert e.value.args[0] == 1045
    r = subprocess.run(["mysql", "-h", "127.0.0.1", "-P", str(server.mysql_port), "-u", "root", "-pwrong", "-e",
                        "SELECT 1"], capture_output=True, text=True, timeout=30)
    assert "ERROR 1045 (28000)" in r.stderr


def test_unknown_user(server):
    with pytest.raises(pymysql.err.OperationalError) as e:
        server.connect(user="nobody")
    assert e.value.args[0] == 1045


def test_unknown_database(server):
    with pytest.raises(pymysql.err.OperationalError) as e:
        server.connect(database="no_such_db")
    assert e.value.args[0] == 1049
    assert "ERROR 1049 (42000)" in cli_error(server, "USE no_such_db")


def test_syntax_error_names_position(server):
    stderr = cli_error(server, "SELECT FROM dual")
    assert "ERROR 1064 (42000)" in stderr
    assert "line 1, column 8" in stderr and "'FROM'" in stderr


def test_unknown_variable(server):
    assert "ERROR 1193 (HY000)" in cli_error(server, "SELECT @@no_such_var")


def test_database_errors(server):
    c = server.connect()
    with c.cursor() as cur:
        cur.execute("CREATE DATABASE IF NOT EXISTS err_db")
        with pytest.raises(pymysql.err.MySQLError) as e:
            cur.execute("CREATE DATABASE err_db")
        assert e.value.args[0] == 1007
        with pytest.raises(pymysql.err.MySQLError) as e:
            cur.execute("DROP DATABASE no_such_db")
        assert e.value.args[0] == 1008
        cur.execute("DROP DATABASE err_db")
    c.close()


def test_connection_survives_errors(server):
    c = server.connect()
    with c.cursor() as cur:
        for bad in ["SELEC 1", "SELECT @@nope", "SELECT no_such_fn()", "USE nope", "SELECT * FROM nope.t"]:
            with pytest.raises(pymysql.err.MySQLError):
                cur.execute(bad)
            cur.execute("SELECT 1")
            assert cur.fetchall() == ((1,),)
    c.close()


def test_mysqldb_sees_sqlstate_class(server):
    conn = MySQLdb.connect(host="127.0.0.1", port=server.mysql_port, user="root")
    cur = conn.cursor()
    with pytest.raises(MySQLdb.ProgrammingError) as e:  # 42000 maps to ProgrammingError
        cur.execute("SELEC 1")
    assert e.value.args[0] == 1064
    conn.close()
