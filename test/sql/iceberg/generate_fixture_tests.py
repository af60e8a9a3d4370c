#!/usr/bin/python3
"""Generates Floe sqllogictest files from the expected results of the shared Iceberg fixtures.

Run with /usr/bin/python3 from anywhere:

    /usr/bin/python3 test/sql/iceberg/generate_fixture_tests.py [--fixtures DIR]

Inputs (DIR defaults to ../shared/fixtures beside the checkout):
  DIR/iceberg/impala/_expected/*.test           MySQL dialect, tables named ice.<table>
  DIR/iceberg/duckdb-iceberg/_expected/**/*.test DuckDB dialect, tables read with ICEBERG_SCAN(path)

Output: test/sql/iceberg/fixtures/<source>_<name>.test, one per input file. Each starts with a
comment naming its source file, then the CREATE EXTERNAL CATALOG statements its queries need
(hadoop catalogs over the fixture directories, written with ${FIXTURES}, which the runner
replaces), then the records:
  - Impala's records with their table names rewritten to <catalog>.<ns>.<table>;
  - DuckDB's records translated to the MySQL/StarRocks dialect (ICEBERG_SCAN -> a catalog table,
    ORDER BY ALL -> column ordinals, ::casts -> CAST, version/snapshot_from_id -> FOR VERSION AS OF,
    ...), expected values converted to what Floe's runner prints (R columns with three decimals,
    booleans as 1/0, DATETIME as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC, binary through hex()).
Queries that only mean something in DuckDB (iceberg_metadata(), iceberg_snapshots(), the filename
column, DuckDB settings and logs) are left out with a comment saying which and why.

Queries that Floe does not answer correctly yet are listed in NOT_YET below: they are written with
`# floe: not yet: <reason>` and `skipif floe`, so every generated file passes while the gap is
tracked here.
"""

import argparse
import datetime
import gzip
import json
import os
import re
import struct
import sys
from pathlib import Path

SCRIPT_DIR = Path(__file__).resolve().parent
REPO_ROOT = SCRIPT_DIR.parents[2]
OUT_DIR = SCRIPT_DIR / "fixtures"

# (output file name, substring of the translated SQL) -> reason. A query whose output file and SQL
# match an entry is written with "skipif floe"; the reason names the Floe gap.
NOT_YET = {
    ("duckdb_initial_default_all_types.test", "col_timestamp"): (
        "in-process results drop DATETIME fractions: Column::GetValue makes a scale-0 DATETIME Value, so "
        "1970-01-01 00:00:00.012345 prints as 1970-01-01 00:00:00 (vector/runner)"
    ),
    ("duckdb_initial_default_in_struct_all_types.test", "select a from"): (
        "a struct column's children added later with an initial-default are missing for data files written "
        "before them (expected the defaults, got {\"col1\":\"test\"}); binary bytes inside JSON are not escaped"
    ),
    ("duckdb_missing_map_bounds.test", "metadata['key']"): (
        "Iceberg maps are JSON in Floe: map['key'] fails (element_at() needs an ARRAY argument, not JSON)"
    ),
}

# Statement-error records of DuckDB's files that Floe rightly does not fail: left out with the reason.
FLOE_ACCEPTS = {
    ("duckdb_legacy_bare_deletion_vector.test", "legacy_bare_deletion_vector"): (
        "DuckDB refuses the bare deletion-vector blob unless iceberg_unsafe_skip_puffin_verification is set; "
        "Floe reads the blob at the manifest's content offset without checking the Puffin container, which "
        "the reference allows (rows 1 and 3), so the error is not expected"
    ),
}

# Impala tables with timestamptz columns, and those columns: under a session time zone other than
# UTC both Impala and Floe show (and compare) them in that zone. Empty: nothing to skip any more.
IMPALA_TIMESTAMPTZ = {}
ZONE_REASON = "timestamptz in the session time zone"


# Parquet files DuckDB reads directly, and the Iceberg table whose data file each is: its schema
# types the expected values.
PARQUET_TABLES = {
    "data/persistent/column_mapping/warehouse/example/mock_data.parquet": "data/persistent/column_mapping/warehouse/default.db/my_table",
}


class LeaveOut(Exception):
    """A record that has no Floe translation; the message says why."""


# ---------------------------------------------------------------------------------------------
# sqllogictest parsing


class Record:
    """One sqllogictest record: a statement or a query with its expected lines."""

    def __init__(self, header, sql, expected, comments, conditions):
        self.header = header  # "statement ok", "query II rowsort", ...
        self.sql = sql  # list of lines
        self.expected = expected  # list of lines after ----, or None when there is no ----
        self.comments = comments  # comment lines before the record
        self.conditions = conditions  # "onlyif x" / "skipif x" lines

    @property
    def kind(self):
        return self.header.split()[0]


def parse_records(lines):
    """Splits a sqllogictest file into records and control lines ("require", "foreach", ...)."""
    items = []
    comments = []
    conditions = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            i += 1
            continue
        if stripped.startswith("#"):
            comments.append(stripped)
            i += 1
            continue
        word = stripped.split()[0]
        if word in ("onlyif", "skipif"):
            conditions.append(stripped)
            i += 1
            continue
        if word in ("statement", "query"):
            header = stripped
            i += 1
            sql = []
            while i < len(lines) and lines[i].strip() and lines[i].strip() != "----":
                sql.append(lines[i].rstrip())
                i += 1
            expected = None
            if i < len(lines) and lines[i].strip() == "----":
                i += 1
                expected = []
                while i < len(lines) and lines[i].strip():
                    expected.append(lines[i].rstrip("\n"))
                    i += 1
            items.append(Record(header, sql, expected, comments, conditions))
            comments = []
            conditions = []
            continue
        items.append(("control", stripped, comments))
        comments = []
        conditions = []
        i += 1
    if comments:
        items.append(("control", "", comments))
    return items


