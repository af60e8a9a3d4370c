#!/usr/bin/python3
"""An independent Iceberg spec checker (issue 20): the invariants that no reader checks for us.

Written from the Iceberg table spec (format/spec.md: Table Metadata, Snapshots, Sequence Numbers,
Manifests, Manifest Lists, Partition Transforms, Appendices A, B, D, F), not from Floe's code, so it
can serve as an oracle for the tables Floe writes. It reads:
- the metadata JSON (gzip detected by its magic) with stdlib json/gzip;
- manifest lists and manifests with Debian's python3-avro (decoded with the writer schema, logical
  types stripped so every value comes back raw, then bound by field id);
- the Parquet data files through DuckDB (test/integration/duckdb_peer.py): row counts, field ids
  (parquet_schema), per-column min/max, null and NaN counts, and the distinct values of bucketed
  columns.

    check_table(metadata_json_path, location_map=None, check_data=True, strict=False) -> [problem]

An empty list means the table is valid. `location_map` is {old prefix: new prefix}, for tables
stored elsewhere than their metadata says (the longest matching prefix wins). `strict` adds what
the spec leaves optional but a careful writer (and Floe) always does: snapshot summary totals and
the added-/deleted- keys present whenever nonzero, exact bounds for every non-string column,
metrics for every column.

CLI:  iceberg_spec_check.py [--strict] [--no-data] [--map OLD=NEW ...] path/to/vN.metadata.json
Exits 0 when valid, 1 with one problem per line otherwise.
"""
import argparse
import datetime
import decimal
import gzip
import io
import json
import math
import os
import re
import struct
import sys
import uuid
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import avro.datafile  # noqa: E402  (Debian python3-avro)
import avro.errors  # noqa: E402
import avro.io  # noqa: E402
import avro.schema  # noqa: E402

warnings.filterwarnings("ignore", category=avro.errors.IgnoredLogicalType)

STATUS_EXISTING, STATUS_ADDED, STATUS_DELETED = 0, 1, 2
OPERATIONS = ("append", "replace", "overwrite", "delete")


# ---------------------------------------------------------------------------------------------
# Murmur3 x86 32-bit, seed 0 (spec Appendix B) and the bucket hash inputs
# ---------------------------------------------------------------------------------------------

