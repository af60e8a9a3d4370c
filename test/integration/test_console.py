"""The web console and what it stands on (issue 25): the HTTP SQL API it runs every query
through, SHOW PROCESSLIST with progress and background jobs, KILL QUERY by id, and the console
itself driven in Debian's headless Chromium by playwright-core (console_browser.mjs): sign in,
run a query and EXPLAIN, open the query's profile tree, read a routine load's per-partition lag,
pause and resume it, read an MV's state, tables, tiering and charts; a user without rights sees
nothing of anyone else's. Screenshots are kept under build/test-artifacts/console/."""
import base64
import json
import os
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pymysql
import pytest

from conftest import ROOT, FloeServer
from test_routine_load import kafka, wait_for  # noqa: F401 (kafka: the mock cluster fixture)

HERE = os.path.dirname(os.path.abspath(__file__))
SHOTS = os.path.join(ROOT, "build", "test-artifacts", "console")


def auth(user="root", password=""):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def http_sql(srv, query, path="/api/v1/catalogs/default_catalog/sql", user="root", password="", headers=None,
             body=None, variables=None):
    payload = body if body is not None else json.dumps(
        {"query": query, **({"sessionVariables": variables} if variables else {})}).encode()
    h = {"Content-Type": "application/json"}
    if user is not None:
        h["Authorization"] = auth(user, password)
    h.update(headers or {})
    req = urllib.request.Request(f"http://127.0.0.1:{srv.http_port}{path}", data=payload, method="POST", headers=h)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def ndjson(text):
    return [json.loads(line) for line in text.splitlines() if line]


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = FloeServer(tmp_path_factory.mktemp("console"), extra_args=["--metrics-history-interval", "1"]).start()
    s.query("CREATE DATABASE console_db")
    s.query("CREATE TABLE console_db.events (id BIGINT, kind VARCHAR(20), ts DATE) DUPLICATE KEY(id) "
            "PARTITION BY RANGE(ts) (PARTITION p1 VALUES LESS THAN ('2026-06-01'), "
            "PARTITION p2 VALUES LESS THAN ('2027-01-01')) DISTRIBUTED BY HASH(id) BUCKETS 2")
    s.query("INSERT INTO console_db.events VALUES (1, 'view', '2026-01-05'), (2, 'click', '2026-07-01'), "
            "(3, 'view', '2026-08-01')")
    s.query("CREATE MATERIALIZED VIEW console_db.events_mv REFRESH ASYNC AS "
            "SELECT kind, count(*) AS n FROM console_db.events GROUP BY kind")
    s.query("REFRESH MATERIALIZED VIEW console_db.events_mv WITH SYNC MODE")
    s.query("CREATE USER viewer IDENTIFIED BY 'viewer-pw'")
    s.query("CREATE DATABASE big")
    s.query("CREATE TABLE big.t (a BIGINT, b BIGINT) DUPLICATE KEY(a) DISTRIBUTED BY HASH(a) BUCKETS 4")
    s.query("INSERT INTO big.t SELECT generate_series, generate_series % 1000 FROM generate_series(1, 6000000)")
    yield s
    s.stop()


# ---- The HTTP SQL API


def test_sql_api_answers_as_starrocks_documents(srv):
    status, headers, text = http_sql(srv, "SELECT id, kind, ts, 1.5 AS d, 2.5e0 AS f, NULL AS z FROM events "
                                          "ORDER BY id LIMIT 2",
                                     path="/api/v1/catalogs/default_catalog/databases/console_db/sql")
    assert status == 200, text
    assert headers["Content-Type"].startswith("application/x-ndjson")
    assert len(headers["X-StarRocks-Query-Id"]) == 36
    objects = ndjson(text)
    assert isinstance(objects[0]["connectionId"], int)
    assert [m["name"] for m in objects[1]["meta"]] == ["id", "kind", "ts", "d", "f", "z"]
    assert objects[1]["meta"][0]["type"] == "bigint"
    assert objects[2] == {"data": [1, "view", "2026-01-05", "1.5", 2.5, None]}
    assert objects[3] == {"data": [2, "click", "2026-07-01", "1.5", 2.5, None]}
    assert objects[4] == {"statistics": {"scanRows": 0, "scanBytes": 0, "returnRows": 2}}

    status, _, text = http_sql(srv, "EXPLAIN SELECT count(*) FROM console_db.events")
    assert status == 200
    assert "explain" in ndjson(text)[1] and "SCAN" in ndjson(text)[1]["explain"].upper()

    # Other statements answer with their statistics; session variables apply to the statement.
    status, _, text = http_sql(srv, "SELECT @@query_timeout, @@sql_mode",
                               variables={"query_timeout": 77, "sql_mode": "ANSI_QUOTES"})
    assert status == 200, text
    assert ndjson(text)[2]["data"] == [77, "ANSI_QUOTES"]
    # Percent-escaped path segments name the database.
    status, _, text = http_sql(srv, "SELECT count(*) FROM events",
                               path="/api/v1/catalogs/default_catalog/databases/console%5Fdb/sql")
    assert status == 200 and ndjson(text)[2]["data"] == [3], text


