"""Stream Load over HTTP with curl, as StarRocks users run it: the seed's command verbatim, the
CSV headers (columns with derived expressions, where, skip_header, enclose, separators,
max_filter_ratio, strict_mode), JSON (strip_outer_array, json_root, jsonpaths), labels, Primary
Key partial updates, __op deletes and merge_condition, auth failures, chunked bodies, and a
connection that drops mid-body (nothing becomes visible)."""
import base64
import json
import socket
import subprocess
import urllib.request

import pytest


def stream_load(server, table, data, headers=(), user="root:", db="sl", extra=()):
    path = f"/tmp/floe-sl-{server.http_port}.data"
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
    cmd = ["curl", "-s", "--location-trusted", "-u", user]
    for h in headers:
        cmd += ["-H", h]
    cmd += list(extra) + ["-T", path, f"http://127.0.0.1:{server.http_port}/api/{db}/{table}/_stream_load"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def db(server):
    server.query("CREATE DATABASE IF NOT EXISTS sl")
    server.query("CREATE USER IF NOT EXISTS 'loader' IDENTIFIED BY 'secret'")
    server.query("GRANT INSERT, SELECT ON ALL TABLES IN DATABASE sl TO USER loader")
    return server


def error_log(url, user="root:"):
    """The rejected rows behind an ErrorURL, read as the loader (only the loader may)."""
    auth = "Basic " + base64.b64encode(user.encode()).decode()
    return urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": auth}), timeout=10).read().decode()


def rows(server, sql):
    return [tuple(r) for r in server.query(sql)]


def test_seed_command_verbatim(db):
    """Seed 001: curl --location-trusted -u user:password -H "label:..." -H "column_separator:," -T data.csv ..."""
    db.query("CREATE TABLE sl.orders (id INT NOT NULL, customer VARCHAR(20), amount DECIMAL(10, 2)) DUPLICATE KEY(id)")
    r = stream_load(db, "orders", "1,ann,10.50\n2,bob,3.25\n", ["label:seed_load_1", "column_separator:,"],
                    user="loader:secret")
    assert r["Status"] == "Success", (r["Message"], db.log()[-3000:])
    assert r["Label"] == "seed_load_1" and r["NumberLoadedRows"] == 2 and r["NumberTotalRows"] == 2
    assert r["TxnId"] > 0 and r["LoadBytes"] == 23
    for field in ("NumberFilteredRows", "NumberUnselectedRows", "LoadTimeMs", "ReadDataTimeMs", "WriteDataTimeMs"):
        assert field in r
    assert rows(db, "SELECT id, customer, amount FROM sl.orders ORDER BY id") == [
        (1, "ann", __import__("decimal").Decimal("10.50")), (2, "bob", __import__("decimal").Decimal("3.25"))]
    # A retried request with the same label never loads twice.
    again = stream_load(db, "orders", "1,ann,10.50\n2,bob,3.25\n", ["label:seed_load_1", "column_separator:,"],
                        user="loader:secret")
    assert again["Status"] == "Label Already Exists" and again["ExistingJobStatus"] == "FINISHED"
    assert rows(db, "SELECT count(*) FROM sl.orders") == [(2,)]
    loads = rows(db, "SELECT LABEL, STATE, TYPE, SINK_ROWS FROM information_schema.loads WHERE LABEL = 'seed_load_1'")
    assert loads == [("seed_load_1", "FINISHED", "STREAM_LOAD", 2)]
    shown = db.query("SHOW LOAD FROM sl WHERE Label = 'seed_load_1'")
    assert len(shown) == 1 and shown[0][2] == "FINISHED"


def test_columns_where_and_csv_options(db):
    db.query("CREATE TABLE sl.events (a INT NOT NULL, b VARCHAR(20), c BIGINT, d DATETIME, e VARCHAR(5) DEFAULT 'x')")
    data = 'a|b|tmp|ts\n1|"x|y"|7|1700000000\n2|"say ""hi"""|8|1700000060\n3|z|9|1700000120\n'
    r = stream_load(db, "events", data, [
        "column_separator:|", "skip_header:1", 'enclose:"',
        "columns: a, b, tmp, ts, c = tmp * 100, d = from_unixtime(ts)", "where: c > 700"])
    assert r["Status"] == "Success", r
    assert r["NumberTotalRows"] == 3 and r["NumberLoadedRows"] == 2 and r["NumberUnselectedRows"] == 1
    got = rows(db, "SELECT a, b, c, CAST(d AS VARCHAR), e FROM sl.events ORDER BY a")
    assert got == [(2, 'say "hi"', 800, "2023-11-14 22:14:20", "x"), (3, "z", 900, "2023-11-14 22:15:20", "x")]
    # Hex separators and another row delimiter.
    r = stream_load(db, "events", "10\x01p\x01\x01;11\x01q\x01\x01;", [
        "column_separator:\\x01", "row_delimiter:;", "columns: a, b, c, d"])
    assert r["Status"] == "Success" and r["NumberLoadedRows"] == 2, r
    assert rows(db, "SELECT a, b FROM sl.events WHERE a >= 10 ORDER BY a") == [(10, "p"), (11, "q")]


def test_filtered_rows_and_max_filter_ratio(db):
    db.query("CREATE TABLE sl.nums (k INT NOT NULL, v INT)")
    bad = "1,1\n2,x\n3\n4,4\n"
    # Too many bad rows for the default ratio 0: nothing is loaded.
    r = stream_load(db, "nums", bad, ["column_separator:,", "strict_mode:true", "label:ratio_fail"])
    assert r["Status"] == "Fail" and r["NumberFilteredRows"] == 2 and "too many filtered rows" in r["Message"], r
    assert rows(db, "SELECT count(*) FROM sl.nums") == [(0,)]
    log = error_log(r["ErrorURL"])
    assert "column count mismatch" in log and "Row: 3" in log
    assert "'x' is not a valid INT" in log
    # The failed label can be used again, and a ratio of 0.5 lets the good rows in.
    r = stream_load(db, "nums", bad, ["column_separator:,", "strict_mode:true", "label:ratio_fail",
                                      "max_filter_ratio:0.5"])
    assert r["Status"] == "Success" and r["NumberLoadedRows"] == 2 and r["NumberFilteredRows"] == 2, r
    assert rows(db, "SELECT k, v FROM sl.nums ORDER BY k") == [(1, 1), (4, 4)]
    # Without strict mode a value that does not convert becomes NULL.
    r = stream_load(db, "nums", "5,y\n", ["column_separator:,"])
    assert r["Status"] == "Success", r
    assert rows(db, "SELECT v FROM sl.nums WHERE k = 5") == [(None,)]


def test_primary_key_partial_update_and_delete(db):
    db.query("CREATE TABLE sl.pk (id INT NOT NULL, status VARCHAR(10), amount INT) PRIMARY KEY(id)")
    r = stream_load(db, "pk", "1,new,10\n2,new,20\n3,new,30\n", ["column_separator:,"])
    assert r["Status"] == "Success", r
    r = stream_load(db, "pk", "1,paid\n2,shipped\n", ["column_separator:,", "partial_update:true",
                                                      "columns: id, status"])
    assert r["Status"] == "Success", r
    assert rows(db, "SELECT id, status, amount FROM sl.pk ORDER BY id") == [
        (1, "paid", 10), (2, "shipped", 20), (3, "new", 30)]
    r = stream_load(db, "pk", "3,x,0,1\n4,new,40,0\n", ["column_separator:,", "columns: id, status, amount, __op"])
    assert r["Status"] == "Success", r
    assert rows(db, "SELECT id FROM sl.pk ORDER BY id") == [(1,), (2,), (4,)]
    r = stream_load(db, "pk", "4\n", ["columns: id, __op = 'delete'"])
    assert r["Status"] == "Success", r
    assert rows(db, "SELECT id FROM sl.pk ORDER BY id") == [(1,), (2,)]
    # Conditional update: only rows whose amount is not smaller than the stored one replace it.
    r = stream_load(db, "pk", "1,late,5\n2,newer,25\n", ["column_separator:,", "merge_condition:amount"])
    assert r["Status"] == "Success", r
    assert rows(db, "SELECT id, status, amount FROM sl.pk ORDER BY id") == [(1, "paid", 10), (2, "newer", 25)]
    r = stream_load(db, "pk", "1,x,5\n", ["column_separator:,", "merge_condition:id"])
    assert r["Status"] == "Fail" and "key column" in r["Message"]


def test_errors_are_clear(db):
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-u", "loader:wrong", "-T",
                          "/etc/hostname", f"http://127.0.0.1:{db.http_port}/api/sl/orders/_stream_load"],
                         capture_output=True, text=True, timeout=30)
    assert out.stdout == "401"
    r = stream_load(db, "nothere", "1\n")
    assert r["Status"] == "Fail" and "does not exist" in r["Message"]
    r = stream_load(db, "orders", "1\n", ["format:parquet"])
    assert r["Status"] == "Fail" and "parquet" in r["Message"]
    r = stream_load(db, "orders", '{"id": 1, "customer": "x"', ["format:json"])
    assert r["Status"] == "Fail" and "truncated JSON" in r["Message"], r["Message"]
    r = stream_load(db, "orders", "1,a,1\n", ["column_separator:,", "columns: id, customer, amount, zz = 1"])
    assert r["Status"] == "Fail" and "zz" in r["Message"], r["Message"]


