"""INSERT INTO FILES(...) SELECT unloads to Parquet, CSV and JSON lines, optionally partitioned
into col=value directories (partition_by): Floe reads its files back through FILES(), and DuckDB
(the peer) reads the CSV and JSON the same way."""
import glob
import json
import os

import pytest

from duckdb_peer import HAVE_DUCKDB, duckdb_sql




@pytest.fixture(scope="module")
def db(server):
    server.query("CREATE DATABASE IF NOT EXISTS unl")
    server.query("CREATE TABLE unl.sales (id BIGINT NOT NULL, seller VARCHAR(20), store INT, day DATE, "
                 "amount DECIMAL(10, 2), note VARCHAR(40)) DUPLICATE KEY(id)")
    server.query("INSERT INTO unl.sales VALUES (1, 'Amy', 1, '2022-03-13', 8573.25, 'plain'), "
                 "(2, 'Bob', 2, '2022-03-14', 6948.99, 'has,comma'), (3, 'Amy', 1, '2022-03-14', 4319.01, NULL), "
                 "(4, 'Carl', 3, '2022-03-15', 8734.26, 'say \"hi\"'), (5, NULL, 2, '2022-03-16', 4212.69, 'x')")
    return server


def test_csv_round_trip(db, tmp_path):
    out = str(tmp_path) + "/csv/"
    r = db.query(f"INSERT INTO FILES(\"path\" = \"{out}\", \"format\" = \"csv\", \"csv.column_separator\" = \",\", "
                 f"\"csv.enclose\" = '\"') SELECT * FROM unl.sales ORDER BY id")
    files = glob.glob(out + "*.csv")
    assert len(files) == 1 and not glob.glob(out + "*.tmp")
    text = open(files[0]).read()
    assert '2,Bob,2,2022-03-14,6948.99,"has,comma"' in text and "\\N" in text, text
    back = db.query(f"SELECT $1, $2, $6 FROM FILES(\"path\" = \"{out}*.csv\", \"format\" = \"csv\", "
                    f"\"csv.column_separator\" = \",\", \"csv.enclose\" = '\"') ORDER BY $1")
    assert [tuple(r) for r in back] == [(1, "Amy", "plain"), (2, "Bob", "has,comma"), (3, "Amy", None),
                                        (4, "Carl", 'say "hi"'), (5, None, "x")]
    if HAVE_DUCKDB:
        rows = duckdb_sql(f"SELECT column0 AS id, column5 AS note FROM read_csv('{files[0]}', header=false, "
                          f"nullstr='\\N', quote='\"') ORDER BY 1")
        assert [r["note"] for r in rows] == ["plain", "has,comma", None, 'say "hi"', "x"]


def test_json_lines(db, tmp_path):
    out = str(tmp_path) + "/j/data"
    db.query(f"INSERT INTO FILES(\"path\" = \"{out}\", \"format\" = \"json\") "
             f"SELECT id, seller, amount, day, note IS NULL AS missing FROM unl.sales ORDER BY id")
    files = glob.glob(out + "*.json")
    assert len(files) == 1
    lines = [json.loads(l) for l in open(files[0])]
    assert lines[0] == {"id": 1, "seller": "Amy", "amount": 8573.25, "day": "2022-03-13", "missing": False}
    assert lines[4]["seller"] is None and lines[2]["missing"] is True
    back = db.query(f"SELECT count(*), sum(id) FROM FILES(\"path\" = \"{out}*.json\", \"format\" = \"json\")")
    assert tuple(back[0]) == (5, 15)
    if HAVE_DUCKDB:
        rows = duckdb_sql(f"SELECT round(sum(amount), 2)::VARCHAR AS s FROM read_json('{files[0]}')")
        assert rows[0]["s"] == "32788.2"


def test_partition_by_writes_hive_directories(db, tmp_path):
    out = str(tmp_path) + "/p/"
    r = db.query(f"INSERT INTO FILES(\"path\" = \"{out}\", \"format\" = \"parquet\", \"partition_by\" = \"seller\") "
                 f"SELECT * FROM unl.sales")
    dirs = sorted(os.path.basename(d) for d in glob.glob(out + "*"))
    assert dirs == ["seller=Amy", "seller=Bob", "seller=Carl", "seller=__HIVE_DEFAULT_PARTITION__"], dirs
    amy = db.query(f"SELECT id FROM FILES(\"path\" = \"{out}seller=Amy/*.parquet\", \"format\" = \"parquet\") "
                   f"ORDER BY id")
    assert [r[0] for r in amy] == [1, 3]
    # The partition column is in the path, not in the files.
    cols = db.query(f"SELECT * FROM FILES(\"path\" = \"{out}seller=Bob/*.parquet\", \"format\" = \"parquet\")")
    assert len(cols[0]) == 5
    if HAVE_DUCKDB:
        rows = duckdb_sql(f"SELECT seller, count(*) AS n FROM read_parquet('{out}*/*.parquet', hive_partitioning=true) "
                          f"GROUP BY seller ORDER BY seller")
        assert [(r["seller"], r["n"]) for r in rows][:3] == [("Amy", "2"), ("Bob", "1"), ("Carl", "1")]


def test_bad_unload_properties(db, tmp_path):
    import pymysql
    for props, message in [('"format" = "orc"', "not supported"),
                           ('"format" = "csv", "compression" = "zstd"', "uncompressed"),
                           ('"partition_by" = "nope"', "partition_by column 'nope'")]:
        with pytest.raises(pymysql.err.MySQLError) as e:
            db.query(f"INSERT INTO FILES(\"path\" = \"{tmp_path}/x/\", {props}) SELECT * FROM unl.sales")
        assert message in str(e.value), e.value
