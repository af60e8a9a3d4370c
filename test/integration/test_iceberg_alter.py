"""ALTER TABLE of Iceberg tables (issue 20): schema evolution (ADD / DROP / RENAME / MODIFY COLUMN),
partition evolution (ADD / DROP PARTITION COLUMN|FIELD), properties and format upgrades, branches,
tags and rollback_to_snapshot, through a hadoop catalog over a temporary warehouse and once through
a JDBC (SQLite) catalog. Each ALTER must be one new metadata version (new schema / spec ids, ids
from last-column-id / last-partition-id), never a data rewrite; rows written before a change read
through it by field id (added columns are null, renamed columns keep their values, promoted types
are widened). The spec checker (iceberg_spec_check.py) checks every table at the end of its test."""
import glob
import json
import os
import re

import pymysql
import pytest

from conftest import FloeServer
from duckdb_peer import HAVE_DUCKDB
import iceberg_spec_check as isc


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return str(tmp_path_factory.mktemp("alter-warehouse"))


@pytest.fixture(scope="module")
def floe(tmp_path_factory, warehouse):
    s = FloeServer(tmp_path_factory.mktemp("floe-iceberg-alter")).start()
    s.query("CREATE EXTERNAL CATALOG ice PROPERTIES ('type' = 'iceberg', "
            f"'iceberg.catalog.type' = 'hadoop', 'iceberg.catalog.warehouse' = '{warehouse}')")
    s.query("CREATE DATABASE ice.db")
    yield s
    s.stop()


def metadata_path(warehouse, table, db="db"):
    files = glob.glob(os.path.join(warehouse, db, table, "metadata", "v*.metadata.json"))
    return max(files, key=lambda p: int(re.search(r"/v(\d+)\.metadata\.json$", p).group(1)))


def metadata(warehouse, table, db="db"):
    with open(metadata_path(warehouse, table, db)) as f:
        return json.load(f)


def current_schema(m):
    return next(s for s in m["schemas"] if s["schema-id"] == m["current-schema-id"])


def default_spec(m):
    return next(s for s in m["partition-specs"] if s["spec-id"] == m["default-spec-id"])


def check_spec(warehouse, table, db="db", check_data=HAVE_DUCKDB, allowed=None):
    problems = isc.check_table(metadata_path(warehouse, table, db), check_data=check_data)
    assert [p for p in problems if not (allowed and re.search(allowed, p))] == []


def error(floe, sql):
    with pytest.raises(pymysql.err.MySQLError) as e:
        floe.query(sql)
    return e.value.args[0], e.value.args[1]


