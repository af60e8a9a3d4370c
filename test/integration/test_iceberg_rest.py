"""Floe as an Iceberg REST catalog server, and Floe's REST catalog client.

Server A keeps a hadoop catalog `h` over a temporary warehouse and serves it at
http://127.0.0.1:<http-port>/iceberg (warehouse = 'h'). iceberg-js (supabase's REST client, the
driver iceberg_rest_client.mjs) lists, loads, creates and commits through it; the error answers
(404 names, 401 without a token, 403 without ALTER) are checked over plain HTTP. Then server B
attaches A's catalog with 'iceberg.catalog.type'='rest' and OAuth2 client credentials, reads A's
table, INSERTs into it and creates a table of its own, and A sees the rows.
"""
import base64
import json
import os
import shutil
import subprocess
import urllib.error
import urllib.request

import pytest

from conftest import FloeServer

HERE = os.path.dirname(os.path.abspath(__file__))
NODE = shutil.which("node")


def http(method, url, body=None, token=None, basic=None, form=None):
    headers = {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        data = form.encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if basic:
        headers["Authorization"] = "Basic " + base64.b64encode(basic.encode()).decode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            text = r.read().decode()
            return r.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        text = e.read().decode()
        return e.code, (json.loads(text) if text else None)


def iceberg_js(base, warehouse, token, ops):
    if not NODE or not os.path.isdir(os.path.join(HERE, "node_modules", "iceberg-js")):
        pytest.skip("node or iceberg-js is missing (cd test/integration && npm install)")
    spec = {"baseUrl": base, "warehouse": warehouse, "token": token,
            "ops": [{"op": op, "args": list(args)} for op, *args in ops]}
    out = subprocess.run([NODE, os.path.join(HERE, "iceberg_rest_client.mjs"), json.dumps(spec)], cwd=HERE,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("rest-warehouse")
    a = FloeServer(tmp_path_factory.mktemp("floe-rest-a")).start()
    a.query("CREATE EXTERNAL CATALOG h PROPERTIES ('type'='iceberg', 'iceberg.catalog.type'='hadoop', "
            f"'iceberg.catalog.warehouse'='{warehouse}')")
    a.query("CREATE DATABASE h.sales")
    a.query("CREATE TABLE h.sales.orders (id BIGINT NOT NULL, customer VARCHAR(20), amount DOUBLE)")
    a.query("INSERT INTO h.sales.orders VALUES (1, 'ann', 10.5), (2, 'bob', 20.25), (3, 'cy', 30)")
    a.query("CREATE USER rest_writer IDENTIFIED BY 'wpw'")
    a.query("GRANT USAGE, ALTER, CREATE DATABASE, DROP ON CATALOG h TO rest_writer")
    a.query("CREATE USER rest_reader IDENTIFIED BY 'rpw'")
    a.query("GRANT USAGE ON CATALOG h TO rest_reader")
    base = f"http://127.0.0.1:{a.http_port}/iceberg"
    yield a, base, warehouse
    a.stop()


def token_for(base, user, password):
    status, answer = http("POST", base + "/v1/oauth/tokens",
                          form=f"grant_type=client_credentials&client_id={user}&client_secret={password}&scope=catalog")
    assert status == 200, answer
    assert answer["token_type"] == "bearer" and answer["expires_in"] == 3600
    return answer["access_token"]


def test_config_and_errors_over_http(lake):
    _, base, _ = lake
    status, answer = http("GET", base + "/v1/config?warehouse=h")
    assert status == 401 and answer["error"]["type"] == "NotAuthorizedException"
    status, answer = http("GET", base + "/v1/config?warehouse=h", token="not-a-token")
    assert status == 401
    status, answer = http("POST", base + "/v1/oauth/tokens",
                          form="grant_type=client_credentials&client_id=rest_writer&client_secret=wrong")
    assert status == 401 and answer["error"] == "invalid_client"
    token = token_for(base, "rest_writer", "wpw")
    status, config = http("GET", base + "/v1/config?warehouse=h", token=token)
    assert status == 200
    assert config["overrides"] == {"prefix": "h"}
    assert "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}" in config["endpoints"]
    assert not any("rename" in e or "views" in e for e in config["endpoints"])
    # Basic auth as a Floe user works too.
    status, answer = http("GET", base + "/v1/h/namespaces", basic="rest_reader:rpw")
    assert status == 200 and ["sales"] in answer["namespaces"]
    status, answer = http("GET", base + "/v1/config?warehouse=nope", token=token)
    assert status == 404
    status, answer = http("GET", base + "/v1/h/namespaces/nope/tables", token=token)
    assert status == 404 and answer["error"]["type"] == "NoSuchNamespaceException"
    assert "nope" in answer["error"]["message"]
    status, answer = http("GET", base + "/v1/h/namespaces/sales/tables/nope", token=token)
    assert status == 404 and answer["error"]["type"] == "NoSuchTableException"
    assert "sales.nope" in answer["error"]["message"]
    status, answer = http("POST", base + "/v1/h/namespaces/sales/tables/orders", token=token,
                          body={"requirements": [], "updates": [{"action": "make-coffee"}]})
    assert status == 400 and "make-coffee" in answer["error"]["message"]
    status, answer = http("POST", base + "/v1/h/namespaces/sales/tables/orders", token=token,
                          body={"requirements": [{"type": "assert-table-uuid", "uuid": "0-0"}], "updates": []})
    assert status == 409 and answer["error"]["type"] == "CommitFailedException"
    status, answer = http("POST", base + "/v1/h/namespaces", token=token, body={"namespace": ["sales"]})
    assert status == 409 and answer["error"]["type"] == "AlreadyExistsException"
    status, _ = http("POST", base + "/v1/h/namespaces/sales/tables/orders/metrics", token=token, body={})
    assert status == 204
    status, _ = http("POST", base + "/v1/h/tables/rename", token=token, body={})
    assert status == 501


def test_iceberg_js_reads_creates_and_commits(lake):
    a, base, warehouse = lake
    token = token_for(base, "rest_writer", "wpw")
    schema = {"type": "struct", "fields": [
        {"id": 1, "name": "id", "type": "long", "required": True},
        {"id": 2, "name": "ts", "type": "timestamp", "required": False}]}
    r = iceberg_js(base, "h", token, [
        ("listNamespaces",),
        ("listTables", {"namespace": ["sales"]}),
        ("loadTableResult", {"namespace": ["sales"], "name": "orders"}),
        ("tableExists", {"namespace": ["sales"], "name": "orders"}),
        ("tableExists", {"namespace": ["sales"], "name": "missing"}),
        ("createNamespace", {"namespace": ["js"]}, {"properties": {"owner": "js"}}),
        ("namespaceExists", {"namespace": ["js"]}),
        ("createTable", {"namespace": ["js"]}, {
            "name": "events", "schema": schema,
            "partition-spec": {"spec-id": 0, "fields": [
                {"source-id": 2, "field-id": 1000, "name": "ts_day", "transform": "day"}]},
            "properties": {"format-version": "2", "note": "from iceberg-js"}}),
        ("loadTable", {"namespace": ["js"], "name": "events"}),
        ("loadTable", {"namespace": ["sales"], "name": "nope"}),
        ("listTables", {"namespace": ["nope"]}),
    ])
    errors = [x for x in r[:9] if "error" in x]
    assert not errors, errors
    assert {"namespace": ["sales"]} in r[0]["ok"]["namespaces"]
    assert [t["name"] for t in r[1]["ok"]["identifiers"]] == ["orders"]
    loaded = r[2]["ok"]
    assert loaded["metadata-location"].endswith(".metadata.json")
    assert loaded["metadata"]["current-snapshot-id"] > 0
    assert [f["name"] for f in loaded["metadata"]["schemas"][0]["fields"]] == ["id", "customer", "amount"]
    assert r[3]["ok"] is True and r[4]["ok"] is False
    assert r[6]["ok"] is True
    created = r[7]["ok"]
    assert created["location"] == os.path.join(str(warehouse), "js", "events")
    assert created["partition-specs"][0]["fields"][0]["transform"] == "day"
    assert r[8]["ok"]["properties"]["note"] == "from iceberg-js"
    assert r[9]["error"]["status"] == 404 and r[9]["error"]["type"] == "NoSuchTableException"
    assert r[10]["error"]["status"] == 404 and r[10]["error"]["type"] == "NoSuchNamespaceException"

    # A property commit with the table's uuid as its requirement; then a stale one fails with 409.
    uuid = r[8]["ok"]["table-uuid"]
    ident = {"namespace": ["js"], "name": "events"}
    r = iceberg_js(base, "h", token, [
        ("commitTable", ident, {"requirements": [{"type": "assert-table-uuid", "uuid": uuid}],
                                "updates": [{"action": "set-properties", "updates": {"write.owner": "floe"}},
                                            {"action": "remove-properties", "removals": ["note"]}]}),
        ("loadTable", ident),
        ("commitTable", ident, {"requirements": [{"type": "assert-current-schema-id", "current-schema-id": 7}],
                                "updates": [{"action": "set-properties", "updates": {"x": "y"}}]}),
    ])
    assert "ok" in r[0], r[0]
    assert r[0]["ok"]["metadata-location"] != created.get("metadata-location")
    props = r[1]["ok"]["properties"]
    assert props["write.owner"] == "floe" and "note" not in props
    assert len(r[1]["ok"]["metadata-log"]) == 1
    assert r[2]["error"]["status"] == 409 and r[2]["error"]["type"] == "CommitFailedException"
    # Floe's SQL sees the table iceberg-js created.
    assert a.query("SHOW TABLES FROM h.js") == (("events",),)
    a.query("INSERT INTO h.js.events VALUES (1, '2024-05-01 10:00:00'), (2, '2024-05-02 11:00:00')")
    assert a.query("SELECT count(*) FROM h.js.events") == ((2,),)

    # A reader may load but not change; the table can then be dropped (and its files purged).
    reader = token_for(base, "rest_reader", "rpw")
    r = iceberg_js(base, "h", reader, [
        ("loadTable", ident),
        ("commitTable", ident, {"requirements": [], "updates": [
            {"action": "set-properties", "updates": {"x": "y"}}]}),
        ("createNamespace", {"namespace": ["forbidden"]}),
    ])
    assert "ok" in r[0]
    assert r[1]["error"]["status"] == 403 and r[1]["error"]["type"] == "ForbiddenException"
    assert r[2]["error"]["status"] == 403
    r = iceberg_js(base, "h", token, [
        ("dropTable", ident, {"purge": True}),
        ("tableExists", ident),
        ("dropNamespace", {"namespace": ["js"]}),
        ("namespaceExists", {"namespace": ["js"]}),
    ])
    assert [x.get("ok") for x in r] == [None, False, None, False], r
    data_dir = os.path.join(str(warehouse), "js")
    left = [os.path.join(d, f) for d, _, fs in os.walk(data_dir) for f in fs] if os.path.exists(data_dir) else []
    assert not [f for f in left if f.endswith(".parquet")], left


def test_floe_reads_and_writes_through_floe(lake, tmp_path_factory):
    a, base, warehouse = lake
    b = FloeServer(tmp_path_factory.mktemp("floe-rest-b")).start()
    try:
        b.query("CREATE EXTERNAL CATALOG r PROPERTIES ('type'='iceberg', 'iceberg.catalog.type'='rest', "
                f"'iceberg.catalog.uri'='{base}', 'iceberg.catalog.warehouse'='h', "
                "'iceberg.catalog.oauth2.credential'='rest_writer:wpw')")
        assert ("sales",) in b.query("SHOW DATABASES FROM r")
        assert b.query("SHOW TABLES FROM r.sales") == (("orders",),)
        assert b.query("SELECT id, customer, amount FROM r.sales.orders ORDER BY id") == \
            ((1, "ann", 10.5), (2, "bob", 20.25), (3, "cy", 30.0))
        # INSERT commits through the REST client (a diff with assert-ref-snapshot-id on main).
        b.query("INSERT INTO r.sales.orders VALUES (4, 'dee', 40), (5, 'eve', 50)")
        assert a.query("SELECT count(*), sum(amount) FROM h.sales.orders") == ((5, 150.75),)
        # And the other way round: A's commit is seen by B's next query.
        a.query("INSERT INTO h.sales.orders VALUES (6, 'fay', 60)")
        assert b.query("SELECT max(id) FROM r.sales.orders") == ((6,),)
        # Namespaces and tables created from B exist in A's warehouse.
        b.query("CREATE DATABASE r.remote")
        b.query("CREATE TABLE r.remote.t2 (k INT, v VARCHAR(10))")
        b.query("INSERT INTO r.remote.t2 VALUES (1, 'one'), (2, 'two')")
        assert a.query("SELECT k, v FROM h.remote.t2 ORDER BY k") == ((1, "one"), (2, "two"))
        assert os.path.isdir(os.path.join(str(warehouse), "remote", "t2", "metadata"))
        # CTAS (a create commit, then an append on the metadata Floe chose) and INSERT OVERWRITE.
        b.query("CREATE TABLE r.remote.t3 AS SELECT id, customer FROM r.sales.orders WHERE id <= 2")
        assert a.query("SELECT id, customer FROM h.remote.t3 ORDER BY id") == ((1, "ann"), (2, "bob"))
        b.query("INSERT OVERWRITE r.remote.t3 SELECT 9, 'zed'")
        assert a.query("SELECT id, customer FROM h.remote.t3") == ((9, "zed"),)
        b.query("DROP TABLE r.remote.t3")
        # Schema evolution through the rest catalog (add-schema + set-current-schema -1).
        b.query("ALTER TABLE r.remote.t2 ADD COLUMN note VARCHAR(10)")
        b.query("INSERT INTO r.remote.t2 VALUES (3, 'three', 'new')")
        assert a.query("SELECT k, note FROM h.remote.t2 ORDER BY k") == ((1, None), (2, None), (3, "new"))
        b.query("DROP TABLE r.remote.t2")
        assert a.query("SHOW TABLES FROM h.remote") == ()
        # The REST drop does not purge (purgeRequested=false): the data files keep the hadoop
        # namespace directory, and the server's 409 NamespaceNotEmptyException says so.
        with pytest.raises(Exception, match="not empty"):
            b.query("DROP DATABASE r.remote")
        b.query("CREATE DATABASE r.empty_ns")
        assert ("empty_ns",) in a.query("SHOW DATABASES FROM h")
        b.query("DROP DATABASE r.empty_ns")
        assert ("empty_ns",) not in a.query("SHOW DATABASES FROM h")
        # A wrong secret fails the query that needs the catalog, naming the URI but no secret.
        b.query("CREATE EXTERNAL CATALOG bad PROPERTIES ('type'='iceberg', 'iceberg.catalog.type'='rest', "
                f"'iceberg.catalog.uri'='{base}', 'iceberg.catalog.warehouse'='h', "
                "'iceberg.catalog.oauth2.credential'='rest_writer:letmein')")
        with pytest.raises(Exception) as failed:
            b.query("SHOW DATABASES FROM bad")
        assert base in str(failed.value) and "letmein" not in str(failed.value)
    finally:
        b.stop()


def test_concurrent_commits_lose_nothing(lake):
    """Eight clients commit property changes at once: each answer is 200 or 409, and exactly the
    changes answered 200 are in the table (the server retries lost races on the new metadata)."""
    import concurrent.futures
    _, base, _ = lake
    token = token_for(base, "rest_writer", "wpw")
    url = base + "/v1/h/namespaces/sales/tables/orders"
    status, loaded = http("GET", url, token=token)
    assert status == 200
    uuid = loaded["metadata"]["table-uuid"]

    def commit(i):
        return i, http("POST", url, token=token, body={
            "requirements": [{"type": "assert-table-uuid", "uuid": uuid}],
            "updates": [{"action": "set-properties", "updates": {f"race.{i}": str(i)}}]})[0]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = dict(pool.map(commit, range(8)))
    assert set(answers.values()) <= {200, 409}, answers
    assert 200 in answers.values()
    status, loaded = http("GET", url, token=token)
    won = {f"race.{i}" for i, s in answers.items() if s == 200}
    assert {k for k in loaded["metadata"]["properties"] if k.startswith("race.")} == won
