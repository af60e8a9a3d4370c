"""ARRAY columns end to end: written by INSERT and by Stream Load (CSV with an enclosing quote,
JSON arrays), read back over the MySQL protocol as StarRocks shows arrays ([1,2], ["a","b"]),
unnested, and still there after a kill -9 and restart; a bad array in a load is a filtered row
with a reason, not a crash."""
import json
import subprocess

from test_stream_load import stream_load


def rows(server, sql):
    return [tuple(r) for r in server.query(sql)]


def test_arrays_load_query_and_survive_restart(fresh_server):
    s = fresh_server
    s.query("CREATE DATABASE sl")
    s.query("CREATE TABLE sl.arr (id INT NOT NULL, tags ARRAY<VARCHAR(20)>, nums ARRAY<INT>) DUPLICATE KEY(id)")
    s.query("INSERT INTO sl.arr VALUES (1, ['a', 'b'], [1, 2, 3]), (2, [], NULL)")
    r = stream_load(s, "arr", '3|["x","y,z"]|[4, 5]\n4|[]|[null]\n', ["column_separator:|"])
    assert r["Status"] == "Success" and r["NumberLoadedRows"] == 2, r
    r = stream_load(s, "arr", '{"id": 5, "tags": ["j"], "nums": [7, 8]}\n', ["format:json"])
    assert r["Status"] == "Success" and r["NumberLoadedRows"] == 1, r
    # An element that is no INT: the row is filtered with a reason.
    r = stream_load(s, "arr", '6|["k"]|[1, "x"]\n7|["ok"]|[9]\n', ["column_separator:|", "max_filter_ratio:0.5",
                                                                   "strict_mode:true"])
    assert r["Status"] == "Success" and r["NumberLoadedRows"] == 1 and r["NumberFilteredRows"] == 1, r
    expected = [(1, '["a","b"]', "[1,2,3]"), (2, "[]", None), (3, '["x","y,z"]', "[4,5]"), (4, "[]", "[null]"),
                (5, '["j"]', "[7,8]"), (7, '["ok"]', "[9]")]
    assert rows(s, "SELECT id, tags, nums FROM sl.arr ORDER BY id") == expected
    assert rows(s, "SELECT id, x FROM sl.arr, unnest(nums) AS u(x) WHERE x > 3 ORDER BY id, x") == [
        (3, 4), (3, 5), (5, 7), (5, 8), (7, 9)]
    assert rows(s, "SELECT array_length(tags), tags[1], array_contains(nums, 2) FROM sl.arr WHERE id = 1") == [
        (2, "a", 1)]
    # The MySQL client sees the text StarRocks shows.
    out = subprocess.run(["mysql", "-h127.0.0.1", f"-P{s.mysql_port}", "-uroot", "-N", "-B", "-e",
                          "SELECT tags, nums FROM sl.arr WHERE id = 3"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == '["x","y,z"]\t[4,5]'
    s.kill()
    s.start()
    assert rows(s, "SELECT id, tags, nums FROM sl.arr ORDER BY id") == expected
    json_text = rows(s, "SELECT CAST(nums AS VARCHAR) FROM sl.arr WHERE id = 1")[0][0]
    assert json.loads(json_text) == [1, 2, 3]