def unroll_loops(items):
    """Expands DuckDB's `foreach var a b ... endloop`, substituting ${var} and evaluating the
    `onlyif var=value` conditions of the records inside."""
    out = []
    i = 0
    while i < len(items):
        item = items[i]
        if isinstance(item, tuple) and item[1].startswith("foreach "):
            words = item[1].split()
            var, values = words[1], words[2:]
            depth, j = 1, i + 1
            while j < len(items):
                it = items[j]
                if isinstance(it, tuple) and it[1].startswith("foreach "):
                    depth += 1
                if isinstance(it, tuple) and it[1] == "endloop":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            body = items[i + 1 : j]
            out.append(("control", "", item[2] + ["# (DuckDB's loop over %s = %s, unrolled)" % (var, " ".join(values))]))
            for value in values:
                for it in unroll_loops(body):
                    if isinstance(it, Record):
                        keep = True
                        conds = []
                        for c in it.conditions:
                            w = c.split()
                            if len(w) > 1 and w[1].startswith(var + "="):
                                matches = w[1] == var + "=" + value
                                keep = keep and (matches if w[0] == "onlyif" else not matches)
                            else:
                                conds.append(c)
                        if not keep:
                            continue
                        sub = lambda s: s.replace("${%s}" % var, value)
                        out.append(
                            Record(sub(it.header), [sub(s) for s in it.sql], it.expected, it.comments, conds)
                        )
                    else:
                        out.append(it)
            if isinstance(items[j], tuple) and j < len(items):
                out.append(("control", "", items[j][2]))
            i = j + 1
            continue
        out.append(item)
        i += 1
    return out


# ---------------------------------------------------------------------------------------------
# Iceberg tables: current metadata and schema


def read_json(path):
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return json.loads(data)


METADATA_SUFFIXES = (".gz.metadata.json", ".metadata.json.gz", ".metadata.json")


def metadata_stem(name):
    if name.startswith("."):
        return None
    for suffix in METADATA_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return None


def current_metadata_file(table_dir):
    """The metadata file Floe's hadoop catalog reads (see hadoop_catalog.h): the version hint,
    else the highest vN / NNNNN-uuid, else the latest last-updated-ms."""
    meta = table_dir / "metadata"
    files = {}
    for p in meta.iterdir():
        stem = metadata_stem(p.name)
        if stem is not None:
            files.setdefault(stem, p)
    for hint in ("version-hint.text", "version-hint.txt"):
        h = meta / hint
        if h.exists():
            text = h.read_text().strip()
            if text.isdigit():
                n = int(text)
                while "v%d" % (n + 1) in files:
                    n += 1
                if "v%d" % n in files:
                    return files["v%d" % n]
            elif text in files:
                return files[text]
    stems = list(files)
    if stems and all(re.fullmatch(r"v\d+", s) for s in stems):
        return files[max(stems, key=lambda s: int(s[1:]))]
    if stems and all(re.fullmatch(r"\d+-.*", s) for s in stems):
        return files[max(stems, key=lambda s: int(s.split("-")[0]))]
    return max(files.values(), key=lambda p: read_json(p).get("last-updated-ms", 0))


def table_schema(metadata):
    """Top-level (name, iceberg type) pairs of the current schema."""
    schema = None
    if "schemas" in metadata:
        sid = metadata.get("current-schema-id", 0)
        for s in metadata["schemas"]:
            if s.get("schema-id", 0) == sid:
                schema = s
    if schema is None:
        schema = metadata.get("schema")
    return [(f["name"], f["type"]) for f in schema["fields"]]


def type_class(t):
    """The Iceberg type of a column as one word: boolean, int, float, decimal, date, timestamp,
    timestamptz, time, string, uuid, binary, nested."""
    if isinstance(t, dict):
        return "nested"
    if t in ("int", "long"):
        return "int"
    if t in ("float", "double"):
        return "float"
    if t.startswith("decimal"):
        return "decimal"
    if t in ("timestamp", "timestamp_ns"):
        return "timestamp"
    if t in ("timestamptz", "timestamptz_ns"):
        return "timestamptz"
    if t == "binary" or t.startswith("fixed"):
        return "binary"
    return t  # boolean, date, time, string, uuid, unknown, variant


# ---------------------------------------------------------------------------------------------
# Catalogs


class Catalogs:
    """The hadoop catalogs one generated file creates, keyed by warehouse directory."""

    def __init__(self, fixtures):
        self.fixtures = fixtures
        self.by_warehouse = {}  # warehouse Path -> catalog name

    def table(self, table_dir, name_hint):
        warehouse = table_dir.parent.parent
        if warehouse not in self.by_warehouse:
            name = name_hint
            taken = set(self.by_warehouse.values())
            n = 2
            while name in taken:
                name = "%s_%d" % (name_hint, n)
                n += 1
            self.by_warehouse[warehouse] = name
        return "%s.%s.%s" % (self.by_warehouse[warehouse], quote(table_dir.parent.name), quote(table_dir.name))

    def statements(self):
        out = []
        for warehouse, name in self.by_warehouse.items():
            rel = os.path.relpath(warehouse, self.fixtures)
            out.append(
                "statement ok\n"
                "CREATE EXTERNAL CATALOG %s PROPERTIES ('type' = 'iceberg', 'iceberg.catalog.type' = 'hadoop', "
                "'iceberg.catalog.warehouse' = '${FIXTURES}/%s')\n" % (name, rel)
            )
        return out


