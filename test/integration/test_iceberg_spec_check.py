"""Tests of the Iceberg spec checker (iceberg_spec_check.py) itself: the spec's bucket hash vectors,
no problems on valid tables written by Spark, Java, pyiceberg and DuckDB (the shared fixtures), and
the expected problem on deliberately corrupted copies of them."""
import datetime
import decimal
import io
import json
import os
import shutil
import uuid

import pytest

from duckdb_peer import requires_duckdb

avro_datafile = pytest.importorskip("avro.datafile")
avro_io = pytest.importorskip("avro.io")
avro_schema = pytest.importorskip("avro.schema")

import iceberg_spec_check as isc  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::avro.errors.IgnoredLogicalType")

FIXTURES = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "fixtures",
                                        "iceberg"))
DI = os.path.join(FIXTURES, "duckdb-iceberg", "data", "persistent")
IMPALA = os.path.join(FIXTURES, "impala")
requires_fixtures = pytest.mark.skipif(not os.path.isdir(FIXTURES), reason="shared Iceberg fixtures absent")


def fixture_map(folder):
    """{prefix as written: local prefix} from path_map.tsv for a fixture table folder."""
    out = {}
    with open(os.path.join(FIXTURES, "path_map.tsv")) as f:
        for line in f:
            if line.startswith("#") or line.startswith("scope"):
                continue
            scope, old, new = line.rstrip("\n").split("\t")
            if scope == "*" + folder.split("/")[0] or folder.startswith(scope):
                out[old] = os.path.join(FIXTURES, new)
    return out


# ---- murmur3 / transforms: the spec's Appendix B values ---------------------------------------

def days(d):
    return (d - datetime.date(1970, 1, 1)).days


def micros(ts):
    return (ts - datetime.datetime(1970, 1, 1)) // datetime.timedelta(microseconds=1)


@pytest.mark.parametrize("itype,value,expected", [
    ("int", 34, 2017239379),
    ("long", 34, 2017239379),
    ("decimal(4, 2)", decimal.Decimal("14.20"), -500754589),
    ("date", days(datetime.date(2017, 11, 16)), -653330422),
    ("time", (22 * 3600 + 31 * 60 + 8) * 10 ** 6, -662762989),
    ("timestamp", micros(datetime.datetime(2017, 11, 16, 22, 31, 8)), -2047944441),
    ("timestamp", micros(datetime.datetime(2017, 11, 16, 22, 31, 8, 1)), -1207196810),
    ("timestamptz", micros(datetime.datetime(2017, 11, 16, 14, 31, 8)) + 8 * 3600 * 10 ** 6, -2047944441),
    ("string", "iceberg", 1210000089),
    ("uuid", uuid.UUID("f79c3e09-677c-4bbd-a479-3f349cb785e7"), 1488055340),
    ("fixed[4]", bytes([0, 1, 2, 3]), -188683207),
    ("binary", bytes([0, 1, 2, 3]), -188683207),
])
def test_bucket_hash_spec_vectors(itype, value, expected):
    assert isc.bucket_hash(itype, value) == expected


def test_murmur3_reference_values():
    # MurmurHash3_x86_32 with seed 0 (SMHasher's reference implementation)
    assert isc.murmur3_32(b"") == 0
    assert isc.murmur3_32(b"hello") == 0x248BFA47
    assert isc.murmur3_32(b"The quick brown fox jumps over the lazy dog") == 0x2E4FF723


def test_transforms():
    ts = micros(datetime.datetime(2017, 11, 16, 22, 31, 8))
    assert isc.apply_transform("year", "timestamp", ts) == 47
    assert isc.apply_transform("month", "timestamp", ts) == 47 * 12 + 10
    assert isc.apply_transform("day", "timestamp", ts) == days(datetime.date(2017, 11, 16))
    assert isc.apply_transform("hour", "timestamp", ts) == ts // 3_600_000_000
    # floor semantics before 1970: -1 µs is day -1, hour -1, month -1, year -1
    for t in ("year", "month", "day", "hour"):
        assert isc.apply_transform(t, "timestamp", -1) == -1
    assert isc.apply_transform("month", "date", -1) == -1
    assert isc.apply_transform("truncate[10]", "int", -1) == -10
    assert isc.apply_transform("truncate[10]", "long", 19) == 10
    assert isc.apply_transform("truncate[50]", "decimal(9, 2)", decimal.Decimal("10.65")) == decimal.Decimal("10.50")
    assert isc.apply_transform("truncate[2]", "string", "éxyz") == "éx"
    assert isc.apply_transform("truncate[2]", "binary", b"\x01\x02\x03") == b"\x01\x02"
    assert isc.apply_transform("bucket[16]", "int", 34) == (2017239379 & 0x7FFFFFFF) % 16
    assert isc.apply_transform("identity", "string", None) is None