def test_add_columns(floe, warehouse):
    floe.query("CREATE TABLE ice.db.t_add (id INT, name STRING)")
    floe.query("INSERT INTO ice.db.t_add VALUES (1, 'a'), (2, 'b')")
    before = metadata(warehouse, "t_add")
    assert before["last-column-id"] == 2 and before["current-schema-id"] == 0
    versions = len(glob.glob(os.path.join(warehouse, "db", "t_add", "metadata", "v*.metadata.json")))
    data_files = sorted(glob.glob(os.path.join(warehouse, "db", "t_add", "data", "**", "*.parquet"), recursive=True))

    floe.query("ALTER TABLE ice.db.t_add ADD COLUMN score DOUBLE COMMENT 'points'")
    m = metadata(warehouse, "t_add")
    assert len(glob.glob(os.path.join(warehouse, "db", "t_add", "metadata", "v*.metadata.json"))) == versions + 1
    assert m["current-schema-id"] == 1 and m["last-column-id"] == 3
    score = current_schema(m)["fields"][2]
    assert score == {"id": 3, "name": "score", "required": False, "type": "double", "doc": "points"}
    # Nothing was rewritten: the same data files, the same snapshot.
    assert m["current-snapshot-id"] == before["current-snapshot-id"]
    assert sorted(glob.glob(os.path.join(warehouse, "db", "t_add", "data", "**", "*.parquet"),
                            recursive=True)) == data_files

    floe.query("ALTER TABLE ice.db.t_add ADD COLUMN (c1 BIGINT, c2 VARCHAR(10))")
    floe.query("ALTER TABLE ice.db.t_add ADD COLUMN first_col INT FIRST")
    floe.query("ALTER TABLE ice.db.t_add ADD COLUMN after_id DATE AFTER id")
    m = metadata(warehouse, "t_add")
    assert m["current-schema-id"] == 4 and m["last-column-id"] == 7
    assert [(f["id"], f["name"]) for f in current_schema(m)["fields"]] == [
        (6, "first_col"), (1, "id"), (7, "after_id"), (2, "name"), (3, "score"), (4, "c1"), (5, "c2")]
    assert [(r[0], r[1]) for r in floe.query("DESC ice.db.t_add")] == [
        ("first_col", "int"), ("id", "int"), ("after_id", "date"), ("name", "varchar"), ("score", "double"),
        ("c1", "bigint"), ("c2", "varchar")]

    floe.query("INSERT INTO ice.db.t_add VALUES (9, 3, '2024-05-01', 'c', 1.5, 10, 'x')")
    assert floe.query("SELECT * FROM ice.db.t_add ORDER BY id") == (
        (None, 1, None, "a", None, None, None),
        (None, 2, None, "b", None, None, None),
        (9, 3, __import__("datetime").date(2024, 5, 1), "c", 1.5, 10, "x"))
    assert floe.query("SELECT count(*) FROM ice.db.t_add WHERE c1 IS NULL") == ((2,),)

    # Errors: a duplicate name (also within the list), NOT NULL without a default, AFTER an unknown column.
    code, message = error(floe, "ALTER TABLE ice.db.t_add ADD COLUMN NAME INT")
    assert "Duplicate column name 'NAME'" in message
    code, message = error(floe, "ALTER TABLE ice.db.t_add ADD COLUMN (n1 INT, n1 INT)")
    assert "Duplicate column name 'n1'" in message
    code, message = error(floe, "ALTER TABLE ice.db.t_add ADD COLUMN req INT NOT NULL")
    assert "required column 'req'" in message
    code, message = error(floe, "ALTER TABLE ice.db.t_add ADD COLUMN dflt INT DEFAULT '5'")
    assert "format version 3" in message
    code, _ = error(floe, "ALTER TABLE ice.db.t_add ADD COLUMN z INT AFTER nope")
    assert code == 1054
    assert metadata(warehouse, "t_add")["current-schema-id"] == 4  # failed changes wrote nothing
    check_spec(warehouse, "t_add")


def test_rename_and_drop_columns(floe, warehouse):
    floe.query("CREATE TABLE ice.db.t_ren (id INT, name STRING, extra DOUBLE)")
    floe.query("INSERT INTO ice.db.t_ren VALUES (1, 'a', 0.5), (2, 'b', 1.5)")
    floe.query("ALTER TABLE ice.db.t_ren RENAME COLUMN name TO full_name")
    m = metadata(warehouse, "t_ren")
    assert [(f["id"], f["name"]) for f in current_schema(m)["fields"]] == [(1, "id"), (2, "full_name"), (3, "extra")]
    assert floe.query("SELECT full_name FROM ice.db.t_ren ORDER BY id") == (("a",), ("b",))
    code, _ = error(floe, "SELECT name FROM ice.db.t_ren")
    assert code == 1054

    floe.query("ALTER TABLE ice.db.t_ren DROP COLUMN extra")
    floe.query("INSERT INTO ice.db.t_ren VALUES (3, 'c')")
    assert floe.query("SELECT * FROM ice.db.t_ren ORDER BY id") == ((1, "a"), (2, "b"), (3, "c"))
    # Re-added: a new id, so the old files do not supply it.
    floe.query("ALTER TABLE ice.db.t_ren ADD COLUMN extra DOUBLE")
    m = metadata(warehouse, "t_ren")
    assert current_schema(m)["fields"][-1]["id"] == 4 and m["last-column-id"] == 4
    assert floe.query("SELECT id, extra FROM ice.db.t_ren ORDER BY id") == ((1, None), (2, None), (3, None))
    # Renaming back to an older name and case changes.
    floe.query("ALTER TABLE ice.db.t_ren RENAME COLUMN full_name TO Full_Name")
    assert [r[0] for r in floe.query("DESC ice.db.t_ren")] == ["id", "Full_Name", "extra"]

    code, _ = error(floe, "ALTER TABLE ice.db.t_ren RENAME COLUMN nope TO other")
    assert code == 1054
    code, message = error(floe, "ALTER TABLE ice.db.t_ren RENAME COLUMN id TO extra")
    assert "Duplicate column name 'extra'" in message
    code, _ = error(floe, "ALTER TABLE ice.db.t_ren DROP COLUMN nope")
    assert code == 1054
    check_spec(warehouse, "t_ren")


