"""StarRocks' privilege model through the MySQL protocol and HTTP: a new user holds nothing (every
statement that touches data is denied with StarRocks' 5203 error naming the privilege and the
object; SHOW and information_schema list only what the user may reach); grants of each privilege
on each object type, revoked again; ALL ... IN DATABASE, ALL DATABASES and the legacy ON db.* forms;
roles (only active ones count, SET ROLE, SET DEFAULT ROLE, cycles refused, built-ins kept);
WITH GRANT OPTION; views read with their own SELECT; grants bound to object ids; Stream Load needs
INSERT (401) and its error log is the loader's; escalation and injection attempts."""
import base64
import json
import os
import re
import subprocess
import urllib.error
import urllib.request

import pymysql
import pytest

import mysql_raw
from conftest import FloeServer

DENIED = 5203


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = FloeServer(tmp_path_factory.mktemp("priv") / "data").start()
    root = s.connect()
    with root.cursor() as c:
        for sql in [
            "CREATE DATABASE shop",
            "CREATE TABLE shop.orders (id INT, amount INT) DUPLICATE KEY(id)",
            "INSERT INTO shop.orders VALUES (1, 10), (2, 20)",
            "CREATE TABLE shop.secret (k INT, v VARCHAR(20)) PRIMARY KEY(k)",
            "INSERT INTO shop.secret VALUES (1, 'hidden')",
            "CREATE VIEW shop.order_totals AS SELECT sum(amount) AS total FROM shop.orders",
            "CREATE DATABASE other",
            "CREATE TABLE other.t (x INT) DUPLICATE KEY(x)",
            "INSERT INTO other.t VALUES (7)",
        ]:
            c.execute(sql)
    root.close()
    yield s
    s.stop()


def root_exec(srv, *sqls):
    conn = srv.connect()
    try:
        with conn.cursor() as c:
            for sql in sqls:
                c.execute(sql)
            return c.fetchall()
    finally:
        conn.close()


def make_user(srv, name, password="pw"):
    root_exec(srv, f"DROP USER IF EXISTS '{name}'", f"CREATE USER '{name}' IDENTIFIED BY '{password}'")


class As:
    """A connection as a user; run() returns rows, deny() asserts the StarRocks denial."""

    def __init__(self, srv, user, password="pw", database=None):
        self.conn = srv.connect(user=user, password=password, database=database)

    def run(self, sql):
        with self.conn.cursor() as c:
            c.execute(sql)
            return c.fetchall()

    def error(self, sql):
        with pytest.raises(pymysql.MySQLError) as e:
            self.run(sql)
        return e.value.args

    def deny(self, sql, privilege=None, obj=None):
        code, message = self.error(sql)
        assert code == DENIED, (sql, code, message)
        assert message.startswith("Access denied; you need (at least one of) the "), message
        if privilege:
            assert f"the {privilege} privilege(s) on " in message, message
        if obj:
            assert f" on {obj} for this operation" in message, message
        assert "Current role(s): [" in message and "Inactivated role(s): [" in message
        return message

    def close(self):
        self.conn.close()


def test_new_user_holds_nothing(srv):
    make_user(srv, "bob")
    bob = As(srv, "bob")
    try:
        bob.deny("SELECT * FROM shop.orders", "SELECT", "TABLE orders")
        bob.deny("SELECT * FROM shop.order_totals", "SELECT", "VIEW order_totals")
        bob.deny("SELECT 1 FROM shop.orders o JOIN other.t ON 1 = 1", "SELECT")
        bob.deny("SELECT (SELECT max(v) FROM shop.secret)", "SELECT", "TABLE secret")
        bob.deny("WITH x AS (SELECT * FROM shop.secret) SELECT * FROM x", "SELECT")
        bob.deny("EXPLAIN SELECT * FROM shop.orders", "SELECT")
        bob.deny("INSERT INTO shop.orders VALUES (3, 30)", "INSERT", "TABLE orders")
        bob.deny("UPDATE shop.orders SET amount = 0", "UPDATE", "TABLE orders")
        bob.deny("DELETE FROM shop.orders WHERE id = 1", "DELETE", "TABLE orders")
        bob.deny("TRUNCATE TABLE shop.orders", "DELETE")
        bob.deny("ALTER TABLE shop.orders ADD COLUMN c INT", "ALTER", "TABLE orders")
        bob.deny("DROP TABLE shop.orders", "DROP", "TABLE orders")
        bob.deny("CREATE TABLE shop.mine (a INT)", "CREATE TABLE", "DATABASE shop")
        bob.deny("CREATE TABLE shop.copy AS SELECT 1 AS a", "CREATE TABLE", "DATABASE shop")
        bob.deny("INSERT OVERWRITE shop.orders SELECT 1, 1", "INSERT", "TABLE orders")
        bob.deny("INSERT INTO shop.orders SELECT * FROM other.t", "INSERT")
        bob.deny("CREATE INDEX idx ON shop.orders (amount) USING BITMAP", "ALTER", "TABLE orders")
        bob.deny("DELETE FROM shop.orders RETURNING *", "DELETE")
        bob.deny("CREATE VIEW shop.v AS SELECT 1", "CREATE VIEW", "DATABASE shop")
        bob.deny("DROP VIEW shop.order_totals", "DROP")
        bob.deny("CREATE DATABASE bobs", "CREATE DATABASE", "CATALOG default_catalog")
        bob.deny("DROP DATABASE shop", "DROP", "DATABASE shop")
        bob.deny("CREATE USER eve", "GRANT", "SYSTEM")
        bob.deny("DROP USER root", "GRANT", "SYSTEM")
        bob.deny("GRANT SELECT ON TABLE shop.orders TO USER bob", "SELECT WITH GRANT OPTION")
        bob.deny("CREATE ROLE r1", "GRANT")
        bob.deny("SET GLOBAL query_mem_limit = 1", "OPERATE", "SYSTEM")
        bob.deny("SELECT * FROM FILES('path' = '/etc/passwd', 'format' = 'csv')", "FILE", "SYSTEM")
        bob.deny("INSERT INTO FILES('path' = '/tmp/x/', 'format' = 'csv') SELECT 1", "FILE")
        bob.deny("SHOW CREATE TABLE shop.secret", "ANY", "TABLE secret")
        bob.deny("DESCRIBE shop.secret", "ANY")
        bob.deny("SHOW PARTITIONS FROM shop.secret", "ANY")
        bob.deny("SELECT * FROM sys.grants_to_users", "GRANT")
        bob.deny("SHOW GRANTS FOR root", "GRANT")
        code, message = bob.error("USE shop")
        assert code == 1044 and "to database 'shop'" in message
        # What bob can list: nothing of shop or other.
        assert [r[0] for r in bob.run("SHOW DATABASES")] == ["information_schema"]
        assert bob.run("SELECT table_name FROM information_schema.tables WHERE table_schema = 'shop'") == ()
        assert bob.run("SELECT schema_name FROM information_schema.schemata") == (("information_schema",),)
        assert bob.run("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'shop'") == ((0,),)
        assert bob.run("SELECT count(*) FROM information_schema.loads") == ((0,),)
        assert bob.run("SHOW ROUTINE LOAD FROM shop") == ()
        # Statements that touch no data still work.
        assert bob.run("SELECT 1 + 1") == ((2,),)
        assert bob.run("SELECT current_user()")[0][0].startswith("bob")
        bob.run("SET query_mem_limit = 0")
        bob.run("ALTER USER bob IDENTIFIED BY 'pw'")  # one's own password
        # Prepared statements are checked when they run.
        with bob.conn.cursor() as c:
            with pytest.raises(pymysql.MySQLError) as e:
                c.execute("SELECT * FROM shop.orders WHERE id = %s", (1,))
            assert e.value.args[0] == DENIED
    finally:
        bob.close()


