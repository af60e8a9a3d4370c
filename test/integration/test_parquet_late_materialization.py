"""Late materialization and dictionary-aware filtering in Parquet scans: the columns a filter
compares with constants are decoded first (a dictionary page compares its entries once), and the
other columns only for the rows that pass. Results must equal DuckDB's read_parquet on the same
DuckDB-written file (dictionary-encoded strings, NULLs, decimals, dates, several row groups)
whatever the share of rows that pass: none, a few, most or all."""
import pytest

from duckdb_peer import duckdb_sql, requires_duckdb

pytestmark = requires_duckdb



@pytest.fixture(scope="module")
def data_file(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("late") / "t.parquet")
    duckdb_sql(f"COPY (SELECT range AS id, "
               f"['MAIL', 'SHIP', 'AIR', 'RAIL', 'TRUCK'][range % 5 + 1] AS mode, "
               f"CASE WHEN range % 11 = 0 THEN NULL ELSE ['red', 'green', 'blue'][range % 3 + 1] END AS color, "
               f"(range % 1000 / 100)::DECIMAL(12, 2) AS price, "
               f"DATE '2020-01-01' + (range % 700)::INTEGER AS day, "
               f"CASE WHEN range % 7 = 0 THEN NULL ELSE range % 50 END AS q, "
               f"'comment-' || (range % 997)::VARCHAR AS note "
               f"FROM range(300000)) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 60000)")
    return path


CASES = [
    "mode = 'AIR'",                                  # a dictionary column, a fifth of the rows
    "mode = 'BOAT'",                                 # no dictionary entry matches: nothing decoded after
    "color = 'blue' AND mode = 'SHIP'",              # two dictionary columns, NULLs in one
    "id < 5",                                        # a few rows
    "id >= 100 AND id < 299990",                     # most rows
    "id >= 0",                                       # all rows
    "price > 9.50",                                  # decimals
    "day >= DATE '2021-06-01' AND q < 3",            # dates, an integer column with NULLs
    "q = 49",
    "note = 'comment-5' OR id = 7",                  # not a plain conjunction: left to the filter
]


@pytest.mark.parametrize("where", CASES)
def test_results_equal_duckdb(server, data_file, where):
    files = f"FILES(\"path\" = \"{data_file}\", \"format\" = \"parquet\")"
    got = server.query(f"SELECT count(*), sum(id), min(note), max(color), sum(price), count(q), max(day) "
                       f"FROM {files} WHERE {where}")[0]
    want = duckdb_sql(f"SELECT count(*)::VARCHAR AS c, sum(id)::VARCHAR AS s, min(note) AS n, max(color) AS co, "
                      f"sum(price)::VARCHAR AS p, count(q)::VARCHAR AS q, max(day)::VARCHAR AS d "
                      f"FROM read_parquet('{data_file}') WHERE {where}")[0]
    norm = lambda v: None if v is None else str(v)
    assert [norm(x) for x in got] == [want["c"], want["s"], want["n"], want["co"], want["p"], want["q"], want["d"]], \
        where


def test_rows_are_filtered_before_the_other_columns(server, data_file):
    files = f"FILES(\"path\" = \"{data_file}\", \"format\" = \"parquet\")"
    text = "\n".join(r[0] for r in server.query(f"EXPLAIN ANALYZE SELECT sum(id), min(note) FROM {files} "
                                                 f"WHERE mode = 'AIR'"))
    assert "240000 rows filtered while decoding" in text, text
    rows = server.query(f"SELECT id, mode, note FROM {files} WHERE mode = 'RAIL' AND id < 30 ORDER BY id")
    assert [tuple(r) for r in rows] == [(3, "RAIL", "comment-3"), (8, "RAIL", "comment-8"),
                                        (13, "RAIL", "comment-13"), (18, "RAIL", "comment-18"),
                                        (23, "RAIL", "comment-23"), (28, "RAIL", "comment-28")]