def murmur3_32(data, seed=0):
    """MurmurHash3_x86_32 of `data` (bytes) as a signed 32-bit int, as Java's Guava returns it."""
    c1, c2 = 0xCC9E2D51, 0x1B873593
    h = seed & 0xFFFFFFFF
    n = len(data)
    for i in range(0, n - n % 4, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = (k * c1) & 0xFFFFFFFF
        k = ((k << 15) | (k >> 17)) & 0xFFFFFFFF
        k = (k * c2) & 0xFFFFFFFF
        h ^= k
        h = ((h << 13) | (h >> 19)) & 0xFFFFFFFF
        h = (h * 5 + 0xE6546B64) & 0xFFFFFFFF
    tail = data[n - n % 4:]
    k = 0
    if len(tail) >= 3:
        k ^= tail[2] << 16
    if len(tail) >= 2:
        k ^= tail[1] << 8
    if len(tail) >= 1:
        k ^= tail[0]
        k = (k * c1) & 0xFFFFFFFF
        k = ((k << 15) | (k >> 17)) & 0xFFFFFFFF
        k = (k * c2) & 0xFFFFFFFF
        h ^= k
    h ^= n
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    h ^= h >> 16
    return h - (1 << 32) if h & 0x80000000 else h


def decimal_unscaled_bytes(unscaled):
    """Minimal two's-complement big-endian bytes of an integer (spec Appendix D, decimal)."""
    length = 1
    while not -(1 << (8 * length - 1)) <= unscaled < (1 << (8 * length - 1)):
        length += 1
    return unscaled.to_bytes(length, "big", signed=True)


def bucket_hash(itype, value):
    """The spec's hash of a (canonical, see `canonical`) value of Iceberg type `itype`."""
    base = _base_type(itype)
    if base in ("int", "long", "date", "time", "timestamp", "timestamptz"):
        return murmur3_32(struct.pack("<q", value))  # every integer-family value hashed as a long
    if base in ("timestamp_ns", "timestamptz_ns"):
        return murmur3_32(struct.pack("<q", value // 1000))
    if base == "string":
        return murmur3_32(value.encode("utf-8"))
    if base == "uuid":
        return murmur3_32(value.bytes)
    if base in ("binary", "fixed"):
        return murmur3_32(bytes(value))
    if base == "decimal":
        _, scale = _decimal_ps(itype)
        return murmur3_32(decimal_unscaled_bytes(_unscaled(value, scale)))
    raise ValueError(f"bucket is not defined for {itype}")


# ---------------------------------------------------------------------------------------------
# Types, canonical values, single-value serialization (Appendix D)
# ---------------------------------------------------------------------------------------------
# Canonical Python forms: int (int, long, date days, time/timestamp micros, _ns nanos), float,
# bool, str, bytes, uuid.UUID, decimal.Decimal.

def _base_type(itype):
    if isinstance(itype, dict):
        return itype.get("type")
    if itype.startswith("decimal"):
        return "decimal"
    if itype.startswith("fixed"):
        return "fixed"
    return itype


def _decimal_ps(itype):
    m = re.match(r"decimal\(\s*(\d+)\s*,\s*(-?\d+)\s*\)", itype)
    return int(m.group(1)), int(m.group(2))


def _unscaled(value, scale):
    return int(decimal.Decimal(value).scaleb(scale).to_integral_value())


def decode_single_value(itype, raw):
    """Binary single-value form (bounds, partition-summary bounds) -> canonical value.
    Bounds keep their write-time type, so a 4-byte bound of a long was an int, of a double a
    float, of a timestamp a date (returned converted to the column's type)."""
    base = _base_type(itype)
    if base == "boolean":
        return raw[0] != 0
    if base in ("int", "date"):
        return struct.unpack("<i", raw)[0]
    if base in ("long", "time"):
        return struct.unpack("<i" if len(raw) == 4 else "<q", raw)[0]
    if base in ("timestamp", "timestamptz", "timestamp_ns", "timestamptz_ns"):
        if len(raw) == 4:  # promoted from date
            days = struct.unpack("<i", raw)[0]
            return days * 86400 * (10 ** 9 if base.endswith("_ns") else 10 ** 6)
        return struct.unpack("<q", raw)[0]
    if base == "float":
        return struct.unpack("<f", raw)[0]
    if base == "double":
        return struct.unpack("<f" if len(raw) == 4 else "<d", raw)[0]
    if base == "string":
        return raw.decode("utf-8")
    if base in ("binary", "fixed"):
        return bytes(raw)
    if base == "uuid":
        return uuid.UUID(bytes=bytes(raw))
    if base == "decimal":
        _, scale = _decimal_ps(itype)
        return decimal.Decimal(int.from_bytes(raw, "big", signed=True)).scaleb(-scale)
    raise ValueError(f"no single-value form for {itype}")


def canonical_avro(itype, value):
    """A raw Avro value (logical types stripped) of Iceberg type `itype` -> canonical value."""
    if value is None:
        return None
    base = _base_type(itype)
    if base == "uuid":
        return uuid.UUID(bytes=bytes(value)) if isinstance(value, (bytes, bytearray)) else uuid.UUID(value)
    if base == "decimal":
        _, scale = _decimal_ps(itype)
        return decimal.Decimal(int.from_bytes(value, "big", signed=True)).scaleb(-scale)
    if base in ("binary", "fixed"):
        return bytes(value)
    return value


def _compare_key(v):
    """Ordering used for bounds: bytes compare unsigned lexicographically; strings by code point
    (= UTF-8 byte order); numbers numerically."""
    return v


def _is_nan(v):
    return isinstance(v, float) and math.isnan(v)


# ---------------------------------------------------------------------------------------------
# Partition transforms (spec "Partition Transforms")
# ---------------------------------------------------------------------------------------------
_EPOCH = datetime.date(1970, 1, 1)


def _micros(itype, v):
    base = _base_type(itype)
    if base == "date":
        return v * 86400 * 10 ** 6
    if base.endswith("_ns"):
        return v // 1000
    return v


def _ymd_from_days(days):
    d = _EPOCH + datetime.timedelta(days=days)
    return d.year, d.month


def apply_transform(transform, itype, v):
    """The partition value of canonical source value `v` (None gives None)."""
    if v is None or transform == "void":
        return None
    if transform == "identity":
        return v
    m = re.fullmatch(r"bucket\[(\d+)\]", transform)
    if m:
        return (bucket_hash(itype, v) & 0x7FFFFFFF) % int(m.group(1))
    m = re.fullmatch(r"truncate\[(\d+)\]", transform)
    if m:
        w = int(m.group(1))
        base = _base_type(itype)
        if base in ("int", "long"):
            return v - (v % w)  # Python % is floor-mod
        if base == "string":
            return v[:w]  # code points
        if base in ("binary", "fixed"):
            return v[:w]
        if base == "decimal":
            _, scale = _decimal_ps(itype)
            u = _unscaled(v, scale)
            return decimal.Decimal(u - (u % w)).scaleb(-scale)
        raise ValueError(f"truncate of {itype}")
    if transform in ("year", "month", "day", "hour"):
        us = _micros(itype, v)
        day = us // (86400 * 10 ** 6)
        if transform == "day":
            return day
        if transform == "hour":
            return us // (3600 * 10 ** 6)
        y, mo = _ymd_from_days(day)
        return y - 1970 if transform == "year" else (y - 1970) * 12 + mo - 1
    raise ValueError(f"unknown transform {transform}")


def transform_result_type(transform, itype):
    if transform in ("identity",) or transform.startswith("truncate"):
        return itype
    if transform == "day":
        return "date"
    return "int"


def monotonic(transform):
    return transform in ("identity", "year", "month", "day", "hour") or transform.startswith("truncate")


# ---------------------------------------------------------------------------------------------
# Avro reading
# ---------------------------------------------------------------------------------------------

def _strip_logical(node):
    if isinstance(node, dict):
        return {k: _strip_logical(v) for k, v in node.items() if k != "logicalType"}
    if isinstance(node, list):
        return [_strip_logical(v) for v in node]
    return node


class AvroFile:
    """An Avro object container: header metadata, writer schema JSON, records (raw values)."""

    def __init__(self, path):
        with open(path, "rb") as f:
            data = f.read()
        self.path = path
        self.size = len(data)
        reader = avro.datafile.DataFileReader(io.BytesIO(data), avro.io.DatumReader())
        self.meta = {k: (v.decode("utf-8", "replace") if isinstance(v, bytes) else v) for k, v in reader.meta.items()}
        self.schema_json = json.loads(self.meta["avro.schema"])
        reader.datum_reader.writers_schema = avro.schema.parse(json.dumps(_strip_logical(self.schema_json)))
        self.records = list(reader)
        reader.close()


def _unwrap_union(t):
    """(is_optional, inner type) of an Avro field type."""
    if isinstance(t, list):
        non_null = [x for x in t if x != "null"]
        return ("null" in t), (non_null[0] if len(non_null) == 1 else non_null)
    return False, t


def _fields_by_id(record_schema):
    """{field id: (name, avro type)} of an Avro record schema JSON."""
    out = {}
    for f in record_schema.get("fields", []):
        if "field-id" in f:
            out[int(f["field-id"])] = (f["name"], f["type"])
    return out


def _record_of(t):
    _, inner = _unwrap_union(t)
    return inner if isinstance(inner, dict) and inner.get("type") == "record" else None


def _by_id(record, schema_fields):
    """A decoded record re-keyed by field id."""
    return {fid: record.get(name) for fid, (name, _) in schema_fields.items()}


def _int_map(v):
    """An Iceberg int-keyed map (array of {key, value}) -> dict."""
    if v is None:
        return None
    if isinstance(v, dict):
        return {int(k): x for k, x in v.items()}
    return {int(kv["key"]): kv["value"] for kv in v}


# Required fields by id (spec "Manifest Lists", "Manifests"): {id: set of versions requiring it}.
LIST_REQUIRED = {500: {1, 2, 3}, 501: {1, 2, 3}, 502: {1, 2, 3}, 503: {1, 2, 3}, 517: {2, 3}, 515: {2, 3},
                 516: {2, 3}, 504: {2, 3}, 505: {2, 3}, 506: {2, 3}, 512: {2, 3}, 513: {2, 3}, 514: {2, 3}}
ENTRY_REQUIRED = {0: {1, 2, 3}, 1: {1}, 2: {1, 2, 3}}
ENTRY_PRESENT = {0: {1, 2, 3}, 1: {1, 2, 3}, 2: {1, 2, 3}, 3: {2, 3}}  # 4 (file_sequence_number) came with Java 1.0
DATA_FILE_REQUIRED = {134: {2, 3}, 100: {1, 2, 3}, 101: {1, 2, 3}, 102: {1, 2, 3}, 103: {1, 2, 3},
                      104: {1, 2, 3}, 105: {1}}
SUMMARY_REQUIRED = {509: {1, 2, 3}}


def _check_required_values(problems, where, values, required, version):
    for fid, versions in required.items():
        if version in versions and fid in values and values[fid] is None:
            problems.append(f"{where}: required field id {fid} is null (format v{version})")


def _check_fields(problems, where, record_schema, required, version, present=None):
    fields = _fields_by_id(record_schema)
    for fid, versions in required.items():
        if version not in versions:
            continue
        if fid not in fields:
            problems.append(f"{where}: required field id {fid} missing (format v{version})")
            continue
    for fid, versions in (present or {}).items():
        if version in versions and fid not in fields:
            problems.append(f"{where}: field id {fid} missing (format v{version})")
    return fields


# ---------------------------------------------------------------------------------------------
# Metadata
# ---------------------------------------------------------------------------------------------

def load_metadata(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return json.loads(data)


def _walk_fields(fields, out):
    """Collects every field id (nested ones too) of a schema's fields -> {id: field}."""
    for f in fields:
        out.setdefault(f["id"], []).append(f)
        _walk_type(f["type"], out)


def _walk_type(t, out):
    if not isinstance(t, dict):
        return
    kind = t.get("type")
    if kind == "struct":
        _walk_fields(t.get("fields", []), out)
    elif kind == "list":
        out.setdefault(t["element-id"], []).append({"id": t["element-id"], "type": t["element"]})
        _walk_type(t["element"], out)
    elif kind == "map":
        out.setdefault(t["key-id"], []).append({"id": t["key-id"], "type": t["key"]})
        out.setdefault(t["value-id"], []).append({"id": t["value-id"], "type": t["value"]})
        _walk_type(t["key"], out)
        _walk_type(t["value"], out)


class Table:
    def __init__(self, meta):
        self.meta = meta
        self.version = meta.get("format-version")
        schemas = meta.get("schemas") or ([meta["schema"]] if "schema" in meta else [])
        self.schemas = {s.get("schema-id", 0): s for s in schemas}
        self.current_schema_id = meta.get("current-schema-id", schemas[0].get("schema-id", 0) if schemas else None)
        specs = meta.get("partition-specs")
        if specs is None and "partition-spec" in meta:
            specs = [{"spec-id": 0, "fields": meta["partition-spec"]}]
        self.specs = {s["spec-id"]: s for s in (specs or [])}
        self.snapshots = {s["snapshot-id"]: s for s in meta.get("snapshots") or []}
        current = meta.get("current-snapshot-id")
        self.current_snapshot_id = None if current in (None, -1) else current

    def schema(self, schema_id=None):
        if schema_id is not None and schema_id in self.schemas:
            return self.schemas[schema_id]
        return self.schemas.get(self.current_schema_id)

    def field_types(self, schema_id=None):
        """{field id: Iceberg type} of the top-level primitive fields."""
        s = self.schema(schema_id)
        return {f["id"]: f["type"] for f in (s or {}).get("fields", []) if not isinstance(f["type"], dict)}

    def any_field_type(self, fid):
        for sid in [self.current_schema_id] + sorted(self.schemas):
            for f in self.schemas[sid].get("fields", []):
                if f["id"] == fid:
                    return f["type"]
        return None


def check_metadata(t, problems, metadata_path):
    m = t.meta
    where = os.path.basename(metadata_path)
    v = t.version
    if v not in (1, 2, 3):
        problems.append(f"{where}: unsupported format-version {v!r}")
        return
    for key in ("location", "last-updated-ms", "last-column-id"):
        if key not in m:
            problems.append(f"{where}: missing {key}")
    if v >= 2:
        for key in ("table-uuid", "last-sequence-number", "schemas", "current-schema-id", "partition-specs",
                    "default-spec-id", "last-partition-id", "sort-orders", "default-sort-order-id"):
            if key not in m:
                problems.append(f"{where}: missing {key} (required in v{v})")
    else:
        if "schema" not in m and "schemas" not in m:
            problems.append(f"{where}: v1 metadata has neither schema nor schemas")
        if "partition-spec" not in m and "partition-specs" not in m:
            problems.append(f"{where}: v1 metadata has neither partition-spec nor partition-specs")
    if v >= 3 and "next-row-id" not in m:
        problems.append(f"{where}: missing next-row-id (required in v3)")
    if "table-uuid" in m:
        try:
            uuid.UUID(m["table-uuid"])
        except (ValueError, AttributeError, TypeError):
            problems.append(f"{where}: table-uuid {m['table-uuid']!r} is not a UUID")

    # Schemas.
    schema_ids = [s.get("schema-id", 0) for s in (m.get("schemas") or [])]
    if len(schema_ids) != len(set(schema_ids)):
        problems.append(f"{where}: schema ids not unique: {schema_ids}")
    if t.current_schema_id not in t.schemas:
        problems.append(f"{where}: current-schema-id {t.current_schema_id} names no schema")
    max_field_id = 0
    for sid, s in t.schemas.items():
        ids = {}
        _walk_fields(s.get("fields", []), ids)
        dup = [fid for fid, fs in ids.items() if len(fs) > 1]
        if dup:
            problems.append(f"{where}: schema {sid} repeats field ids {dup}")
        if ids:
            max_field_id = max(max_field_id, max(ids))
    if "last-column-id" in m and m["last-column-id"] < max_field_id:
        problems.append(f"{where}: last-column-id {m['last-column-id']} < max field id {max_field_id}")

    # Partition specs.
    if "default-spec-id" in m and m["default-spec-id"] not in t.specs:
        problems.append(f"{where}: default-spec-id {m['default-spec-id']} names no partition spec")
    spec_ids = [s["spec-id"] for s in (m.get("partition-specs") or [])]
    if len(spec_ids) != len(set(spec_ids)):
        problems.append(f"{where}: partition spec ids not unique: {spec_ids}")
    max_pid = 999
    seen_pid = {}
    all_field_ids = set()
    for s in t.schemas.values():
        ids = {}
        _walk_fields(s.get("fields", []), ids)
        all_field_ids |= set(ids)
    for sid, spec in t.specs.items():
        pids = []
        for pf in spec.get("fields", []):
            pid = pf.get("field-id")
            if pid is None:
                if v >= 2:
                    problems.append(f"{where}: spec {sid} field {pf.get('name')} has no field-id")
                continue
            pids.append(pid)
            if pid < 1000:
                problems.append(f"{where}: spec {sid} partition field id {pid} < 1000")
            max_pid = max(max_pid, pid)
            src = pf.get("source-id", (pf.get("source-ids") or [None])[0])
            if src not in all_field_ids:
                problems.append(f"{where}: spec {sid} field {pf.get('name')} has source-id {src} in no schema")
            if v >= 2:
                prev = seen_pid.get(pid)
                if prev and prev[0] != sid and (prev[1], prev[2]) != (src, pf.get("transform")):
                    problems.append(f"{where}: partition field id {pid} reused for a different field "
                                    f"(spec {prev[0]} and {sid})")
                seen_pid[pid] = (sid, src, pf.get("transform"))
        if len(pids) != len(set(pids)):
            problems.append(f"{where}: spec {sid} repeats partition field ids {pids}")
        names = [pf.get("name") for pf in spec.get("fields", [])]
        if len(names) != len(set(names)):
            problems.append(f"{where}: spec {sid} repeats partition field names {names}")
    if "last-partition-id" in m and m["last-partition-id"] < max_pid:
        problems.append(f"{where}: last-partition-id {m['last-partition-id']} < max partition field id {max_pid}")

    # Sort orders.
    orders = {o.get("order-id"): o for o in m.get("sort-orders") or []}
    if "default-sort-order-id" in m and orders and m["default-sort-order-id"] not in orders:
        problems.append(f"{where}: default-sort-order-id {m['default-sort-order-id']} names no sort order")

    # Snapshots and sequence numbers.
    snap_ids = [s["snapshot-id"] for s in m.get("snapshots") or []]
    if len(snap_ids) != len(set(snap_ids)):
        problems.append(f"{where}: snapshot ids not unique")
    last_seq = m.get("last-sequence-number", 0)
    for s in t.snapshots.values():
        sid = s["snapshot-id"]
        if not isinstance(sid, int) or sid < 0:
            problems.append(f"{where}: snapshot id {sid!r} is not a non-negative long")
        if v >= 2:
            if "sequence-number" not in s:
                problems.append(f"{where}: snapshot {sid} has no sequence-number (v{v})")
            if "manifest-list" not in s:
                problems.append(f"{where}: snapshot {sid} has no manifest-list (v{v})")
            if "summary" not in s or "operation" not in (s.get("summary") or {}):
                problems.append(f"{where}: snapshot {sid} has no summary operation (v{v})")
        elif "manifest-list" not in s and "manifests" not in s:
            problems.append(f"{where}: snapshot {sid} has neither manifest-list nor manifests")
        seq = s.get("sequence-number", 0)
        if seq > last_seq:
            problems.append(f"{where}: snapshot {sid} sequence-number {seq} > last-sequence-number {last_seq}")
        parent = s.get("parent-snapshot-id")
        if parent is not None and parent in t.snapshots and v >= 2:
            pseq = t.snapshots[parent].get("sequence-number", 0)
            if seq > 0 and not seq > pseq:  # 0 = written before an upgrade from v1
                problems.append(f"{where}: snapshot {sid} sequence-number {seq} not greater than its parent "
                                f"{parent}'s {pseq}")
        if parent is not None and parent in t.snapshots:
            if s["timestamp-ms"] < t.snapshots[parent]["timestamp-ms"] - 60000:
                problems.append(f"{where}: snapshot {sid} is older than its parent {parent}")
        if "schema-id" in s and s["schema-id"] not in t.schemas:
            problems.append(f"{where}: snapshot {sid} schema-id {s['schema-id']} names no schema")
        if s.get("timestamp-ms", 0) > m.get("last-updated-ms", 0) + 60000:
            problems.append(f"{where}: snapshot {sid} timestamp-ms after last-updated-ms")
        summary = s.get("summary") or {}
        if summary.get("operation") is not None and summary["operation"] not in OPERATIONS:
            problems.append(f"{where}: snapshot {sid} has unknown operation {summary['operation']!r}")
        if v >= 3 and "first-row-id" in s and "added-rows" in s and "next-row-id" in m:
            if s["first-row-id"] + s["added-rows"] > m["next-row-id"]:
                problems.append(f"{where}: snapshot {sid} first-row-id + added-rows > next-row-id")
    # Sequence numbers strictly increase along every parent chain, also across expired gaps.
    if v >= 2:
        for s in t.snapshots.values():
            chain, cur = [], s
            while cur is not None and len(chain) <= len(t.snapshots):
                chain.append(cur)
                cur = t.snapshots.get(cur.get("parent-snapshot-id"))
            seqs = [c.get("sequence-number", 0) for c in reversed(chain)]
            seqs = [q for q in seqs if q > 0]  # 0 = written before an upgrade from v1
            if any(b <= a for a, b in zip(seqs, seqs[1:])):
                problems.append(f"{where}: sequence numbers not increasing along the chain of {s['snapshot-id']}")
                break

    current = m.get("current-snapshot-id")
    if current not in (None, -1) and current not in t.snapshots:
        problems.append(f"{where}: current-snapshot-id {current} names no snapshot")
    refs = m.get("refs")
    if refs is not None:
        main = refs.get("main")
        if t.current_snapshot_id is None:
            if main is not None:
                problems.append(f"{where}: refs.main set ({main.get('snapshot-id')}) but no current snapshot")
        elif main is None:
            problems.append(f"{where}: refs has no main but current-snapshot-id is {current}")
        elif main.get("snapshot-id") != t.current_snapshot_id:
            problems.append(f"{where}: refs.main {main.get('snapshot-id')} != current-snapshot-id {current}")
        for name, ref in refs.items():
            if ref.get("snapshot-id") not in t.snapshots:
                problems.append(f"{where}: ref {name} names unknown snapshot {ref.get('snapshot-id')}")
            if ref.get("type") not in ("branch", "tag"):
                problems.append(f"{where}: ref {name} has type {ref.get('type')!r}")
    log = m.get("snapshot-log") or []
    times = [e["timestamp-ms"] for e in log]
    if times != sorted(times):
        problems.append(f"{where}: snapshot-log not ordered by timestamp-ms")
    if log and t.current_snapshot_id is not None and log[-1]["snapshot-id"] != t.current_snapshot_id:
        problems.append(f"{where}: last snapshot-log entry {log[-1]['snapshot-id']} is not the current "
                        f"snapshot {t.current_snapshot_id}")
    if t.current_snapshot_id is not None and not log:
        problems.append(f"{where}: current snapshot set but snapshot-log empty")
    mlog = m.get("metadata-log") or []
    mtimes = [e["timestamp-ms"] for e in mlog]
    if mtimes != sorted(mtimes):
        problems.append(f"{where}: metadata-log not ordered by timestamp-ms")


# ---------------------------------------------------------------------------------------------
# The checker
# ---------------------------------------------------------------------------------------------

class Checker:
    def __init__(self, metadata_path, location_map=None, check_data=True, strict=False):
        self.metadata_path = os.path.abspath(metadata_path)
        self.location_map = sorted((location_map or {}).items(), key=lambda kv: -len(kv[0]))
        self.check_data = check_data
        self.strict = strict
        self.problems = []
        self.manifest_cache = {}
        self.data_file_info = {}  # local path -> (data_file by id, spec, adding snapshot, path as written)
        # What was looked at, so a test can tell "valid" from "nothing checked".
        self.stats = {"snapshots": 0, "manifests": 0, "entries": 0, "data_files": 0, "bounds": 0,
                      "partition_values": 0}

    def local(self, path):
        for old, new in self.location_map:
            if path.startswith(old):
                return new + path[len(old):]
        if path.startswith("file://"):
            p = path[len("file://"):]
            return p if p.startswith("/") else "/" + p.lstrip("/")
        return path

    def run(self):
        try:
            meta = load_metadata(self.metadata_path)
        except (OSError, ValueError) as e:
            return [f"cannot read metadata {self.metadata_path}: {e}"]
        self.t = Table(meta)
        check_metadata(self.t, self.problems, self.metadata_path)
        if self.t.version not in (1, 2, 3):
            return self.problems
        for snap in self.t.meta.get("snapshots") or []:
            try:
                self.check_snapshot(snap)
            except Exception as e:  # noqa: BLE001 - a broken file is a finding, not a crash
                self.problems.append(f"snapshot {snap['snapshot-id']}: cannot check: {type(e).__name__}: {e}")
        if self.check_data and self.data_file_info:
            try:
                self.check_data_files()
            except Exception as e:  # noqa: BLE001
                self.problems.append(f"data files: cannot check: {type(e).__name__}: {e}")
        return self.problems

    # -- manifest list ----------------------------------------------------------------------
    def read_manifest_list(self, snap):
        sid = snap["snapshot-id"]
        where = f"snapshot {sid} manifest list"
        path = self.local(snap["manifest-list"])
        if not os.path.exists(path):
            self.problems.append(f"{where}: {snap['manifest-list']} does not exist")
            return None
        af = AvroFile(path)
        schema = af.schema_json
        if schema.get("name") != "manifest_file":
            self.problems.append(f"{where}: root record is {schema.get('name')!r}, not 'manifest_file'")
        hv = af.meta.get("format-version")
        list_version = int(hv) if hv else (2 if 517 in _fields_by_id(schema) else 1)
        if self.t.version >= 2 and snap.get("sequence-number", 0) > 0 and list_version < 2:
            self.problems.append(f"{where}: a v{self.t.version} snapshot with a v{list_version} manifest list")
        if list_version > self.t.version:
            self.problems.append(f"{where}: format-version {list_version} > table's {self.t.version}")
        fields = _check_fields(self.problems, where, schema, LIST_REQUIRED, list_version)
        if 507 in fields:
            lt = _unwrap_union(fields[507][1])[1]
            item = lt.get("items") if isinstance(lt, dict) else None
            if isinstance(item, dict):
                if item.get("name") != "r508":
                    self.problems.append(f"{where}: partition summary record is {item.get('name')!r}, not 'r508'")
                _check_fields(self.problems, where + " r508", item, SUMMARY_REQUIRED, list_version)
        # Header keys (Java's ManifestListWriter; snapshot-id is what readers check).
        if "snapshot-id" in af.meta and af.meta["snapshot-id"] != str(sid):
            self.problems.append(f"{where}: header snapshot-id {af.meta['snapshot-id']} != {sid}")
        if list_version >= 2 and "sequence-number" in af.meta and \
                af.meta["sequence-number"] != str(snap.get("sequence-number")):
            self.problems.append(f"{where}: header sequence-number {af.meta['sequence-number']} != "
                                 f"snapshot's {snap.get('sequence-number')}")
        item_fields = None
        if 507 in fields:
            lt = _unwrap_union(fields[507][1])[1]
            if isinstance(lt, dict) and isinstance(lt.get("items"), dict):
                item_fields = _fields_by_id(lt["items"])
        out = []
        for rec in af.records:
            e = _by_id(rec, fields)
            _check_required_values(self.problems, f"{where}: entry {e.get(500)}", e, LIST_REQUIRED, list_version)
            if item_fields is not None and e.get(507) is not None:
                e[507] = [_by_id(p, item_fields) for p in e[507]]
            e["_version"] = list_version
            out.append(e)
        return out

    # -- manifest -----------------------------------------------------------------------------
    def read_manifest(self, path_as_written, spec_id, content, list_version):
        key = path_as_written
        if key in self.manifest_cache:
            return self.manifest_cache[key]
        where = f"manifest {os.path.basename(path_as_written)}"
        path = self.local(path_as_written)
        if not os.path.exists(path):
            self.problems.append(f"{where}: {path_as_written} does not exist")
            self.manifest_cache[key] = None
            return None
        af = AvroFile(path)
        problems = self.problems
        self.stats["manifests"] += 1
        schema = af.schema_json
        if schema.get("name") != "manifest_entry":
            problems.append(f"{where}: root record is {schema.get('name')!r}, not 'manifest_entry'")
        hv = af.meta.get("format-version")
        if hv is None and self.t.version >= 2 and list_version >= 2:
            problems.append(f"{where}: header has no format-version")
        mversion = int(hv) if hv else list_version
        if mversion > self.t.version:
            problems.append(f"{where}: format-version {mversion} > table's {self.t.version}")
        # Header keys (spec "Manifests": schema, partition-spec, partition-spec-id, format-version, content).
        for k in ("schema", "partition-spec", "partition-spec-id"):
            if k not in af.meta:
                problems.append(f"{where}: header has no {k}")
        if mversion >= 2 and "content" not in af.meta:
            problems.append(f"{where}: header has no content (v{mversion})")
        if "content" in af.meta and af.meta["content"] != ("deletes" if content == 1 else "data"):
            problems.append(f"{where}: header content {af.meta['content']!r} but the list says content {content}")
        if "partition-spec-id" in af.meta and af.meta["partition-spec-id"] != str(spec_id):
            problems.append(f"{where}: header partition-spec-id {af.meta['partition-spec-id']} != list's {spec_id}")
        spec = self.t.specs.get(spec_id)
        if spec is None:
            problems.append(f"{where}: partition_spec_id {spec_id} names no spec")
            spec = {"spec-id": spec_id, "fields": []}
        if "partition-spec" in af.meta:
            try:
                hs = json.loads(af.meta["partition-spec"])
            except ValueError:
                hs = None
            if not isinstance(hs, list):
                problems.append(f"{where}: header partition-spec is not a JSON fields array")
            else:
                want = [(f.get("source-id"), f.get("field-id"), f.get("transform"), f.get("name"))
                        for f in spec["fields"]]
                got = [(f.get("source-id"), f.get("field-id"), f.get("transform"), f.get("name")) for f in hs]
                if want != got:
                    problems.append(f"{where}: header partition-spec {got} != spec {spec_id} {want}")
        if "schema" in af.meta:
            try:
                json.loads(af.meta["schema"])
            except ValueError:
                problems.append(f"{where}: header schema is not JSON")
        efields = _check_fields(problems, where, schema, ENTRY_REQUIRED, mversion, ENTRY_PRESENT)
        df_schema = _record_of(efields[2][1]) if 2 in efields else None
        if df_schema is None:
            problems.append(f"{where}: no data_file record")
            self.manifest_cache[key] = None
            return None
        if df_schema.get("name") != "r2":
            problems.append(f"{where}: data_file record is {df_schema.get('name')!r}, not 'r2'")
        dfields = _check_fields(problems, where + " r2", df_schema, DATA_FILE_REQUIRED, mversion)
        part_fields = {}
        if 102 in dfields:
            opt, ps = _unwrap_union(dfields[102][1])
            if opt:
                problems.append(f"{where}: the partition record is nullable")
            if not isinstance(ps, dict) or ps.get("type") != "record":
                problems.append(f"{where}: partition is not a record")
            else:
                if ps.get("name") != "r102":
                    problems.append(f"{where}: partition record is {ps.get('name')!r}, not 'r102'")
                part_fields = _fields_by_id(ps)
                want_ids = [f.get("field-id") for f in spec["fields"]]
                got_ids = [f.get("field-id") for f in ps.get("fields", [])]
                if want_ids != got_ids:
                    problems.append(f"{where}: partition record field ids {got_ids} != spec {spec_id}'s {want_ids}")
        entries = []
        for rec in af.records:
            e = _by_id(rec, efields)
            df = _by_id(rec["data_file"], dfields)
            _check_required_values(problems, where, e, ENTRY_REQUIRED, mversion)
            _check_required_values(problems, f"{where}: entry {df.get(100)}", df, DATA_FILE_REQUIRED, mversion)
            if 102 in df and df[102] is not None:
                df[102] = _by_id(df[102], part_fields)
            for fid in (108, 109, 110, 137, 125, 128):
                if fid in df:
                    df[fid] = _int_map(df[fid])
            e[2] = df
            entries.append(e)
            self.stats["entries"] += 1
        result = {"entries": entries, "version": mversion, "spec": spec, "size": af.size}
        self.manifest_cache[key] = result
        return result

    # -- one snapshot ---------------------------------------------------------------------------
    def check_snapshot(self, snap):
        t = self.t
        sid = snap["snapshot-id"]
        seq = snap.get("sequence-number", 0) if t.version >= 2 else 0
        where = f"snapshot {sid}"
        self.stats["snapshots"] += 1
        if "manifest-list" in snap:
            lst = self.read_manifest_list(snap)
            if lst is None:
                return
        else:  # v1 embedded manifests: no list, no counts
            lst = [{500: p, 502: 0, 503: None, "_version": 1} for p in snap.get("manifests", [])]
        live = {}
        live_files = []  # every live entry, duplicates included (what a reader would scan)
        added_here = []
        deleted_here = []
        manifest_paths = set()
        for mf in lst:
            mpath = mf.get(500)
            mwhere = f"{where}: manifest {os.path.basename(str(mpath))}"
            if mpath in manifest_paths:
                self.problems.append(f"{mwhere}: listed twice")
            manifest_paths.add(mpath)
            content = mf.get(517) or 0
            added_snapshot = mf.get(503)
            lv = mf["_version"]
            # A manifest outlives the snapshot that added it once that snapshot expires; only one
            # newer than every expired snapshot (its sequence number at least the oldest kept
            # snapshot's) must name a snapshot still in the table.
            kept_min_seq = min((x.get("sequence-number", 0) for x in t.snapshots.values()), default=0)
            if added_snapshot is not None and added_snapshot not in t.snapshots and \
                    (t.version < 2 or (mf.get(515) or 0) >= kept_min_seq):
                self.problems.append(f"{mwhere}: added_snapshot_id {added_snapshot} names no snapshot in the table")
            if added_snapshot is not None and added_snapshot in t.snapshots and \
                    t.snapshots[added_snapshot]["timestamp-ms"] > snap["timestamp-ms"]:
                self.problems.append(f"{mwhere}: added by snapshot {added_snapshot}, which is newer")
            mseq = mf.get(515) if lv >= 2 else 0
            min_seq = mf.get(516) if lv >= 2 else 0
            if lv >= 2 and t.version >= 2:
                if mseq is not None and mseq > seq:
                    self.problems.append(f"{mwhere}: sequence_number {mseq} > the snapshot's {seq}")
                if added_snapshot == sid and mseq != seq:
                    self.problems.append(f"{mwhere}: added by this snapshot but sequence_number {mseq} != {seq}")
                if added_snapshot in t.snapshots and "sequence-number" in t.snapshots[added_snapshot] and \
                        mseq != t.snapshots[added_snapshot]["sequence-number"]:
                    self.problems.append(f"{mwhere}: sequence_number {mseq} != that of its adding snapshot "
                                         f"{added_snapshot} ({t.snapshots[added_snapshot]['sequence-number']})")
                if min_seq is not None and mseq is not None and min_seq > mseq:
                    self.problems.append(f"{mwhere}: min_sequence_number {min_seq} > sequence_number {mseq}")
            path_local = self.local(mpath) if mpath else None
            if 501 in mf and path_local and os.path.exists(path_local) and mf[501] != os.path.getsize(path_local):
                self.problems.append(f"{mwhere}: manifest_length {mf[501]} != actual size "
                                     f"{os.path.getsize(path_local)}")
            m = self.read_manifest(mpath, mf.get(502), content, lv)
            if m is None:
                continue
            spec = m["spec"]
            counts = {s: [0, 0] for s in (0, 1, 2)}
            live_seqs = []
            for e in m["entries"]:
                status = e.get(0)
                df = e[2]
                path = df.get(100)
                ewhere = f"{mwhere}: entry {path}"
                if status not in (0, 1, 2):
                    self.problems.append(f"{ewhere}: status {status}")
                    continue
                counts[status][0] += 1
                counts[status][1] += df.get(103) or 0
                fcontent = df.get(134) or 0
                if fcontent != content and not (content == 1 and fcontent in (1, 2)):
                    self.problems.append(f"{ewhere}: content {fcontent} in a manifest of content {content}")
                if (df.get(101) or "").lower() not in ("parquet", "avro", "orc", "puffin"):
                    self.problems.append(f"{ewhere}: file_format {df.get(101)!r}")
                # snapshot id inheritance
                esnap = e.get(1)
                if esnap is None:
                    if m["version"] == 1:
                        self.problems.append(f"{ewhere}: null snapshot_id in a v1 manifest")
                    esnap = added_snapshot
                # sequence numbers (v2+): only ADDED entries may inherit
                dseq, fseq = e.get(3), e.get(4)
                if m["version"] >= 2 and t.version >= 2:
                    if status in (STATUS_EXISTING, STATUS_DELETED):
                        if dseq is None:
                            self.problems.append(f"{ewhere}: status {status} with a null sequence_number")
                        if fseq is None:
                            self.problems.append(f"{ewhere}: status {status} with a null file_sequence_number")
                    if dseq is None:
                        dseq = mseq
                    if fseq is None and status == STATUS_ADDED:
                        fseq = mseq
                    if dseq is not None and mseq is not None and dseq > mseq:
                        self.problems.append(f"{ewhere}: sequence_number {dseq} > manifest's {mseq}")
                    if status == STATUS_ADDED and fseq is not None and mseq is not None and fseq != mseq:
                        self.problems.append(f"{ewhere}: ADDED with file_sequence_number {fseq} != manifest's {mseq}")
                    if fseq is not None and dseq is not None and dseq > fseq:
                        self.problems.append(f"{ewhere}: data sequence {dseq} > file sequence {fseq}")
                else:
                    dseq = fseq = 0
                if status == STATUS_ADDED and added_snapshot is not None and esnap != added_snapshot:
                    self.problems.append(f"{ewhere}: ADDED by snapshot {esnap} in a manifest added by {added_snapshot}")
                if status == STATUS_DELETED and added_snapshot is not None and esnap != added_snapshot:
                    self.problems.append(f"{ewhere}: DELETED entry's snapshot_id {esnap} is not the snapshot that "
                                         f"wrote the manifest ({added_snapshot})")
                # the partition tuple's shape
                self.check_partition_shape(ewhere, spec, df.get(102))
                if status in (STATUS_EXISTING, STATUS_ADDED):
                    live_seqs.append(dseq)
                    if path in live:
                        self.problems.append(f"{where}: {path} is live twice")
                    live[path] = (e, df, mf.get(502), esnap)
                    live_files.append(df)
                    self.data_file_info.setdefault(self.local(path), (df, spec, esnap, path))
                if status == STATUS_ADDED and esnap == sid:
                    added_here.append(df)
                if status == STATUS_DELETED and esnap == sid:
                    deleted_here.append(df)
            # manifest list counts
            names = {504: ("added files", counts[1][0]), 505: ("existing files", counts[0][0]),
                     506: ("deleted files", counts[2][0]), 512: ("added rows", counts[1][1]),
                     513: ("existing rows", counts[0][1]), 514: ("deleted rows", counts[2][1])}
            for fid, (label, actual) in names.items():
                if mf.get(fid) is not None and mf[fid] != actual:
                    self.problems.append(f"{mwhere}: {label} count {mf[fid]} but the manifest holds {actual}")
            if lv >= 2 and t.version >= 2 and min_seq is not None and live_seqs:
                if min_seq > min(live_seqs):
                    self.problems.append(f"{mwhere}: min_sequence_number {min_seq} > a live entry's {min(live_seqs)}")
                elif min_seq != min(live_seqs):
                    self.problems.append(f"{mwhere}: min_sequence_number {min_seq} != min live data sequence "
                                         f"{min(live_seqs)}")
            self.check_partition_summaries(mwhere, spec, mf.get(507), m["entries"])
        self.check_summary(snap, live_files, added_here, deleted_here)

    def check_partition_shape(self, where, spec, part):
        if part is None:
            self.problems.append(f"{where}: null partition record")
            return
        for pf in spec["fields"]:
            if pf["field-id"] not in part:
                self.problems.append(f"{where}: partition lacks field {pf['field-id']}")

    def _partition_value(self, spec, pf, part):
        itype = self.t.any_field_type(pf.get("source-id"))
        rtype = transform_result_type(pf["transform"], itype) if itype else None
        raw = part.get(pf["field-id"])
        return rtype, itype, (canonical_avro(rtype, raw) if rtype else raw)

    def check_partition_summaries(self, where, spec, summaries, entries):
        if summaries is None:
            return
        if len(summaries) != len(spec["fields"]):
            self.problems.append(f"{where}: {len(summaries)} partition summaries for {len(spec['fields'])} fields")
            return
        for i, (pf, summ) in enumerate(zip(spec["fields"], summaries)):
            values = []
            rtype = None
            for e in entries:
                part = e[2].get(102) or {}
                rtype, _, v = self._partition_value(spec, pf, part)
                values.append(v)
            has_null = any(v is None for v in values)
            has_nan = any(_is_nan(v) for v in values)
            if summ.get(509) != has_null:
                self.problems.append(f"{where}: partition summary {pf['name']}: contains_null {summ.get(509)} "
                                     f"but the entries say {has_null}")
            if summ.get(518) is not None and summ.get(518) != has_nan and (summ.get(518) is False and has_nan):
                self.problems.append(f"{where}: partition summary {pf['name']}: contains_nan false but a NaN is there")
            nonnull = [v for v in values if v is not None and not _is_nan(v)]
            lo, hi = summ.get(510), summ.get(511)
            if rtype is None or pf["transform"] == "void":
                continue
            if not nonnull:
                if lo is not None or hi is not None:
                    self.problems.append(f"{where}: partition summary {pf['name']}: bounds without non-null values")
                continue
            if lo is None or hi is None:
                if self.strict:
                    self.problems.append(f"{where}: partition summary {pf['name']}: missing bounds")
                continue
            lo_v, hi_v = decode_single_value(rtype, lo), decode_single_value(rtype, hi)
            if not lo_v <= min(nonnull):
                self.problems.append(f"{where}: partition summary {pf['name']}: lower {lo_v!r} > value {min(nonnull)!r}")
            if not hi_v >= max(nonnull):
                self.problems.append(f"{where}: partition summary {pf['name']}: upper {hi_v!r} < value {max(nonnull)!r}")

    # -- snapshot summary -------------------------------------------------------------------
    def check_summary(self, snap, live_files, added_here, deleted_here):
        sid = snap["snapshot-id"]
        where = f"snapshot {sid} summary"
        summary = snap.get("summary") or {}
        data = [df for df in live_files if (df.get(134) or 0) == 0]
        deletes = [df for df in live_files if (df.get(134) or 0) != 0]
        expect_totals = {
            "total-records": sum(df[103] for df in data),
            "total-data-files": len(data),
            "total-files-size": sum(df[104] for df in data) + sum(df[104] for df in deletes),
            "total-delete-files": len(deletes),
            "total-position-deletes": sum(df[103] for df in deletes if df.get(134) == 1),
            "total-equality-deletes": sum(df[103] for df in deletes if df.get(134) == 2),
        }
        add_data = [df for df in added_here if (df.get(134) or 0) == 0]
        add_del = [df for df in added_here if (df.get(134) or 0) != 0]
        rem_data = [df for df in deleted_here if (df.get(134) or 0) == 0]
        rem_del = [df for df in deleted_here if (df.get(134) or 0) != 0]
        expect_deltas = {
            "added-data-files": len(add_data),
            "added-records": sum(df[103] for df in add_data),
            "added-files-size": sum(df[104] for df in added_here),
            "added-delete-files": len(add_del),
            "added-position-deletes": sum(df[103] for df in add_del if df.get(134) == 1),
            "added-equality-deletes": sum(df[103] for df in add_del if df.get(134) == 2),
            "deleted-data-files": len(rem_data),
            "deleted-records": sum(df[103] for df in rem_data),
            "removed-files-size": sum(df[104] for df in deleted_here),
            "removed-delete-files": len(rem_del),
            "removed-position-deletes": sum(df[103] for df in rem_del if df.get(134) == 1),
            "removed-equality-deletes": sum(df[103] for df in rem_del if df.get(134) == 2),
        }
        for key, want in list(expect_totals.items()) + list(expect_deltas.items()):
            if key in summary:
                try:
                    got = int(summary[key])
                except ValueError:
                    self.problems.append(f"{where}: {key} = {summary[key]!r} is not a decimal string")
                    continue
                if got != want:
                    self.problems.append(f"{where}: {key} = {got} but the manifests say {want}")
            elif self.strict and (key in ("total-records", "total-data-files", "total-files-size",
                                          "total-delete-files") or want != 0):
                self.problems.append(f"{where}: {key} missing (the manifests say {want})")
        # Totals = the parent's totals + this snapshot's deltas.
        parent = self.t.snapshots.get(snap.get("parent-snapshot-id"))
        if parent is not None:
            ps = parent.get("summary") or {}
            for total, added, removed in (("total-records", "added-records", "deleted-records"),
                                          ("total-data-files", "added-data-files", "deleted-data-files"),
                                          ("total-files-size", "added-files-size", "removed-files-size")):
                if total in summary and total in ps:
                    try:
                        want = int(ps[total]) + int(summary.get(added, 0)) - int(summary.get(removed, 0))
                    except ValueError:
                        continue
                    if int(summary[total]) != want:
                        self.problems.append(f"{where}: {total} {summary[total]} != parent's {ps[total]} "
                                             f"+ {added} - {removed} = {want}")
        op = summary.get("operation")
        if op == "append" and (deleted_here or add_del):
            self.problems.append(f"{where}: operation append but the snapshot removes {len(deleted_here)} files "
                                 f"and adds {len(add_del)} delete files")
        if op == "delete" and add_data:
            self.problems.append(f"{where}: operation delete but the snapshot adds {len(add_data)} data files")
        # (A replace that adds and removes no file is a manifest rewrite: Java's RewriteManifests.)

    # -- data files -------------------------------------------------------------------------
    def check_data_files(self):
        from duckdb_peer import duckdb_sql  # lazily: only when data is checked

        files = {}
        for local, (df, spec, esnap, written) in self.data_file_info.items():
            if (df.get(134) or 0) != 0:
                continue  # delete files: only existence and size here
            if not os.path.exists(local):
                self.problems.append(f"data file {written} does not exist")
                continue
            size = os.path.getsize(local)
            if df.get(104) != size:
                self.problems.append(f"data file {written}: file_size_in_bytes {df.get(104)} != actual {size}")
            if (df.get(101) or "").lower() != "parquet":
                continue
            files[local] = (df, spec, esnap, written)
        for local, (df, spec, esnap, written) in self.data_file_info.items():
            if (df.get(134) or 0) != 0 and not os.path.exists(local):
                self.problems.append(f"delete file {written} does not exist")
        if not files:
            return
        q = lambda p: "'" + p.replace("'", "''") + "'"  # noqa: E731
        schema_rows = []
        paths = list(files)
        for i in range(0, len(paths), 200):
            chunk = paths[i:i + 200]
            schema_rows += duckdb_sql("SELECT file_name, name, num_children, field_id, duckdb_type "
                                      f"FROM parquet_schema([{', '.join(q(p) for p in chunk)}])")
        by_file = {}
        for r in schema_rows:
            by_file.setdefault(r["file_name"], []).append(r)
        plans = {}
        for local, (df, spec, esnap, written) in files.items():
            plan = self.plan_file(local, df, spec, esnap, written, by_file.get(local, []))
            if plan is not None:
                plans[local] = plan
        items = list(plans.items())
        for i in range(0, len(items), 50):
            chunk = items[i:i + 50]
            sql = " UNION ALL ".join(f"SELECT {q(local)} AS path, ({plan['sql']})::VARCHAR AS j"
                                     for local, plan in chunk)
            for row in duckdb_sql(sql):
                self.check_file_stats(plans[row["path"]], json.loads(row["j"]))

    def plan_file(self, local, df, spec, esnap, written, schema_rows):
        """Matches the file's top-level columns to field ids and builds one DuckDB query for it."""
        where = f"data file {written}"
        snap = self.t.snapshots.get(esnap) or {}
        schema_id = snap.get("schema-id")
        schema = self.t.schema(schema_id)
        by_name = {f["name"]: f for f in schema.get("fields", [])}
        all_types = {}
        for s in self.t.schemas.values():
            for f in s.get("fields", []):
                all_types.setdefault(f["id"], f)
        # Rebuild the top level of the Parquet schema from the flattened pre-order list.
        top = []
        i = 1
        rows = schema_rows
        while i < len(rows):
            top.append(rows[i])
            i = _skip_subtree(rows, i)
        has_ids = any(r.get("field_id") not in (None, "") for r in top)
        name_mapping = (self.t.meta.get("properties") or {}).get("schema.name-mapping.default")
        columns = {}  # field id -> parquet column name
        if has_ids:
            for r in top:
                if r.get("field_id") in (None, ""):
                    self.problems.append(f"{where}: column {r['name']} has no field id")
                    continue
                fid = int(r["field_id"])
                if r["name"] in by_name and by_name[r["name"]]["id"] != fid:
                    self.problems.append(f"{where}: column {r['name']} has field id {fid} but the schema's "
                                         f"{r['name']} is {by_name[r['name']]['id']}")
                elif fid not in all_types:
                    self.problems.append(f"{where}: column {r['name']} has field id {fid}, in no table schema")
                columns[fid] = (r["name"], r.get("duckdb_type") or "", top.index(r) + 1)
        elif name_mapping:
            for entry in json.loads(name_mapping):
                for n in entry.get("names", []):
                    for r in top:
                        if r["name"] == n and "field-id" in entry:
                            columns[entry["field-id"]] = (n, r.get("duckdb_type") or "", top.index(r) + 1)
        else:
            self.problems.append(f"{where}: no Parquet field ids and no schema.name-mapping.default")
            return None
        exprs = ["count(*) AS n"]
        col_types = {}
        for fid, (name, dtype, pos) in columns.items():
            field = all_types.get(fid)
            if field is None or isinstance(field["type"], dict):
                continue
            itype = field["type"]
            col_types[fid] = itype
            ident = f"#{pos}"  # positional: DuckDB binds names case-insensitively
            value = _duck_value_expr(itype, ident, dtype)
            if value is None:
                continue
            exprs.append(f"count(*) - count({ident}) AS \"nulls_{fid}\"")
            if _base_type(itype) in ("float", "double"):
                exprs.append(f"count(*) FILTER (WHERE isnan({ident})) AS \"nans_{fid}\"")
                exprs.append(f"min({value}) FILTER (WHERE NOT isnan({ident})) AS \"min_{fid}\"")
                exprs.append(f"max({value}) FILTER (WHERE NOT isnan({ident})) AS \"max_{fid}\"")
            else:
                exprs.append(f"min({ident}) AS \"rawmin_{fid}\"")
                exprs.append(f"max({ident}) AS \"rawmax_{fid}\"")
        sources = {}
        for pf in spec["fields"]:
            src = pf.get("source-id")
            if pf["transform"].startswith("bucket") and src in columns and src in col_types:
                sources[src] = True
        body = f"FROM read_parquet({_sqlq(local)})"
        # min/max: DuckDB orders the raw column natively; convert afterwards in an outer query.
        inner = f"SELECT {', '.join(exprs)} {body}"
        outer_cols = ["n"]
        for fid in col_types:
            name, dtype, _ = columns[fid]
            base = _base_type(col_types[fid])
            if f"nulls_{fid}" not in inner:
                continue
            outer_cols.append(f'"nulls_{fid}"')
            if base in ("float", "double"):
                outer_cols += [f'"nans_{fid}"', f'"min_{fid}"', f'"max_{fid}"']
            else:
                outer_cols.append(f'{_duck_value_expr(col_types[fid], f"rawmin_{fid}", dtype)} AS "min_{fid}"')
                outer_cols.append(f'{_duck_value_expr(col_types[fid], f"rawmax_{fid}", dtype)} AS "max_{fid}"')
        for src in sources:
            name, dtype, pos = columns[src]
            value = _duck_value_expr(col_types[src], f"#{pos}", dtype)
            outer_cols.append(f"(SELECT list(x) FROM (SELECT DISTINCT {value} AS x {body} LIMIT 5001)) "
                              f"AS \"distinct_{src}\"")
        sql = f"SELECT to_json(struct_pack({', '.join(_as_pack(c) for c in outer_cols)})) FROM ({inner})"
        return {"where": where, "df": df, "spec": spec, "columns": columns, "types": col_types, "sql": sql,
                "written": written}

    def check_file_stats(self, plan, stats):
        where, df = plan["where"], plan["df"]
        n = stats["n"]
        self.stats["data_files"] += 1
        if df.get(103) != n:
            self.problems.append(f"{where}: record_count {df.get(103)} but the file has {n} rows")
        values = {}
        for fid, itype in plan["types"].items():
            if f"nulls_{fid}" not in stats:
                continue
            nulls = stats[f"nulls_{fid}"]
            nans = stats.get(f"nans_{fid}", 0)
            lo, hi = _canon_duck(itype, stats.get(f"min_{fid}")), _canon_duck(itype, stats.get(f"max_{fid}"))
            values[fid] = (nulls, nans, lo, hi, n)
            for label, mid, want in (("value_counts", 109, n), ("null_value_counts", 110, nulls),
                                     ("nan_value_counts", 137, nans)):
                got_map = df.get(mid)
                if got_map is None or fid not in got_map:
                    if self.strict and mid in (109, 110):
                        self.problems.append(f"{where}: no {label} for field {fid}")
                    continue
                if got_map[fid] != want:
                    self.problems.append(f"{where}: {label}[{fid}] = {got_map[fid]} but the file has {want}")
            lower = (df.get(125) or {}).get(fid)
            upper = (df.get(128) or {}).get(fid)
            base = _base_type(itype)
            exact = base not in ("string", "binary", "fixed")
            if lo is None:
                if lower is not None or upper is not None:
                    self.problems.append(f"{where}: bounds for field {fid} but it has no non-null, non-NaN value")
                continue
            if self.strict and (lower is None or upper is None):
                self.problems.append(f"{where}: no lower/upper bound for field {fid}")
            self.stats["bounds"] += (lower is not None) + (upper is not None)
            if lower is not None:
                lv = decode_single_value(itype, lower)
                if exact and lv != lo or not lv <= lo:
                    self.problems.append(f"{where}: lower_bounds[{fid}] = {lv!r} but the column's min is {lo!r}")
            if upper is not None:
                uv = decode_single_value(itype, upper)
                if exact and uv != hi or not uv >= hi:
                    self.problems.append(f"{where}: upper_bounds[{fid}] = {uv!r} but the column's max is {hi!r}")
        # Partition tuple = the transform of the file's rows.
        part = df.get(102) or {}
        for pf in plan["spec"]["fields"]:
            src = pf.get("source-id")
            transform = pf["transform"]
            itype = plan["types"].get(src)
            if itype is None or transform == "void":
                continue
            rtype = transform_result_type(transform, itype)
            got = canonical_avro(rtype, part.get(pf["field-id"]))
            if src not in values:
                continue
            nulls, nans, lo, hi, rows = values[src]
            pwhere = f"{where}: partition {pf['name']}={got!r}"
            if rows == 0:
                continue
            self.stats["partition_values"] += 1
            if got is None:
                if nulls != rows:
                    self.problems.append(f"{pwhere} but {rows - nulls} rows have a non-null {src}")
                continue
            if nulls:
                self.problems.append(f"{pwhere} but {nulls} rows have a null source value")
            if transform.startswith("bucket"):
                distinct = stats.get(f"distinct_{src}")
                if distinct is None:
                    continue
                seen = {apply_transform(transform, itype, _canon_duck(itype, x)) for x in distinct if x is not None}
                bad = seen - {got}
                if bad:
                    self.problems.append(f"{pwhere} but the rows give {sorted(bad | {got})}")
            elif monotonic(transform) and lo is not None:
                tl, th = apply_transform(transform, itype, lo), apply_transform(transform, itype, hi)
                if tl != got or th != got:
                    self.problems.append(f"{pwhere} but the rows give {tl!r}..{th!r}")


def _skip_subtree(rows, i):
    """Index after the subtree rooted at rows[i] (parquet_schema's pre-order list)."""
    n = rows[i].get("num_children")
    n = int(n) if n not in (None, "") else 0
    j = i + 1
    for _ in range(n):
        j = _skip_subtree(rows, j)
    return j


def _sqlq(p):
    return "'" + p.replace("'", "''") + "'"


def _as_pack(col):
    """struct_pack argument for an outer column expression."""
    m = re.search(r' AS "([^"]+)"$', col)
    if m:
        return f'"{m.group(1)}" := {col[:m.start()]}'
    if col.startswith('"'):
        return f"{col} := {col}"
    return f"{col} := {col}"


def _duck_value_expr(itype, ident, duck_type):
    """A DuckDB expression turning a column into what _canon_duck parses (JSON-safe, exact)."""
    base = _base_type(itype)
    if base in ("int", "long", "boolean", "string", "float", "double"):
        return ident
    if base == "date":
        return f"datediff('day', DATE '1970-01-01', {ident})"
    if base in ("timestamp", "timestamptz", "time"):
        return f"epoch_us({ident})"
    if base in ("timestamp_ns", "timestamptz_ns"):
        return f"epoch_ns({ident})"
    if base in ("binary", "fixed") or (base == "uuid" and duck_type.upper() == "BLOB"):
        return f"hex({ident})"
    if base in ("uuid", "decimal"):
        return f"{ident}::VARCHAR"
    return None


def _canon_duck(itype, v):
    if v is None:
        return None
    base = _base_type(itype)
    if base in ("binary", "fixed"):
        return bytes.fromhex(v)
    if base == "uuid":
        return uuid.UUID(v) if "-" in v else uuid.UUID(bytes=bytes.fromhex(v))
    if base == "decimal":
        return decimal.Decimal(v)
    if base in ("float", "double"):
        return float(v)
    if base in ("int", "long", "date", "time", "timestamp", "timestamptz", "timestamp_ns", "timestamptz_ns"):
        return int(v)
    return v


def check_table(metadata_json_path, location_map=None, check_data=True, strict=False, stats=None):
    """Every spec violation found in the table whose current metadata file is `metadata_json_path`
    (all its snapshots), as human-readable strings; empty when valid. Pass a dict as `stats` to get
    the counts of what was checked."""
    checker = Checker(metadata_json_path, location_map, check_data, strict)
    problems = checker.run()
    if stats is not None:
        stats.update(checker.stats)
    return problems


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("metadata")
    ap.add_argument("--strict", action="store_true")
    ap.add_argument("--no-data", action="store_true")
    ap.add_argument("--map", action="append", default=[], help="OLD=NEW path prefix")
    args = ap.parse_args(argv)
    location_map = dict(m.split("=", 1) for m in args.map)
    problems = check_table(args.metadata, location_map, not args.no_data, args.strict)
    for p in problems:
        print(p)
    if not problems:
        print("ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