def test_single_value_decoding():
    assert isc.decode_single_value("decimal(4, 2)", bytes([0x05, 0x8C])) == decimal.Decimal("14.20")
    assert isc.decode_single_value("long", (7).to_bytes(4, "little")) == 7  # an int bound of a promoted long
    assert isc.decode_single_value("uuid", uuid.UUID(int=1).bytes) == uuid.UUID(int=1)
    assert isc.decode_single_value("timestamp", (2).to_bytes(4, "little")) == 2 * 86400 * 10 ** 6
    assert isc.decimal_unscaled_bytes(1420) == bytes([0x05, 0x8C])
    assert isc.decimal_unscaled_bytes(-1) == b"\xff"
    assert isc.decimal_unscaled_bytes(128) == b"\x00\x80"


# ---- valid tables: nothing to report -----------------------------------------------------------
VALID = [
    # (table folder under fixtures, metadata file, format version, writer)
    ("duckdb-iceberg/data/persistent/iceberg/lineitem_iceberg", "v2.metadata.json"),  # v2, Spark
    ("duckdb-iceberg/data/persistent/iceberg/lineitem_iceberg_gz", "v2.gz.metadata.json"),  # v1, Spark, gzip
    ("duckdb-iceberg/data/persistent/iceberg_v1_deprecated/default/legacy_v1", "v2.metadata.json"),  # v1 manifests
    ("duckdb-iceberg/data/persistent/expression_filter",
     "00001-19739cda-f528-4429-84cc-377ffdd24c75.metadata.json"),  # v2, Java 1.9.2
    ("duckdb-iceberg/data/persistent/is_null_is_not_null",
     "00001-43ceeb9a-cd0d-4556-b1e2-513b5bf88ff8.metadata.json"),  # v2, Java 1.8.1, 3 snapshots
    ("duckdb-iceberg/data/persistent/equality_deletes/warehouse/mydb/mytable_partitioned",
     "v6.metadata.json"),  # v2, Java 1.8.1, equality deletes, identity partition
    ("duckdb-iceberg/data/persistent/uuid", "00001-43fda1f4-1c96-4376-ad16-91beb71d0759.metadata.json"),
    ("duckdb-iceberg/data/persistent/map_stats/default.db/map_stats",
     "00002-0e059d4b-e5e8-41af-a763-76cbf3a3d0bc.metadata.json"),  # pyiceberg, day transform
    ("duckdb-iceberg/data/persistent/add_columns_with_defaults/default.db/add_columns_with_defaults",
     "00003-3f1801a5-7dfb-4072-b14a-39cd12f9279b.metadata.json"),  # pyiceberg, schema evolution
    ("duckdb-iceberg/data/persistent/case_sensitive_names/default.db/case_sensitive_names",
     "00001-a7a3a44c-4aac-4619-bebd-11be37b27351.metadata.json"),  # columns differing only in case
    ("duckdb-iceberg/data/persistent/legacy_bare_deletion_vector/warehouse/default/legacy_bare_deletion_vector",
     "00002-legacy-bare-dv.metadata.json"),  # v3
    ("impala/iceberg_partitioned", "v2.metadata.json"),  # v1, Spark: hour(timestamptz) + identity
    ("impala/iceberg_non_partitioned", "v2.metadata.json"),  # v1, Spark, 20 files
]


@requires_fixtures
@requires_duckdb
@pytest.mark.parametrize("folder,metadata", VALID, ids=[v[0].split("/")[-1] for v in VALID])
def test_valid_fixture_tables(folder, metadata):
    stats = {}
    problems = isc.check_table(os.path.join(FIXTURES, folder, "metadata", metadata), fixture_map(folder),
                               stats=stats)
    assert problems == []
    assert stats["snapshots"] >= 1 and stats["manifests"] >= 1 and stats["data_files"] >= 1, stats


# ---- hand-made fixtures the checker must reject, for reasons the MANIFEST documents -----------

