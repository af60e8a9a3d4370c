"""Page skipping by the Parquet page index: a filter's column index rules pages out, and the rows
they hold are skipped in every column without being decompressed or decoded. Results must be
those of a full read: checked against DuckDB's read_parquet on the same files, for a file Floe
writes (sorted, many pages) and for parquet-testing's alltypes_tiny_pages (pages of a few rows,
written by another engine)."""
import glob
import os

import pytest

from duckdb_peer import duckdb_sql, requires_duckdb

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.realpath(os.path.join(HERE, "..", "..", "..", "shared", "fixtures", "parquet", "data"))
pytestmark = requires_duckdb



def plan(server, sql):
    return "\n".join(r[0] for r in server.query("EXPLAIN ANALYZE " + sql))


def test_floe_file_pages_are_skipped(server, tmp_path):
    path = str(tmp_path) + "/sorted"
    server.query(f"INSERT INTO FILES(\"path\" = \"{path}\", \"format\" = \"parquet\", \"single\" = \"true\") "
                 f"SELECT number AS id, number % 7 AS k, concat('name-', lpad(CAST(number AS VARCHAR), 8, '0')) AS s, "
                 f"CASE WHEN number % 3 = 0 THEN NULL ELSE number END AS n FROM numbers(1500000)")
    files = f"FILES(\"path\" = \"{path}*.parquet\", \"format\" = \"parquet\")"
    peer = f"read_parquet('{path}*.parquet')"
    cases = [
        ("id BETWEEN 700000 AND 700100", "id BETWEEN 700000 AND 700100"),
        ("id < 5 OR id > 1499990", "id < 5 OR id > 1499990"),
        ("s >= 'name-01400000'", "s >= 'name-01400000'"),
        ("id = 1234567 AND k = 1", "id = 1234567 AND k = 1"),
        ("n > 1499000", "n > 1499000"),
    ]
    for floe_where, duck_where in cases:
        got = server.query(f"SELECT count(*), sum(k), min(s), sum(n) FROM {files} WHERE {floe_where}")[0]
        want = duckdb_sql(f"SELECT count(*)::VARCHAR AS c, sum(k)::VARCHAR AS sk, min(s) AS ms, sum(n)::VARCHAR AS sn "
                          f"FROM {peer} WHERE {duck_where}")[0]
        assert [str(got[0]), str(got[1]) if got[1] is not None else None, got[2],
                str(got[3]) if got[3] is not None else None] == [want["c"], want["sk"], want["ms"], want["sn"]], \
            floe_where
    text = plan(server, f"SELECT count(*) FROM {files} WHERE id BETWEEN 700000 AND 700100")
    assert "skipped by the page index" in text, text


def test_tiny_pages_of_another_engine(server):
    path = os.path.join(FIXTURES, "alltypes_tiny_pages.parquet")
    if not os.path.exists(path):
        pytest.skip("parquet-testing fixtures are not present")
    files = f"FILES(\"path\" = \"{path}\", \"format\" = \"parquet\")"
    peer = f"read_parquet('{path}')"
    for where in ["id BETWEEN 3000 AND 3100", "int_col = 5", "bigint_col > 80", "string_col = '3'",
                  "id < 10 OR id > 7290", "timestamp_col >= TIMESTAMP '2010-12-31 00:00:00'"]:
        got = server.query(f"SELECT count(*), sum(id) FROM {files} WHERE {where}")[0]
        want = duckdb_sql(f"SELECT count(*)::VARCHAR AS c, sum(id)::VARCHAR AS s FROM {peer} WHERE {where}")[0]
        assert (str(got[0]), str(got[1]) if got[1] is not None else None) == (want["c"], want["s"]), where
    text = plan(server, f"SELECT count(*) FROM {files} WHERE id BETWEEN 3000 AND 3100")
    assert "skipped by the page index" in text, text


def test_bloom_filters_of_duckdb_files(server, tmp_path):
    """DuckDB writes a bloom filter for dictionary-encoded chunks. Row group g holds the values
    congruent to g mod 3, so every group's min/max covers a constant and only the bloom filters
    can tell the groups apart."""
    path = str(tmp_path) + "/bloom.parquet"
    # DuckDB cuts row groups at multiples of its 2048-row vectors: 102400 rows each here.
    duckdb_sql(f"COPY (SELECT i AS id, (3 * ((i % 102400) % 400) + i // 102400)::INTEGER AS k, "
               f"'s' || (3 * ((i % 102400) % 400) + i // 102400) AS s FROM range(307200) t(i) ORDER BY i) "
               f"TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 102400)")
    files = f"FILES(\"path\" = \"{path}\", \"format\" = \"parquet\")"
    for where in ["k = 16", "k = 602", "s = 's16'", "s = 's17'", "k = 5000", "k = 16 OR k = 17"]:
        got = server.query(f"SELECT count(*), sum(id) FROM {files} WHERE {where}")[0]
        want = duckdb_sql(f"SELECT count(*)::VARCHAR AS c, sum(id)::VARCHAR AS s FROM read_parquet('{path}') "
                          f"WHERE {where}")[0]
        assert (str(got[0]), str(got[1]) if got[1] is not None else None) == (want["c"], want["s"]), where
    text = plan(server, f"SELECT count(*) FROM {files} WHERE k = 16")
    assert "row groups 1 read, 2 skipped" in text and "2 row groups ruled out by bloom filters" in text, text
    text = plan(server, f"SELECT count(*) FROM {files} WHERE s = 's17'")
    assert "2 row groups ruled out by bloom filters" in text, text


def test_floe_writes_bloom_filters_duckdb_can_probe(server, tmp_path):
    """parquet.bloom_filter_columns: Floe writes a split block bloom filter per chunk; DuckDB's
    parquet_bloom_probe reads it (a value absent from a row group is excluded, a present one
    never is) and Floe's own scans skip row groups by it."""
    path = str(tmp_path) + "/floe_bloom"
    server.query(f"INSERT INTO FILES(\"path\" = \"{path}\", \"format\" = \"parquet\", \"single\" = \"true\", "
                 f"\"parquet.bloom_filter_columns\" = \"k, s\") "
                 f"SELECT number AS id, CAST(3 * (number % 400) + number DIV 1048576 AS INT) AS k, "
                 f"concat('s', 3 * (number % 400) + number DIV 1048576) AS s FROM numbers(3145728)")
    files = glob.glob(path + "*.parquet")
    assert len(files) == 1
    probe = duckdb_sql(f"SELECT row_group_id, bloom_filter_excludes FROM parquet_bloom_probe('{files[0]}', 'k', 16) "
                       f"ORDER BY row_group_id")
    assert [r["bloom_filter_excludes"] for r in probe] == [True, False, True], probe
    probe = duckdb_sql(f"SELECT bloom_filter_excludes FROM parquet_bloom_probe('{files[0]}', 's', 's17') "
                       f"ORDER BY row_group_id")
    assert [r["bloom_filter_excludes"] for r in probe] == [True, True, False], probe
    src = f"FILES(\"path\" = \"{files[0]}\", \"format\" = \"parquet\")"
    text = plan(server, f"SELECT count(*) FROM {src} WHERE k = 16")
    assert "2 row groups ruled out by bloom filters" in text, text
    assert server.query(f"SELECT count(*) FROM {src} WHERE k = 16") == \
        server.query(f"SELECT count(*) FROM {src} WHERE k + 0 = 16")