def test_chunked_body(db):
    db.query("CREATE TABLE sl.chunked (k INT, v VARCHAR(10))")
    r = stream_load(db, "chunked", "".join(f"{i}\tv{i}\n" for i in range(5000)), ["Transfer-Encoding: chunked"])
    assert r["Status"] == "Success" and r["NumberLoadedRows"] == 5000, r
    assert rows(db, "SELECT count(*), sum(k) FROM sl.chunked") == [(5000, 12497500)]


def test_dropped_connection_loads_nothing(db):
    db.query("CREATE TABLE sl.dropped (k INT)")
    s = socket.create_connection(("127.0.0.1", db.http_port), timeout=10)
    s.sendall(b"PUT /api/sl/dropped/_stream_load HTTP/1.1\r\nHost: x\r\nAuthorization: Basic cm9vdDo=\r\n"
              b"label: dropped_1\r\nContent-Length: 100000\r\n\r\n" + b"1\n2\n3\n" * 100)
    s.close()
    # The server stays up and nothing became visible; the label is still free.
    assert rows(db, "SELECT count(*) FROM sl.dropped") == [(0,)]
    r = stream_load(db, "dropped", "7\n", ["label:dropped_1"])
    assert r["Status"] == "Success", r
    assert rows(db, "SELECT k FROM sl.dropped") == [(7,)]


