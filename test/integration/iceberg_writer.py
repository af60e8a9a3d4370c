"""A small Iceberg v2 table writer for the tests (until Floe writes Iceberg itself): Parquet data
files with Iceberg field ids written by DuckDB (npm @duckdb/node-api, through duckdb_parquet.mjs),
manifests and manifest lists written with Debian's python3-avro (Iceberg's Avro schemas, field ids
included), and vN.metadata.json plus version-hint.text in the hadoop layout
<warehouse>/<namespace>/<table>/{data,metadata}. Each append() commits a new snapshot, so a test
can change a table while Floe runs.

Column types: long, int, string, date ('YYYY-MM-DD' strings), double. Partitioning: identity on one
column, or none. Column statistics (value/null counts, lower/upper bounds) are written for every
column, so Floe can prune files by them."""
import datetime
import io
import json
import os
import struct
import time
import uuid

import warnings

import avro.datafile
import avro.errors
import avro.io
import avro.schema

from duckdb_peer import duckdb_sql

# Iceberg marks its int-keyed maps (arrays of key/value records) with logicalType "map".
warnings.filterwarnings("ignore", category=avro.errors.IgnoredLogicalType)

_AVRO_TYPES = {"long": "long", "int": "int", "string": "string", "date": "int", "double": "double"}


def _map_schema(name, key_id, value_id, value_type):
    return ["null", {"type": "array", "logicalType": "map",
                     "items": {"type": "record", "name": name, "fields": [
                         {"name": "key", "type": "int", "field-id": key_id},
                         {"name": "value", "type": value_type, "field-id": value_id}]}}]


def _manifest_entry_schema(partition_fields):
    part = {"type": "record", "name": "r102", "fields": [
        {"name": p["name"], "type": ["null", _AVRO_TYPES[p["type"]]], "field-id": p["field-id"], "default": None}
        for p in partition_fields]}
    data_file = {"type": "record", "name": "r2", "fields": [
        {"name": "content", "type": "int", "field-id": 134},
        {"name": "file_path", "type": "string", "field-id": 100},
        {"name": "file_format", "type": "string", "field-id": 101},
        {"name": "partition", "type": part, "field-id": 102},
        {"name": "record_count", "type": "long", "field-id": 103},
        {"name": "file_size_in_bytes", "type": "long", "field-id": 104},
        {"name": "column_sizes", "type": _map_schema("k117_v118", 117, 118, "long"), "field-id": 108, "default": None},
        {"name": "value_counts", "type": _map_schema("k119_v120", 119, 120, "long"), "field-id": 109, "default": None},
        {"name": "null_value_counts", "type": _map_schema("k121_v122", 121, 122, "long"), "field-id": 110,
         "default": None},
        {"name": "lower_bounds", "type": _map_schema("k126_v127", 126, 127, "bytes"), "field-id": 125, "default": None},
        {"name": "upper_bounds", "type": _map_schema("k129_v130", 129, 130, "bytes"), "field-id": 128, "default": None},
        {"name": "key_metadata", "type": ["null", "bytes"], "field-id": 131, "default": None},
        {"name": "split_offsets", "type": ["null", {"type": "array", "items": "long", "element-id": 133}],
         "field-id": 132, "default": None},
        {"name": "equality_ids", "type": ["null", {"type": "array", "items": "int", "element-id": 136}],
         "field-id": 135, "default": None},
        {"name": "sort_order_id", "type": ["null", "int"], "field-id": 140, "default": None},
    ]}
    return avro.schema.parse(json.dumps({"type": "record", "name": "manifest_entry", "fields": [
        {"name": "status", "type": "int", "field-id": 0},
        {"name": "snapshot_id", "type": ["null", "long"], "field-id": 1, "default": None},
        {"name": "sequence_number", "type": ["null", "long"], "field-id": 3, "default": None},
        {"name": "file_sequence_number", "type": ["null", "long"], "field-id": 4, "default": None},
        {"name": "data_file", "type": data_file, "field-id": 2},
    ]}))


_MANIFEST_LIST_SCHEMA = avro.schema.parse(json.dumps({"type": "record", "name": "manifest_file", "fields": [
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
    {"name": "partitions", "type": ["null", {"type": "array", "element-id": 508, "items": {
        "type": "record", "name": "r508", "fields": [
            {"name": "contains_null", "type": "boolean", "field-id": 509},
            {"name": "contains_nan", "type": ["null", "boolean"], "field-id": 518, "default": None},
            {"name": "lower_bound", "type": ["null", "bytes"], "field-id": 510, "default": None},
            {"name": "upper_bound", "type": ["null", "bytes"], "field-id": 511, "default": None}]}}],
     "field-id": 507, "default": None},
    {"name": "key_metadata", "type": ["null", "bytes"], "field-id": 519, "default": None},
]}))