def test_kill_and_processlist_are_per_user(srv):
    make_user(srv, "killer")
    victim = srv.connect()
    with victim.cursor() as c:
        c.execute("SELECT connection_id()")
        victim_id = c.fetchone()[0]
    killer = As(srv, "killer")
    try:
        code, _ = killer.error(f"KILL {victim_id}")
        assert code in (1094, 1582), code
        ids = [r[0] for r in killer.run("SHOW PROCESSLIST")]
        assert victim_id not in ids and len(ids) == 1
        with victim.cursor() as c:
            c.execute("SELECT 1")  # still alive
    finally:
        killer.close()
        victim.close()


@pytest.mark.parametrize("privilege, allowed, denied", [
    ("SELECT", "SELECT count(*) FROM shop.orders", "INSERT INTO shop.orders VALUES (9, 9)"),
    ("INSERT", "INSERT INTO shop.orders VALUES (9, 9)", "SELECT count(*) FROM shop.orders"),
    ("UPDATE", "UPDATE shop.orders SET amount = amount WHERE id = 1", "DELETE FROM shop.orders WHERE id = 9"),
    ("DELETE", "DELETE FROM shop.orders WHERE id = 9", "UPDATE shop.orders SET amount = 1 WHERE id = 1"),
    ("ALTER", "ALTER TABLE shop.orders COMPACT", "SELECT 1 FROM shop.orders"),
])
def test_each_table_privilege_granted_and_revoked(srv, privilege, allowed, denied):
    make_user(srv, "tp")
    root_exec(srv, f"GRANT {privilege} ON TABLE shop.orders TO USER tp")
    u = As(srv, "tp")
    try:
        try:
            u.run(allowed)
        except pymysql.MySQLError as e:
            assert e.args[0] != DENIED, (allowed, e.args)
        u.deny(denied)
        root_exec(srv, f"REVOKE {privilege} ON TABLE shop.orders FROM USER tp")
        u.deny(allowed, privilege)
    finally:
        u.close()


def test_drop_table_privilege_and_grants_bind_to_ids(srv):
    root_exec(srv, "CREATE TABLE shop.scratch (a INT) DUPLICATE KEY(a)")
    make_user(srv, "dropper")
    root_exec(srv, "GRANT DROP, SELECT ON TABLE shop.scratch TO USER dropper")
    u = As(srv, "dropper")
    try:
        u.run("SELECT * FROM shop.scratch")
        u.run("DROP TABLE shop.scratch")
        # A table created again with the same name is a new object: the old grants are gone.
        root_exec(srv, "CREATE TABLE shop.scratch (a INT) DUPLICATE KEY(a)")
        u.deny("SELECT * FROM shop.scratch", "SELECT")
    finally:
        u.close()


def test_database_privileges(srv):
    root_exec(srv, "CREATE DATABASE IF NOT EXISTS dbp")
    make_user(srv, "dbu")
    u = As(srv, "dbu")
    try:
        u.deny("CREATE TABLE dbp.t1 (a INT)", "CREATE TABLE")
        root_exec(srv, "GRANT CREATE TABLE, CREATE VIEW ON DATABASE dbp TO USER dbu")
        u.run("USE dbp")  # some privilege in the database is enough for USE
        u.run("CREATE TABLE dbp.t1 (a INT) DUPLICATE KEY(a)")
        # Creating a table does not give privileges on it (StarRocks' rule).
        u.deny("INSERT INTO dbp.t1 VALUES (1)", "INSERT")
        # A view's query is bound as its creator: it must read what it reads.
        u.deny("CREATE VIEW dbp.leak AS SELECT * FROM shop.secret", "SELECT", "TABLE secret")
        u.deny("DROP DATABASE dbp", "DROP")
        root_exec(srv, "GRANT DROP ON DATABASE dbp TO USER dbu")
        u.run("DROP DATABASE dbp")
    finally:
        u.close()


def test_all_tables_in_database_and_all_databases(srv):
    make_user(srv, "wide")
    u = As(srv, "wide")
    try:
        root_exec(srv, "GRANT SELECT ON ALL TABLES IN DATABASE shop TO USER wide")
        assert u.run("SELECT count(*) FROM shop.secret") == ((1,),)
        u.deny("SELECT * FROM other.t", "SELECT")
        # ALL TABLES does not cover views, nor CREATE TABLE.
        u.deny("SELECT * FROM shop.order_totals", "SELECT", "VIEW order_totals")
        u.deny("CREATE TABLE shop.w (a INT)", "CREATE TABLE")
        assert {r[0] for r in u.run("SHOW TABLES FROM shop")} >= {"orders", "secret"}
        assert "order_totals" not in {r[0] for r in u.run("SHOW TABLES FROM shop")}
        root_exec(srv, "GRANT SELECT ON ALL TABLES IN ALL DATABASES TO USER wide")
        assert u.run("SELECT x FROM other.t") == ((7,),)
        assert {r[0] for r in u.run("SHOW DATABASES")} >= {"shop", "other"}
        root_exec(srv, "REVOKE SELECT ON ALL TABLES IN ALL DATABASES FROM USER wide",
                  "REVOKE SELECT ON ALL TABLES IN DATABASE shop FROM USER wide")
        u.deny("SELECT * FROM shop.orders")
    finally:
        u.close()