def quote(name):
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) and name.lower() not in ("default",) else "`%s`" % name


# ---------------------------------------------------------------------------------------------
# Expected values


DATETIME_RE = re.compile(r"^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d(?::?\d\d)?)?$")


def floe_datetime(text, to_utc):
    """'2023-05-15 16:30:45.5+02' -> '2023-05-15 14:30:45.500000' (DATETIME in UTC)."""
    m = DATETIME_RE.match(text)
    if not m:
        return text
    date, time, frac, offset = m.groups()
    frac = (frac or ".")[1:]
    micros = int((frac + "000000")[:6])
    y, mo, d = (int(x) for x in date.split("-"))
    h, mi, s = (int(x) for x in time.split(":"))
    if offset and to_utc:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        off_min = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
        # datetime cannot hold year 11 arithmetic issues; it can (year >= 1).
        dt = datetime.datetime(y, mo, d, h, mi, s, micros) - sign * datetime.timedelta(minutes=off_min)
        y, mo, d, h, mi, s, micros = dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.microsecond
    # Floe prints a DATETIME's fraction only when it is not zero, then with six digits.
    return "%04d-%02d-%02d %02d:%02d:%02d" % (y, mo, d, h, mi, s) + (".%06d" % micros if micros else "")


def duckdb_blob_bytes(text):
    r"""DuckDB prints a BLOB with printable ASCII as is and other bytes as \xHH."""
    out = bytearray()
    i = 0
    while i < len(text):
        if text[i] == "\\" and text[i + 1 : i + 2] == "x":
            out.append(int(text[i + 2 : i + 4], 16))
            i += 4
        else:
            out.append(ord(text[i]))
            i += 1
    return bytes(out)


def convert_value(value, cls, source):
    """An expected value as Floe's runner prints a column of Iceberg type class `cls`."""
    if value == "NULL":
        return value
    if cls == "boolean":
        return {"true": "1", "false": "0"}.get(value.lower(), value)
    if cls == "float":
        try:
            return "%.3f" % float(value)
        except ValueError:
            return value
    if cls == "timestamp":
        return floe_datetime(value, False)
    if cls == "timestamptz":
        return floe_datetime(value, source == "duckdb")
    if cls == "binary" and source == "duckdb":
        return duckdb_blob_bytes(value).hex().upper()
    return value


class NestedParser:
    """Reads DuckDB's printed nested values ({'a': 1}, {k=v}, [1, 2]) guided by the Iceberg type."""

    def __init__(self, text):
        self.text = text
        self.i = 0

    def peek(self, s):
        return self.text.startswith(s, self.i)

    def expect(self, s):
        if not self.peek(s):
            raise ValueError("expected %r at %d of %r" % (s, self.i, self.text))
        self.i += len(s)

    def atom(self, stops):
        if self.peek("'"):
            j = self.text.index("'", self.i + 1)
            out = self.text[self.i + 1 : j]
            self.i = j + 1
            return out
        j = self.i
        while j < len(self.text) and self.text[j] not in stops:
            j += 1
        out = self.text[self.i : j]
        self.i = j
        return out

    def value(self, t, stops=",}]"):
        if isinstance(t, dict) and t["type"] == "struct":
            self.expect("{")
            out = []
            for k, f in enumerate(t["fields"]):
                if k:
                    self.expect(", ")
                self.expect("'%s': " % f["name"])
                out.append((f["name"], self.value(f["type"])))
            self.expect("}")
            return ("struct", out)
        if isinstance(t, dict) and t["type"] == "list":
            self.expect("[")
            out = []
            while not self.peek("]"):
                if out:
                    self.expect(", ")
                out.append(self.value(t["element"]))
            self.expect("]")
            return ("list", out)
        if isinstance(t, dict) and t["type"] == "map":
            self.expect("{")
            out = []
            while not self.peek("}"):
                if out:
                    self.expect(", ")
                key = self.value(t["key"], "=")
                self.expect("=")
                out.append((key, self.value(t["value"])))
            self.expect("}")
            return ("map", out)
        text = self.atom(stops)
        return ("null",) if text == "NULL" else (type_class(t), text, t)


def json_text(v):
    """Floe's compact JSON of a parsed nested value."""
    kind = v[0]
    if kind == "null":
        return "null"
    if kind in ("struct", "map"):
        return "{" + ",".join("%s:%s" % (json.dumps(k if kind == "struct" else k[1]), json_text(x)) for k, x in v[1]) + "}"
    if kind == "list":
        return "[" + ",".join(json_text(x) for x in v[1]) + "]"
    cls, text, t = v
    if cls == "boolean":
        return text.lower()
    if cls == "int" or cls == "decimal":
        return text
    if cls == "float":
        x = float(text)
        if t == "float":
            x = struct.unpack("<f", struct.pack("<f", x))[0]
        return repr(x)
    if cls == "timestamptz":
        return json.dumps(floe_datetime(text, True))
    if cls == "binary":
        return json.dumps(duckdb_blob_bytes(text).decode("latin-1"))
    return json.dumps(text)