def _days(value):
    return (datetime.date.fromisoformat(value) - datetime.date(1970, 1, 1)).days


def _encode(kind, value):
    """Iceberg's binary single-value serialization."""
    if kind == "long":
        return struct.pack("<q", value)
    if kind == "int":
        return struct.pack("<i", value)
    if kind == "date":
        return struct.pack("<i", _days(value))
    if kind == "double":
        return struct.pack("<d", value)
    return value.encode()


def _sql_literal(kind, value):
    if value is None:
        return "NULL"
    if kind == "string":
        return "'" + value.replace("'", "''") + "'"
    if kind == "date":
        return f"DATE '{value}'"
    return repr(value)


_DUCK_TYPES = {"long": "BIGINT", "int": "INTEGER", "string": "VARCHAR", "date": "DATE", "double": "DOUBLE"}


class IcebergTable:
    """columns: [(name, kind)], ids 1..n. partition: a column name (identity) or None."""

    def __init__(self, warehouse, namespace, name, columns, partition=None):
        self.dir = os.path.join(warehouse, namespace, name)
        self.columns = columns
        self.partition = partition
        self.version = 0
        self.snapshots = []
        self.manifests = []  # manifest list rows of the current snapshot
        self.sequence = 0
        os.makedirs(os.path.join(self.dir, "data"), exist_ok=True)
        os.makedirs(os.path.join(self.dir, "metadata"), exist_ok=True)
        self.uuid = str(uuid.uuid4())
        self._write_metadata()

    def _schema(self):
        return {"type": "struct", "schema-id": 0, "fields": [
            {"id": i + 1, "name": n, "required": False, "type": k} for i, (n, k) in enumerate(self.columns)]}

    def _spec_fields(self):
        if not self.partition:
            return []
        idx = [n for n, _ in self.columns].index(self.partition)
        return [{"name": self.partition, "transform": "identity", "source-id": idx + 1, "field-id": 1000,
                 "type": self.columns[idx][1]}]

    def _write_metadata(self):
        self.version += 1
        current = self.snapshots[-1]["snapshot-id"] if self.snapshots else None
        md = {
            "format-version": 2, "table-uuid": self.uuid, "location": self.dir,
            "last-sequence-number": self.sequence, "last-updated-ms": int(time.time() * 1000),
            "last-column-id": len(self.columns), "current-schema-id": 0, "schemas": [self._schema()],
            "default-spec-id": 0,
            "partition-specs": [{"spec-id": 0, "fields": [
                {k: v for k, v in f.items() if k != "type"} for f in self._spec_fields()]}],
            "last-partition-id": 1000 if self.partition else 999, "default-sort-order-id": 0,
            "sort-orders": [{"order-id": 0, "fields": []}], "properties": {},
            "current-snapshot-id": current if current is not None else -1,
            "refs": {"main": {"snapshot-id": current, "type": "branch"}} if current is not None else {},
            "snapshots": self.snapshots,
            "snapshot-log": [{"timestamp-ms": s["timestamp-ms"], "snapshot-id": s["snapshot-id"]}
                             for s in self.snapshots],
            "metadata-log": [],
        }
        path = os.path.join(self.dir, "metadata", f"v{self.version}.metadata.json")
        with open(path, "w") as f:
            json.dump(md, f)
        # The hint last: a reader that sees it finds the file it names.
        tmp = os.path.join(self.dir, "metadata", "version-hint.text.tmp")
        with open(tmp, "w") as f:
            f.write(str(self.version))
        os.replace(tmp, os.path.join(self.dir, "metadata", "version-hint.text"))

    def append(self, files):
        """Commits a snapshot adding one data file per list of row tuples in `files`."""
        self.sequence += 1
        snapshot_id = int(time.time() * 1000) * 1000 + self.sequence
        entries = []
        total = 0
        for rows in files:
            name = f"{uuid.uuid4()}.parquet"
            path = os.path.join(self.dir, "data", name)
            values = ", ".join("(" + ", ".join(_sql_literal(k, v) for (_, k), v in zip(self.columns, row)) + ")"
                               for row in rows)
            cols = ", ".join(f"CAST(c{i} AS {_DUCK_TYPES[k]}) AS {n}" for i, (n, k) in enumerate(self.columns))
            raw = ", ".join(f"c{i}" for i in range(len(self.columns)))
            ids = ", ".join(f"{n}: {i + 1}" for i, (n, _) in enumerate(self.columns))
            duckdb_sql(f"COPY (SELECT {cols} FROM (VALUES {values}) t({raw})) TO '{path}' "
                       f"(FORMAT parquet, FIELD_IDS {{{ids}}})")
            stats = {"value_counts": [], "null_value_counts": [], "lower_bounds": [], "upper_bounds": []}
            for i, (_, kind) in enumerate(self.columns):
                present = [r[i] for r in rows if r[i] is not None]
                stats["value_counts"].append({"key": i + 1, "value": len(rows)})
                stats["null_value_counts"].append({"key": i + 1, "value": len(rows) - len(present)})
                if present:
                    key = (lambda v: _days(v)) if kind == "date" else (lambda v: v)
                    stats["lower_bounds"].append({"key": i + 1, "value": _encode(kind, min(present, key=key))})
                    stats["upper_bounds"].append({"key": i + 1, "value": _encode(kind, max(present, key=key))})
            partition = {}
            for p in self._spec_fields():
                v = rows[0][[n for n, _ in self.columns].index(p["name"])]
                partition[p["name"]] = _days(v) if p["type"] == "date" and v is not None else v
            entries.append({"status": 1, "snapshot_id": snapshot_id, "sequence_number": None,
                            "file_sequence_number": None, "data_file": {
                                "content": 0, "file_path": path, "file_format": "PARQUET", "partition": partition,
                                "record_count": len(rows), "file_size_in_bytes": os.path.getsize(path),
                                "column_sizes": None, **stats, "key_metadata": None, "split_offsets": None,
                                "equality_ids": None, "sort_order_id": None}})
            total += len(rows)
        manifest = os.path.join(self.dir, "metadata", f"{uuid.uuid4()}-m0.avro")
        buf = io.BytesIO()
        writer = avro.datafile.DataFileWriter(buf, avro.io.DatumWriter(), _manifest_entry_schema(self._spec_fields()),
                                              codec="deflate")
        writer.set_meta("schema", json.dumps(self._schema()).encode())
        writer.set_meta("partition-spec", json.dumps([{k: v for k, v in f.items() if k != "type"}
                                                      for f in self._spec_fields()]).encode())
        writer.set_meta("partition-spec-id", b"0")
        writer.set_meta("format-version", b"2")
        writer.set_meta("content", b"data")
        for e in entries:
            writer.append(e)
        writer.flush()
        data = buf.getvalue()
        writer.close()
        with open(manifest, "wb") as f:
            f.write(data)
        self.manifests.append({
            "manifest_path": manifest, "manifest_length": len(data), "partition_spec_id": 0, "content": 0,
            "sequence_number": self.sequence, "min_sequence_number": self.sequence,
            "added_snapshot_id": snapshot_id, "added_files_count": len(entries), "existing_files_count": 0,
            "deleted_files_count": 0, "added_rows_count": total, "existing_rows_count": 0, "deleted_rows_count": 0,
            "partitions": None, "key_metadata": None})
        manifest_list = os.path.join(self.dir, "metadata", f"snap-{snapshot_id}-1-{uuid.uuid4()}.avro")
        with open(manifest_list, "wb") as f:
            writer = avro.datafile.DataFileWriter(f, avro.io.DatumWriter(), _MANIFEST_LIST_SCHEMA, codec="deflate")
            writer.set_meta("format-version", b"2")
            writer.set_meta("snapshot-id", str(snapshot_id).encode())
            for m in self.manifests:
                writer.append(m)
            writer.close()
        previous = self.snapshots[-1] if self.snapshots else None
        records = total + (int(previous["summary"]["total-records"]) if previous else 0)
        snapshot = {"snapshot-id": snapshot_id, "sequence-number": self.sequence,
                    "timestamp-ms": int(time.time() * 1000), "manifest-list": manifest_list,
                    "summary": {"operation": "append", "added-records": str(total), "total-records": str(records)},
                    "schema-id": 0}
        if previous:
            snapshot["parent-snapshot-id"] = previous["snapshot-id"]
        self.snapshots.append(snapshot)
        self._write_metadata()
        return snapshot_id
