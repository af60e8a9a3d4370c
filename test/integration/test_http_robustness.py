"""Malformed and cut-short HTTP requests get an answer (a status and a JSON body that names the
problem) and never hold a thread or a socket: a body that stops short fails the load at once,
whatever the body timeout; bad request lines, headers, Content-Length and chunk syntax are 400s;
header values are validated; the server stays up and loads nothing from any of it."""
import base64
import json
import socket
import time

import pytest

AUTH = "Basic " + base64.b64encode(b"root:").decode()


@pytest.fixture(scope="module")
def db(server):
    server.query("CREATE DATABASE IF NOT EXISTS hr")
    server.query("CREATE TABLE IF NOT EXISTS hr.t (k INT, v VARCHAR(10))")
    return server


def exchange(server, raw, half_close=True, timeout=15):
    """Sends `raw`, optionally half-closes, and returns (status, headers, body) of the answer,
    or None when the server closed without one. Fails when no answer arrives within `timeout`."""
    s = socket.create_connection(("127.0.0.1", server.http_port), timeout=timeout)
    try:
        s.sendall(raw)
        if half_close:
            s.shutdown(socket.SHUT_WR)
        data = b""
        started = time.time()
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                raise AssertionError(f"no answer within {timeout} s (waited {time.time() - started:.1f} s)")
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data:
                head, _, body = data.partition(b"\r\n\r\n")
                length = [int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
                if length and len(body) >= length[0]:
                    break
    finally:
        s.close()
    if not data:
        return None
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    return status, lines[1:], body


def load_head(db_table="hr/t", extra=""):
    return (f"PUT /api/{db_table}/_stream_load HTTP/1.1\r\nHost: x\r\nAuthorization: {AUTH}\r\n"
            f"column_separator: ,\r\n{extra}").encode()


def count(server):
    return server.query("SELECT count(*) FROM hr.t")[0][0]


def test_body_shorter_than_content_length_fails_at_once(db):
    before = count(db)
    started = time.time()
    r = exchange(db, load_head(extra="label: short_cl\r\nContent-Length: 100000\r\n\r\n") + b"1,a\n2,b\n")
    assert time.time() - started < 10
    assert r is not None, "the server answered nothing"
    status, _, body = r
    answer = json.loads(body)
    assert answer["Status"] == "Fail", answer
    assert "stopped after 8 bytes" in answer["Message"], answer
    assert count(db) == before
    # The label is free: nothing was committed under it.
    r = exchange(db, load_head(extra="label: short_cl\r\nContent-Length: 4\r\n\r\n") + b"3,c\n", half_close=False)
    assert json.loads(r[2])["Status"] == "Success"
    assert count(db) == before + 1


def test_unfinished_chunked_body_fails_at_once(db):
    before = count(db)
    started = time.time()
    r = exchange(db, load_head(extra="Transfer-Encoding: chunked\r\n\r\n") + b"4\r\n1,a\n\r\n8\r\n2,b\n")
    assert time.time() - started < 10
    assert r is not None
    answer = json.loads(r[2])
    assert answer["Status"] == "Fail" and "stopped" in answer["Message"], answer
    assert count(db) == before


def test_bad_chunk_syntax_fails_the_load(db):
    before = count(db)
    r = exchange(db, load_head(extra="Transfer-Encoding: chunked\r\n\r\n") + b"zz\r\n1,a\n\r\n0\r\n\r\n")
    assert r is not None
    answer = json.loads(r[2])
    assert answer["Status"] == "Fail", answer
    assert count(db) == before


def test_threads_are_not_held(db):
    # Many cut-short loads in a row: each answers at once, so none waits for the body timeout.
    started = time.time()
    for i in range(20):
        r = exchange(db, load_head(extra=f"Content-Length: 5000\r\n\r\n").replace(b"hr/t", b"hr/t") + b"9,z\n")
        assert r is not None and json.loads(r[2])["Status"] == "Fail"
    assert time.time() - started < 30
    assert db.query("SELECT 1")[0][0] == 1


@pytest.mark.parametrize("raw, why", [
    (b"GARBAGE\r\n\r\n", "request line"),
    (b"GET / HTTP/9.x\r\n\r\n", "version"),
    (b"GET /api/health HTTP/1.1\r\nno colon here\r\n\r\n", "header"),
    (b"GET /api/health HTTP/1.1\r\nContent-Length: abc\r\n\r\n", "content length"),
    (b"GET /api/health HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx", "content length"),
    (b"POST /api/health HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nqq\r\n", "chunk"),
    (b"PUT /api/hr/t/_stream_load HTTP/1.1\r\nContent-Length: -5\r\n\r\n", "content length"),
    (b"GET /api/health HTTP/1.1\r\nX: " + b"a" * 70000 + b"\r\n\r\n", "header"),
])
def test_malformed_requests_get_400(db, raw, why):
    r = exchange(db, raw)
    assert r is not None, f"no answer to a malformed {why}"
    status, headers, body = r
    assert status in (400, 413, 431), (status, body)
    answer = json.loads(body)
    assert answer["status"] == "FAILED" and answer["msg"].startswith("bad HTTP request"), answer
    assert db.query("SELECT 1")[0][0] == 1


def test_401_body_is_json_with_any_user_name(db):
    user = 'ev"il\\\n\x01'
    token = base64.b64encode(f"{user}:pw".encode()).decode()
    raw = (f"PUT /api/hr/t/_stream_load HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {token}\r\n"
           f"Content-Length: 4\r\n\r\n1,a\n").encode()
    status, _, body = exchange(db, raw)
    assert status == 401
    answer = json.loads(body)
    assert answer["Status"] == "Fail" and user in answer["Message"], answer


@pytest.mark.parametrize("header, message", [
    ("skip_header: -1", "skip_header"),
    ("skip_header: 1x", "skip_header"),
    ("max_filter_ratio: 0.5abc", "max_filter_ratio"),
    ("max_filter_ratio: 2", "max_filter_ratio"),
])
def test_header_values_are_validated(db, header, message):
    before = count(db)
    raw = (f"PUT /api/hr/t/_stream_load HTTP/1.1\r\nHost: x\r\nAuthorization: {AUTH}\r\n{header}\r\n"
           f"Content-Length: 8\r\n\r\n1,a\n2,b\n").encode()
    status, _, body = exchange(db, raw)
    answer = json.loads(body)
    assert answer["Status"] == "Fail" and message in answer["Message"], answer
    assert count(db) == before