def test_modify_column(floe, warehouse):
    floe.query("CREATE TABLE ice.db.t_mod (i INT, f FLOAT, d DECIMAL(10, 2), s STRING, dt DATE)")
    floe.query("INSERT INTO ice.db.t_mod VALUES (2147483647, 1.5, 12345678.91, 'x', '2024-01-02')")
    floe.query("ALTER TABLE ice.db.t_mod MODIFY COLUMN i BIGINT")
    floe.query("ALTER TABLE ice.db.t_mod MODIFY COLUMN f DOUBLE")
    floe.query("ALTER TABLE ice.db.t_mod MODIFY COLUMN d DECIMAL(20, 2) COMMENT 'money'")
    m = metadata(warehouse, "t_mod")
    types = {f["name"]: f["type"] for f in current_schema(m)["fields"]}
    assert types["i"] == "long" and types["f"] == "double" and re.sub(" ", "", types["d"]) == "decimal(20,2)"
    assert current_schema(m)["fields"][2]["doc"] == "money"
    assert m["last-column-id"] == 5
    floe.query("INSERT INTO ice.db.t_mod VALUES (9000000000, 2.25, 123456789012345678.01, 'y', '2024-01-03')")
    rows = floe.query("SELECT i, f, CAST(d AS STRING) FROM ice.db.t_mod ORDER BY i")
    assert rows == ((2147483647, 1.5, "12345678.91"), (9000000000, 2.25, "123456789012345678.01"))
    assert floe.query("SELECT max(i), min(i) FROM ice.db.t_mod") == ((9000000000, 2147483647),)

    for sql, text in [("MODIFY COLUMN i INT", "from long to int"),
                      ("MODIFY COLUMN s INT", "from string to int"),
                      ("MODIFY COLUMN d DECIMAL(22, 3)", "decimal(20,2) to decimal(22,3)"),
                      ("MODIFY COLUMN dt DATETIME", "from date to timestamp"),
                      ("MODIFY COLUMN s STRING NOT NULL", "NOT NULL")]:
        _, message = error(floe, f"ALTER TABLE ice.db.t_mod {sql}")
        assert text in message, (sql, message)
    code, _ = error(floe, "ALTER TABLE ice.db.t_mod MODIFY COLUMN nope BIGINT")
    assert code == 1054
    # FIRST / AFTER move a column without changing it.
    floe.query("ALTER TABLE ice.db.t_mod MODIFY COLUMN s STRING FIRST")
    assert [r[0] for r in floe.query("DESC ice.db.t_mod")] == ["s", "i", "f", "d", "dt"]
    assert floe.query("SELECT s, i FROM ice.db.t_mod ORDER BY i") == (("x", 2147483647), ("y", 9000000000))
    # The checker decodes the old file's int bounds with the promoted long type (the spec keeps the
    # write-time type), so its data-file pass is skipped here.
    check_spec(warehouse, "t_mod", check_data=False)