def test_legacy_mysql_grant_forms(srv):
    make_user(srv, "legacy")
    u = As(srv, "legacy")
    try:
        root_exec(srv, "GRANT SELECT ON shop.orders TO 'legacy'@'%'")
        u.run("SELECT * FROM shop.orders")
        u.deny("SELECT * FROM shop.secret")
        root_exec(srv, "GRANT INSERT ON shop.* TO legacy")
        u.run("INSERT INTO shop.secret VALUES (5, 'x')")
        root_exec(srv, "GRANT ALL ON *.* TO legacy")
        u.run("SELECT * FROM other.t")
    finally:
        u.close()
        root_exec(srv, "DELETE FROM shop.secret WHERE k = 5")


def test_views_are_read_with_their_own_select(srv):
    make_user(srv, "viewer")
    root_exec(srv, "GRANT SELECT ON VIEW shop.order_totals TO USER viewer")
    u = As(srv, "viewer")
    try:
        assert u.run("SELECT total FROM shop.order_totals")[0][0] is not None
        u.deny("SELECT * FROM shop.orders", "SELECT", "TABLE orders")
    finally:
        u.close()


def test_security_invoker_views_check_what_they_read(srv):
    # SECURITY INVOKER (StarRocks 3.4.1+): the view's SELECT and the base tables' are both needed;
    # a SECURITY NONE view nested inside is read with its own SELECT as always.
    root_exec(srv, "CREATE VIEW shop.inv SECURITY INVOKER AS SELECT id, amount FROM shop.orders",
              "CREATE VIEW shop.inv_over_definer SECURITY INVOKER AS SELECT total FROM shop.order_totals",
              "CREATE VIEW shop.definer_over_inv AS SELECT count(*) AS n FROM shop.inv")
    make_user(srv, "invoker")
    u = As(srv, "invoker")
    try:
        u.deny("SELECT * FROM shop.inv", "SELECT", "VIEW inv")
        root_exec(srv, "GRANT SELECT ON VIEW shop.inv, shop.inv_over_definer, shop.definer_over_inv TO USER invoker")
        u.deny("SELECT * FROM shop.inv", "SELECT", "TABLE orders")
        u.deny("SELECT * FROM shop.inv_over_definer", "SELECT", "VIEW order_totals")
        # A definer view reads the invoker view inside it with the definer view's rights.
        assert u.run("SELECT n FROM shop.definer_over_inv")[0][0] >= 2
        root_exec(srv, "GRANT SELECT ON VIEW shop.order_totals TO USER invoker")
        assert u.run("SELECT total FROM shop.inv_over_definer")[0][0] is not None
        root_exec(srv, "GRANT SELECT ON TABLE shop.orders TO USER invoker")
        assert len(u.run("SELECT * FROM shop.inv")) >= 2
        create = root_exec(srv, "SHOW CREATE VIEW shop.inv")[0][1]
        assert "SECURITY INVOKER AS SELECT" in create, create
        # ALTER VIEW keeps the setting unless it names one.
        root_exec(srv, "ALTER VIEW shop.inv AS SELECT id FROM shop.orders")
        assert "SECURITY INVOKER" in root_exec(srv, "SHOW CREATE VIEW shop.inv")[0][1]
        root_exec(srv, "ALTER VIEW shop.inv SECURITY NONE AS SELECT id FROM shop.orders")
        assert "SECURITY" not in root_exec(srv, "SHOW CREATE VIEW shop.inv")[0][1]
    finally:
        u.close()
        root_exec(srv, "DROP VIEW shop.definer_over_inv", "DROP VIEW shop.inv_over_definer", "DROP VIEW shop.inv")


def test_roles_only_active_ones_count(srv):
    root_exec(srv, "DROP ROLE IF EXISTS analyst", "CREATE ROLE analyst",
              "GRANT SELECT ON TABLE shop.orders TO ROLE analyst")
    make_user(srv, "ann")
    root_exec(srv, "GRANT analyst TO USER ann")
    u = As(srv, "ann")
    try:
        message = u.deny("SELECT * FROM shop.orders", "SELECT")
        assert "Inactivated role(s): [analyst]" in message
        u.run("SET ROLE analyst")
        assert u.run("SELECT count(*) FROM shop.orders")[0][0] >= 2
        assert u.run("SELECT current_role()")[0][0] in ("analyst", "'analyst'")
        u.run("SET ROLE NONE")
        u.deny("SELECT * FROM shop.orders")
        u.run("SET ROLE ALL")
        u.run("SELECT * FROM shop.orders")
        code, _ = u.error("SET ROLE db_admin")  # not granted
        assert code == DENIED
    finally:
        u.close()
    # A default role is active at login.
    root_exec(srv, "SET DEFAULT ROLE analyst TO ann")
    u = As(srv, "ann")
    try:
        u.run("SELECT * FROM shop.orders")
    finally:
        u.close()
    # Revoking the role takes its privileges away from running sessions too.
    u = As(srv, "ann")
    try:
        root_exec(srv, "REVOKE analyst FROM USER ann")
        u.deny("SELECT * FROM shop.orders")
    finally:
        u.close()