def nested_json(value, t):
    if value == "NULL":
        return value
    p = NestedParser(value)
    return json_text(p.value(t))


def letter(cls):
    return {"boolean": "I", "int": "I", "float": "R"}.get(cls, "T")


def infer_class(values):
    """The type class of an expression column from its expected values."""
    present = [v for v in values if v != "NULL"]
    if present and all(re.fullmatch(r"-?\d+", v) for v in present):
        return "int"
    if present and all(v in ("true", "false") for v in present):
        return "boolean"
    if present and all(DATETIME_RE.match(v) for v in present):
        return "timestamp"
    return "string"


# ---------------------------------------------------------------------------------------------
# SQL helpers


def split_top_level(text, sep=","):
    parts, depth, quote_char, cur = [], 0, None, ""
    for ch in text:
        if quote_char:
            cur += ch
            if ch == quote_char:
                quote_char = None
            continue
        if ch in "'\"`":
            quote_char = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        cur += ch
    parts.append(cur)
    return [p.strip() for p in parts]


def find_keyword(sql, keyword, start=0):
    """Position of a top-level keyword (outside parentheses and quotes), or -1."""
    depth, quote_char = 0, None
    kw = keyword.lower()
    low = sql.lower()
    i = start
    while i < len(sql):
        ch = sql[i]
        if quote_char:
            if ch == quote_char:
                quote_char = None
        elif ch in "'\"`":
            quote_char = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and low.startswith(kw, i):
            before = low[i - 1] if i > 0 else " "
            after = low[i + len(kw)] if i + len(kw) < len(low) else " "
            if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
                return i
        i += 1
    return -1


def select_items(sql):
    """The items of the outermost SELECT list, or None."""
    s = find_keyword(sql, "select")
    f = find_keyword(sql, "from", s + 1) if s >= 0 else -1
    if s < 0 or f < 0:
        return None
    body = sql[s + 6 : f].strip()
    if body.lower().startswith("distinct "):
        body = body[9:]
    return split_top_level(body)


def item_column(item):
    """The column an item names (`t.col`, `"col"`, `col AS x`), or None for an expression."""
    item = re.sub(r"(?i)\s+as\s+\w+$", "", item.strip())
    m = re.fullmatch(r'(?:\w+\.)?[`"]?(\w+)[`"]?', item)
    return m.group(1) if m else None


# ---------------------------------------------------------------------------------------------
# DuckDB translation


SCAN_RE = re.compile(r"(?i)iceberg_scan\(\s*'([^']*)'((?:\s*,\s*\w+\s*=\s*(?:'[^']*'|[\w.]+))*)\s*\)")

DUCKDB_ONLY = [
    (r"(?i)\biceberg_metadata\s*\(", "iceberg_metadata() is DuckDB's (Floe's equivalent, the $files metadata table, is another engineer's work)"),
    (r"(?i)\biceberg_snapshots\s*\(", "iceberg_snapshots() is DuckDB's (Floe's equivalent is the $snapshots metadata table, another engineer's work)"),
    (r"(?i)\biceberg_column_stats\s*\(", "iceberg_column_stats() is DuckDB's (Floe's equivalent is the $files metadata table, another engineer's work)"),
    (r"(?i)\biceberg_partition_stats\s*\(", "iceberg_partition_stats() is DuckDB's (Floe's equivalent is the $partitions metadata table)"),
    (r"(?i)\biceberg_table_properties\s*\(", "iceberg_table_properties() is DuckDB's"),
    (r"(?i)\bduckdb_logs\s*\(|enable_logging|truncate_duckdb_logs", "reads DuckDB's own scan logs"),
    (r"(?i)\bfilename\b", "selects DuckDB's filename virtual column"),
    (r"(?i)\{TEST_DIR\}", "reads a table the DuckDB test writes itself with COPY ... (FORMAT ICEBERG)"),
    (r"(?i)^\s*copy\b", "DuckDB writes an Iceberg table with COPY ... (FORMAT ICEBERG)"),
    (r"(?i)^\s*pragma\b", "a DuckDB optimizer setting"),
    (r"(?i)^\s*(set|reset)\s+(disabled_optimizers|iceberg_unsafe|unsafe_enable|logging_level|calendar)", "a DuckDB setting"),
    (r"(?i)^\s*set\s+timezone\b", "DuckDB's TimeZone setting: Floe shows Iceberg timestamptz as DATETIME in UTC, so the expected values are converted to UTC instead"),
    (r"(?i)^\s*attach\b", "DuckDB's ATTACH (the view over ICEBERG_SCAN is replaced by the catalog table)"),
    (r"(?i)^\s*create\s+schema\b", "a schema in DuckDB's attached database (not needed: the catalog table is read directly)"),
    (r"(?i)\bdescribe\b", "DuckDB's DESCRIBE output (DuckDB's type names and columns)"),
    (r"(?i)version_name_format", "DuckDB's version_name_format option"),
    (r"(?i)iceberg_scan\(\s*[a-z_]", "DuckDB's iceberg functions over a DuckDB table"),
    (r"(?i)\brange\s*\(", "DuckDB's range() table function"),
]