def test_partition_evolution(floe, warehouse):
    floe.query("CREATE TABLE ice.db.t_part (id INT, ts DATETIME, cat STRING) PARTITION BY (cat)")
    floe.query("INSERT INTO ice.db.t_part VALUES (1, '2024-01-01 10:00:00', 'a'), (2, '2024-01-02 11:00:00', 'b')")
    floe.query("ALTER TABLE ice.db.t_part ADD PARTITION COLUMN day(ts), bucket(id, 4)")
    m = metadata(warehouse, "t_part")
    assert m["default-spec-id"] == 1 and m["last-partition-id"] == 1002
    assert [(f["name"], f["transform"], f["source-id"], f["field-id"]) for f in default_spec(m)["fields"]] == [
        ("cat", "identity", 3, 1000), ("ts_day", "day", 2, 1001), ("id_bucket_4", "bucket[4]", 1, 1002)]
    floe.query("INSERT INTO ice.db.t_part VALUES (3, '2024-01-03 12:00:00', 'a')")
    # Spark's spelling, with a name.
    floe.query("ALTER TABLE ice.db.t_part DROP PARTITION FIELD cat")
    m = metadata(warehouse, "t_part")
    assert m["default-spec-id"] == 2 and m["last-partition-id"] == 1002
    assert [f["name"] for f in default_spec(m)["fields"]] == ["ts_day", "id_bucket_4"]
    floe.query("INSERT INTO ice.db.t_part VALUES (4, '2024-01-04 13:00:00', 'c')")
    assert floe.query("SELECT * FROM ice.db.t_part ORDER BY id") == (
        (1, __import__("datetime").datetime(2024, 1, 1, 10), "a"),
        (2, __import__("datetime").datetime(2024, 1, 2, 11), "b"),
        (3, __import__("datetime").datetime(2024, 1, 3, 12), "a"),
        (4, __import__("datetime").datetime(2024, 1, 4, 13), "c"))
    assert floe.query("SELECT id FROM ice.db.t_part WHERE cat = 'a' ORDER BY id") == ((1,), (3,))
    assert floe.query("SELECT id FROM ice.db.t_part WHERE ts >= '2024-01-03' ORDER BY id") == ((3,), (4,))
    # Re-adding a field an older spec had gives it its old id (v2).
    floe.query("ALTER TABLE ice.db.t_part ADD PARTITION FIELD cat")
    m = metadata(warehouse, "t_part")
    assert [(f["name"], f["field-id"]) for f in default_spec(m)["fields"]][-1] == ("cat", 1000)
    assert m["last-partition-id"] == 1002
    # Errors.
    _, message = error(floe, "ALTER TABLE ice.db.t_part DROP COLUMN ts")
    assert "partition field 'ts_day'" in message
    _, message = error(floe, "ALTER TABLE ice.db.t_part ADD PARTITION COLUMN hour(ts)")
    assert "redundant" in message
    _, message = error(floe, "ALTER TABLE ice.db.t_part ADD PARTITION COLUMN bucket(id, 4)")
    assert "already partitioned" in message
    _, message = error(floe, "ALTER TABLE ice.db.t_part DROP PARTITION COLUMN month(ts)")
    assert "not partitioned by month(ts)" in message
    code, _ = error(floe, "ALTER TABLE ice.db.t_part ADD PARTITION COLUMN day(nope)")
    assert code == 1054
    check_spec(warehouse, "t_part")