def test_role_hierarchy_cycles_and_builtins(srv):
    root_exec(srv, "DROP ROLE IF EXISTS ra", "DROP ROLE IF EXISTS rb", "CREATE ROLE ra", "CREATE ROLE rb",
              "GRANT ra TO ROLE rb", "GRANT SELECT ON TABLE other.t TO ROLE ra")
    for sql in ["GRANT rb TO ROLE ra", "GRANT ra TO ROLE ra"]:
        with pytest.raises(pymysql.MySQLError) as e:
            root_exec(srv, sql)
        assert "cycle" in e.value.args[1]
    for role in ["root", "db_admin", "user_admin", "cluster_admin", "public"]:
        with pytest.raises(pymysql.MySQLError) as e:
            root_exec(srv, f"DROP ROLE {role}")
        assert "built-in" in e.value.args[1]
    with pytest.raises(pymysql.MySQLError):
        root_exec(srv, "REVOKE public FROM USER root")
    make_user(srv, "inherit")
    root_exec(srv, "GRANT rb TO USER inherit", "SET DEFAULT ROLE ALL TO inherit")
    u = As(srv, "inherit")
    try:
        assert u.run("SELECT x FROM other.t") == ((7,),)  # through rb -> ra
    finally:
        u.close()
    roles = [r[0] for r in root_exec(srv, "SHOW ROLES")]
    assert {"root", "db_admin", "user_admin", "cluster_admin", "public", "ra", "rb"} <= set(roles)


def test_builtin_roles(srv):
    make_user(srv, "dba")
    root_exec(srv, "GRANT db_admin TO USER dba", "SET DEFAULT ROLE db_admin TO dba")
    u = As(srv, "dba")
    try:
        u.run("SELECT * FROM shop.secret")
        u.run("CREATE DATABASE IF NOT EXISTS dba_db")
        u.deny("CREATE USER x", "GRANT")  # db_admin has no GRANT
    finally:
        u.close()
    make_user(srv, "uadmin")
    root_exec(srv, "GRANT user_admin TO USER uadmin", "SET DEFAULT ROLE user_admin TO uadmin")
    u = As(srv, "uadmin")
    try:
        u.run("CREATE USER IF NOT EXISTS made_by_uadmin")
        u.run("GRANT SELECT ON TABLE shop.orders TO USER made_by_uadmin")
        u.deny("SELECT * FROM shop.orders", "SELECT")  # user_admin grants but does not read
    finally:
        u.close()
    # NODE and GRANT come only through roles.
    with pytest.raises(pymysql.MySQLError) as e:
        root_exec(srv, "GRANT GRANT ON SYSTEM TO USER dba")
    assert "cannot be granted directly" in e.value.args[1]


def test_with_grant_option(srv):
    make_user(srv, "giver")
    make_user(srv, "taker")
    root_exec(srv, "GRANT SELECT ON TABLE shop.orders TO USER giver WITH GRANT OPTION",
              "GRANT INSERT ON TABLE shop.orders TO USER giver")
    g = As(srv, "giver")
    t = As(srv, "taker")
    try:
        g.run("GRANT SELECT ON TABLE shop.orders TO USER taker")
        t.run("SELECT * FROM shop.orders")
        g.deny("GRANT INSERT ON TABLE shop.orders TO USER taker", "INSERT WITH GRANT OPTION")
        g.deny("GRANT SELECT ON TABLE shop.secret TO USER taker", "SELECT WITH GRANT OPTION")
        # A user cannot grant a role (or anything) to itself to escalate.
        g.deny("GRANT db_admin TO USER giver", "GRANT")
        g.deny("GRANT SELECT ON TABLE shop.secret TO USER giver")
    finally:
        g.close()
        t.close()


def test_show_grants_and_grant_views(srv):
    make_user(srv, "shown")
    root_exec(srv, "GRANT SELECT, INSERT ON TABLE shop.orders TO USER shown",
              "GRANT CREATE TABLE ON DATABASE shop TO USER shown", "GRANT FILE ON SYSTEM TO USER shown")
    grants = root_exec(srv, "SHOW GRANTS FOR shown")
    texts = [r[2] for r in grants]
    assert "GRANT INSERT, SELECT ON TABLE `shop`.`orders` TO USER 'shown'@'%'" in texts, texts
    assert "GRANT CREATE TABLE ON DATABASE `shop` TO USER 'shown'@'%'" in texts
    assert "GRANT FILE ON SYSTEM TO USER 'shown'@'%'" in texts
    u = As(srv, "shown")
    try:
        assert sorted(r[2] for r in u.run("SHOW GRANTS")) == sorted(texts)
        rows = u.run("SELECT table_schema, table_name, privilege_type FROM information_schema.table_privileges")
        assert set(rows) == {("shop", "orders", "SELECT"), ("shop", "orders", "INSERT")}
        assert u.run("SELECT privilege_type FROM information_schema.user_privileges") == (("FILE",),)
        assert u.run("SELECT table_schema, privilege_type FROM information_schema.schema_privileges") == \
            (("shop", "CREATE TABLE"),)
    finally:
        u.close()
    rows = root_exec(srv, "SELECT grantee, object_database, object_name, object_type, privilege_type "
                          "FROM sys.grants_to_users WHERE grantee = '''shown''@''%'''")
    assert ("'shown'@'%'", "shop", "orders", "TABLE", "INSERT,SELECT") in rows, rows
    edges = root_exec(srv, "SELECT from_role, to_user FROM sys.role_edges WHERE from_role = 'root'")
    assert ("root", "'root'@'%'") in edges


def test_identifier_injection_is_literal(srv):
    root_exec(srv, "CREATE TABLE shop.`we``ird; DROP TABLE shop.orders` (a INT) DUPLICATE KEY(a)")
    make_user(srv, "inj")
    root_exec(srv, "GRANT SELECT ON TABLE shop.`we``ird; DROP TABLE shop.orders` TO USER inj")
    u = As(srv, "inj")
    try:
        assert u.run("SELECT count(*) FROM shop.`we``ird; DROP TABLE shop.orders`") == ((0,),)
        u.deny("SELECT * FROM shop.orders")
    finally:
        u.close()
    assert root_exec(srv, "SELECT count(*) FROM shop.orders")[0][0] >= 2
    texts = [r[2] for r in root_exec(srv, "SHOW GRANTS FOR inj")]
    assert any("`we``ird; DROP TABLE shop.orders`" in t for t in texts), texts