def test_json(db):
    db.query("CREATE TABLE sl.js (id INT NOT NULL, name VARCHAR(20), price DOUBLE, ok BOOLEAN, tags VARCHAR(64))")
    # One object per line, keys matched by name; objects and arrays keep their JSON text.
    r = stream_load(db, "js", '{"id": 1, "name": "a", "price": 1.5, "ok": true, "tags": ["x", "y"]}\n'
                              '{"id": 2, "name": null, "price": 2, "ok": false}\n', ["format:json"])
    assert r["Status"] == "Success" and r["NumberLoadedRows"] == 2, r["Message"]
    assert rows(db, "SELECT id, name, price, ok, tags FROM sl.js ORDER BY id") == [
        (1, "a", 1.5, 1, '["x","y"]'), (2, None, 2.0, 0, None)]
    # An outer array, a root, jsonpaths, and derived columns.
    body = '{"meta": {"v": 1}, "data": [{"k": 3, "info": {"n": "c", "p": "4"}}, {"k": 4, "info": {"n": "d"}}]}'
    r = stream_load(db, "js", body, ["format:json", "strip_outer_array:true", "json_root:$.data",
                                     'jsonpaths:["$.k", "$.info.n", "$.info.p"]', "columns: id, name, p, price = p * 10"])
    assert r["Status"] == "Success" and r["NumberLoadedRows"] == 2, r["Message"]
    assert rows(db, "SELECT id, name, price FROM sl.js WHERE id >= 3 ORDER BY id") == [(3, "c", 40.0), (4, "d", None)]
    # A record that is not an object is rejected with a reason; an array needs strip_outer_array.
    r = stream_load(db, "js", '[{"id": 5}]', ["format:json"])
    assert r["Status"] == "Fail" and "strip_outer_array" in r["Message"], r["Message"]
    r = stream_load(db, "js", '[{"id": 6}, 7]', ["format:json", "strip_outer_array:true", "max_filter_ratio:0.5"])
    assert r["Status"] == "Success" and r["NumberLoadedRows"] == 1 and r["NumberFilteredRows"] == 1, r


