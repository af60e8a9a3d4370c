#!/usr/bin/python3
"""iceberg.py SF DIR: the data of bench/iceberg.bench, a hadoop-catalog Iceberg warehouse at DIR/warehouse.

- TPC-H lineitem and orders at scale factor SF (floe_datagen's '|'-separated text; the tpch suite's
  copy under /tmp/floe-bench-data/tpch-sf<SF> is reused when it is complete) become Parquet data
  files written by DuckDB (bench/gen/iceberg_parquet.mjs) with Iceberg field ids:
  DIR/warehouse/tpch/<table>/data/*.parquet. lineitem is sorted by l_shipdate (the table declares
  that sort order), so date filters can skip whole files; orders by o_orderkey.
- Each table gets Iceberg v2 metadata, one append snapshot: metadata/v1.metadata.json,
  metadata/version-hint.text, the manifest list metadata/snap-<id>-1-<uuid>.avro and one manifest
  metadata/<uuid>-m0.avro. The Avro files are written with python3-avro under the spec's
  manifest_file / manifest_entry schemas, field ids included, and every data file's entry carries
  its metrics: column sizes, value and null counts, and lower/upper bounds in the single-value
  binary form (strings truncated to 16 code points, the upper bound rounded up, as Iceberg Java's
  default metrics mode does), so that a reader can prune files.
- The duckdb-iceberg fixture `generated_bounds` (5,000 bounds-only data files, metadata only) is
  copied to DIR/generated_bounds/data/persistent/generated_bounds for the suite's planning-time
  figure (the benchmark instance may read only under /tmp).

Idempotent: nothing is done when DIR/.complete exists (run.py writes it after this succeeds).
Run with /usr/bin/python3 (Debian's python3-avro) from a directory without an avro/ folder.
"""
import datetime
import decimal
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import uuid
import warnings

import avro.datafile
import avro.errors
import avro.io
import avro.schema

# python3-avro does not know Iceberg's logicalType "map" on arrays (it writes them as the arrays they are).
warnings.filterwarnings("ignore", category=avro.errors.IgnoredLogicalType)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA_ROOT = os.environ.get("BENCH_DATA", "/tmp/floe-bench-data")
FIXTURE = os.path.join(ROOT, "..", "shared", "fixtures", "iceberg", "duckdb-iceberg", "data", "persistent",
                       "generated_bounds")

# (name, Iceberg type, DuckDB type); field ids are the positions from 1.
TABLES = {
    "lineitem": {
        "columns": [("l_orderkey", "long", "BIGINT"), ("l_partkey", "long", "BIGINT"), ("l_suppkey", "long", "BIGINT"),
                    ("l_linenumber", "int", "INTEGER"), ("l_quantity", "decimal(15, 2)", "DECIMAL(15,2)"),
                    ("l_extendedprice", "decimal(15, 2)", "DECIMAL(15,2)"),
                    ("l_discount", "decimal(15, 2)", "DECIMAL(15,2)"), ("l_tax", "decimal(15, 2)", "DECIMAL(15,2)"),
                    ("l_returnflag", "string", "VARCHAR"), ("l_linestatus", "string", "VARCHAR"),
                    ("l_shipdate", "date", "DATE"), ("l_commitdate", "date", "DATE"),
                    ("l_receiptdate", "date", "DATE"), ("l_shipinstruct", "string", "VARCHAR"),
                    ("l_shipmode", "string", "VARCHAR"), ("l_comment", "string", "VARCHAR")],
        "sort": ["l_shipdate", "l_orderkey", "l_linenumber"],
        "files": 8,
    },
    "orders": {
        "columns": [("o_orderkey", "long", "BIGINT"), ("o_custkey", "long", "BIGINT"),
                    ("o_orderstatus", "string", "VARCHAR"), ("o_totalprice", "decimal(15, 2)", "DECIMAL(15,2)"),
                    ("o_orderdate", "date", "DATE"), ("o_orderpriority", "string", "VARCHAR"),
                    ("o_clerk", "string", "VARCHAR"), ("o_shippriority", "int", "INTEGER"),
                    ("o_comment", "string", "VARCHAR")],
        "sort": ["o_orderkey"],
        "files": 4,
    },
}
ROW_GROUP_SIZE = 262144
TRUNCATE = 16  # Iceberg Java's default metrics mode, truncate(16)
TIMESTAMP_MS = 1735689600000  # 2025-01-01, fixed so that the metadata is reproducible

# ---------------------------------------------------------------------------------------------
# Avro schemas (spec: Manifests, Manifest Lists; Appendix A for the ids of maps and lists).