def stream_load(srv, user, password, table, body, label=None):
    path = f"/tmp/floe-priv-{srv.http_port}.csv"
    with open(path, "w") as f:
        f.write(body)
    cmd = ["curl", "-s", "-w", "\n%{http_code}", "--location-trusted", "-u", f"{user}:{password}",
           "-H", "column_separator:,", "-H", "max_filter_ratio:0.5", "-T", path, f"http://127.0.0.1:{srv.http_port}/api/{table}/_stream_load"]
    if label:
        cmd[5:5] = ["-H", f"label:{label}"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    body, status = out.stdout.rsplit("\n", 1)
    return int(status), json.loads(body)


def test_stream_load_needs_insert_and_error_logs_are_the_loaders(srv):
    make_user(srv, "loader")
    status, answer = stream_load(srv, "loader", "pw", "shop/orders", "100,1\n")
    assert status == 401 and "INSERT privilege(s) on TABLE orders" in json.dumps(answer), answer
    assert root_exec(srv, "SELECT count(*) FROM shop.orders WHERE id = 100") == ((0,),)
    root_exec(srv, "GRANT INSERT ON TABLE shop.orders TO USER loader")
    status, answer = stream_load(srv, "loader", "pw", "shop/orders", "100,1\nbad,row,x\n")
    assert status == 200 and answer["Status"] == "Success" and answer["NumberFilteredRows"] == 1, answer
    url = answer["ErrorURL"]
    auth = lambda u, p: {"Authorization": "Basic " + base64.b64encode(f"{u}:{p}".encode()).decode()}
    with urllib.request.urlopen(urllib.request.Request(url, headers=auth("loader", "pw")), timeout=10) as r:
        assert b"bad" in r.read()
    make_user(srv, "snoop")
    for headers, code in [(auth("snoop", "pw"), 404), ({}, 401), (auth("loader", "wrong"), 401)]:
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10)
        assert e.value.code == code
    # Paths in the error-log endpoint stay ids.
    for bad in ["../meta.db", "..%2Fmeta", "/etc/passwd", ""]:
        req = urllib.request.Request(f"http://127.0.0.1:{srv.http_port}/api/_load_error_log?file={bad}",
                                     headers=auth("loader", "pw"))
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=10)
        assert e.value.code == 404


def test_routine_load_needs_insert(srv):
    make_user(srv, "rl")
    u = As(srv, "rl")
    try:
        u.deny("CREATE ROUTINE LOAD shop.job1 ON orders COLUMNS TERMINATED BY ',' "
               "FROM KAFKA ('kafka_broker_list' = '127.0.0.1:1', 'kafka_topic' = 't')", "INSERT", "TABLE orders")
    finally:
        u.close()


def test_dropped_user_loses_grants(srv):
    make_user(srv, "gone")
    root_exec(srv, "GRANT SELECT ON TABLE shop.orders TO USER gone")
    root_exec(srv, "DROP USER gone")
    make_user(srv, "gone")
    u = As(srv, "gone")
    try:
        u.deny("SELECT * FROM shop.orders")
    finally:
        u.close()


def test_grants_survive_restart(srv):
    make_user(srv, "durable")
    root_exec(srv, "GRANT SELECT ON TABLE other.t TO USER durable")
    srv.restart()
    u = As(srv, "durable")
    try:
        assert u.run("SELECT x FROM other.t") == ((7,),)
        u.deny("SELECT * FROM shop.orders")
    finally:
        u.close()


STATEMENT_H = os.path.join(os.path.dirname(__file__), "..", "..", "src", "parser", "ast", "statement.h")


def enum_members(name):
    """The members of `enum class <name>` in the parser's AST header."""
    text = open(STATEMENT_H).read()
    body = re.search(r"enum class " + name + r"\b[^{]*\{(.*?)\};", text, re.S).group(1)
    body = re.sub(r"//[^\n]*", "", body)
    return [m.strip() for m in body.split(",") if m.strip()]