def test_timezone_header(db):
    """timezone: the zone of from_unixtime() and the other time functions in columns/where."""
    db.query("CREATE TABLE sl.tz (id INT NOT NULL, at DATETIME)")
    data = "1,1704067200\n"
    r = stream_load(db, "tz", data, ["column_separator:,", "columns: id, ts, at = from_unixtime(ts)"])
    assert r["Status"] == "Success", r
    r = stream_load(db, "tz", "2,1704067200\n", ["column_separator:,", "timezone:Asia/Shanghai",
                                                  "columns: id, ts, at = from_unixtime(ts)"])
    assert r["Status"] == "Success", r
    r = stream_load(db, "tz", "3,1719792000\n", ["column_separator:,", "timezone:America/New_York",
                                                  "columns: id, ts, at = from_unixtime(ts)"])
    assert r["Status"] == "Success", r
    assert rows(db, "SELECT id, CAST(at AS VARCHAR) FROM sl.tz ORDER BY id") == [
        (1, "2024-01-01 00:00:00"), (2, "2024-01-01 08:00:00"), (3, "2024-06-30 20:00:00")]
    r = stream_load(db, "tz", "4,0\n", ["column_separator:,", "timezone:Nowhere/City",
                                        "columns: id, ts, at = from_unixtime(ts)"])
    assert r["Status"] == "Fail" and "unknown time zone 'Nowhere/City'" in r["Message"], r
    assert rows(db, "SELECT count(*) FROM sl.tz") == [(3,)]


def test_invalid_utf8_rows_are_filtered(db):
    """Text that is not UTF-8 never reaches a VARCHAR: the row is filtered with the bytes shown."""
    db.query("CREATE TABLE sl.utf (id INT NOT NULL, name VARCHAR(20), n INT)")
    body = b"1,caf\xc3\xa9,1\n2,bad\xff\xfe,2\n3,ok,3\n4,trunc\xe2\x82,4\n"
    r = stream_load(db, "utf", body, ["column_separator:,"])
    assert r["Status"] == "Fail" and r["NumberFilteredRows"] == 2, r
    assert rows(db, "SELECT count(*) FROM sl.utf") == [(0,)]
    log = error_log(r["ErrorURL"])
    assert "column 'name': invalid UTF-8 in 'bad\\xff\\xfe'" in log, log
    r = stream_load(db, "utf", body, ["column_separator:,", "max_filter_ratio:0.5"])
    assert r["Status"] == "Success" and r["NumberLoadedRows"] == 2, r
    assert rows(db, "SELECT id, name FROM sl.utf ORDER BY id") == [(1, "café"), (3, "ok")]
    # A value longer than VARCHAR(20) is filtered too.
    r = stream_load(db, "utf", "7," + "x" * 21 + ",7\n8," + "y" * 20 + ",8\n", ["column_separator:,",
                                                                            "max_filter_ratio:0.5"])
    assert r["Status"] == "Success" and r["NumberLoadedRows"] == 1 and r["NumberFilteredRows"] == 1, r
    log = error_log(r["ErrorURL"])
    assert "is 21 bytes, longer than VARCHAR(20)" in log, log
    # Invalid bytes in a column that is not text convert like any other bad value.
    r = stream_load(db, "utf", b"5,x,\xff\n", ["column_separator:,", "strict_mode:true"])
    assert r["Status"] == "Fail" and r["NumberFilteredRows"] == 1, r
    # JSON: simdjson refuses a document with invalid UTF-8; nothing is loaded.
    r = stream_load(db, "utf", b'{"id": 6, "name": "bad\xff", "n": 6}\n', ["format:json"])
    assert r["Status"] == "Fail", r
    assert rows(db, "SELECT id FROM sl.utf WHERE id >= 5") == [(8,)]