def optional(name, field_id, avro_type):
    return {"name": name, "type": ["null", avro_type], "default": None, "field-id": field_id}


def int_map(name, field_id, key_id, value_id, value_type):
    """Iceberg's int-keyed map: an array of key/value records with logicalType map."""
    return optional(name, field_id, {
        "type": "array", "logicalType": "map",
        "items": {"type": "record", "name": f"k{key_id}_v{value_id}", "fields": [
            {"name": "key", "type": "int", "field-id": key_id},
            {"name": "value", "type": value_type, "field-id": value_id}]}})


MANIFEST_ENTRY = {
    "type": "record", "name": "manifest_entry", "fields": [
        {"name": "status", "type": "int", "field-id": 0},
        optional("snapshot_id", 1, "long"),
        optional("sequence_number", 3, "long"),
        optional("file_sequence_number", 4, "long"),
        {"name": "data_file", "field-id": 2, "type": {"type": "record", "name": "r2", "fields": [
            {"name": "content", "type": "int", "field-id": 134, "doc": "Contents of the file: 0=data"},
            {"name": "file_path", "type": "string", "field-id": 100},
            {"name": "file_format", "type": "string", "field-id": 101},
            {"name": "partition", "type": {"type": "record", "name": "r102", "fields": []}, "field-id": 102},
            {"name": "record_count", "type": "long", "field-id": 103},
            {"name": "file_size_in_bytes", "type": "long", "field-id": 104},
            int_map("column_sizes", 108, 117, 118, "long"),
            int_map("value_counts", 109, 119, 120, "long"),
            int_map("null_value_counts", 110, 121, 122, "long"),
            int_map("nan_value_counts", 137, 138, 139, "long"),
            int_map("lower_bounds", 125, 126, 127, "bytes"),
            int_map("upper_bounds", 128, 129, 130, "bytes"),
            optional("key_metadata", 131, "bytes"),
            optional("split_offsets", 132, {"type": "array", "items": "long", "element-id": 133}),
            optional("equality_ids", 135, {"type": "array", "items": "int", "element-id": 136}),
            optional("sort_order_id", 140, "int"),
        ]}},
    ]}

MANIFEST_FILE = {
    "type": "record", "name": "manifest_file", "fields": [
        {"name": "manifest_path", "type": "string", "field-id": 500},
        {"name": "manifest_length", "type": "long", "field-id": 501},
        {"name": "partition_spec_id", "type": "int", "field-id": 502},
        {"name": "content", "type": "int", "field-id": 517},
        {"name": "sequence_number", "type": "long", "field-id": 515},
        {"name": "min_sequence_number", "type": "long", "field-id": 516},
        {"name": "added_snapshot_id", "type": "long", "field-id": 503},
        {"name": "added_files_count", "type": "int", "field-id": 504},
        {"name": "existing_files_count", "type": "int", "field-id": 505},
        {"name": "deleted_files_count", "type": "int", "field-id": 506},
        {"name": "added_rows_count", "type": "long", "field-id": 512},
        {"name": "existing_rows_count", "type": "long", "field-id": 513},
        {"name": "deleted_rows_count", "type": "long", "field-id": 514},
        optional("partitions", 507, {"type": "array", "element-id": 508, "items": {
            "type": "record", "name": "r508", "fields": [
                {"name": "contains_null", "type": "boolean", "field-id": 509},
                optional("contains_nan", 518, "boolean"),
                optional("lower_bound", 510, "bytes"),
                optional("upper_bound", 511, "bytes")]}}),
        optional("key_metadata", 519, "bytes"),
    ]}

# ---------------------------------------------------------------------------------------------
# Single-value binary serialization (spec Appendix D).

EPOCH = datetime.date(1970, 1, 1)


def serialize(iceberg_type, text, upper):
    """The bound `text` (DuckDB's VARCHAR form of the value) in Iceberg's binary form; None when an
    upper bound cannot be rounded up after truncation (it is then omitted)."""
    if iceberg_type == "int":
        return struct.pack("<i", int(text))
    if iceberg_type == "long":
        return struct.pack("<q", int(text))
    if iceberg_type == "date":
        return struct.pack("<i", (datetime.date.fromisoformat(text) - EPOCH).days)
    if iceberg_type.startswith("decimal"):
        scale = int(iceberg_type.split(",")[1].strip(" )"))
        unscaled = int(decimal.Decimal(text).scaleb(scale))
        length = 1
        while not -(1 << (8 * length - 1)) <= unscaled < (1 << (8 * length - 1)):
            length += 1
        return unscaled.to_bytes(length, "big", signed=True)
    if iceberg_type == "string":
        if len(text) <= TRUNCATE:
            return text.encode()
        if not upper:
            return text[:TRUNCATE].encode()
        # Truncate, then increment the last code point that can be (dropping the ones after it).
        chars = list(text[:TRUNCATE])
        while chars:
            c = ord(chars.pop()) + 1
            if 0xD800 <= c <= 0xDFFF:
                c = 0xE000
            if c <= 0x10FFFF:
                return ("".join(chars) + chr(c)).encode()
        return None
    raise ValueError(f"no bound serialization for {iceberg_type}")