DENY, DB = "deny", "db"  # 5203 naming a privilege; MySQL's 1044 (database access)
# Every statement kind the parser knows, as a user holding nothing runs it: what touches data is
# denied; what does not (session settings, one's own connection and grants, built-in lists) runs.
# A kind missing here fails test_every_statement_kind_has_a_case: a new statement must say how
# it is checked.
STATEMENTS = {
    "SELECT": [("SELECT * FROM shop.orders", DENY), ("SELECT * FROM shop.mv", DENY),
               ("SELECT * FROM ice.db.t", DENY), ("SELECT * FROM ice.db.`t$snapshots`", DENY),
               ("CACHE SELECT * FROM ice.db.t", DENY), ("SELECT * FROM numbers(1) n JOIN shop.orders o ON 1 = 1", DENY),
               ("SELECT * FROM numbers(2)", "ok")],
    "EXPLAIN": [("EXPLAIN SELECT * FROM shop.orders", DENY), ("EXPLAIN ANALYZE SELECT * FROM shop.orders", DENY),
                ("EXPLAIN VERBOSE SELECT * FROM ice.db.t", DENY), ("EXPLAIN SELECT 1", "ok")],
    "SET": [("SET GLOBAL query_timeout = 5", DENY), ("SET query_timeout = 300", "ok")],
    "SET_PASSWORD": [("SET PASSWORD FOR carol = PASSWORD('x')", DENY), ("SET PASSWORD = PASSWORD('pw')", "ok")],
    "SHOW": [],  # SHOW_STATEMENTS, per ShowKind
    "USE": [("USE shop", DB), ("USE ice.db", DENY)],
    "CREATE_DATABASE": [("CREATE DATABASE x", DENY), ("CREATE DATABASE ice.x", DENY)],
    "DROP_DATABASE": [("DROP DATABASE shop", DENY), ("DROP DATABASE ice.db", DENY)],
    "CREATE_USER": [("CREATE USER eve", DENY)],
    "ALTER_USER": [("ALTER USER carol IDENTIFIED BY 'x'", DENY), ("ALTER USER bob2 IDENTIFIED BY 'pw'", "ok")],
    "DROP_USER": [("DROP USER carol", DENY)],
    "TRANSACTION": [("BEGIN", "ok"), ("COMMIT", "ok")],
    "KILL": [("KILL {root_connection}", "unknown"), ("KILL QUERY {root_connection}", "unknown")],
    "CREATE_VIEW": [("CREATE VIEW shop.v2 AS SELECT 1", DENY)],
    "DROP_VIEW": [("DROP VIEW shop.v", DENY)],
    "CREATE_TABLE": [("CREATE TABLE shop.t2 (a INT)", DENY), ("CREATE TABLE ice.db.t2 (a INT)", DENY),
                     ("CREATE TABLE shop.t3 AS SELECT 1 AS a", DENY)],
    "DROP_TABLE": [("DROP TABLE shop.orders", DENY), ("DROP TABLE ice.db.t FORCE", DENY)],
    "INSERT": [("INSERT INTO shop.orders VALUES (5, 5)", DENY), ("INSERT INTO ice.db.t VALUES (2, 'b')", DENY),
               ("INSERT OVERWRITE ice.db.t SELECT * FROM ice.db.t", DENY),
               ("INSERT INTO FILES('path' = '/tmp/x/', 'format' = 'csv') SELECT 1", DENY)],
    "CREATE_INDEX": [("CREATE INDEX i2 ON shop.orders (id) USING BITMAP", DENY)],
    "DROP_INDEX": [("DROP INDEX idx ON shop.orders", DENY)],
    "DELETE": [("DELETE FROM shop.orders WHERE id = 1", DENY), ("DELETE FROM ice.db.t WHERE id = 1", DENY)],
    "UPDATE": [("UPDATE shop.orders SET amount = 1", DENY), ("UPDATE ice.db.t SET v = 'z'", DENY)],
    "TRUNCATE": [("TRUNCATE TABLE shop.orders", DENY)],
    "ALTER_TABLE": [("ALTER TABLE shop.orders ADD COLUMN z INT", DENY),
                    ("ALTER TABLE shop.orders SET (\"tiering.move_after\" = \"7 DAY\")", DENY),
                    ("ALTER TABLE ice.db.t ADD COLUMN w INT", DENY),
                    ("ALTER TABLE ice.db.t EXECUTE expire_snapshots(retain_last => 1)", DENY),
                    ("ALTER TABLE ice.db.t EXECUTE rewrite_data_files()", DENY)],
    "ROUTINE_LOAD": [("CREATE ROUTINE LOAD shop.job ON orders COLUMNS TERMINATED BY ',' FROM KAFKA "
                      "(\"kafka_broker_list\" = \"127.0.0.1:1\", \"kafka_topic\" = \"t\")", DENY),
                     ("SHOW ROUTINE LOAD FROM shop", "empty")],
    "GRANT": [("GRANT SELECT ON shop.orders TO USER bob2", DENY), ("REVOKE SELECT ON shop.orders FROM USER carol", DENY),
              ("GRANT r0 TO USER bob2", DENY), ("GRANT USAGE ON CATALOG ice TO USER bob2", DENY)],
    "CREATE_ROLE": [("CREATE ROLE r1", DENY)],
    "DROP_ROLE": [("DROP ROLE r0", DENY)],
    "SET_ROLE": [("SET ROLE r0", "not granted"), ("SET ROLE ALL", "ok")],
    "SET_DEFAULT_ROLE": [("SET DEFAULT ROLE r0 TO carol", DENY)],
    "CREATE_CATALOG": [("CREATE EXTERNAL CATALOG c2 PROPERTIES ('type' = 'iceberg', 'iceberg.catalog.type' = "
                        "'hadoop', 'iceberg.catalog.warehouse' = '/tmp')", DENY)],
    "DROP_CATALOG": [("DROP CATALOG ice", DENY)],
    "SET_CATALOG": [("SET CATALOG ice", DENY)],
    "MERGE": [("MERGE INTO ice.db.t t USING (SELECT 1 AS id) s ON t.id = s.id WHEN MATCHED THEN DELETE", DENY)],
    "MATERIALIZED_VIEW": [("CREATE MATERIALIZED VIEW shop.mv2 REFRESH DEFERRED MANUAL AS SELECT 1 AS a", DENY),
                          ("REFRESH MATERIALIZED VIEW shop.mv", DENY),
                          ("ALTER MATERIALIZED VIEW shop.mv INACTIVE", DENY),
                          ("CANCEL REFRESH MATERIALIZED VIEW shop.mv", DENY),
                          ("DROP MATERIALIZED VIEW shop.mv", DENY)],
    "TASK": [("EXECUTE TASK shop.tk", DENY), ("DROP TASK shop.tk", DENY)],
    "ANALYZE_PROFILE": [("ANALYZE PROFILE FROM '{root_query}'", "no profile")],
}
SHOW_STATEMENTS = {
    "DATABASES": [("SHOW DATABASES", "only information_schema"), ("SHOW DATABASES FROM ice", DENY)],
    "TABLES": [("SHOW TABLES FROM shop", DB), ("SHOW FULL TABLES FROM shop", DB), ("SHOW TABLES FROM ice.db", DENY)],
    "VARIABLES": [("SHOW VARIABLES LIKE 'query_timeout'", "ok")],
    "STATUS": [("SHOW STATUS", "ok")],
    "COLUMNS": [("SHOW COLUMNS FROM shop.orders", DENY), ("DESC shop.orders", DENY), ("DESCRIBE ice.db.t", DENY),
                ("DESC shop.mv", DENY)],
    "CREATE_TABLE": [("SHOW CREATE TABLE shop.orders", DENY), ("SHOW CREATE TABLE ice.db.t", DENY),
                     ("SHOW CREATE VIEW shop.v", DENY), ("SHOW CREATE MATERIALIZED VIEW shop.mv", DENY)],
    "CREATE_DATABASE": [("SHOW CREATE DATABASE shop", DB)],
    "PARTITIONS": [("SHOW PARTITIONS FROM shop.orders", DENY)],
    "LOAD": [("SHOW LOAD FROM shop", DB)],
    "FUNCTIONS": [("SHOW FUNCTIONS", "ok")],
    "WARNINGS": [("SHOW WARNINGS", "ok")],
    "ERRORS": [("SHOW ERRORS", "ok")],
    "PROCESSLIST": [("SHOW FULL PROCESSLIST", "own connection")],
    "ENGINES": [("SHOW ENGINES", "ok")],
    "CHARSET": [("SHOW CHARSET", "ok")],
    "COLLATION": [("SHOW COLLATION", "ok")],
    "GRANTS": [("SHOW GRANTS", "ok"), ("SHOW GRANTS FOR carol", DENY), ("SHOW GRANTS FOR ROLE r0", DENY)],
    "USERS": [("SHOW USERS", "only self")],
    "TABLE_STATUS": [("SHOW TABLE STATUS FROM shop", DB)],
    "PLUGINS": [("SHOW PLUGINS", "ok")],
    "INDEX": [("SHOW INDEX FROM shop.orders", DENY)],
    "ROLES": [("SHOW ROLES", "ok")],
    "CATALOGS": [("SHOW CATALOGS", "only default_catalog")],
    "CREATE_CATALOG": [("SHOW CREATE CATALOG ice", DENY)],
    "MATERIALIZED_VIEWS": [("SHOW MATERIALIZED VIEWS FROM shop", DB)],
    "TIERING": [("SHOW TIERING FROM shop", DB)],
    "ICEBERG_HEALTH": [("SHOW ICEBERG TABLE HEALTH FROM ice", "empty")],
    "DATA": [("SHOW DATA FROM shop", DB)],
    "PROFILELIST": [("SHOW PROFILELIST", "own queries")],
}