def test_ignore_json_size(db):
    """A JSON document loaded whole (strip_outer_array) over 100 MB needs ignore_json_size."""
    db.query("CREATE TABLE sl.bigjson (id INT NOT NULL, pad VARCHAR(2000))")
    record = '{"id": %d, "pad": "' + "p" * 1000 + '"}'
    n = 105000  # about 107 MB
    body = "[" + ",".join(record % i for i in range(n)) + "]"
    assert len(body) > 100 * 1024 * 1024
    r = stream_load(db, "bigjson", body, ["format:json", "strip_outer_array:true"])
    assert r["Status"] == "Fail" and "ignore_json_size" in r["Message"], r
    r = stream_load(db, "bigjson", body, ["format:json", "strip_outer_array:true", "ignore_json_size:true"])
    assert r["Status"] == "Success" and r["NumberLoadedRows"] == n, r
    assert rows(db, "SELECT count(*), max(id) FROM sl.bigjson") == [(n, n - 1)]


def test_large_csv_parses_in_parallel_pieces(db):
    # A body of several MiB is cut into pieces of whole records parsed at once: rows, their
    # order-independent totals, the header skipped once, quoted delimiters and rejected rows with
    # their line numbers must come out as from one reader.
    db.query("CREATE TABLE sl.big (id BIGINT NOT NULL, name VARCHAR(32), v DOUBLE) DUPLICATE KEY(id)")
    lines = ["id,name,v"]
    bad = {12345, 150001}
    for i in range(200000):
        if i in bad:
            lines.append(f"{i},bad row,not-a-number")
        elif i == 170000:
            lines.append(f"{i},too few columns")
        elif i % 1000 == 0:
            lines.append(f'{i},"quoted, with comma",{i * 0.5}')
        else:
            lines.append(f"{i},name{i},{i * 0.5}")
    body = "\n".join(lines) + "\n"
    assert len(body) > 4 << 20
    r = stream_load(db, "big", body, ["column_separator:,", "skip_header:1", "enclose:\"", "strict_mode:true",
                                      "max_filter_ratio:0.01"])
    assert r["Status"] == "Success", r
    assert r["NumberTotalRows"] == 200000 and r["NumberLoadedRows"] == 199997 and r["NumberFilteredRows"] == 3, r
    good = [i for i in range(200000) if i not in bad and i != 170000]
    assert rows(db, "SELECT count(*), sum(id), sum(v) FROM sl.big") == [(199997, sum(good), sum(i * 0.5 for i in good))]
    assert rows(db, "SELECT count(*) FROM sl.big WHERE name = 'quoted, with comma'") == [(199,)]
    log = error_log(r["ErrorURL"])
    assert "not-a-number" in log and log.count("Error:") == 3, log
    assert "Line 170002" in log, log  # the header is line 1: row i is on line i + 2


