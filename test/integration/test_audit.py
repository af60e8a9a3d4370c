"""The audit log: a record per statement from each client (pymysql, the mysql CLI, prepared
statements through the raw protocol) and per Stream Load, with StarRocks' field names, in
<data-dir>/log/floe.audit.log (JSON lines) and queryable as starrocks_audit_db__.starrocks_audit_tbl__;
passwords are masked; a user sees only its own records without OPERATE; records survive a restart."""
import json
import os
import subprocess

import pymysql
import pytest

from conftest import FloeServer
import mysql_raw


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = FloeServer(tmp_path_factory.mktemp("audit") / "data").start()
    yield s
    s.stop()


def records(srv):
    with open(os.path.join(srv.data_dir, "log", "floe.audit.log")) as f:
        return [json.loads(line) for line in f if line.strip()]


def test_statements_from_each_client_are_recorded(srv):
    srv.query("CREATE DATABASE IF NOT EXISTS au")
    srv.query("CREATE TABLE IF NOT EXISTS au.t (k INT, v VARCHAR(10)) DUPLICATE KEY(k)")
    srv.query("INSERT INTO au.t VALUES (1, 'a'), (2, 'b')")
    assert srv.query("SELECT count(*) FROM au.t /* pymysql */") == ((2,),)
    with pytest.raises(pymysql.MySQLError):
        srv.query("SELECT nope FROM au.t")
    out = subprocess.run(["mysql", "-h", "127.0.0.1", "-P", str(srv.mysql_port), "-u", "root", "-N", "-e",
                          "SELECT k FROM au.t WHERE k = 2 AND 'cli' = 'cli'"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and out.stdout.strip() == "2", out.stderr
    conn = mysql_raw.RawClient(srv.mysql_port)
    try:
        stmt_id, _, _ = conn.prepare("SELECT v FROM au.t WHERE k = ? /* prepared */")
        conn.execute(stmt_id, [(mysql_raw.T_LONGLONG, 1)])
    finally:
        conn.close()
    recs = records(srv)
    keys = {"Timestamp", "Client", "User", "AuthorizedUser", "Catalog", "Db", "State", "ErrorCode", "Time",
            "ScanBytes", "ScanRows", "ReturnRows", "StmtId", "QueryId", "IsQuery", "Stmt"}
    assert all(keys <= set(r) for r in recs)
    by_text = {r["Stmt"]: r for r in recs}
    pym = by_text["SELECT count(*) FROM au.t /* pymysql */"]
    assert pym["State"] == "EOF" and pym["ReturnRows"] == 1 and pym["IsQuery"] and pym["User"] == "root"
    assert by_text["SELECT k FROM au.t WHERE k = 2 AND 'cli' = 'cli'"]["State"] == "EOF"
    assert by_text["SELECT v FROM au.t WHERE k = ? /* prepared */"]["ReturnRows"] == 1
    err = by_text["SELECT nope FROM au.t"]
    assert err["State"] == "ERR" and err["ErrorCode"] == 1054
    ins = by_text["INSERT INTO au.t VALUES (1, 'a'), (2, 'b')"]
    assert ins["State"] == "OK" and not ins["IsQuery"]


def test_passwords_are_masked(srv):
    srv.query("CREATE USER IF NOT EXISTS 'aud_user' IDENTIFIED BY 'S3cretPass!'")
    srv.query("ALTER USER aud_user IDENTIFIED WITH mysql_native_password BY \"An0ther'one\"")
    srv.query("SET PASSWORD FOR aud_user = PASSWORD('Th1rdPass')")
    with open(os.path.join(srv.data_dir, "log", "floe.audit.log")) as f:
        text = f.read()
    for secret in ["S3cretPass!", "An0ther", "Th1rdPass"]:
        assert secret not in text
    stmts = [r["Stmt"] for r in records(srv)]
    assert "CREATE USER IF NOT EXISTS 'aud_user' IDENTIFIED BY '***'" in stmts
    rows = srv.query("SELECT stmt FROM starrocks_audit_db__.starrocks_audit_tbl__ WHERE stmt LIKE '%aud_user%'")
    assert rows and all("S3cret" not in r[0] and "Th1rd" not in r[0] for r in rows)


def test_stream_load_is_recorded_and_table_is_queryable(srv):
    srv.query("CREATE DATABASE IF NOT EXISTS au")
    srv.query("CREATE TABLE IF NOT EXISTS au.t (k INT, v VARCHAR(10)) DUPLICATE KEY(k)")
    path = f"/tmp/floe-audit-{srv.http_port}.csv"
    with open(path, "w") as f:
        f.write("5,e\n6,f\n")
    out = subprocess.run(["curl", "-s", "--location-trusted", "-u", "root:", "-H", "label:audit_load_1",
                          "-H", "column_separator:,", "-T", path,
                          f"http://127.0.0.1:{srv.http_port}/api/au/t/_stream_load"],
                         capture_output=True, text=True, timeout=60)
    assert json.loads(out.stdout)["Status"] == "Success"
    rows = srv.query("SELECT queryType, state, returnRows, stmt, `user`, db FROM "
                     "starrocks_audit_db__.starrocks_audit_tbl__ WHERE queryType = 'load'")
    assert any(r[1] == "OK" and r[2] == 2 and "audit_load_1" in r[3] and r[4] == "root" and r[5] == "au"
               for r in rows), rows
    errors = srv.query("SELECT count(*) FROM starrocks_audit_db__.starrocks_audit_tbl__ WHERE state = 'ERR'")
    assert errors[0][0] >= 1


def test_users_see_only_their_own_records(srv):
    srv.query("CREATE USER IF NOT EXISTS 'aud_reader' IDENTIFIED BY 'pw'")
    conn = srv.connect(user="aud_reader", password="pw")
    try:
        with conn.cursor() as c:
            c.execute("SELECT 42")
            c.execute("SELECT DISTINCT `user` FROM starrocks_audit_db__.starrocks_audit_tbl__")
            assert c.fetchall() == (("aud_reader",),)
    finally:
        conn.close()


def test_records_survive_restart(srv):
    srv.query("SELECT 'before restart'")
    srv.restart()
    rows = srv.query("SELECT count(*) FROM starrocks_audit_db__.starrocks_audit_tbl__ "
                     "WHERE stmt = 'SELECT ''before restart'''")
    assert rows == ((1,),)