@requires_fixtures
def test_fixture_with_summary_disagreeing_with_manifests():
    # MANIFEST.md: iceberg_v2_null_delete_record is hand-crafted and its summary disagrees with its manifests.
    folder = "impala/hadoop_catalog/ice/iceberg_v2_null_delete_record"
    problems = isc.check_table(os.path.join(FIXTURES, folder, "metadata", "v1.metadata.json"), fixture_map(folder),
                               check_data=False)
    assert any("names no snapshot" in p for p in problems), problems


@requires_fixtures
def test_fixture_with_missing_manifest_list():
    folder = "duckdb-iceberg/data/persistent/equality_deletes/warehouse/mydb/mytable"
    problems = isc.check_table(os.path.join(FIXTURES, folder, "metadata", "v6.metadata.json"), fixture_map(folder),
                               check_data=False)
    assert any("snap-7342794868382145167" in p and "does not exist" in p for p in problems), problems


@requires_fixtures
def test_v3_without_next_row_id():
    folder = "duckdb-iceberg/data/persistent/timestamptz_ns"
    problems = isc.check_table(os.path.join(FIXTURES, folder, "metadata", "v1.metadata.json"), fixture_map(folder))
    assert any("next-row-id" in p for p in problems), problems


# ---- corrupted copies ----------------------------------------------------------------------

def rewrite_avro(path, change):
    """Rewrites an Avro container in place: change(schema_json, records) -> (schema_json, records).
    Header metadata (Iceberg keys) and codec are kept."""
    with open(path, "rb") as f:
        reader = avro_datafile.DataFileReader(io.BytesIO(f.read()), avro_io.DatumReader())
        meta = dict(reader.meta)
        records = list(reader)
    schema_json, records = change(json.loads(meta["avro.schema"]), records)
    codec = meta.get("avro.codec", b"null").decode()
    out = io.BytesIO()
    writer = avro_datafile.DataFileWriter(out, avro_io.DatumWriter(), avro_schema.parse(json.dumps(schema_json)),
                                          codec=codec)
    for k, v in meta.items():
        if not k.startswith("avro."):
            writer.set_meta(k, v)
    for r in records:
        writer.append(r)
    writer.flush()
    data = out.getvalue()
    writer.close()
    with open(path, "wb") as f:
        f.write(data)


class Copy:
    """A copy of a fixture table in tmp_path, with its metadata, manifest list and manifests."""

    def __init__(self, tmp_path, folder, metadata, prefix):
        self.root = os.path.join(str(tmp_path), os.path.basename(folder))
        shutil.copytree(os.path.join(FIXTURES, folder), self.root)
        self.metadata_path = os.path.join(self.root, "metadata", metadata)
        self.location_map = {prefix: self.root + "/"}
        meta = isc.load_metadata(self.metadata_path)
        self.meta = meta
        snap = [s for s in meta["snapshots"] if s["snapshot-id"] == meta["current-snapshot-id"]][0]
        self.snapshot = snap
        self.manifest_list = self.local(snap["manifest-list"])
        with open(self.manifest_list, "rb") as f:
            self.manifests = [self.local(r["manifest_path"])
                              for r in avro_datafile.DataFileReader(f, avro_io.DatumReader())]

    def local(self, path):
        for old, new in self.location_map.items():
            if path.startswith(old):
                return new + path[len(old):]
        return path

    def data_files(self):
        out = []
        for m in self.manifests:
            with open(m, "rb") as f:
                out += [self.local(r["data_file"]["file_path"])
                        for r in avro_datafile.DataFileReader(f, avro_io.DatumReader()) if r["status"] != 2]
        return out

    def fix_manifest_lengths(self):
        def change(schema, records):
            for r in records:
                r["manifest_length"] = os.path.getsize(self.local(r["manifest_path"]))
            return schema, records
        rewrite_avro(self.manifest_list, change)

    def write_metadata(self):
        with open(self.metadata_path, "w") as f:
            json.dump(self.meta, f)

    def check(self, **kw):
        return isc.check_table(self.metadata_path, self.location_map, **kw)


@pytest.fixture
def lineitem(tmp_path):  # v2, Spark, unpartitioned, one file
    return Copy(tmp_path, "duckdb-iceberg/data/persistent/iceberg/lineitem_iceberg", "v2.metadata.json",
                "lineitem_iceberg/")


@pytest.fixture
def partitioned(tmp_path):  # v1, Spark, hour + identity, 20 files
    return Copy(tmp_path, "impala/iceberg_partitioned", "v2.metadata.json", "/test-warehouse/iceberg_test/"
                "iceberg_partitioned/")