class DuckTranslator:
    def __init__(self, fixtures, catalogs, out_name):
        self.fixtures = fixtures
        self.root = fixtures / "iceberg" / "duckdb-iceberg"
        self.catalogs = catalogs
        self.views = {}  # DuckDB view name -> (table ref, schema)
        self.out_name = out_name
        self.notes = []  # comments to put before the translated record
        self.database = False  # whether a database for DuckDB's own tables was made

    def scan_target(self, m):
        """The catalog table for an ICEBERG_SCAN(path, options) call, with FOR VERSION AS OF."""
        path, opts = m.group(1), m.group(2)
        for prefix in ("{WORKING_DIRECTORY}/", "__WORKING_DIRECTORY__/"):
            if path.startswith(prefix):
                path = path[len(prefix) :]
        options = {}
        for o in re.finditer(r"(\w+)\s*=\s*('[^']*'|[\w.]+)", opts):
            options[o.group(1).lower()] = o.group(2).strip("'")
        p = self.root / path
        named = None
        if p.name.endswith(".metadata.json"):
            named = p
            p = p.parent.parent
        if not (p / "metadata").is_dir():
            raise LeaveOut("%s is not a table directory" % path)
        if "version" in options:
            stem = options["version"]
            candidates = [p / "metadata" / (stem + s) for s in METADATA_SUFFIXES] + [
                p / "metadata" / ("v" + stem + s) for s in METADATA_SUFFIXES
            ]
            found = [c for c in candidates if c.exists()]
            if not found:
                raise LeaveOut("DuckDB's version='%s' names no metadata file" % stem)
            named = found[0]
        current = current_metadata_file(p)
        metadata = read_json(current)
        travel = ""
        if named is not None and named.resolve() != current.resolve():
            old = read_json(named)
            if table_schema(old) != table_schema(metadata) or old.get("properties") != metadata.get("properties"):
                raise LeaveOut(
                    "reads the non-current metadata file %s (its schema or properties differ from the current %s); "
                    "Floe's catalogs read the current metadata only" % (named.name, current.name)
                )
            snap = old.get("current-snapshot-id")
            if snap not in (None, -1) and snap != metadata.get("current-snapshot-id"):
                travel = " FOR VERSION AS OF %d" % snap
            self.notes.append(
                "# DuckDB read the metadata file %s; Floe reads the current %s%s"
                % (named.name, current.name, " at that file's snapshot" if travel else " (same snapshot and schema)")
            )
        if "snapshot_from_id" in options:
            travel = " FOR VERSION AS OF %s" % options["snapshot_from_id"]
        hint = "dk_" + re.sub(r"\W", "_", os.path.relpath(p.parent.parent, self.root / "data" / "persistent"))
        hint = re.sub(r"_+", "_", hint.replace("..", "data")).strip("_")
        return self.catalogs.table(p, hint) + travel, table_schema(metadata)

    def translate(self, sql, is_query):
        self.notes = []
        sql = sql.strip().rstrip(";").strip()
        for pattern, reason in DUCKDB_ONLY:
            if re.search(pattern, sql):
                raise LeaveOut(reason)
        # Views over ICEBERG_SCAN in an attached DuckDB database: remember them, read the table.
        m = re.match(r"(?is)create\s+view\s+([\w.]+)\s+as\s+select\s+\*\s+from\s+(.*)$", sql)
        if m:
            target, schema = self.scan_target(SCAN_RE.search(m.group(2)))
            self.views[m.group(1)] = (target, schema)
            raise LeaveOut("a DuckDB view over ICEBERG_SCAN; the queries below read %s directly" % target)
        schemas = []
        for name, (target, schema) in self.views.items():
            if name in sql:
                sql = sql.replace(name, target)
                schemas.append(schema)

        def scan(m):
            target, schema = self.scan_target(m)
            schemas.append(schema)
            return target

        sql = SCAN_RE.sub(scan, sql)
        # DuckDB's FROM-first: "FROM t ..." is "SELECT * FROM t ...".
        if re.match(r"(?i)from\b", sql):
            sql = "SELECT * " + sql
        # "ident" is an identifier in DuckDB.
        sql = re.sub(r'"(\w+)"', r"`\1`", sql)
        # DuckDB reads a Parquet file named as a table; Floe reads it with FILES().
        def parquet(m):
            path = m.group(1)
            for prefix in ("{WORKING_DIRECTORY}/", "__WORKING_DIRECTORY__/"):
                if path.startswith(prefix):
                    path = path[len(prefix) :]
            rel = os.path.relpath(self.root / path, self.fixtures)
            if path in PARQUET_TABLES:
                table_dir = self.root / PARQUET_TABLES[path]
                schemas.append(table_schema(read_json(current_metadata_file(table_dir))))
            return 'FROM FILES("path" = "${FIXTURES}/%s", "format" = "parquet")' % rel

        sql = re.sub(r"(?i)from\s+'([^']+\.parquet)'", parquet, sql)
        # '\x01\x02'::BLOB -> a binary literal; other ::TYPE casts -> CAST(x AS TYPE).
        sql = re.sub(
            r"'((?:\\x[0-9A-Fa-f]{2})+)'::BLOB",
            lambda m: "X'%s'" % duckdb_blob_bytes(m.group(1)).hex().upper(),
            sql,
        )
        sql = re.sub(r"('[^']*'|[\w.]+)::(\w+)", r"CAST(\1 AS \2)", sql)
        # (VALUES (1), (4)) alias(col) -> a UNION ALL subquery.
        def values(m):
            rows = re.findall(r"\(([^()]*)\)", m.group(1))
            cols = [c.strip() for c in m.group(3).split(",")]
            selects = []
            for k, row in enumerate(rows):
                vals = [v.strip() for v in row.split(",")]
                if k == 0:
                    selects.append("SELECT " + ", ".join("%s AS %s" % (v, c) for v, c in zip(vals, cols)))
                else:
                    selects.append("SELECT " + ", ".join(vals))
            return "(%s) %s" % (" UNION ALL ".join(selects), m.group(2))

        sql = re.sub(r"(?i)\(\s*VALUES\s*((?:\([^()]*\)\s*,?\s*)+)\)\s*(\w+)\s*\(([\w\s,]+)\)", values, sql)
        # IS [NOT] DISTINCT FROM: MySQL's null-safe equality.
        sql = re.sub(r"(?i)([\w.`]+)\s+IS\s+NOT\s+DISTINCT\s+FROM\s+('[^']*'|NULL|[\w.]+)", r"\1 <=> \2", sql)
        sql = re.sub(r"(?i)([\w.`]+)\s+IS\s+DISTINCT\s+FROM\s+('[^']*'|NULL|[\w.]+)", r"NOT (\1 <=> \2)", sql)
        # A select-list alias used in WHERE (DuckDB allows it): the expression itself.
        for expr, alias in re.findall(r"(?is)(CASE\s.*?\sEND)\s+AS\s+(\w+)", sql):
            w = find_keyword(sql, "where")
            if w >= 0:
                head, tail = sql[:w], sql[w:]
                tail = re.sub(r"\b%s\b" % alias, "(%s)" % expr, tail)
                sql = head + tail
        # timestamptz literals with an offset: the same instant in UTC (Floe's DATETIME is UTC).
        sql = re.sub(
            r"'(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?[+-]\d\d(?::?\d\d)?)'",
            lambda m: "'%s'" % floe_datetime(m.group(1), True)[:19],
            sql,
        )
        sql = re.sub(r"'(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)'", r"'\1 \2'", sql)
        # A derived table needs an alias in MySQL.
        if re.search(r"(?i)\bfrom\s*\(", sql) and sql.endswith(")"):
            sql += " AS t"
        # SELECT * EXCLUDE (a, b): the remaining columns.
        m = re.search(r"(?i)\*\s*EXCLUDE\s*\(([^)]*)\)", sql)
        if m:
            excluded = {c.strip().strip('"') for c in m.group(1).split(",")}
            cols = [n for n, _ in schemas[0] if n not in excluded]
            sql = sql[: m.start()] + ", ".join(quote_column(c) for c in cols) + sql[m.end() :]
        # DuckDB compares a FLOAT column with a decimal literal as FLOAT; MySQL compares as DOUBLE,
        # where 1.23 differs from the float 1.23f. The literal is cast to keep DuckDB's meaning.
        for schema in schemas:
            for name, t in schema:
                if t == "float":
                    sql = re.sub(
                        r"(\b%s\s*(?:=|<>|!=|<=|>=|<|>)\s*)(-?\d+\.\d+)\b" % re.escape(name),
                        r"\1CAST(\2 AS FLOAT)",
                        sql,
                    )
        return sql, schemas

    def column_types(self, sql, schemas, expected_rows, ncols):
        """The Iceberg type of each output column (a JSON type, or a type class such as "int"
        inferred from the expected values where an item is an expression)."""
        items = select_items(sql) or []
        schema = {}
        ordered = []
        for s in schemas:
            for n, t in s:
                schema.setdefault(n.lower(), t)
            ordered.extend(t for _, t in s)
        types = []
        for item in items:
            if item == "*" or item.endswith(".*"):
                types.extend(ordered if item == "*" else [t for _, t in schemas[0]])
                continue
            col = item_column(item)
            if col is not None and col.lower() in schema:
                types.append(schema[col.lower()])
            elif re.match(r"(?i)count\s*\(", item):
                types.append("long")
            else:
                types.append(None)
        types = (types + [None] * ncols)[:ncols]
        for c in range(ncols):
            if types[c] is None:
                types[c] = {"int": "long", "boolean": "boolean", "timestamp": "timestamp"}.get(
                    infer_class([r[c] for r in expected_rows if c < len(r)]), "string"
                )
        return types