# ---------------------------------------------------------------------------------------------


def write_avro(path, schema_json, meta, records):
    schema = avro.schema.parse(json.dumps(schema_json))
    with open(path, "wb") as f:
        writer = avro.datafile.DataFileWriter(f, avro.io.DatumWriter(), schema, codec="deflate")
        for key, value in meta.items():
            writer.set_meta(key, value.encode())
        for record in records:
            writer.append(record)
        writer.flush()
        writer.close()
    return os.path.getsize(path)


def table_schema(columns):
    return {"type": "struct", "schema-id": 0, "identifier-field-ids": [],
            "fields": [{"id": i + 1, "name": name, "required": True, "type": t}
                       for i, (name, t, _) in enumerate(columns)]}


def write_table_metadata(name, table_dir, columns, sort, files):
    """Manifest, manifest list, metadata JSON and version hint for one append of `files`."""
    metadata_dir = os.path.join(table_dir, "metadata")
    os.makedirs(metadata_dir, exist_ok=True)
    location = "file://" + table_dir
    table_uuid = str(uuid.uuid5(uuid.NAMESPACE_URL, location))
    snapshot_id = uuid.uuid5(uuid.NAMESPACE_URL, location + "#snapshot").int >> 65  # positive 63-bit
    commit_uuid = str(uuid.uuid5(uuid.NAMESPACE_URL, location + "#commit"))
    types = {i + 1: t for i, (_, t, _) in enumerate(columns)}
    ids = {n: i + 1 for i, (n, _, _) in enumerate(columns)}
    schema = table_schema(columns)
    sort_order = {"order-id": 1, "fields": [
        {"transform": "identity", "source-id": ids[c], "direction": "asc", "null-order": "nulls-first"}
        for c in sort]}

    entries = []
    for f in files:
        metrics = {int(k): v for k, v in f["columns"].items()}
        lower, upper = [], []
        for fid, m in sorted(metrics.items()):
            if m["min"] is None:
                continue
            lower.append({"key": fid, "value": serialize(types[fid], m["min"], False)})
            hi = serialize(types[fid], m["max"], True)
            if hi is not None:
                upper.append({"key": fid, "value": hi})
        entries.append({
            "status": 1, "snapshot_id": snapshot_id, "sequence_number": None, "file_sequence_number": None,
            "data_file": {
                "content": 0, "file_path": "file://" + f["path"], "file_format": "PARQUET", "partition": {},
                "record_count": f["records"], "file_size_in_bytes": f["size"],
                "column_sizes": [{"key": k, "value": m["size"]} for k, m in sorted(metrics.items())],
                "value_counts": [{"key": k, "value": m["values"]} for k, m in sorted(metrics.items())],
                "null_value_counts": [{"key": k, "value": m["nulls"]} for k, m in sorted(metrics.items())],
                "nan_value_counts": [],
                "lower_bounds": lower, "upper_bounds": upper, "key_metadata": None,
                "split_offsets": f["split_offsets"], "equality_ids": None, "sort_order_id": 1,
            }})
    manifest_path = os.path.join(metadata_dir, f"{commit_uuid}-m0.avro")
    manifest_length = write_avro(manifest_path, MANIFEST_ENTRY, {
        "schema": json.dumps(schema), "schema-id": "0", "partition-spec": "[]", "partition-spec-id": "0",
        "format-version": "2", "content": "data"}, entries)

    records = sum(f["records"] for f in files)
    size = sum(f["size"] for f in files)
    list_path = os.path.join(metadata_dir, f"snap-{snapshot_id}-1-{commit_uuid}.avro")
    write_avro(list_path, MANIFEST_FILE, {
        "snapshot-id": str(snapshot_id), "parent-snapshot-id": "null", "sequence-number": "1",
        "format-version": "2"}, [{
            "manifest_path": "file://" + manifest_path, "manifest_length": manifest_length,
            "partition_spec_id": 0, "content": 0, "sequence_number": 1, "min_sequence_number": 1,
            "added_snapshot_id": snapshot_id, "added_files_count": len(files), "existing_files_count": 0,
            "deleted_files_count": 0, "added_rows_count": records, "existing_rows_count": 0,
            "deleted_rows_count": 0, "partitions": [], "key_metadata": None}])

    summary = {"operation": "append", "added-data-files": str(len(files)), "added-records": str(records),
               "added-files-size": str(size), "changed-partition-count": "1", "total-records": str(records),
               "total-files-size": str(size), "total-data-files": str(len(files)), "total-delete-files": "0",
               "total-position-deletes": "0", "total-equality-deletes": "0", "engine-name": "floe-bench"}
    metadata = {
        "format-version": 2, "table-uuid": table_uuid, "location": location, "last-sequence-number": 1,
        "last-updated-ms": TIMESTAMP_MS, "last-column-id": len(columns), "current-schema-id": 0,
        "schemas": [schema], "default-spec-id": 0, "partition-specs": [{"spec-id": 0, "fields": []}],
        "last-partition-id": 999, "default-sort-order-id": 1,
        "sort-orders": [{"order-id": 0, "fields": []}, sort_order],
        "properties": {"write.format.default": "parquet", "write.parquet.compression-codec": "zstd"},
        "current-snapshot-id": snapshot_id,
        "refs": {"main": {"snapshot-id": snapshot_id, "type": "branch"}},
        "snapshots": [{"snapshot-id": snapshot_id, "sequence-number": 1, "timestamp-ms": TIMESTAMP_MS,
                       "manifest-list": "file://" + list_path, "summary": summary, "schema-id": 0}],
        "snapshot-log": [{"timestamp-ms": TIMESTAMP_MS, "snapshot-id": snapshot_id}],
        "metadata-log": [], "statistics": [], "partition-statistics": [],
    }
    with open(os.path.join(metadata_dir, "v1.metadata.json"), "w") as out:
        json.dump(metadata, out, indent=1)
    with open(os.path.join(metadata_dir, "version-hint.text"), "w") as out:
        out.write("1")
    print(f"{name}: {len(files)} data files, {records} rows, {size / 2**20:.1f} MB")


