"""Parquet round trips with DuckDB (npm @duckdb/node-api) as the peer, over the MySQL protocol:

- DuckDB writes a file with every type it maps to Floe's (signed and unsigned integers, floats,
  decimals on INT32/INT64/FLBA, dates, timestamps in ms/us/ns, strings, binary, lists, structs,
  maps, UUIDs) in each codec; Floe reads it with FILES() and every value matches.
- Floe writes every Floe type with INSERT INTO FILES(...) in each codec; DuckDB reads the files
  and every value matches what Floe's table holds.
"""
import datetime
import decimal
import glob
import json
import math
import os

import pymysql
import pymysql.constants
import pymysql.converters
import pytest

from duckdb_peer import duckdb, requires_duckdb


pytestmark = requires_duckdb



def converters():
    conv = dict(pymysql.converters.conversions)
    text = {pymysql.constants.FIELD_TYPE.VAR_STRING, pymysql.constants.FIELD_TYPE.STRING,
            pymysql.constants.FIELD_TYPE.VARCHAR, pymysql.constants.FIELD_TYPE.BLOB, pymysql.constants.FIELD_TYPE.JSON}
    for t, f in list(conv.items()):
        if isinstance(t, int) and t not in text and callable(f):
            conv[t] = (lambda f: lambda b: f(b.decode() if isinstance(b, bytes) else b))(f)
    conv[pymysql.constants.FIELD_TYPE.NEWDECIMAL] = lambda b: decimal.Decimal(b.decode())
    return conv


@pytest.fixture(scope="module")
def conn(server):
    c = server.connect(use_unicode=False, conv=converters(), read_timeout=120)
    yield c
    c.close()