@pytest.fixture
def partitioned_v2(tmp_path):  # v2, Java, identity on a string, equality deletes
    return Copy(tmp_path, "duckdb-iceberg/data/persistent/equality_deletes/warehouse/mydb/mytable_partitioned",
                "v6.metadata.json", "data/persistent/equality_deletes/warehouse/mydb/mytable_partitioned/")


def has(problems, *words):
    return any(all(w in p for w in words) for p in problems)


@requires_fixtures
@requires_duckdb
def test_copies_are_valid(lineitem, partitioned, partitioned_v2):
    assert lineitem.check() == []
    assert partitioned.check() == []
    assert partitioned_v2.check() == []


@requires_fixtures
def test_wrong_manifest_list_count(lineitem):
    def change(schema, records):
        records[0]["added_data_files_count" if "added_data_files_count" in records[0] else "added_files_count"] += 1
        records[0]["added_rows_count"] += 5
        return schema, records
    rewrite_avro(lineitem.manifest_list, change)
    problems = lineitem.check(check_data=False)
    assert has(problems, "added files count 2 but the manifest holds 1"), problems
    assert has(problems, "added rows count"), problems


@requires_fixtures
def test_wrong_record_names(lineitem):
    def rename_list(schema, records):
        schema["name"] = "manifest_list"
        return schema, records
    rewrite_avro(lineitem.manifest_list, rename_list)

    def rename_manifest(schema, records):
        schema["name"] = "manifest"
        for f in schema["fields"]:
            if f["name"] == "data_file":
                f["type"]["name"] = "data_file"
        return schema, records
    rewrite_avro(lineitem.manifests[0], rename_manifest)
    lineitem.fix_manifest_lengths()
    problems = lineitem.check(check_data=False)
    assert has(problems, "root record is 'manifest_list', not 'manifest_file'"), problems
    assert has(problems, "root record is 'manifest', not 'manifest_entry'"), problems
    assert has(problems, "data_file record is 'data_file', not 'r2'"), problems


@requires_fixtures
def test_missing_field_id(lineitem):
    def drop(schema, records):
        for f in schema["fields"]:
            if f["name"] == "min_sequence_number":
                del f["field-id"]
        return schema, records
    rewrite_avro(lineitem.manifest_list, drop)
    assert has(lineitem.check(check_data=False), "required field id 516 missing")


@requires_fixtures
@requires_duckdb
def test_duplicate_live_path(partitioned):
    def dup(schema, records):
        return schema, records + [records[0]]
    rewrite_avro(partitioned.manifests[0], dup)
    partitioned.fix_manifest_lengths()
    problems = partitioned.check()
    assert has(problems, "is live twice"), problems
    assert has(problems, "summary: total-data-files = 20 but the manifests say 21"), problems


@requires_fixtures
@requires_duckdb
def test_missing_data_file(partitioned):
    gone = partitioned.data_files()[3]
    os.remove(gone)
    problems = partitioned.check()
    assert has(problems, os.path.basename(gone), "does not exist"), problems


@requires_fixtures
@requires_duckdb
def test_wrong_file_size_and_record_count(lineitem):
    def change(schema, records):
        records[0]["data_file"]["record_count"] += 1
        records[0]["data_file"]["file_size_in_bytes"] += 1
        return schema, records
    rewrite_avro(lineitem.manifests[0], change)
    lineitem.fix_manifest_lengths()
    problems = lineitem.check()
    assert has(problems, "record_count 51794 but the file has 51793 rows"), problems
    assert has(problems, "file_size_in_bytes", "!= actual"), problems
    assert has(problems, "summary: total-records = 51793 but the manifests say 51794"), problems


@requires_fixtures
@requires_duckdb
def test_wrong_partition_tuple(partitioned):
    # hour(event_time) shifted by one hour on one file; identity(action) renamed on another
    def change(schema, records):
        part = records[0]["data_file"]["partition"]
        part["event_time_hour"] += 1
        records[1]["data_file"]["partition"]["action"] = "bogus"
        return schema, records
    rewrite_avro(partitioned.manifests[0], change)
    partitioned.fix_manifest_lengths()
    problems = partitioned.check()
    assert has(problems, "partition event_time_hour=", "but the rows give"), problems
    assert has(problems, "partition action='bogus' but the rows give"), problems