def test_sql_api_errors_name_the_problem(srv):
    status, headers, text = http_sql(srv, "SELECT 1", user=None)
    assert status == 401 and "WWW-Authenticate" in headers
    # The console signs in with its own form: no challenge, so the browser does not ask too.
    status, headers, _ = http_sql(srv, "SELECT 1", user="root", password="wrong", headers={"X-Floe-Console": "1"})
    assert status == 401 and "WWW-Authenticate" not in headers
    status, _, text = http_sql(srv, None, body=b"{not json")
    assert status == 400 and "JSON object" in json.loads(text)["msg"]
    status, _, text = http_sql(srv, None, body=b'{"sql": "SELECT 1"}')
    assert status == 400 and '"query"' in json.loads(text)["msg"]
    status, _, text = http_sql(srv, "SELEC 1")
    assert status == 400 and json.loads(text)["errno"] == 1064
    status, _, text = http_sql(srv, "SELECT 1", path="/api/v1/catalogs/default_catalog/databases/nope/sql")
    assert status == 400 and "Unknown database 'nope'" in json.loads(text)["msg"]
    status, _, text = http_sql(srv, "SELECT 1", path="/api/v1/catalogs/no_catalog/sql")
    assert status == 400 and "no_catalog" in json.loads(text)["msg"]
    status, _, text = http_sql(srv, "SELECT 1; SELECT 2")
    assert status == 400
    # Only JSON, and not from another site's page (CSRF): such requests never run.
    status, _, text = http_sql(srv, "CREATE DATABASE csrf_db", headers={"Content-Type": "text/plain"})
    assert status == 415 and "application/json" in json.loads(text)["msg"]
    status, _, text = http_sql(srv, "CREATE DATABASE csrf_db", headers={"Origin": "http://evil.example"})
    assert status == 403 and "cross-origin" in json.loads(text)["msg"]
    assert srv.query("SHOW DATABASES LIKE 'csrf_db'") == ()
    status, _, _ = http_sql(srv, "SELECT 1", headers={"Origin": f"http://127.0.0.1:{srv.http_port}"})
    assert status == 200
    # Privileges as over MySQL.
    status, _, text = http_sql(srv, "SELECT * FROM console_db.events", user="viewer", password="viewer-pw")
    assert status == 403 and json.loads(text)["errno"] in (1142, 5203), text
    status, _, text = http_sql(srv, "SELECT 1", path="/api/v1/catalogs/default_catalog/databases/console_db/sql",
                               user="viewer", password="viewer-pw")
    assert status == 403, text
    # A bad escape or an extra segment is no SQL endpoint at all.
    status, _, _ = http_sql(srv, "SELECT 1", path="/api/v1/catalogs/default_catalog/databases/a%zz/sql")
    assert status == 404
    status, _, _ = http_sql(srv, "SELECT 1", path="/api/v1/catalogs/default_catalog/databases/a/b/sql")
    assert status == 404


# ---- SHOW PROCESSLIST, progress, KILL


def processlist(srv, **kwargs):
    conn = srv.connect(cursorclass=pymysql.cursors.DictCursor, **kwargs)
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW FULL PROCESSLIST")
            return cur.fetchall()
    finally:
        conn.close()


def run_in_thread(srv, sql, errors, **kwargs):
    def go():
        try:
            srv.query(sql, **kwargs)
        except Exception as e:  # noqa: BLE001 (recorded for the test to check)
            errors.append(e)
    t = threading.Thread(target=go)
    t.start()
    return t


