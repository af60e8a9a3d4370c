"""Parquet conformance: every file of apache/parquet-testing (../shared/fixtures/parquet) read
through FILES() over the MySQL protocol.

- Row counts and top-level column names match the footer facts in _derived_hyparquet/summary.json.
- Values match, row by row, the rows an independent reader (hyparquet) decoded, where they exist,
  after normalizing that reader's known losses (MANIFEST.md): INT64 as strings, DECIMAL and FLOAT
  widened to double, dates and timestamps as ISO text, NULL fields left out.
- The DELTA files match their *_expect.csv.
- Files that must fail (corrupt CRCs, bad_data/, encryption, unsupported types) fail with an error
  that names the file, and the server goes on serving.
"""
import csv
import datetime
import decimal
import json
import math
import os

import pymysql
import pymysql.constants
import pymysql.converters
import pytest

FIXTURES = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "fixtures", "parquet"))
DERIVED = os.path.join(FIXTURES, "_derived_hyparquet")

pytestmark = pytest.mark.skipif(not os.path.isdir(DERIVED), reason="shared parquet fixtures are not present")

# Files Floe refuses, and a part of the error it gives.
MUST_FAIL = {
    "data/datapage_v1-corrupt-checksum.parquet": "page CRC mismatch",
    "data/rle-dict-uncompressed-corrupt-checksum.parquet": "page CRC mismatch",
    "data/nation.dict-malformed.parquet": "runs past its column chunk",
    "bad_data/PARQUET-1481.parquet": "unknown physical type",
    "bad_data/ARROW-RS-GH-6229-DICTHEADER.parquet": "",
    "bad_data/ARROW-RS-GH-6229-LEVELS.parquet": "",
    "bad_data/ARROW-GH-41321.parquet": "",
    "bad_data/ARROW-GH-41317.parquet": "ends before the row group's last row",
    "bad_data/ARROW-GH-45185.parquet": "repetition level",
    "bad_data/ARROW-GH-47662.parquet": "",
}
# Readable, but hyparquet's rendering differs from Floe's on purpose (Floe: a MAP without values
# is an object with null values; hyparquet: its raw key_value structure).
SKIP_VALUES = {
    ("data/map_no_value.parquet", "my_map_no_v"),
}


def load_summary():
    with open(os.path.join(DERIVED, "summary.json")) as f:
        return json.load(f)


REPETITIONS = ("REQUIRED", "OPTIONAL", "REPEATED")
PHYSICAL = ("BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY")


def parse_entry(entry):
    """(name, number of children) of one of hyparquet's 'name REPETITION [TYPE ...] [children]'
    entries; names may hold spaces."""
    tokens = entry.split(" ")
    for i in range(len(tokens) - 1, 0, -1):
        if tokens[i] in REPETITIONS:
            name, rest = " ".join(tokens[:i]), tokens[i + 1:]
            if rest and rest[0] in PHYSICAL:
                return name, 0
            return name, int(rest[-1]) if rest and rest[-1].isdigit() else 0
    return " ".join(tokens[:-1]), int(tokens[-1])  # the root: 'name children'


def top_level_names(schema):
    """The root's children from hyparquet's flattened schema list."""
    names = []

    def skip(i):
        _, n = parse_entry(schema[i])
        i += 1
        for _ in range(n):
            i = skip(i)
        return i

    i = 1
    while i < len(schema):
        names.append(parse_entry(schema[i])[0])
        i = skip(i)
    return names


def files_sql(path, select="*"):
    return f'SELECT {select} FROM FILES("path" = "{path}", "format" = "parquet")'


def normalize(v):
    """A value as comparable Python data."""
    if isinstance(v, bytes):
        try:
            v = v.decode("utf-8")
        except UnicodeDecodeError:
            return "hex:" + v.hex()
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, (datetime.datetime, datetime.date)):
        return v
    return v


def parse_time(s):
    if not isinstance(s, str):
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(s, fmt)
        except ValueError:
            pass
    return None


