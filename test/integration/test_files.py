"""FILES() over local CSV, JSON and Parquet files: schema inference, the csv.* / json properties,
globs and directories, loading a table with INSERT ... SELECT FROM FILES(), export and re-read,
and the errors a user meets (no such file, unknown property or format, a malformed row)."""
import os

import pymysql
import pytest


def rows(server, sql):
    return [tuple(r) for r in server.query(sql)]


def test_csv_inference_and_options(server, tmp_path):
    (tmp_path / "a.csv").write_text(
        "id,name,price,day,ts\n"
        "1,apple,1.5,2024-01-01,2024-01-01 10:00:00\n"
        "2,pear,\\N,2024-01-02,2024-01-02 11:00:00\n"
        '3,"fig, dried",3,2024-01-03,2024-01-03 12:00:00\n')
    files = (f'FILES("path" = "{tmp_path}/a.csv", "format" = "csv", "csv.column_separator" = ",", '
             f'"csv.skip_header" = "1", "csv.enclose" = \'"\')')
    conn = server.connect()
    with conn.cursor() as cur:
        cur.execute(f"SELECT * FROM {files} ORDER BY 1")
        names = [d[0] for d in cur.description]
        got = cur.fetchall()
    conn.close()
    assert names == ["$1", "$2", "$3", "$4", "$5"]
    assert [r[1] for r in got] == ["apple", "pear", "fig, dried"]
    assert got[1][2] is None and float(got[0][2]) == 1.5
    assert str(got[2][3]) == "2024-01-03" and str(got[2][4]) == "2024-01-03 12:00:00"
    assert rows(server, f"SELECT sum($1), max($4) FROM {files}")[0][0] == 6
    # Tab-separated by default (StarRocks' default separator), and globs over several files.
    (tmp_path / "t1.tsv").write_text("1\tx\n2\ty\n")
    (tmp_path / "t2.tsv").write_text("3\tz\n")
    assert rows(server, f'SELECT count(*), sum($1) FROM FILES("path" = "{tmp_path}/t*.tsv", "format" = "csv")') == \
        [(3, 6)]


def test_json_inference(server, tmp_path):
    (tmp_path / "b.json").write_text('{"id": 1, "name": "a", "tags": [1, 2], "ok": true, "v": 1}\n'
                                     '{"id": 2, "name": null, "ok": false, "v": 2.5}\n')
    got = rows(server, f'SELECT id, name, tags, ok, v FROM FILES("path" = "{tmp_path}/b.json") ORDER BY id')
    assert got[0][:4] == (1, "a", "[1,2]", 1) and float(got[1][4]) == 2.5 and got[1][1] is None
    (tmp_path / "c.json").write_text('{"data": [{"k": 1}, {"k": 2}, {"k": 3}]}')
    got = rows(server, f'SELECT sum(k) FROM FILES("path" = "{tmp_path}/c.json", "json_root" = "$.data", '
                       f'"strip_outer_array" = "true")')
    assert got == [(6,)]


def test_load_a_table_from_files(server, tmp_path):
    server.query("CREATE DATABASE IF NOT EXISTS fl")
    server.query("CREATE TABLE fl.events (id BIGINT NOT NULL, kind VARCHAR(10), amount DOUBLE) DUPLICATE KEY(id)")
    (tmp_path / "e.csv").write_text("".join(f"{i},k{i % 3},{i * 0.5}\n" for i in range(1000)))
    server.query(f'INSERT INTO fl.events SELECT $1, $2, $3 FROM FILES("path" = "{tmp_path}/e.csv", '
                 f'"format" = "csv", "csv.column_separator" = ",")')
    assert rows(server, "SELECT count(*), sum(id), count(DISTINCT kind) FROM fl.events") == [(1000, 499500, 3)]
    # Out to Parquet and back in: the same rows.
    server.query(f'INSERT INTO FILES("path" = "{tmp_path}/out/", "format" = "parquet") SELECT * FROM fl.events')
    server.query("CREATE TABLE fl.copy (id BIGINT NOT NULL, kind VARCHAR(10), amount DOUBLE) DUPLICATE KEY(id)")
    server.query(f'INSERT INTO fl.copy SELECT * FROM FILES("path" = "{tmp_path}/out/")')
    assert rows(server, "SELECT count(*), sum(id), sum(amount) FROM fl.copy") == \
        rows(server, "SELECT count(*), sum(id), sum(amount) FROM fl.events")


def test_errors_name_the_problem(server, tmp_path):
    cases = [
        (f'SELECT * FROM FILES("path" = "{tmp_path}/nothing.parquet")', "no files match"),
        (f'SELECT * FROM FILES("format" = "csv")', 'needs a "path"'),
        (f'SELECT * FROM FILES("path" = "{tmp_path}/x", "format" = "orc")', "'orc' is not supported"),
        (f'SELECT * FROM FILES("path" = "{tmp_path}/x", "colour" = "red")', 'property "colour"'),
        ('SELECT * FROM FILES("path" = "gs://bucket/x.parquet")', "gs:// scheme"),
    ]
    (tmp_path / "x").write_text("1,2\n")
    for sql, part in cases:
        with pytest.raises(pymysql.MySQLError) as e:
            server.query(sql)
        assert part in str(e.value), (sql, str(e.value))
    (tmp_path / "bad.csv").write_text("1,2\n3\n4,5\n")
    with pytest.raises(pymysql.MySQLError) as e:
        server.query(f'SELECT * FROM FILES("path" = "{tmp_path}/bad.csv", "csv.column_separator" = ",")')
    assert "bad.csv' line 2: column count mismatch" in str(e.value), str(e.value)
    (tmp_path / "garbage.parquet").write_bytes(b"PAR1 this is not a parquet file at all PAR1")
    with pytest.raises(pymysql.MySQLError) as e:
        server.query(f'SELECT * FROM FILES("path" = "{tmp_path}/garbage.parquet")')
    assert "garbage.parquet" in str(e.value)
    assert rows(server, "SELECT 1") == [(1,)]