def test_processlist_shows_running_statements_with_progress(srv):
    rows = processlist(srv)
    me = [r for r in rows if r["Info"] == "SHOW FULL PROCESSLIST"]
    assert me and me[0]["Command"] == "Query" and me[0]["State"] == "Running" and len(me[0]["QueryId"]) == 36
    assert list(rows[0].keys()) == ["Id", "User", "Host", "Db", "Command", "ConnectionStartTime", "Time", "State",
                                    "Info", "IsPending", "QueryId", "Progress"]
    errors = []
    sql = ("INSERT INTO big.copy SELECT a, b FROM big.t t1 WHERE a IN "
           "(SELECT a FROM big.t t2 WHERE t2.b = t1.b)")
    srv.query("CREATE TABLE IF NOT EXISTS big.copy (a BIGINT, b BIGINT) DUPLICATE KEY(a)")
    t = run_in_thread(srv, sql, errors)
    seen = []

    def progress():
        for r in processlist(srv):
            if r["Info"] and r["Info"].startswith("INSERT INTO big.copy") and r["Progress"]:
                seen.append(r["Progress"])
                return "%" in r["Progress"] and "rows read" in r["Progress"]
        return False
    wait_for(progress, timeout=60, what="progress of the INSERT")
    t.join()
    assert not errors, errors
    # A short form of Info without FULL: 100 characters at most.
    conn = srv.connect(cursorclass=pymysql.cursors.DictCursor)
    with conn.cursor() as cur:
        cur.execute("SHOW PROCESSLIST /* " + "x" * 200 + " */")
        assert all(r["Info"] is None or len(r["Info"]) <= 100 for r in cur.fetchall())
    conn.close()
    pct = [int(p.split("%")[0]) for p in seen if "%" in p]
    assert pct and all(0 <= v <= 100 for v in pct), seen


def test_others_sessions_are_hidden_and_kill_query_by_id(srv):
    errors = []
    t = run_in_thread(srv, "SELECT count(*) FROM big.t a JOIN big.t b ON a.b = b.b WHERE a.a + b.a < 0", errors)
    running = wait_for(lambda: [r for r in processlist(srv) if r["Info"] and "JOIN big.t b" in r["Info"]],
                       what="the join to run")
    # A user without OPERATE sees only their own sessions.
    mine = processlist(srv, user="viewer", password="viewer-pw")
    assert mine and all(r["User"] == "viewer" for r in mine)
    query_id = running[0]["QueryId"]
    with pytest.raises(pymysql.MySQLError) as e:
        srv.query(f"KILL QUERY '{query_id}'", user="viewer", password="viewer-pw")
    assert e.value.args[0] == 1094
    srv.query(f"KILL QUERY '{query_id}'")
    t.join(60)
    assert errors and "interrupted" in str(errors[0]).lower(), errors
    with pytest.raises(pymysql.MySQLError) as e:
        srv.query("KILL QUERY 'no-such-query'")
    assert e.value.args[0] == 1094
    with pytest.raises(pymysql.MySQLError, match="connection id"):
        srv.query(f"KILL CONNECTION '{query_id}'")


def test_background_jobs_show_as_daemons(srv):
    srv.query("CREATE MATERIALIZED VIEW big.per_b REFRESH DEFERRED MANUAL AS "
              "SELECT b, count(*) AS n, sum(a) AS s, count(distinct a % 100000) AS d FROM big.t GROUP BY b")
    srv.query("REFRESH MATERIALIZED VIEW big.per_b")
    daemon = wait_for(lambda: [r for r in processlist(srv) if r["Command"] == "Daemon"], timeout=60,
                      what="the refresh to show")
    assert daemon[0]["Info"].startswith("MV REFRESH") and daemon[0]["User"] == "root", daemon
    assert daemon[0]["Id"] > 2 ** 32, daemon  # never a connection's id
    # Not to a user without OPERATE who does not own it.
    assert all(r["Command"] != "Daemon" for r in processlist(srv, user="viewer", password="viewer-pw"))
    wait_for(lambda: srv.query("SELECT LAST_REFRESH_STATE FROM information_schema.materialized_views "
                               "WHERE TABLE_NAME = 'per_b'") == (("SUCCESS",),), timeout=120, what="the refresh")


def test_slow_statements_go_to_the_slow_query_log(srv):
    srv.query("SELECT sleep(5), 'slow_marker'")
    path = os.path.join(srv.data_dir, "log", "floe.slow_query.log")
    records = [json.loads(line) for line in open(path)]
    slow = [r for r in records if "slow_marker" in r["Stmt"]]
    assert slow and slow[-1]["Time"] >= 5000 and slow[-1]["User"] == "root", records[-3:]
    assert all(r["Time"] >= 5000 for r in records)


# ---- The console in Chromium