def quote_column(name):
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else "`%s`" % name


def wrap_binary_columns(sql, classes, schemas):
    """Binary columns are selected through hex() (Floe holds them as VARCHAR bytes)."""
    items = select_items(sql)
    if items is None or "binary" not in classes:
        return sql
    expanded = []
    for item in items:
        if item == "*":
            expanded.extend(quote_column(n) for n, _ in schemas[0])
        else:
            expanded.append(item)
    if len(expanded) != len(classes):
        return sql
    new_items = ["hex(%s)" % it if cls == "binary" else it for it, cls in zip(expanded, classes)]
    s = find_keyword(sql, "select")
    f = find_keyword(sql, "from", s + 1)
    return sql[: s + 6] + " " + ", ".join(new_items) + " " + sql[f:]


def narrow_select(sql, keep, schemas):
    """The query with only the select items at positions `keep`, or None."""
    items = select_items(sql)
    if items is None:
        return None
    expanded = []
    for item in items:
        if item == "*":
            expanded.extend(quote_column(n) for n, _ in schemas[0])
        else:
            expanded.append(item)
    s = find_keyword(sql, "select")
    f = find_keyword(sql, "from", s + 1)
    return sql[: s + 6] + " " + ", ".join(expanded[c] for c in keep if c < len(expanded)) + " " + sql[f:]