def test_partition_evolution_v1_void(floe, warehouse):
    floe.query("CREATE TABLE ice.db.t_v1 (id INT, cat STRING) PARTITION BY (cat) "
               "PROPERTIES ('format-version' = '1')")
    floe.query("INSERT INTO ice.db.t_v1 VALUES (1, 'a')")
    floe.query("ALTER TABLE ice.db.t_v1 DROP PARTITION COLUMN cat")
    m = metadata(warehouse, "t_v1")
    assert m["format-version"] == 1
    assert [(f["name"], f["transform"], f["field-id"]) for f in default_spec(m)["fields"]] == [
        ("cat", "void", 1000)]
    floe.query("ALTER TABLE ice.db.t_v1 ADD PARTITION COLUMN cat")
    m = metadata(warehouse, "t_v1")
    assert [(f["name"], f["transform"], f["field-id"]) for f in default_spec(m)["fields"]] == [
        ("cat_1000", "void", 1000), ("cat", "identity", 1001)]
    floe.query("INSERT INTO ice.db.t_v1 VALUES (2, 'b')")
    assert floe.query("SELECT * FROM ice.db.t_v1 ORDER BY id") == ((1, "a"), (2, "b"))
    # Upgrade to v2, then to v3; never back.
    floe.query("ALTER TABLE ice.db.t_v1 SET ('format-version' = '2')")
    assert metadata(warehouse, "t_v1")["format-version"] == 2
    floe.query("INSERT INTO ice.db.t_v1 VALUES (3, 'c')")
    floe.query("ALTER TABLE ice.db.t_v1 SET ('format-version' = '3')")
    m = metadata(warehouse, "t_v1")
    assert m["format-version"] == 3 and m["next-row-id"] >= 0
    floe.query("INSERT INTO ice.db.t_v1 VALUES (4, 'd')")
    assert floe.query("SELECT * FROM ice.db.t_v1 ORDER BY id") == ((1, "a"), (2, "b"), (3, "c"), (4, "d"))
    _, message = error(floe, "ALTER TABLE ice.db.t_v1 SET ('format-version' = '2')")
    assert "downgrade" in message
    # v1 removes a partition field by making it void under the same field id (spec "Partition
    # Evolution"; Java's BaseUpdatePartitionSpec), which the checker takes for a reused id.
    check_spec(warehouse, "t_v1", allowed=r"partition field id 1000 reused for a different field \(spec 0 and 1\)")


def test_v3_defaults_and_date_promotion(floe, warehouse):
    floe.query("CREATE TABLE ice.db.t_v3 (id INT, d DATE) PROPERTIES ('format-version' = '3')")
    floe.query("INSERT INTO ice.db.t_v3 VALUES (1, '2024-02-03')")
    floe.query("ALTER TABLE ice.db.t_v3 ADD COLUMN flag INT NOT NULL DEFAULT '7'")
    floe.query("ALTER TABLE ice.db.t_v3 ADD COLUMN label STRING DEFAULT 'none'")
    m = metadata(warehouse, "t_v3")
    flag = current_schema(m)["fields"][2]
    assert flag["required"] and flag["initial-default"] == 7 and flag["write-default"] == 7
    assert current_schema(m)["fields"][3]["initial-default"] == "none"
    floe.query("ALTER TABLE ice.db.t_v3 MODIFY COLUMN d DATETIME")
    assert current_schema(metadata(warehouse, "t_v3"))["fields"][1]["type"] == "timestamp"
    assert floe.query("SELECT id, d, flag, label FROM ice.db.t_v3") == (
        (1, __import__("datetime").datetime(2024, 2, 3), 7, "none"),)
    check_spec(warehouse, "t_v3")


def test_properties(floe, warehouse):
    floe.query("CREATE TABLE ice.db.t_prop (id INT)")
    floe.query("ALTER TABLE ice.db.t_prop SET (\"owner\" = \"me\", \"compression_codec\" = \"snappy\")")
    m = metadata(warehouse, "t_prop")
    assert m["properties"]["owner"] == "me" and m["properties"]["write.parquet.compression-codec"] == "snappy"
    files = len(glob.glob(os.path.join(warehouse, "db", "t_prop", "metadata", "v*.metadata.json")))
    floe.query("ALTER TABLE ice.db.t_prop SET ('owner' = 'me')")  # no change, no version
    assert len(glob.glob(os.path.join(warehouse, "db", "t_prop", "metadata", "v*.metadata.json"))) == files
    _, message = error(floe, "ALTER TABLE ice.db.t_prop SET ('current-snapshot-id' = '1')")
    assert "reserved" in message
    _, message = error(floe, "ALTER TABLE ice.db.t_prop SET ('format-version' = '4')")
    assert "format-version" in message
    check_spec(warehouse, "t_prop")