def browser(srv, **args):
    if shutil.which("node") is None or not os.path.exists("/usr/bin/chromium"):
        pytest.fail("the console tests need node and /usr/bin/chromium (scripts/install-deps.sh installs them)")
    os.makedirs(SHOTS, exist_ok=True)
    args = {"base": f"http://127.0.0.1:{srv.http_port}", "shots": SHOTS, **args}
    p = subprocess.run(["node", os.path.join(HERE, "console_browser.mjs"), json.dumps(args)], cwd=HERE,
                       capture_output=True, text=True, timeout=240)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout.strip().splitlines()[-1])
    assert "error" not in out, out["error"] + "\n" + p.stderr
    assert out["console_errors"] == [] or all("401" in e for e in out["console_errors"]), out["console_errors"]
    return out



def test_console_end_to_end(srv, kafka):
    kafka.topic("console_events", 2)
    srv.query(f"""CREATE ROUTINE LOAD console_db.events_job ON events
        COLUMNS TERMINATED BY ',', COLUMNS(id, kind, ts)
        PROPERTIES ("max_batch_interval" = "0.2")
        FROM KAFKA ("kafka_broker_list" = "{kafka.bootstrap}", "kafka_topic" = "console_events",
                    "property.kafka_default_offsets" = "OFFSET_BEGINNING")""")
    kafka.produce("console_events", ["10,view,2026-09-01", "11,click,2026-09-02"], partition=0)
    kafka.produce("console_events", ["12,view,2026-09-03"], partition=1)
    wait_for(lambda: srv.query("SELECT count(*) FROM console_db.events")[0][0] == 6, what="the routine load")
    out = browser(srv, mode="admin", user="root", password="", marker="console_marker", job="events_job",
                  mv="events_mv", table="events",
                  query="SELECT kind, count(*) AS n, 'console_marker' AS m FROM console_db.events "
                        "GROUP BY kind ORDER BY kind")
    assert "Access denied" in out["refused"]
    assert out["who"] == "root"
    assert out["sql_header"] == ["kind", "n", "m"]
    assert out["sql_cells"] == ["click", "2", "console_marker", "view", "4", "console_marker"]
    assert "2 rows" in out["sql_status"]
    assert "SCAN" in out["explain"].upper()
    # The profile tree: operators nested, the scan with what it read.
    assert any("SCAN" in n.upper() for n in out["profile_nodes"]), out["profile_nodes"]
    assert any("SORT" in n.upper() for n in out["profile_nodes"]), out["profile_nodes"]
    assert out["profile_nested"] >= 1
    assert any(s.startswith("SCANNED") for s in out["profile_scans"]), out["profile_scans"]
    # The routine load's lag per partition; pause and resume from the page.
    assert sorted(l.split(":")[0] for l in out["lag"]) == ["partition 0", "partition 1"], out["lag"]
    assert out["job_state"] in ("RUNNING", "NEED_SCHEDULE")
    assert out["paused_state"] == "PAUSED"
    assert out["resumed_state"] in ("RUNNING", "NEED_SCHEDULE")
    job = srv.query("SELECT STATE FROM information_schema.routine_load_jobs WHERE NAME = 'events_job'")
    assert job[0][0] in ("RUNNING", "NEED_SCHEDULE")
    assert "ROUTINE" in out["load_history"] or "INSERT" in out["load_history"], out["load_history"]
    # The MV's state.
    cells = dict(zip(out["mv_header"], out["mv_cells"]))
    assert cells["TABLE_NAME"] == "events_mv" and cells["IS_ACTIVE"] == "true"
    assert cells["LAST_REFRESH_STATE"] == "SUCCESS"
    assert "events" in out["tables"] and "p1" in out["partitions"] and "p2" in out["partitions"]
    assert set(out["chart_series"]) >= {"ingest_rows_per_s", "routine_load_lag", "p50_ms", "p99_ms", "hot_bytes",
                                        "cold_bytes"}
    assert out["signed_out"]
    assert len([f for f in os.listdir(SHOTS) if f.endswith(".png") and "-admin-" in f]) >= 9


def test_console_shows_a_user_only_what_they_may_see(srv):
    srv.query("SELECT 'secret_marker_of_root', count(*) FROM console_db.events")
    out = browser(srv, mode="viewer", user="viewer", password="viewer-pw")
    assert out["who"] == "viewer"
    page = out["page"]
    assert "secret_marker_of_root" not in page
    assert "console_db" not in page and "events_job" not in page and "events_mv" not in page
    assert "No routine load jobs you may see." in out["loads"]
    assert "No materialized views you may see." in out["mvs"]
    assert all(line.startswith("Id") or "viewer" in line for line in out["running"].splitlines() if line.strip())
