"""Stream Load reads a body as it arrives, in blocks of whole records (--stream-load-block-size),
parsing and writing each block before the next: these tests run a server with 64 KiB blocks so
that records, quoted fields, JSON documents, headers and errors fall across block boundaries, and
check what a user sees: every row once, line numbers of rejected rows counted over the whole body,
nothing visible after a connection drops mid-body, and server memory bounded by the block size
rather than the body's."""
import http.client
import json
import os
import socket
import time

import pytest

from conftest import FloeServer


@pytest.fixture(scope="module")
def small_blocks(tmp_path_factory):
    s = FloeServer(tmp_path_factory.mktemp("blocks"), ["--stream-load-block-size", "65536"]).start()
    s.query("CREATE DATABASE sb")
    yield s
    s.stop()


def put(server, table, body, headers=None, chunk=None):
    """PUT a Stream Load; `body` may be bytes or an iterable of byte strings (sent chunked)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=120)
    h = {"Authorization": "Basic cm9vdDo="}
    h.update(headers or {})
    if isinstance(body, (bytes, bytearray)):
        conn.request("PUT", f"/api/sb/{table}/_stream_load", body=body, headers=h)
    else:
        conn.request("PUT", f"/api/sb/{table}/_stream_load", body=body, headers=h, encode_chunked=True)
    r = conn.getresponse()
    out = json.loads(r.read())
    conn.close()
    return out


def error_log(server, result):
    url = result["ErrorURL"]
    path = url[url.index("/api/"):]
    conn = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=30)
    conn.request("GET", path, headers={"Authorization": "Basic cm9vdDo="})  # the loader (root) only
    return conn.getresponse().read().decode()


def test_csv_records_and_quoted_fields_across_blocks(small_blocks):
    s = small_blocks
    s.query("CREATE TABLE sb.csv (id INT NOT NULL, note VARCHAR(100), n INT) DUPLICATE KEY(id)")
    lines = ["id,note,n"]
    bad_lines = []
    for i in range(1, 20001):
        if i % 5000 == 0:
            lines.append(f"{i},broken")  # a wrong column count
            bad_lines.append(len(lines))
        elif i % 7 == 0:
            lines.append(f'{i},"multi\nline, with comma",{i}')  # the record spans two lines
        else:
            lines.append(f"{i},plain{i},{i}")
    body = ("\n".join(lines) + "\n").encode()
    assert len(body) > 5 * 65536
    r = put(s, "csv", body, {"column_separator": ",", "enclose": '"', "skip_header": "1",
                             "max_filter_ratio": "0.1", "label": "csv_blocks"})
    assert r["Status"] == "Success", r
    assert r["NumberTotalRows"] == 20000 and r["NumberFilteredRows"] == 4 and r["NumberLoadedRows"] == 19996, r
    assert r["LoadBytes"] == len(body)
    got = s.query("SELECT count(*), sum(n), count(DISTINCT id) FROM sb.csv")[0]
    want = sum(i for i in range(1, 20001) if i % 5000)
    assert (got[0], int(got[1]), got[2]) == (19996, want, 19996)
    assert s.query("SELECT note FROM sb.csv WHERE id = 7") == (("multi\nline, with comma",),)
    # Line numbers of rejected rows count every line of the body, whichever block they were in.
    log = error_log(s, r)
    for line in bad_lines[1:]:
        # Lines before it include the header and the extra line of each multi-line record.
        assert f"Line {line + sum(1 for i in range(1, int(lines[line - 1].split(',')[0])) if i % 7 == 0 and i % 5000)}" \
            in log, log


def test_pretty_printed_json_documents_across_blocks(small_blocks):
    s = small_blocks
    s.query("CREATE TABLE sb.js (id INT NOT NULL, name VARCHAR(50), tags VARCHAR(200)) DUPLICATE KEY(id)")
    docs = [json.dumps({"id": i, "name": f"n{i}", "tags": ["a", {"b": i}]}, indent=2) for i in range(6000)]
    body = "\n".join(docs).encode()
    assert len(body) > 5 * 65536
    r = put(s, "js", body, {"format": "json"})
    assert r["Status"] == "Success" and r["NumberLoadedRows"] == 6000, r
    assert s.query("SELECT count(*), sum(id), max(name) FROM sb.js")[0][:2] == (6000, sum(range(6000)))
    # A body whose last document stops halfway: reported, not silently dropped.
    r = put(s, "js", body[:-10], {"format": "json", "max_filter_ratio": "0.5"})
    assert r["Status"] == "Success" and r["NumberFilteredRows"] == 1 and r["NumberLoadedRows"] == 5999, r
    assert "truncated JSON" in error_log(s, r)


def test_a_record_longer_than_a_block(small_blocks):
    s = small_blocks
    s.query("CREATE TABLE sb.wide (id INT NOT NULL, blob STRING) DUPLICATE KEY(id)")
    big = "x" * 300000
    body = f"1\tshort\n2\t{big}\n3\tend\n".encode()
    r = put(s, "wide", body)
    assert r["Status"] == "Success" and r["NumberLoadedRows"] == 3, r
    assert s.query("SELECT id, length(blob) FROM sb.wide ORDER BY id") == ((1, 5), (2, 300000), (3, 3))


def test_primary_key_upserts_across_blocks(small_blocks):
    s = small_blocks
    s.query("CREATE TABLE sb.pk (id INT NOT NULL, v INT, note VARCHAR(20)) PRIMARY KEY(id)")
    # Each key appears in many blocks; the last row of a key in the body wins.
    rows = [f"{i % 1000},{i},r{i}" for i in range(30000)]
    r = put(s, "pk", ("\n".join(rows) + "\n").encode(), {"column_separator": ","})
    assert r["Status"] == "Success" and r["NumberLoadedRows"] == 30000, r
    assert s.query("SELECT count(*), sum(v) FROM sb.pk")[0] == (1000, sum(range(29000, 30000)))
    # Partial updates and deletes in a later load, also spread over blocks.
    rows = [f"{i % 1000},{i}" for i in range(20000)]
    r = put(s, "pk", ("\n".join(rows) + "\n").encode(),
            {"column_separator": ",", "columns": "id,v", "partial_update": "true"})
    assert r["Status"] == "Success", r
    assert s.query("SELECT count(*), sum(v), min(note) FROM sb.pk")[0] == (1000, sum(range(19000, 20000)), "r29000")
    rows = [f"{i},1" for i in range(0, 1000, 2)] * 20
    r = put(s, "pk", ("\n".join(rows) + "\n").encode(), {"column_separator": ",", "columns": "id,__op"})
    assert r["Status"] == "Success", r
    assert s.query("SELECT count(*), min(id) % 2 FROM sb.pk")[0] == (500, 1)


def test_primary_key_conditions_and_deletes_within_one_load(small_blocks):
    s = small_blocks
    s.query("CREATE TABLE sb.cond (id INT NOT NULL, ts BIGINT, v VARCHAR(20)) PRIMARY KEY(id)")
    # merge_condition: every key gets 40 versions in shuffled order over many blocks; the newest wins.
    import random
    rnd = random.Random(7)
    rows = [(k, ts) for k in range(1000) for ts in range(40)]
    rnd.shuffle(rows)
    body = "".join(f"{k},{ts},v{ts}\n" for k, ts in rows).encode()
    assert len(body) > 5 * 65536
    r = put(s, "cond", body, {"column_separator": ",", "merge_condition": "ts"})
    assert r["Status"] == "Success", r
    assert s.query("SELECT count(*), min(ts), max(ts), count(DISTINCT v) FROM sb.cond") == ((1000, 39, 39, 1),)
    # __op: keys inserted, deleted and inserted again in later blocks of the same body.
    s.query("CREATE TABLE sb.ops (id INT NOT NULL, v INT) PRIMARY KEY(id)")
    filler = "".join(f"{100000 + i},0,0\n" for i in range(8000))  # ~100 KB between the steps
    body = ("1,1,0\n2,2,0\n" + filler + "1,0,1\n2,0,1\n" + filler + "1,11,0\n" + filler).encode()
    r = put(s, "ops", body, {"column_separator": ",", "columns": "id,v,__op"})
    assert r["Status"] == "Success", r
    assert s.query("SELECT id, v FROM sb.ops WHERE id < 100000 ORDER BY id") == ((1, 11),)
    assert s.query("SELECT count(*) FROM sb.ops") == ((8001,),)


def segment_files(server):
    root = os.path.join(server.data_dir, "data")
    count = 0
    for dirpath, _, files in os.walk(root):
        count += sum(1 for f in files if f.endswith(".seg"))
    return count


def test_connection_dropped_after_blocks_were_written(small_blocks):
    s = small_blocks
    s.query("CREATE TABLE sb.dropped (id INT NOT NULL, v VARCHAR(20)) DUPLICATE KEY(id)")
    files_before = segment_files(s)
    sock = socket.create_connection(("127.0.0.1", s.http_port), timeout=10)
    sock.sendall(b"PUT /api/sb/dropped/_stream_load HTTP/1.1\r\nHost: x\r\nAuthorization: Basic cm9vdDo=\r\n"
                 b"label: dropped_blocks\r\nTransfer-Encoding: chunked\r\n\r\n")
    piece = "".join(f"{i}\tvalue{i}\n" for i in range(20000)).encode()  # ~300 KB: several blocks
    sock.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
    time.sleep(1.0)  # the server parses and writes the blocks it has
    sock.close()  # ... and the body never ends
    deadline = time.time() + 10
    while time.time() < deadline:
        loads = s.query("SELECT state FROM information_schema.loads WHERE label = 'dropped_blocks'")
        if loads:
            break
        time.sleep(0.1)
    assert s.query("SELECT count(*) FROM sb.dropped") == ((0,),)
    assert loads and loads[0][0] == "CANCELLED", loads
    # The blocks' files were removed, and the label is free for the retry.
    assert segment_files(s) == files_before
    r = put(s, "dropped", piece, {"label": "dropped_blocks"})
    assert r["Status"] == "Success" and r["NumberLoadedRows"] == 20000, r


def vm_hwm_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


@pytest.mark.parametrize("model", ["DUPLICATE", "PRIMARY"])
def test_memory_stays_bounded_for_a_large_body(tmp_path, model):
    """A 200 MB body with 4 MiB blocks: the server's peak memory grows by a small multiple of the
    block, not by the body (into a Primary Key table too: its keys repeat, so the index stays
    small and what is measured is the rows)."""
    s = FloeServer(tmp_path / "data", ["--stream-load-block-size", "4M"]).start()
    try:
        s.query("CREATE DATABASE sb")
        s.query("CREATE TABLE sb.big (id BIGINT NOT NULL, name VARCHAR(40), amount DOUBLE, day DATE) "
                f"{model} KEY(id)")
        before = vm_hwm_kib(s.proc.pid)
        line_block = "".join(f"{i % 20000},customer-name-{i % 9973},{i * 0.25},2024-0{1 + i % 9}-1{i % 10}\n"
                             for i in range(50000)).encode()
        repeats = 200 * 1024 * 1024 // len(line_block) + 1

        def body():
            for _ in range(repeats):
                yield line_block

        r = put(s, "big", body(), {"column_separator": ","})
        assert r["Status"] == "Success" and r["NumberLoadedRows"] == 50000 * repeats, r
        assert r["LoadBytes"] == len(line_block) * repeats
        grown_mib = (vm_hwm_kib(s.proc.pid) - before) / 1024
        print(f"peak memory grew by {grown_mib:.0f} MiB")
        assert grown_mib < 80, f"peak memory grew by {grown_mib:.0f} MiB for a {r['LoadBytes'] >> 20} MiB body"
        assert s.query("SELECT count(*) FROM sb.big") == ((50000 * repeats if model == "DUPLICATE" else 20000,),)
    finally:
        s.kill()


def test_shutdown_while_a_body_is_arriving(tmp_path):
    """SIGTERM while a load waits for the rest of its body: the load gives up (nothing visible),
    the server stops promptly and cleanly, and starts again on the same data."""
    s = FloeServer(tmp_path / "data", ["--stream-load-block-size", "65536"]).start()
    try:
        s.query("CREATE DATABASE sb")
        s.query("CREATE TABLE sb.t (id INT NOT NULL) DUPLICATE KEY(id)")
        sock = socket.create_connection(("127.0.0.1", s.http_port), timeout=10)
        sock.sendall(b"PUT /api/sb/t/_stream_load HTTP/1.1\r\nHost: x\r\nAuthorization: Basic cm9vdDo=\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        piece = "".join(f"{i}\n" for i in range(50000)).encode()
        sock.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
        time.sleep(0.5)  # the load is parsing and waiting for more
        started = time.time()
        assert s.stop() == 0
        assert time.time() - started < 10
        sock.close()
        s.start()
        assert s.query("SELECT count(*) FROM sb.t") == ((0,),)
    finally:
        s.kill()