def has_order_by(sql):
    return find_keyword(sql, "order by") >= 0 or re.search(r"(?i)\border\s+by\b[^)]*$", sql) is not None


# ---------------------------------------------------------------------------------------------
# Writers


class Output:
    def __init__(self, name, header_comments):
        self.name = name
        self.header = header_comments
        self.blocks = []
        self.converted = 0
        self.left_out = 0
        self.skipped = []
        self.left_out_reasons = []

    def record(self, comments, header, sql, expected, reason=None):
        block = list(comments)
        joined = "\n".join(sql)
        for (fname, needle), why in NOT_YET.items() if reason is None else []:
            if fname == self.name and needle in joined:
                reason = why
        if header.startswith("query"):
            self.converted += 1
        if reason:
            block.append("# floe: not yet: " + reason)
            if not os.environ.get("FLOE_CONFORMANCE_NO_SKIP"):
                block.append("skipif floe")
            self.skipped.append((reason, joined))
        block.append(header)
        block.extend(sql)
        if expected is not None:
            block.append("----")
            block.extend(expected)
        self.blocks.append("\n".join(block))

    def leave_out(self, comments, record, reason):
        if record.kind == "query":
            self.left_out += 1
            self.left_out_reasons.append(reason)
        block = list(comments)
        block.append("# left out (%s): %s" % (record.kind, reason))
        for s in record.sql:
            block.append("#   " + s)
        self.blocks.append("\n".join(block))

    def comment(self, comments):
        if comments:
            self.blocks.append("\n".join(comments))

    def write(self, catalogs):
        text = "\n".join(self.header) + "\n\n"
        text += "\n".join(catalogs.statements())
        text += "\n" + "\n\n".join(b for b in self.blocks if b) + "\n"
        (OUT_DIR / self.name).write_text(text)


def convert_impala(fixtures, src):
    name = "impala_" + src.stem + ".test"
    out = Output(
        name,
        [
            "# Generated by test/sql/iceberg/generate_fixture_tests.py; do not edit.",
            "# source: shared/fixtures/iceberg/impala/_expected/%s" % src.name,
            "# Tables ice.<t> of hadoop_catalog/ice are read through catalog impala_hadoop; the location-based",
            "# tables impala/iceberg_partitioned and impala/iceberg_non_partitioned through catalog impala_tables",
            "# (warehouse fixtures/iceberg, namespace impala).",
        ],
    )
    catalogs = Catalogs(fixtures)
    hadoop = fixtures / "iceberg" / "impala" / "hadoop_catalog" / "ice"
    located = fixtures / "iceberg" / "impala"

    def table(m):
        t = m.group(1)
        if (hadoop / t).is_dir():
            return catalogs.table(hadoop / t, "impala_hadoop")
        return catalogs.table(located / t, "impala_tables")

    items = parse_records(src.read_text().splitlines())
    zone = "UTC"
    for it in items:
        if isinstance(it, tuple):
            if it[1] == "hash-threshold 0":
                continue
            out.comment(it[2])
            continue
        joined = "\n".join(it.sql)
        m = re.match(r"(?i)SET\s+time_zone\s*=\s*'([^']*)'", joined)
        if m:
            zone = m.group(1)
        reason = None
        if it.kind == "query" and zone not in ("+00:00", "UTC"):
            for t, cols in IMPALA_TIMESTAMPTZ.items():
                if re.search(r"\bice\.%s\b" % t, joined) and (
                    "*" in joined or any(re.search(r"\b%s\b" % c, joined) for c in cols)
                ):
                    reason = ZONE_REASON
        sql = [re.sub(r"\bice\.(\w+)", table, s) for s in it.sql]
        expected = it.expected
        if it.kind == "query" and expected is not None:
            letters = it.header.split()[1]
            rows = [e.split("\t") for e in expected]
            conv = []
            for r in rows:
                conv.append(
                    "\t".join(
                        floe_datetime(v, False) if c < len(letters) and letters[c] == "T" else v
                        for c, v in enumerate(r)
                    )
                )
            expected = conv
        out.record(it.comments, it.header, sql, expected, reason)
    out.write(catalogs)
    return out