@requires_fixtures
@requires_duckdb
def test_wrong_bounds_and_counts(partitioned):
    def change(schema, records):
        df = records[0]["data_file"]
        for kv in df["null_value_counts"]:
            kv["value"] += 1
        for kv in df["lower_bounds"]:
            if kv["key"] == 1:  # id int
                kv["value"] = (int.from_bytes(kv["value"], "little", signed=True) - 1).to_bytes(4, "little",
                                                                                               signed=True)
        return schema, records
    rewrite_avro(partitioned.manifests[0], change)
    partitioned.fix_manifest_lengths()
    problems = partitioned.check()
    assert has(problems, "null_value_counts[1] = 1 but the file has 0"), problems
    assert has(problems, "lower_bounds[1] ="), problems


@requires_fixtures
def test_wrong_partition_summary(partitioned_v2):
    lst = partitioned_v2.manifest_list

    def change(schema, records):
        for r in records:
            if r["partitions"]:
                r["partitions"][0]["contains_null"] = True
                r["partitions"][0]["upper_bound"] = b"\x00"
        return schema, records
    rewrite_avro(lst, change)
    problems = partitioned_v2.check(check_data=False)
    assert has(problems, "contains_null True but the entries say False"), problems
    assert has(problems, "upper", "< value"), problems


@requires_fixtures
def test_sequence_number_rules(partitioned_v2):
    # An EXISTING entry with a null sequence number, and a manifest newer than its snapshot.
    def change(schema, records):
        return schema, records
    m = partitioned_v2.meta
    cur = partitioned_v2.snapshot
    cur["sequence-number"] = m["last-sequence-number"] + 1
    partitioned_v2.write_metadata()
    problems = partitioned_v2.check(check_data=False)
    assert has(problems, "sequence-number", "> last-sequence-number"), problems
    assert has(problems, "sequence_number", "!= that of its adding snapshot") or \
        has(problems, "added by this snapshot but sequence_number"), problems


@requires_fixtures
def test_existing_entry_without_sequence_number(partitioned_v2):
    lst_path = partitioned_v2.manifest_list
    with open(lst_path, "rb") as f:
        listed = list(avro_datafile.DataFileReader(f, avro_io.DatumReader()))
    older = [r for r in listed if r["added_snapshot_id"] != partitioned_v2.snapshot["snapshot-id"]]
    target = partitioned_v2.local(older[0]["manifest_path"])

    def change(schema, records):
        records[0]["status"] = 0
        records[0]["sequence_number"] = None
        return schema, records
    rewrite_avro(target, change)
    partitioned_v2.fix_manifest_lengths()
    problems = partitioned_v2.check(check_data=False)
    assert has(problems, "status 0 with a null sequence_number"), problems


@requires_fixtures
def test_metadata_rules(partitioned_v2):
    m = partitioned_v2.meta
    m["refs"]["main"]["snapshot-id"] = m["snapshots"][0]["snapshot-id"]
    m["last-column-id"] = 1
    m["last-partition-id"] = 999
    m["schemas"].append(dict(m["schemas"][0]))
    m["snapshot-log"] = list(reversed(m["snapshot-log"]))
    m["default-spec-id"] = 7
    partitioned_v2.write_metadata()
    problems = partitioned_v2.check(check_data=False)
    for words in (["refs.main", "!= current-snapshot-id"], ["last-column-id 1 <"], ["last-partition-id 999 <"],
                  ["schema ids not unique"], ["snapshot-log not ordered"], ["default-spec-id 7"]):
        assert has(problems, *words), (words, problems)


@requires_fixtures
def test_summary_totals(partitioned_v2):
    summary = partitioned_v2.snapshot["summary"]
    summary["total-records"] = str(int(summary["total-records"]) + 1)
    summary["operation"] = "append"
    partitioned_v2.write_metadata()
    problems = partitioned_v2.check(check_data=False)
    assert has(problems, "total-records", "but the manifests say"), problems


@requires_fixtures
def test_cli(lineitem, capsys):
    assert isc.main(["--no-data", "--map", f"lineitem_iceberg/={lineitem.root}/", lineitem.metadata_path]) == 0
    assert capsys.readouterr().out.strip() == "ok"
    os.remove(lineitem.manifest_list)
    assert isc.main(["--no-data", "--map", f"lineitem_iceberg/={lineitem.root}/", lineitem.metadata_path]) == 1
    assert "does not exist" in capsys.readouterr().out