def rows_of(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        names = [d[0].decode() if isinstance(d[0], bytes) else d[0] for d in cur.description]
        return names, [dict(zip(names, r)) for r in cur.fetchall()]


def duck_bytes(b):
    """Bytes as DuckDB renders a BLOB."""
    return "".join(chr(c) if 0x20 <= c < 0x7f and c != 0x5c else f"\\x{c:02X}" for c in b)


def as_text(v):
    if isinstance(v, bytes):
        try:
            return v.decode()
        except UnicodeDecodeError:
            return duck_bytes(v)
    return v


def same(expected, got, where):
    """`expected` is DuckDB's JSON rendering, `got` what Floe returned over the protocol."""
    if expected is None or got is None:
        assert expected is None and got is None, f"{where}: DuckDB {expected!r}, Floe {got!r}"
        return
    if isinstance(got, (datetime.datetime, datetime.date)):
        text = got.isoformat(" ") if isinstance(got, datetime.datetime) else got.isoformat()
        e = str(expected)
        if "." in e:  # nanoseconds: Floe keeps microseconds
            head, frac = e.split(".")
            e = head + "." + frac[:6].ljust(6, "0")
            if "." not in text:
                text += ".000000"
        assert text == e, f"{where}: DuckDB {expected!r}, Floe {got!r}"
        return
    if isinstance(got, decimal.Decimal):
        assert decimal.Decimal(str(expected)) == got, f"{where}: DuckDB {expected!r}, Floe {got!r}"
        return
    if isinstance(got, float) or isinstance(expected, float):
        e, g = float(expected), float(got)
        assert e == g or (math.isnan(e) and math.isnan(g)) or abs(e - g) <= 1e-6 * max(1.0, abs(e)), \
            f"{where}: DuckDB {expected!r}, Floe {got!r}"
        return
    if isinstance(expected, bool):
        assert int(expected) == int(got), f"{where}: DuckDB {expected!r}, Floe {got!r}"
        return
    if isinstance(got, int):
        assert int(expected) == got, f"{where}: DuckDB {expected!r}, Floe {got!r}"
        return
    got = as_text(got)
    if isinstance(expected, (list, dict)):
        parsed = json.loads(got)
        if isinstance(expected, list) and isinstance(parsed, dict):
            # DuckDB renders a MAP as [{"key": k, "value": v}]; Floe as a JSON object.
            expected = {str(kv["key"]): kv["value"] for kv in expected}
        assert parsed == expected, f"{where}: DuckDB {expected!r}, Floe {parsed!r}"
        return
    assert str(expected) == got, f"{where}: DuckDB {expected!r}, Floe {got!r}"


@pytest.mark.parametrize("codec", ["snappy", "zstd", "gzip", "uncompressed"])
def test_floe_reads_duckdb_files(conn, tmp_path, codec):
    path = str(tmp_path / f"duck_{codec}.parquet")
    expected = duckdb("write", path, codec)
    names, got = rows_of(conn, f'SELECT * FROM FILES("path" = "{path}", "format" = "parquet") ORDER BY id')
    assert names == list(expected["types"]), names
    assert len(got) == len(expected["rows"])
    for e, g in zip(expected["rows"], got):
        for name in names:
            same(e[name], g[name], f"{codec} id {e['id']} {name}")


FLOE_TABLE = """CREATE TABLE rt.all_types (
    id INT NOT NULL, b BOOLEAN, i8 TINYINT, i16 SMALLINT, i32 INT, i64 BIGINT, i128 LARGEINT, f32 FLOAT, f64 DOUBLE,
    d9 DECIMAL(9, 2), d18 DECIMAL(18, 4), d38 DECIMAL(38, 10), dt DATE, ts DATETIME, s VARCHAR(100), j JSON
) DUPLICATE KEY(id)"""


@pytest.mark.parametrize("codec", ["snappy", "zstd", "lz4", "gzip", "brotli", "uncompressed"])
def test_duckdb_reads_floe_files(server, conn, tmp_path, codec):
    server.query("CREATE DATABASE IF NOT EXISTS rt")
    if codec == "snappy":  # the table is shared by the codecs
        server.query("DROP TABLE IF EXISTS rt.all_types")
        server.query(FLOE_TABLE)
        server.query("""INSERT INTO rt.all_types VALUES
            (1, true, -8, 300, 70000, 9000000000, CAST('12345678901234567890123456789' AS LARGEINT), 1.5, 2.25,
             1234567.89, -12345678901234.5678, CAST('1234567890123456789012345678.0123456789' AS DECIMAL(38, 10)),
             '2024-02-29', '2024-02-29 12:34:56', 'héllo', '{"a": [1, 2]}'),
            (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
            (3, false, 127, -32768, -2147483648, -9223372036854775808, -1, 0, 1e300, -0.01, 0, -1, '1970-01-01',
             '1900-01-01 00:00:00', '', '[]')""")
        server.query("""INSERT INTO rt.all_types SELECT 100 + generate_series, generate_series % 2 = 0,
            generate_series % 100, generate_series % 30000, generate_series, generate_series * 1000003,
            generate_series, generate_series / 7, generate_series / 3, generate_series / 100, generate_series,
            generate_series, date_add('2020-01-01', generate_series % 1000), from_unixtime(1600000000 + generate_series),
            concat('v', generate_series % 37), NULL FROM generate_series(1, 20000)""")
    out = tmp_path / codec
    server.query(f'INSERT INTO FILES("path" = "{out}/", "format" = "parquet", "compression" = "{codec}") '
                 f'SELECT * FROM rt.all_types')
    files = os.listdir(out)
    assert len(files) == 1 and files[0].endswith(".parquet"), files
    peer = duckdb("read", f"{out}/*.parquet")
    types = peer["types"]
    assert types["i8"] == "TINYINT" and types["i16"] == "SMALLINT" and types["i64"] == "BIGINT", types
    assert types["d9"] == "DECIMAL(9,2)" and types["d38"] == "DECIMAL(38,10)" and types["i128"] == "DECIMAL(38,0)"
    assert types["dt"] == "DATE" and types["ts"] == "TIMESTAMP" and types["s"] == "VARCHAR", types
    names, floe = rows_of(conn, "SELECT * FROM rt.all_types ORDER BY id")
    assert len(peer["rows"]) == len(floe) == 20003
    for e, g in zip(peer["rows"], floe):
        for name in names:
            value = e[name]
            if name == "j" and isinstance(value, str) and g[name] is not None:
                value = json.loads(value)  # JSON text: compare as data
                assert value == json.loads(as_text(g[name])), f"{codec} id {e['id']} j"
                continue
            same(value, g[name], f"{codec} id {e['id']} {name}")


def test_export_errors(server, tmp_path):
    with pytest.raises(pymysql.MySQLError) as e:
        server.query('INSERT INTO FILES("format" = "parquet") SELECT 1')
    assert "path" in str(e.value)
    with pytest.raises(pymysql.MySQLError) as e:
        server.query(f'INSERT INTO FILES("path" = "{tmp_path}/x", "compression" = "lzo") SELECT 1')
    assert "compression 'lzo'" in str(e.value)
    with pytest.raises(pymysql.MySQLError) as e:
        server.query(f'INSERT INTO FILES("path" = "{tmp_path}/x", "format" = "orc") SELECT 1')
    assert "orc" in str(e.value)
    # A failing query leaves no file behind.
    with pytest.raises(pymysql.MySQLError):
        server.query(f'INSERT INTO FILES("path" = "{tmp_path}/y/") SELECT * FROM rt.no_such_table')
    assert not os.path.exists(tmp_path / "y") or os.listdir(tmp_path / "y") == []
    # Several files when the size limit is small, all readable together.
    server.query(f'INSERT INTO FILES("path" = "{tmp_path}/many/", "target_max_file_size" = "1") '
                 f'SELECT generate_series AS n FROM generate_series(1, 10000)')
    assert len(os.listdir(tmp_path / "many")) >= 1
    got = server.query(f'SELECT count(*), sum(n) FROM FILES("path" = "{tmp_path}/many/*.parquet")')
    assert [tuple(r) for r in got] == [(10000, 50005000)]


def test_row_groups_are_pruned_by_statistics(server, tmp_path):
    """DuckDB writes row groups of 8192 rows with statistics; a filter on the sorted id skips those
    that cannot match, and the answer is the same as without pruning."""
    path = str(tmp_path / "pruned.parquet")
    duckdb("write", path, "snappy")
    files = f'FILES("path" = "{path}", "format" = "parquet")'
    assert [tuple(r) for r in server.query(f"SELECT count(*), sum(id) FROM {files} WHERE id >= 19000")] == \
        [(1100, 21504450)]
    plan = "\n".join(r[0] for r in server.query(f"EXPLAIN ANALYZE SELECT count(*) FROM {files} WHERE id >= 19000"))
    assert "row groups 1 read, 2 skipped" in plan, plan
    # Strings and dates too; a value outside every row group reads nothing.
    plan = "\n".join(r[0] for r in server.query(f"EXPLAIN ANALYZE SELECT count(*) FROM {files} WHERE s = 'zzz'"))
    assert "row groups 0 read, 3 skipped" in plan, plan
    got = server.query(f"SELECT count(*) FROM {files} WHERE dt < '2020-01-03' AND s = 'v1'")
    want = duckdb("sql", f"SELECT count(*) AS n FROM read_parquet('{path}') WHERE dt < DATE '2020-01-03' AND s = 'v1'")
    assert got[0][0] == int(want["rows"][0]["n"])


def test_delta_encodings_written_and_read_by_duckdb(server, tmp_path):
    """Columns the dictionary gives up on (unique ids, times, strings) are written DELTA_BINARY_PACKED
    or DELTA_LENGTH_BYTE_ARRAY per page when that is smaller than plain; DuckDB reads them with
    the same values, and Floe reads them back."""
    path = str(tmp_path) + "/delta"
    server.query(f"INSERT INTO FILES(\"path\" = \"{path}\", \"format\" = \"parquet\", \"single\" = \"true\") "
                 f"SELECT number * 3 - 1000 AS id, CAST(number AS INT) AS small, "
                 f"CAST('2024-01-01 00:00:00' AS DATETIME) + INTERVAL number SECOND AS ts, "
                 f"concat('row-', number) AS s, CASE WHEN number % 10 = 0 THEN NULL ELSE number END AS n "
                 f"FROM numbers(300000)")
    f = glob.glob(path + "*.parquet")[0]
    enc = duckdb("sql", f"SELECT path_in_schema AS c, list_distinct(flatten(list(string_split(encodings, ', ')))) AS e "
                        f"FROM parquet_metadata('{f}') GROUP BY 1 ORDER BY 1")["rows"]
    by_column = {r["c"]: r["e"] for r in enc}
    assert "DELTA_BINARY_PACKED" in str(by_column["id"]), by_column
    assert "DELTA_BINARY_PACKED" in str(by_column["ts"]), by_column
    assert "DELTA_LENGTH_BYTE_ARRAY" in str(by_column["s"]), by_column
    want = duckdb("sql", f"SELECT sum(id)::VARCHAR AS a, sum(small)::VARCHAR AS b, max(ts)::VARCHAR AS c, "
                         f"max(s) AS d, sum(n)::VARCHAR AS e, count(n)::VARCHAR AS g FROM read_parquet('{f}')")["rows"][0]
    got = server.query(f"SELECT sum(id), sum(small), max(ts), max(s), sum(n), count(n) "
                       f"FROM FILES(\"path\" = \"{f}\", \"format\" = \"parquet\")")[0]
    assert [str(got[0]), str(got[1]), str(got[2]), got[3], str(got[4]), str(got[5])] == \
        [want["a"], want["b"], want["c"], want["d"], want["e"], want["g"]]
    assert str(got[0]) == str(sum(i * 3 - 1000 for i in range(300000)))