def convert_duckdb(fixtures, src, rel):
    stem = re.sub(r"[/\\]", "_", str(rel.with_suffix("")))
    stem = stem[len("local_") :] if stem.startswith("local_") else stem
    name = "duckdb_" + stem + ".test"
    out = Output(
        name,
        [
            "# Generated by test/sql/iceberg/generate_fixture_tests.py; do not edit.",
            "# source: shared/fixtures/iceberg/duckdb-iceberg/_expected/%s" % rel,
            "# Translated from DuckDB's dialect: each ICEBERG_SCAN(path) reads <catalog>.<ns>.<table> of a hadoop",
            "# catalog whose warehouse is the table directory's grandparent; expected values as Floe prints them",
            "# (R: three decimals; booleans 1/0; timestamptz as DATETIME in UTC; nested values as JSON).",
        ],
    )
    catalogs = Catalogs(fixtures)
    tr = DuckTranslator(fixtures, catalogs, name)
    lines = src.read_text().splitlines()
    items = unroll_loops(parse_records(lines))
    skipping = False
    for it in items:
        if isinstance(it, tuple):
            comments = [c for c in it[2] if not c.startswith(("# name:", "# group:"))]
            if it[1] == "mode skip":
                comments.append("# (DuckDB skips the rest of this file with `mode skip`; Floe runs it)")
            elif it[1].startswith("require"):
                pass
            out.comment(comments)
            continue
        comments = list(it.comments)
        if any(c.split()[0] == "onlyif" for c in it.conditions):
            out.leave_out(comments, it, "runs only on " + " ".join(it.conditions))
            continue
        try:
            sql, schemas = tr.translate("\n".join(it.sql), it.kind == "query")
        except LeaveOut as e:
            out.leave_out(comments, it, str(e))
            continue
        comments.extend(tr.notes)
        if it.kind == "statement":
            accepted = [
                why for (f, needle), why in FLOE_ACCEPTS.items() if f == out.name and needle in sql
            ]
            if it.header.startswith("statement error") and accepted:
                out.leave_out(comments, it, accepted[0])
                continue
            if re.match(r"(?i)create\s+table\b", sql) and not tr.database:
                tr.database = True
                out.record(
                    ["# DuckDB's tables live in its default database; Floe's in one made for them."],
                    "statement ok",
                    ["CREATE DATABASE IF NOT EXISTS duckdb_memory"],
                    None,
                )
                out.record([], "statement ok", ["USE duckdb_memory"], None)
            if it.header.startswith("statement error"):
                out.record(comments + ["# (DuckDB's message: %s)" % " ".join(it.expected or [])], "statement error", sql.split("\n"), None)
            else:
                out.record(comments, "statement ok", sql.split("\n"), None)
            continue
        words = it.header.split()
        ncols = len(words[1]) if len(words) > 1 else 1
        rows = [re.split(r"\t+", e) for e in (it.expected or [])]
        order_all = re.search(r"(?i)order\s+by\s+all\b", sql) is not None
        types = tr.column_types(sql, schemas, rows, ncols)
        classes = [type_class(t) for t in types]
        # Binary values: as they are when printable (Floe returns the bytes), else through hex().
        hexed = []
        for c, cls in enumerate(classes):
            if cls == "binary":
                printable = all(
                    r[c] == "NULL" or all(32 <= b < 127 for b in duckdb_blob_bytes(r[c])) for r in rows if c < len(r)
                )
                if printable:
                    classes[c] = "string"
                else:
                    hexed.append(c)
        expected = [
            [
                nested_json(v, types[c]) if classes[c] == "nested" else convert_value(v, classes[c], "duckdb")
                for c, v in enumerate(r)
            ]
            for r in rows
        ]

        def emit(sql, classes, expected, comments, reason=None):
            if order_all:
                sql = re.sub(
                    r"(?i)order\s+by\s+all\b", "ORDER BY " + ", ".join(str(k + 1) for k in range(len(classes))), sql
                )
            letters = "".join(letter(c) for c in classes)
            sort = "" if has_order_by(sql) else " rowsort"
            out.record(
                comments, "query %s%s" % (letters, sort), sql.split("\n"), ["\t".join(r) for r in expected], reason
            )

        if hexed:
            emit(
                wrap_binary_columns(sql, classes, schemas),
                classes,
                expected,
                comments,
            )
            keep = [c for c in range(len(classes)) if c not in hexed]
            narrowed = narrow_select(sql, keep, schemas)
            if narrowed is not None:
                emit(
                    narrowed,
                    [classes[c] for c in keep],
                    [[r[c] for c in keep] for r in expected],
                    ["# (the same query without its non-printable binary columns)"],
                )
            continue
        emit(sql, classes, expected, comments)
    out.write(catalogs)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fixtures", default=str(REPO_ROOT.parent / "shared" / "fixtures"))
    args = parser.parse_args()
    fixtures = Path(args.fixtures).resolve()
    OUT_DIR.mkdir(exist_ok=True)
    for old in OUT_DIR.glob("*.test"):
        old.unlink()
    outputs = []
    for src in sorted((fixtures / "iceberg" / "impala" / "_expected").glob("*.test")):
        outputs.append(convert_impala(fixtures, src))
    duck = fixtures / "iceberg" / "duckdb-iceberg" / "_expected"
    for src in sorted(duck.rglob("*.test")):
        outputs.append(convert_duckdb(fixtures, src, src.relative_to(duck)))
    converted = sum(o.converted for o in outputs)
    left = sum(o.left_out for o in outputs)
    skipped = sum(len(o.skipped) for o in outputs)
    print("%d files, %d queries converted (%d skipped as not yet passing), %d queries left out" % (len(outputs), converted, skipped, left))
    reasons = {}
    for o in outputs:
        for r, _ in o.skipped:
            reasons[r] = reasons.get(r, 0) + 1
    for r, n in sorted(reasons.items(), key=lambda x: -x[1]):
        print("  %3d  %s" % (n, r))
    print("left out:")
    reasons = {}
    for o in outputs:
        for r in o.left_out_reasons:
            r = re.sub(r"the non-current metadata file \S+", "a non-current metadata file", r)
            reasons[r] = reasons.get(r, 0) + 1
    for r, n in sorted(reasons.items(), key=lambda x: -x[1]):
        print("  %3d  %s" % (n, r))


if __name__ == "__main__":
    main()