def test_every_statement_kind_has_a_case():
    assert sorted(enum_members("StatementKind")) == sorted(STATEMENTS)
    assert sorted(enum_members("ShowKind")) == sorted(SHOW_STATEMENTS)


@pytest.fixture(scope="module")
def objects(srv, tmp_path_factory):
    """An MV, an index, an Iceberg catalog with a table, a task and users and a role for the
    statement-by-statement test."""
    warehouse = tmp_path_factory.mktemp("priv_wh")
    root_exec(srv, "CREATE VIEW shop.v AS SELECT * FROM shop.orders",
              "CREATE INDEX idx ON shop.orders (amount) USING BITMAP",
              "CREATE MATERIALIZED VIEW shop.mv REFRESH DEFERRED MANUAL AS SELECT count(*) AS c FROM shop.orders",
              f"CREATE EXTERNAL CATALOG ice PROPERTIES ('type' = 'iceberg', 'iceberg.catalog.type' = 'hadoop', "
              f"'iceberg.catalog.warehouse' = '{warehouse}')",
              "CREATE DATABASE ice.db", "CREATE TABLE ice.db.t (id BIGINT, v VARCHAR(10))",
              "INSERT INTO ice.db.t VALUES (1, 'a')",
              "SUBMIT TASK shop.tk SCHEDULE EVERY (INTERVAL 1 DAY) AS INSERT INTO shop.orders SELECT 2, 2 FROM numbers(0)",
              "CREATE ROLE IF NOT EXISTS r0")
    make_user(srv, "carol")
    make_user(srv, "bob2")
    return srv


def test_every_statement_as_a_user_with_no_privileges(objects):
    srv = objects
    root = srv.connect()
    with root.cursor() as c:
        c.execute("SELECT connection_id()")
        root_connection = c.fetchone()[0]
        c.execute("SELECT count(*) FROM shop.orders")
        c.execute("SHOW PROFILELIST LIMIT 1")
        root_query = c.fetchone()[0]
    before = [root_exec(srv, sql) for sql in ("SELECT count(*) FROM shop.orders", "SELECT count(*) FROM ice.db.t")]
    bob = As(srv, "bob2")
    try:
        cases = [case for cases in STATEMENTS.values() for case in cases] + \
                [case for cases in SHOW_STATEMENTS.values() for case in cases]
        for sql, expected in cases:
            sql = sql.format(root_connection=root_connection, root_query=root_query)
            if expected == DENY:
                bob.deny(sql)
            elif expected == DB:
                code, message = bob.error(sql)
                assert code == 1044 and "to database 'shop'" in message, (sql, code, message)
            elif expected == "not granted":
                code, message = bob.error(sql)
                assert code == DENIED and "is not granted to user 'bob2'" in message, (sql, code, message)
            elif expected == "no profile":  # another user's query is not even named
                code, message = bob.error(sql)
                assert "no profile of query" in message, (sql, code, message)
            elif expected == "unknown":  # another user's connection is not even named
                code, _ = bob.error(sql)
                assert code == 1094, (sql, code)
            else:
                try:
                    rows = bob.run(sql)
                except pymysql.MySQLError as e:
                    raise AssertionError((sql, e.args))
                if expected == "empty":
                    assert rows == (), (sql, rows)
                elif expected == "only information_schema":
                    assert [r[0] for r in rows] == ["information_schema"], rows
                elif expected == "own connection":
                    assert all(r[1] == "bob2" for r in rows) and rows, rows
                elif expected == "own queries":
                    assert all(r[4] and root_query != r[0] for r in rows), rows
                elif expected == "only self":
                    assert [r[0] for r in rows] == ["bob2"], rows
                elif expected == "only default_catalog":
                    assert [r[0] for r in rows] == ["default_catalog"], rows
        # Nothing changed: the denied statements touched no data.
        assert [root_exec(srv, sql) for sql in ("SELECT count(*) FROM shop.orders",
                                                "SELECT count(*) FROM ice.db.t")] == before
        assert root_exec(srv, "SELECT count(*) FROM information_schema.materialized_views "
                              "WHERE TABLE_NAME = 'mv'") == ((1,),)
        # information_schema and system tables show nothing of what bob may not query.
        for sql in ["SELECT * FROM information_schema.tables WHERE table_schema <> 'information_schema'",
                    "SELECT * FROM information_schema.columns WHERE table_schema = 'shop'",
                    "SELECT * FROM information_schema.views", "SELECT * FROM information_schema.materialized_views",
                    "SELECT * FROM information_schema.tasks", "SELECT * FROM information_schema.task_runs",
                    "SELECT * FROM information_schema.iceberg_table_health",
                    "SELECT * FROM information_schema.iceberg_maintenance_log",
                    "SELECT * FROM information_schema.routine_load_jobs",
                    "SELECT * FROM information_schema.loads",
                    "SELECT * FROM information_schema.table_privileges",
                    "SELECT * FROM starrocks_audit_db__.starrocks_audit_tbl__ WHERE `user` <> 'bob2'"]:
            assert bob.run(sql) == (), sql
    finally:
        bob.close()
        root.close()


def test_prepared_statements_are_checked_as_they_run(objects):
    srv = objects
    before = root_exec(srv, "SELECT count(*) FROM shop.orders")
    conn = mysql_raw.RawClient(srv.mysql_port, user="bob2", password="pw")
    try:
        for sql in ["SELECT * FROM shop.orders WHERE id = ?", "INSERT INTO shop.orders VALUES (?, 1)",
                    "DELETE FROM shop.orders WHERE id = ?", "SELECT * FROM ice.db.t WHERE id = ?"]:
            with pytest.raises(RuntimeError) as e:
                stmt_id, _, _ = conn.prepare(sql)
                conn.execute(stmt_id, [(mysql_raw.T_LONGLONG, 1)])
            assert e.value.args[0][0] == DENIED, (sql, e.value.args)
    finally:
        conn.close()
    assert root_exec(srv, "SELECT count(*) FROM shop.orders") == before