def test_large_json_lines_parse_in_parallel_pieces(db):
    # JSON records one after another, several MiB: cut at line breaks between documents (never
    # inside one, even when a document spans lines or a string holds braces), parsed at once.
    db.query("CREATE TABLE sl.jsonlines (id BIGINT NOT NULL, note VARCHAR(64), v DOUBLE) DUPLICATE KEY(id)")
    parts = []
    for i in range(60000):
        if i == 33333:
            parts.append('{"id": 33333, "note": "broken", "v": }')  # not JSON: rejected
        elif i % 997 == 0:
            parts.append('{\n  "id": %d,\n  "note": "spans lines, has } and { and \\"quotes\\"",\n  "v": %s\n}' % (i, i / 4))
        else:
            parts.append('{"id": %d, "note": "n%d", "v": %s}' % (i, i, i / 4))
    body = "\n".join(parts) + "\n"
    assert len(body) > 2 << 20
    r = stream_load(db, "jsonlines", body, ["format:json", "max_filter_ratio:0.01"])
    assert r["Status"] == "Success", r
    assert r["NumberLoadedRows"] == 59999 and r["NumberFilteredRows"] == 1, {k: r[k] for k in ("NumberTotalRows", "NumberLoadedRows", "NumberFilteredRows", "Message")}
    good = [i for i in range(60000) if i != 33333]
    assert rows(db, "SELECT count(*), sum(id), sum(v) FROM sl.jsonlines") == [(59999, sum(good), sum(i / 4 for i in good))]
    assert rows(db, "SELECT count(*) FROM sl.jsonlines WHERE note LIKE 'spans lines%'") == [
        (len([i for i in good if i % 997 == 0]),)]


def test_bad_json_record_loses_nothing_after_it(db):
    # simdjson's document stream stops at its first error: the reader rejects the bad record and
    # resumes at the next line, so the records after it load (they were silently dropped before).
    db.query("CREATE TABLE sl.jbad (id BIGINT NOT NULL, v DOUBLE) DUPLICATE KEY(id)")
    parts = ['{"id": %d, "v": %d}' % (i, i) if i != 2500 else '{"id": 2500, "v": }' for i in range(5000)]
    r = stream_load(db, "jbad", "\n".join(parts) + "\n", ["format:json", "max_filter_ratio:0.01"])
    assert r["Status"] == "Success", r
    assert (r["NumberTotalRows"], r["NumberLoadedRows"], r["NumberFilteredRows"]) == (5000, 4999, 1), r
    assert rows(db, "SELECT count(*), max(id) FROM sl.jbad") == [(4999, 4999)]
    log = error_log(r["ErrorURL"])
    assert '{"id": 2500, "v": }' in log, log


def test_large_primary_key_load_with_deletes_in_parallel_pieces(db):
    # Upserts and deletes (__op) in a body cut into pieces: each piece's delete flags stay with
    # its rows, and the order of the body decides (a later upsert of a deleted key keeps it).
    db.query("CREATE TABLE sl.bigpk (id INT NOT NULL, v INT) PRIMARY KEY(id)")
    body = "".join(f"{i},{i},0\n" for i in range(150000))
    r = stream_load(db, "bigpk", body, ["column_separator:,", "columns: id, v, __op"])
    assert r["Status"] == "Success" and r["NumberLoadedRows"] == 150000, r
    # Delete the even keys, then re-insert every fourth one with a new value, in one body.
    lines = [f"{i},0,1" for i in range(0, 150000, 2)] + [f"{i},{i + 1},0" for i in range(0, 150000, 4)]
    body = "\n".join(lines) + "\n"
    assert len(body) > 1 << 20
    r = stream_load(db, "bigpk", body, ["column_separator:,", "columns: id, v, __op"])
    assert r["Status"] == "Success", r
    kept = {i: i for i in range(1, 150000, 2)}
    kept.update({i: i + 1 for i in range(0, 150000, 4)})
    assert rows(db, "SELECT count(*), sum(id), sum(v) FROM sl.bigpk") == [
        (len(kept), sum(kept), sum(kept.values()))]