def test_branches_tags_and_rollback(floe, warehouse):
    floe.query("CREATE TABLE ice.db.t_refs (id INT)")
    floe.query("INSERT INTO ice.db.t_refs VALUES (1)")
    first = metadata(warehouse, "t_refs")["current-snapshot-id"]
    floe.query("INSERT INTO ice.db.t_refs VALUES (2)")
    second = metadata(warehouse, "t_refs")["current-snapshot-id"]
    floe.query(f"ALTER TABLE ice.db.t_refs CREATE TAG `v1` AS OF VERSION {first} RETAIN 7 DAYS")
    floe.query("ALTER TABLE ice.db.t_refs CREATE BRANCH b1 WITH SNAPSHOT RETENTION 2 SNAPSHOTS 3 HOURS")
    refs = metadata(warehouse, "t_refs")["refs"]
    assert refs["v1"] == {"snapshot-id": first, "type": "tag", "max-ref-age-ms": 7 * 86400000}
    assert refs["b1"] == {"snapshot-id": second, "type": "branch", "min-snapshots-to-keep": 2,
                          "max-snapshot-age-ms": 3 * 3600000}
    assert floe.query("SELECT count(*) FROM ice.db.t_refs FOR VERSION AS OF 'v1'") == ((1,),)
    assert floe.query("SELECT count(*) FROM ice.db.t_refs FOR VERSION AS OF 'b1'") == ((2,),)
    _, message = error(floe, "ALTER TABLE ice.db.t_refs CREATE TAG v1")
    assert "already has a tag" in message
    floe.query("ALTER TABLE ice.db.t_refs CREATE TAG IF NOT EXISTS v1")
    floe.query("ALTER TABLE ice.db.t_refs CREATE OR REPLACE TAG v1")
    assert metadata(warehouse, "t_refs")["refs"]["v1"]["snapshot-id"] == second
    _, message = error(floe, "ALTER TABLE ice.db.t_refs DROP BRANCH v1")
    assert "is a tag" in message
    floe.query("ALTER TABLE ice.db.t_refs DROP TAG v1")
    floe.query("ALTER TABLE ice.db.t_refs DROP TAG IF EXISTS v1")
    _, message = error(floe, "ALTER TABLE ice.db.t_refs DROP TAG v1")
    assert "no tag named 'v1'" in message
    _, message = error(floe, "ALTER TABLE ice.db.t_refs DROP BRANCH main")
    assert "main branch" in message

    floe.query(f"ALTER TABLE ice.db.t_refs EXECUTE rollback_to_snapshot({first})")
    m = metadata(warehouse, "t_refs")
    assert m["current-snapshot-id"] == first and m["refs"]["main"]["snapshot-id"] == first
    assert m["snapshot-log"][-1]["snapshot-id"] == first
    assert floe.query("SELECT * FROM ice.db.t_refs") == ((1,),)
    _, message = error(floe, f"ALTER TABLE ice.db.t_refs EXECUTE rollback_to_snapshot({second})")
    assert "not an ancestor" in message
    # fast_forward main to the branch that kept the second snapshot.
    floe.query("ALTER TABLE ice.db.t_refs EXECUTE fast_forward('main', 'b1')")
    assert floe.query("SELECT * FROM ice.db.t_refs ORDER BY id") == ((1,), (2,))
    floe.query("INSERT INTO ice.db.t_refs VALUES (3)")
    assert floe.query("SELECT count(*) FROM ice.db.t_refs") == ((3,),)
    _, message = error(floe, "ALTER TABLE ice.db.t_refs EXECUTE no_such_procedure()")
    assert "rollback_to_snapshot" in message
    # Expiry (issue 23) keeps branch heads: nothing older than 2020 goes.
    floe.query("ALTER TABLE ice.db.t_refs EXECUTE expire_snapshots('2020-01-01 00:00:00')")
    assert floe.query("SELECT count(*) FROM ice.db.t_refs") == ((3,),)
    check_spec(warehouse, "t_refs")