def tpch_text(sf, data):
    """The directory holding lineitem.tbl and orders.tbl, and whether it is ours to delete."""
    shared = os.path.join(DATA_ROOT, f"tpch-sf{sf}")
    if os.path.exists(os.path.join(shared, ".complete")):
        return shared, False
    text = os.path.join(data, "tbl")
    tool = os.environ.get("FLOE_DATAGEN", os.path.join(ROOT, "build/release/bench/floe_datagen"))
    subprocess.run([tool, "tpch", str(sf), text], check=True, stdout=subprocess.DEVNULL)
    return text, True


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: iceberg.py SF DIR")
    sf, data = sys.argv[1], os.path.abspath(sys.argv[2])
    if os.path.exists(os.path.join(data, ".complete")):
        return
    os.makedirs(data, exist_ok=True)
    warehouse = os.path.join(data, "warehouse")
    shutil.rmtree(warehouse, ignore_errors=True)
    text, ours = tpch_text(sf, data)
    spec = {"tables": [{
        "name": name, "tbl": os.path.join(text, name + ".tbl"),
        "dir": os.path.join(warehouse, "tpch", name, "data"), "files": t["files"], "row_group_size": ROW_GROUP_SIZE,
        "sort": t["sort"], "columns": [{"name": n, "id": i + 1, "duckdb": d} for i, (n, _, d) in enumerate(t["columns"])],
    } for name, t in TABLES.items()]}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(spec, f)
    try:
        out = subprocess.run(["node", os.path.join(HERE, "iceberg_parquet.mjs"), f.name], check=True,
                             stdout=subprocess.PIPE, text=True).stdout
    finally:
        os.unlink(f.name)
    written = json.loads(out)
    for name, t in TABLES.items():
        write_table_metadata(name, os.path.join(warehouse, "tpch", name), t["columns"], t["sort"], written[name])
    if ours:
        shutil.rmtree(text)

    bounds = os.path.join(data, "generated_bounds", "data", "persistent", "generated_bounds")
    if os.path.isdir(FIXTURE):
        shutil.rmtree(bounds, ignore_errors=True)
        shutil.copytree(FIXTURE, bounds)
    else:
        print(f"iceberg.py: {FIXTURE} is absent; the planning figure will fail", file=sys.stderr)


if __name__ == "__main__":
    main()
