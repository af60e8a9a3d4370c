"""Upgrades keep data: a data directory written by an older build (fixtures/datadir_schema13.*,
made by make_upgrade_fixture.py with the build before external catalogs, meta store schema 13)
opens with this build, migrates its meta store, and answers every recorded query identically,
before and after a restart; users, roles and grants survive, and the old directory takes new
kinds of objects (an external catalog)."""
import json
import os
import sqlite3
import tarfile

from conftest import FloeServer

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "fixtures", "datadir_schema13")


def render(rows):
    return [[None if v is None else str(v) for v in row] for row in rows]


def schema_version(data):
    conn = sqlite3.connect(os.path.join(data, "meta.db"))
    try:
        return int(conn.execute("SELECT value FROM floe_meta WHERE key = 'schema_version'").fetchone()[0])
    finally:
        conn.close()


def test_data_directory_of_an_older_build(tmp_path):
    with open(FIXTURE + ".json") as f:
        recorded = json.load(f)
    with tarfile.open(FIXTURE + ".tar.gz") as tar:
        tar.extractall(tmp_path)
    data = str(tmp_path / "data")
    assert schema_version(data) == recorded["schema_version"] == 13
    server = FloeServer(data).start()
    try:
        for _ in range(2):  # as opened, and again after a restart
            for q in recorded["queries"]:
                assert render(server.query(q["sql"])) == q["rows"], q["sql"]
            assert server.query("SELECT count(*) FROM shop.events", user="analyst", password="pw",
                                init_command="SET ROLE ALL") == ((1002,),)
            server.restart()
        assert schema_version(data) > 13
        # New kinds of objects go into the migrated meta store.
        server.query("CREATE EXTERNAL CATALOG lake PROPERTIES ('type' = 'iceberg', "
                     f"'iceberg.catalog.type' = 'hadoop', 'iceberg.catalog.warehouse' = '{tmp_path}')")
        assert ("lake",) in [r[:1] for r in server.query("SHOW CATALOGS")]
        server.query("INSERT INTO shop.events VALUES (5000, 'new', 1.00, '2025-01-01 00:00:00')")
        assert server.query("SELECT count(*) FROM shop.events") == ((1003,),)
    finally:
        server.stop()