def same(expected, got, where):
    """Deep comparison with the normalizations hyparquet needs."""
    if isinstance(expected, str) and expected.startswith("+") and parse_time(expected[1:]) is None:
        expected = None  # a year past 9999 (hyparquet: '+052951-...'): NULL in Floe's DATETIME
    if expected is None and got in ([], "[]"):
        return  # hyparquet leaves out a repeated field with no elements
    if expected is None or got is None:
        assert expected is None and got is None, f"{where}: expected {expected!r}, got {got!r}"
        return
    if isinstance(got, (datetime.datetime, datetime.date)):
        e = parse_time(expected)
        assert e is not None, f"{where}: expected {expected!r}, got {got!r}"
        if not isinstance(got, datetime.datetime):
            got = datetime.datetime(got.year, got.month, got.day)
        assert abs((e - got).total_seconds()) < 0.002, f"{where}: expected {expected!r}, got {got!r}"
        return
    if isinstance(expected, dict):
        assert isinstance(got, dict), f"{where}: expected an object, got {got!r}"
        keys = set(expected) | set(got)
        for k in keys:
            same(expected.get(k), got.get(k), f"{where}.{k}")
        return
    if isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected), f"{where}: expected {expected!r}, got {got!r}"
        for i, (e, g) in enumerate(zip(expected, got)):
            same(e, g, f"{where}[{i}]")
        return
    if expected == "NaN" or (isinstance(expected, float) and math.isnan(expected)):
        assert isinstance(got, float) and math.isnan(got) or got in ("NaN", "nan"), f"{where}: expected NaN, got {got!r}"
        return
    if isinstance(expected, bool) or isinstance(got, bool):
        assert int(expected) == int(got), f"{where}: expected {expected!r}, got {got!r}"
        return
    numeric_got = isinstance(got, (int, float))
    if isinstance(expected, (int, float)) or (isinstance(expected, str) and numeric_got):
        try:
            e, g = float(expected), float(got)
        except (TypeError, ValueError):
            raise AssertionError(f"{where}: expected {expected!r}, got {got!r}")
        assert e == g or abs(e - g) <= 1e-6 * max(1.0, abs(e)), f"{where}: expected {expected!r}, got {got!r}"
        return
    if isinstance(expected, str) and isinstance(got, str):
        if expected.startswith("hex:") and not got.startswith("hex:"):
            got = "hex:" + got.encode("utf-8", "surrogateescape").hex()
        if got.startswith("hex:") and "\ufffd" in expected:
            return  # binary that hyparquet decoded as text, losing the bytes
        t = parse_time(expected)
        if t is not None and parse_time(got) is not None:
            assert abs((t - parse_time(got)).total_seconds()) < 0.002, f"{where}: expected {expected!r}, got {got!r}"
            return
    assert expected == got, f"{where}: expected {expected!r}, got {got!r}"


def cases():
    summary = load_summary() if os.path.isdir(DERIVED) else {}
    out = []
    for rel in sorted(summary):
        if "geospatial/" in rel or ".encrypted" in rel or rel.startswith("shredded_variant/"):
            continue
        if rel == "data/large_string_map.brotli.parquet":
            continue  # inflates to more than 2 GiB: read in the refusal test below instead
        out.append(rel)
    return out


def converters():
    """pymysql's converters, with text kept as bytes (binary columns are not UTF-8)."""
    conv = dict(pymysql.converters.conversions)
    text_types = {pymysql.constants.FIELD_TYPE.VAR_STRING, pymysql.constants.FIELD_TYPE.STRING,
                  pymysql.constants.FIELD_TYPE.VARCHAR, pymysql.constants.FIELD_TYPE.BLOB,
                  pymysql.constants.FIELD_TYPE.JSON}
    for t, f in list(conv.items()):
        if isinstance(t, int) and t not in text_types and callable(f):
            conv[t] = (lambda f: lambda b: f(b.decode() if isinstance(b, bytes) else b))(f)
    conv[pymysql.constants.FIELD_TYPE.NEWDECIMAL] = lambda b: decimal.Decimal(b.decode())
    conv[pymysql.constants.FIELD_TYPE.DECIMAL] = lambda b: decimal.Decimal(b.decode())
    return conv


@pytest.fixture(scope="module")
def conn(server):
    c = server.connect(use_unicode=False, read_timeout=120, conv=converters())
    yield c
    c.close()