def test_current_catalog_and_privileges(floe, warehouse):
    conn = floe.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SET CATALOG ice")
            cur.execute("USE db")
            cur.execute("CREATE TABLE t_cur (id INT)")
            cur.execute("ALTER TABLE t_cur ADD COLUMN v STRING")
            cur.execute("DESC t_cur")
            assert [r[0] for r in cur.fetchall()] == ["id", "v"]
    finally:
        conn.close()
    floe.query("CREATE USER IF NOT EXISTS alter_reader IDENTIFIED BY 'pw'")
    floe.query("GRANT USAGE ON CATALOG ice TO USER alter_reader")
    with pytest.raises(pymysql.err.MySQLError):
        floe.query("ALTER TABLE ice.db.t_cur ADD COLUMN w INT", user="alter_reader", password="pw")
    assert [r[0] for r in floe.query("DESC ice.db.t_cur")] == ["id", "v"]


def test_unknown_table(floe):
    code, _ = error(floe, "ALTER TABLE ice.db.nope ADD COLUMN x INT")
    assert code in (1146, 1049)


def test_jdbc_sqlite_catalog(floe, tmp_path):
    db = tmp_path / "catalog.db"
    lake = tmp_path / "lake"
    lake.mkdir()
    import sqlite3
    conn = sqlite3.connect(db)  # Iceberg Java's JdbcCatalog tables
    conn.execute("CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) "
                 "NOT NULL, table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000), "
                 "previous_metadata_location VARCHAR(1000), PRIMARY KEY (catalog_name, table_namespace, table_name))")
    conn.execute("CREATE TABLE iceberg_namespace_properties (catalog_name VARCHAR(255) NOT NULL, namespace "
                 "VARCHAR(255) NOT NULL, property_key VARCHAR(255), property_value VARCHAR(1000), "
                 "PRIMARY KEY (catalog_name, namespace, property_key))")
    conn.commit()
    conn.close()
    floe.query("CREATE EXTERNAL CATALOG lite_alter PROPERTIES ('type' = 'iceberg', 'iceberg.catalog.type' = 'jdbc', "
               f"'iceberg.catalog.uri' = 'jdbc:sqlite:{db}', 'iceberg.catalog.warehouse' = '{lake}')")
    floe.query("CREATE DATABASE lite_alter.s")
    floe.query("CREATE TABLE lite_alter.s.t (id INT, name STRING) PARTITION BY (name)")
    floe.query("INSERT INTO lite_alter.s.t VALUES (1, 'a')")
    floe.query("ALTER TABLE lite_alter.s.t ADD COLUMN price DECIMAL(9, 2)")
    floe.query("ALTER TABLE lite_alter.s.t RENAME COLUMN name TO label")
    floe.query("ALTER TABLE lite_alter.s.t MODIFY COLUMN id BIGINT")
    floe.query("ALTER TABLE lite_alter.s.t ADD PARTITION COLUMN bucket(id, 8)")
    floe.query("INSERT INTO lite_alter.s.t VALUES (2, 'b', 3.25)")
    rows = floe.query("SELECT id, label, CAST(price AS STRING) FROM lite_alter.s.t ORDER BY id")
    assert rows == ((1, "a", None), (2, "b", "3.25"))
    assert [(r[0], r[1]) for r in floe.query("DESC lite_alter.s.t")] == [
        ("id", "bigint"), ("label", "varchar"), ("price", "decimal(9,2)")]
    conn = sqlite3.connect(db)
    (location,) = conn.execute("SELECT metadata_location FROM iceberg_tables WHERE table_name = 't'").fetchone()
    conn.close()
    with open(location) as f:
        m = json.load(f)
    assert m["current-schema-id"] == 3 and m["default-spec-id"] == 1 and m["last-partition-id"] == 1001
    assert isc.check_table(location, check_data=False) == []  # promoted bounds: see test_modify_column