# One row per privilege that guards a statement: the grant, a statement it allows (denied before
# the grant, naming that privilege), and what undoes the statement's effect for the next rows.
GRANTED_AND_DENIED = [
    ("SYSTEM", "FILE", "GRANT FILE ON SYSTEM TO USER {u}",
     "SELECT count(*) FROM FILES('path' = '{csv}', 'format' = 'csv')", None),
    ("SYSTEM", "OPERATE", "GRANT OPERATE ON SYSTEM TO USER {u}", "SET GLOBAL query_timeout = 300", None),
    ("SYSTEM", "CREATE EXTERNAL CATALOG", "GRANT CREATE EXTERNAL CATALOG ON SYSTEM TO USER {u}",
     "CREATE EXTERNAL CATALOG cat_{u} PROPERTIES ('type' = 'iceberg', 'iceberg.catalog.type' = 'hadoop', "
     "'iceberg.catalog.warehouse' = '{warehouse}')", "DROP CATALOG cat_{u}"),
    ("CATALOG", "CREATE DATABASE", "GRANT CREATE DATABASE ON CATALOG default_catalog TO USER {u}",
     "CREATE DATABASE db_{u}", "DROP DATABASE db_{u}"),
    ("CATALOG", "USAGE", "GRANT USAGE ON CATALOG ice TO USER {u}", "SELECT count(*) FROM ice.db.t", None),
    ("CATALOG", "DROP", "GRANT DROP ON CATALOG ice_spare TO USER {u}", "DROP CATALOG ice_spare",
     "CREATE EXTERNAL CATALOG ice_spare PROPERTIES ('type' = 'iceberg', 'iceberg.catalog.type' = 'hadoop', "
     "'iceberg.catalog.warehouse' = '{warehouse}')"),
    ("DATABASE", "CREATE TABLE", "GRANT CREATE TABLE ON DATABASE shop TO USER {u}",
     "CREATE TABLE shop.t_{u} (a INT)", "DROP TABLE shop.t_{u}"),
    ("DATABASE", "CREATE VIEW", "GRANT CREATE VIEW ON DATABASE shop TO USER {u}",
     "CREATE VIEW shop.v_{u} AS SELECT 1 AS a", "DROP VIEW shop.v_{u}"),
    ("DATABASE", "CREATE MATERIALIZED VIEW", "GRANT CREATE MATERIALIZED VIEW ON DATABASE shop TO USER {u}",
     "CREATE MATERIALIZED VIEW shop.mv_{u} REFRESH DEFERRED MANUAL AS SELECT 1 AS a",
     "DROP MATERIALIZED VIEW shop.mv_{u}"),
    ("DATABASE", "DROP", "GRANT DROP ON DATABASE spare TO USER {u}", "DROP DATABASE spare", "CREATE DATABASE spare"),
    ("VIEW", "SELECT", "GRANT SELECT ON VIEW shop.v TO USER {u}", "SELECT count(*) FROM shop.v", None),
    ("VIEW", "ALTER", "GRANT ALTER ON VIEW shop.v2 TO USER {u}", "ALTER VIEW shop.v2 AS SELECT 2 AS a", None),
    ("VIEW", "DROP", "GRANT DROP ON VIEW shop.v2 TO USER {u}", "DROP VIEW shop.v2",
     "CREATE VIEW shop.v2 AS SELECT 1 AS a"),
    ("MATERIALIZED VIEW", "SELECT", "GRANT SELECT ON MATERIALIZED VIEW shop.mv TO USER {u}",
     "SELECT count(*) FROM shop.mv", None),
    ("MATERIALIZED VIEW", "REFRESH", "GRANT REFRESH ON MATERIALIZED VIEW shop.mv TO USER {u}",
     "REFRESH MATERIALIZED VIEW shop.mv WITH SYNC MODE", None),
    ("MATERIALIZED VIEW", "ALTER", "GRANT ALTER ON MATERIALIZED VIEW shop.mv TO USER {u}",
     "ALTER MATERIALIZED VIEW shop.mv ACTIVE", None),
    ("MATERIALIZED VIEW", "DROP", "GRANT DROP ON MATERIALIZED VIEW shop.mv2 TO USER {u}",
     "DROP MATERIALIZED VIEW shop.mv2",
     "CREATE MATERIALIZED VIEW shop.mv2 REFRESH DEFERRED MANUAL AS SELECT count(*) AS c FROM shop.orders"),
]


def test_each_privilege_on_each_object_type_granted_and_denied(objects, tmp_path_factory):
    srv = objects
    warehouse = tmp_path_factory.mktemp("grant_wh")
    csv = tmp_path_factory.mktemp("grant_csv") / "x.csv"
    csv.write_text("1\n2\n")
    root_exec(srv, "CREATE DATABASE IF NOT EXISTS spare", "CREATE VIEW IF NOT EXISTS shop.v2 AS SELECT 1 AS a",
              "CREATE MATERIALIZED VIEW IF NOT EXISTS shop.mv2 REFRESH DEFERRED MANUAL AS "
              "SELECT count(*) AS c FROM shop.orders",
              f"CREATE EXTERNAL CATALOG IF NOT EXISTS ice_spare PROPERTIES ('type' = 'iceberg', "
              f"'iceberg.catalog.type' = 'hadoop', 'iceberg.catalog.warehouse' = '{warehouse}')")
    for i, (object_type, privilege, grant, sql, undo) in enumerate(GRANTED_AND_DENIED):
        user = f"g{i}"
        fill = dict(u=user, csv=csv, warehouse=warehouse)
        make_user(srv, user)
        u = As(srv, user)
        try:
            message = u.deny(sql.format(**fill))
            assert f"the {privilege} privilege(s) on {object_type}" in message, (sql, message)
            root_exec(srv, grant.format(**fill))
            u.run(sql.format(**fill))
        finally:
            u.close()
        if undo:
            root_exec(srv, undo.format(**fill))
        root_exec(srv, f"DROP USER {user}")