def run(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        names = [d[0].decode() if isinstance(d[0], bytes) else d[0] for d in cur.description]
        types = [d[1] for d in cur.description]
        return names, types, cur.fetchall()


@pytest.mark.parametrize("rel", cases())
def test_file(conn, rel):
    facts = load_summary()[rel]
    path = os.path.join(FIXTURES, rel)
    if rel in MUST_FAIL:
        with pytest.raises(pymysql.MySQLError) as e:
            run(conn, files_sql(path))
        message = str(e.value)
        assert os.path.basename(path) in message, message
        assert MUST_FAIL[rel] in message, message
        assert run(conn, "SELECT 1")[2] == ((1,),)  # the server goes on
        return
    names, types, rows = run(conn, files_sql(path))
    expected_rows = facts.get("decoded_rows", facts.get("num_rows"))
    if rel == "data/repeated_no_annotation.parquet":
        expected_rows = 6  # its footer says 0 rows; the row group holds 6
    assert len(rows) == expected_rows, f"{rel}: {len(rows)} rows, expected {expected_rows}"
    if "schema" in facts:
        assert names == top_level_names(facts["schema"]), names
    jsonl = os.path.join(DERIVED, rel.replace("/", "__") + ".jsonl")
    if not os.path.exists(jsonl):
        return
    with open(jsonl) as f:
        expected = [json.loads(line) for line in f if line.strip()]
    assert len(expected) == len(rows)
    for r, (want, got) in enumerate(zip(expected, rows)):
        for i, name in enumerate(names):
            if (rel, name) in SKIP_VALUES:
                continue
            value = normalize(got[i])
            if isinstance(want.get(name), (list, dict)) and isinstance(value, str):
                value = json.loads(value)  # a nested column: JSON text
            same(want.get(name), value, f"{rel} row {r} column {name}")


def expect_csv_rows(name):
    with open(os.path.join(FIXTURES, "data", name + "_expect.csv")) as f:
        return list(csv.reader(f))


@pytest.mark.parametrize("name", ["delta_binary_packed", "delta_byte_array", "delta_encoding_optional_column",
                                  "delta_encoding_required_column"])
def test_delta_files_match_expected_csv(conn, name):
    names, _, rows = run(conn, files_sql(os.path.join(FIXTURES, "data", name + ".parquet")))
    expected = expect_csv_rows(name)
    header, body = expected[0], expected[1:]
    # The CSV headers carry stray spaces; one file's column names end in ':'.
    assert [n.rstrip(":") for n in names] == [h.strip() for h in header]
    assert len(rows) == len(body)
    for r, (want, got) in enumerate(zip(body, rows)):
        for i, w in enumerate(want):
            g = normalize(got[i])
            if w == "":
                assert g is None or g == "", f"{name} row {r} {header[i]}: {g!r}"
            elif isinstance(g, (int, float)):
                assert float(w) == pytest.approx(float(g)), f"{name} row {r} {header[i]}"
            else:
                assert str(g) == w, f"{name} row {r} {header[i]}: {g!r} != {w!r}"


def test_byte_stream_split_matches_plain_twin(conn):
    """byte_stream_split_extended: each BYTE_STREAM_SPLIT column equals its PLAIN twin."""
    path = os.path.join(FIXTURES, "data", "byte_stream_split_extended.gzip.parquet")
    names, _, rows = run(conn, files_sql(path))
    pairs = [(n, n.replace("_plain", "_byte_stream_split")) for n in names if n.endswith("_plain")]
    assert len(pairs) >= 5, names
    for plain, split in pairs:
        a, b = names.index(plain), names.index(split)
        assert [r[a] for r in rows] == [r[b] for r in rows], plain


def test_int96_and_decimals(conn):
    data = os.path.join(FIXTURES, "data")
    _, _, rows = run(conn, files_sql(os.path.join(data, "int96_from_spark.parquet"), "CAST(a AS VARCHAR)"))
    got = [r[0].decode() if r[0] is not None else None for r in rows]
    # int96_from_spark.md: microsecond values (the nanosecond digits are truncated).
    assert got[0] == "2024-01-01 20:34:56.123456" or got[0].startswith("2024-01-01 20:34:56"), got
    for name in ("int32_decimal", "int64_decimal", "byte_array_decimal", "fixed_length_decimal",
                 "fixed_length_decimal_legacy"):
        _, _, rows = run(conn, files_sql(os.path.join(data, name + ".parquet")))
        assert [float(r[0]) for r in rows] == [float(i) for i in range(1, 25)], name


def test_unsupported_files_are_refused(conn):
    data = os.path.join(FIXTURES, "data")
    for name, part in [("uniform_encryption.parquet.encrypted", "encrypt"),
                       ("encrypt_columns_plaintext_footer.parquet.encrypted", "encrypt")]:
        with pytest.raises(pymysql.MySQLError) as e:
            run(conn, files_sql(os.path.join(data, name)))
        assert part in str(e.value) and name in str(e.value), str(e.value)
    # Pages that inflate past 1 GiB are refused before any memory is taken for them.
    with pytest.raises(pymysql.MySQLError) as e:
        run(conn, files_sql(os.path.join(data, "large_string_map.brotli.parquet")))
    assert "over the 1 GiB a page may have" in str(e.value), str(e.value)
    geo = os.path.join(data, "geospatial", "geospatial.parquet")
    if os.path.exists(geo):
        with pytest.raises(pymysql.MySQLError) as e:
            run(conn, files_sql(geo))
        assert "geospatial" in str(e.value), str(e.value)
