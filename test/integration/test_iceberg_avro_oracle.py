"""python3-avro as an independent oracle for the Iceberg manifests and manifest lists Floe writes.

The unit test binary (unit_lake, tests ManifestWriter* and Codecs/ManifestCodecTest) writes its
manifests and lists into FLOE_AVRO_OUT, each with a <name>.expect.json holding the values a reader
must decode, keyed by Iceberg field id. Here Apache Avro's own Python implementation (Debian
python3-avro) reads every file and checks, against the Iceberg spec's tables (not Floe's code):
- the container: magic, sync markers, codec, schema parse (named types defined once: the library
  refuses "Can't redefine"; we also walk the schema for it) and every value;
- the root record names Spark needs (manifest_entry / manifest_file) and the nested ones (r2, r102,
  k<key>_v<value>, r508);
- every field's name, "field-id", type, and optionality per format version: optional fields are
  ["null", T] with default null, required ones are bare; lists carry "element-id"; int-keyed maps
  are arrays of k<k>_v<v> {key, value} records with logicalType "map";
- the partition record (never nullable) typed by each transform's result type with Avro logical
  types, and the partition field ids (1000+) as field ids;
- the header keys of each kind of file and format version.
"""
import datetime
import decimal
import json
import os
import subprocess
import warnings

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
UNIT_LAKE = os.environ.get("FLOE_UNIT_LAKE", os.path.join(ROOT, "build", "release", "test", "unit_lake"))

avro_datafile = pytest.importorskip("avro.datafile")
avro_io = pytest.importorskip("avro.io")
avro_schema = pytest.importorskip("avro.schema")

MANIFESTS = ["manifest_v1", "manifest_v2_every_transform", "manifest_v2_deletes", "manifest_v3_data",
             "manifest_v3_dv", "manifest_v2_codec_null", "manifest_v2_codec_deflate",
             "manifest_v2_codec_snappy", "manifest_v2_codec_zstandard"]
LISTS = ["list_v1", "list_v2", "list_v3"]

# ---- the spec's tables (format/spec.md "Manifests", "Manifest Lists", Appendix A) ----------------
# (id, name, avro type, first version, {version: required?}); a type is a primitive name, or
# ("map", key id, value id, value type), ("list", element id, element type), ("record", name).
ALL = (1, 2, 3)


def req(*versions):
    """Required in these versions, optional in the others where present."""
    return {v: v in versions for v in ALL}


ENTRY = [
    (0, "status", "int", 1, req(1, 2, 3)),
    (1, "snapshot_id", "long", 1, req(1)),
    (3, "sequence_number", "long", 2, req()),
    (4, "file_sequence_number", "long", 2, req()),
    (2, "data_file", ("record", "r2"), 1, req(1, 2, 3)),
]
DATA_FILE = [
    (134, "content", "int", 2, req(2, 3)),
    (100, "file_path", "string", 1, req(1, 2, 3)),
    (101, "file_format", "string", 1, req(1, 2, 3)),
    (102, "partition", ("record", "r102"), 1, req(1, 2, 3)),
    (103, "record_count", "long", 1, req(1, 2, 3)),
    (104, "file_size_in_bytes", "long", 1, req(1, 2, 3)),
    (105, "block_size_in_bytes", "long", 1, req(1)),
    (108, "column_sizes", ("map", 117, 118, "long"), 1, req()),
    (109, "value_counts", ("map", 119, 120, "long"), 1, req()),
    (110, "null_value_counts", ("map", 121, 122, "long"), 1, req()),
    (137, "nan_value_counts", ("map", 138, 139, "long"), 1, req()),
    (125, "lower_bounds", ("map", 126, 127, "bytes"), 1, req()),
    (128, "upper_bounds", ("map", 129, 130, "bytes"), 1, req()),
    (131, "key_metadata", "bytes", 1, req()),
    (132, "split_offsets", ("list", 133, "long"), 1, req()),
    (135, "equality_ids", ("list", 136, "int"), 2, req()),
    (140, "sort_order_id", "int", 1, req()),
    (142, "first_row_id", "long", 3, req()),
    (143, "referenced_data_file", "string", 2, req()),
    (144, "content_offset", "long", 3, req()),
    (145, "content_size_in_bytes", "long", 3, req()),
]
# block_size_in_bytes is v1 only.
DATA_FILE_LAST_VERSION = {105: 1}
MANIFEST_FILE = [
    (500, "manifest_path", "string", 1, req(1, 2, 3)),
    (501, "manifest_length", "long", 1, req(1, 2, 3)),
    (502, "partition_spec_id", "int", 1, req(1, 2, 3)),
    (517, "content", "int", 2, req(2, 3)),
    (515, "sequence_number", "long", 2, req(2, 3)),
    (516, "min_sequence_number", "long", 2, req(2, 3)),
    (503, "added_snapshot_id", "long", 1, req(1, 2, 3)),
    (504, ("added_files_count", "added_data_files_count"), "int", 1, req(2, 3)),
    (505, ("existing_files_count", "existing_data_files_count"), "int", 1, req(2, 3)),
    (506, ("deleted_files_count", "deleted_data_files_count"), "int", 1, req(2, 3)),
    (512, "added_rows_count", "long", 1, req(2, 3)),
    (513, "existing_rows_count", "long", 1, req(2, 3)),
    (514, "deleted_rows_count", "long", 1, req(2, 3)),
    (507, "partitions", ("list", 508, ("record", "r508")), 1, req()),
    (519, "key_metadata", "bytes", 1, req()),
    (520, "first_row_id", "long", 3, req()),
]
FIELD_SUMMARY = [
    (509, "contains_null", "boolean", 1, req(1, 2, 3)),
    (518, "contains_nan", "boolean", 1, req()),
    (510, "lower_bound", "bytes", 1, req()),
    (511, "upper_bound", "bytes", 1, req()),
]
NESTED = {"r2": DATA_FILE, "r508": FIELD_SUMMARY}


def min_bytes(precision):
    n = 1
    while 2 ** (8 * n - 1) < 10 ** precision:
        n += 1
    return n


def partition_avro_type(iceberg_type):
    """(avro type, logicalType, extra props) of a partition value of this Iceberg type."""
    simple = {"int": "int", "long": "long", "string": "string", "binary": "bytes", "boolean": "boolean",
              "float": "float", "double": "double"}
    if iceberg_type in simple:
        return simple[iceberg_type], None, {}
    if iceberg_type == "date":
        return "int", "date", {}
    if iceberg_type == "time":
        return "long", "time-micros", {}
    if iceberg_type in ("timestamp", "timestamptz"):
        return "long", "timestamp-micros", {"adjust-to-utc": iceberg_type == "timestamptz"}
    if iceberg_type in ("timestamp_ns", "timestamptz_ns"):
        return "long", "timestamp-nanos", {"adjust-to-utc": iceberg_type == "timestamptz_ns"}
    if iceberg_type == "uuid":
        return "fixed", "uuid", {"size": 16}
    if iceberg_type.startswith("fixed["):
        return "fixed", None, {"size": int(iceberg_type[6:-1])}
    if iceberg_type.startswith("decimal("):
        p, s = (int(x) for x in iceberg_type[8:-1].split(","))
        return "fixed", "decimal", {"size": min_bytes(p), "precision": p, "scale": s}
    raise AssertionError("no partition type " + iceberg_type)


# ---- schema checks -------------------------------------------------------------------------------


def walk_named(schema, seen, out):
    """Every named type's full name, once per definition (python-avro shares the object of a name
    referred to again, so an object seen twice is a reference, not a second definition)."""
    if id(schema) in seen:
        return
    seen.add(id(schema))
    if isinstance(schema, avro_schema.NamedSchema):
        out.append(schema.fullname)
    if isinstance(schema, avro_schema.RecordSchema):
        for f in schema.fields:
            walk_named(f.type, seen, out)
    elif isinstance(schema, avro_schema.UnionSchema):
        for b in schema.schemas:
            walk_named(b, seen, out)
    elif isinstance(schema, (avro_schema.ArraySchema,)):
        walk_named(schema.items, seen, out)
    elif isinstance(schema, avro_schema.MapSchema):
        walk_named(schema.values, seen, out)


def non_null(field, optional, where):
    """The field's value type, checking the optional-field convention."""
    t = field.type
    if not optional:
        assert not isinstance(t, avro_schema.UnionSchema), f"{where}: a required field must not be a union"
        return t
    assert isinstance(t, avro_schema.UnionSchema), f"{where}: an optional field must be a union"
    assert len(t.schemas) == 2 and t.schemas[0].type == "null", f"{where}: must be [\"null\", T]"
    assert field.has_default and field.default is None, f"{where}: an optional field needs default null"
    return t.schemas[1]


def check_type(t, expected, version, where):
    if isinstance(expected, str):
        assert t.type == expected, f"{where}: {t.type} is not {expected}"
        return
    kind = expected[0]
    if kind == "record":
        assert t.type == "record" and t.name == expected[1], f"{where}: not the record {expected[1]}"
        if expected[1] in NESTED:
            check_record(t, NESTED[expected[1]], version, where + "." + expected[1])
    elif kind == "list":
        assert t.type == "array", f"{where}: a list must be an Avro array"
        assert t.other_props.get("element-id") == expected[1], f"{where}: element-id"
        check_type(t.items, expected[2], version, where + "[]")
    elif kind == "map":
        _, key_id, value_id, value_type = expected
        assert t.type == "array", f"{where}: an int-keyed map is an Avro array"
        assert t.props.get("logicalType") == "map", f"{where}: an int-keyed map has logicalType map"
        items = t.items
        assert items.type == "record" and items.name == f"k{key_id}_v{value_id}", f"{where}: map record name"
        assert [f.name for f in items.fields] == ["key", "value"], f"{where}: map record fields"
        assert items.fields[0].other_props.get("field-id") == key_id and items.fields[0].type.type == "int"
        assert items.fields[1].other_props.get("field-id") == value_id and items.fields[1].type.type == value_type


def check_record(record, table, version, where):
    by_id = {}
    for f in record.fields:
        fid = f.other_props.get("field-id")
        assert isinstance(fid, int), f"{where}.{f.name}: no field-id"
        assert fid not in by_id, f"{where}: field id {fid} twice"
        by_id[fid] = f
    expected_ids = set()
    for fid, name, typ, first, required in table:
        present = first <= version <= DATA_FILE_LAST_VERSION.get(fid, 3) if table is DATA_FILE else first <= version
        if not present:
            assert fid not in by_id, f"{where}: field {fid} must not be in a v{version} file"
            continue
        expected_ids.add(fid)
        assert fid in by_id, f"{where}: field {fid} ({name}) is missing in v{version}"
        f = by_id[fid]
        names = name if isinstance(name, tuple) else (name,)
        assert f.name in names, f"{where}: field {fid} is named {f.name}, not {names[0]}"
        check_type(non_null(f, not required[version], f"{where}.{f.name}"), typ, version, f"{where}.{f.name}")
    assert set(by_id) == expected_ids, f"{where}: unexpected field ids {sorted(set(by_id) - expected_ids)}"


def check_partition_record(r102, partition_fields, where):
    assert r102.type == "record" and r102.name == "r102", f"{where}: the partition record is r102"
    ids = [f.other_props.get("field-id") for f in r102.fields]
    assert ids == [p["field-id"] for p in partition_fields], f"{where}: partition field ids {ids}"
    for f, p in zip(r102.fields, partition_fields):
        here = f"{where}.partition.{f.name}"
        assert p["field-id"] >= 1000, here
        t = non_null(f, True, here)
        avro_type, logical, extra = partition_avro_type(p["type"])
        assert t.type == avro_type, f"{here}: {t.type} for {p['type']}"
        assert t.props.get("logicalType") == logical, f"{here}: logicalType {t.props.get('logicalType')}"
        for k, v in extra.items():
            got = t.size if k == "size" else t.props.get(k)
            assert got == v, f"{here}: {k} is {got}, not {v}"


# ---- values --------------------------------------------------------------------------------------

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def normalise(schema, value):
    """A decoded value in the expect.json form: records keyed by field id, int-keyed maps as
    {key: value}, bytes as 0x hex, decimals unscaled, dates as days, times and timestamps as
    microseconds."""
    if value is None:
        return None
    if isinstance(schema, avro_schema.UnionSchema):
        return normalise(schema.schemas[1], value)
    if isinstance(schema, avro_schema.RecordSchema):
        return {str(f.other_props["field-id"]): normalise(f.type, value[f.name]) for f in schema.fields}
    if isinstance(schema, avro_schema.ArraySchema):
        if schema.props.get("logicalType") == "map":
            value_schema = schema.items.fields[1].type
            return {str(item["key"]): normalise(value_schema, item["value"]) for item in value}
        return [normalise(schema.items, v) for v in value]
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, decimal.Decimal):
        sign, digits, exponent = value.as_tuple()
        unscaled = int("".join(map(str, digits)) or "0") * 10 ** (exponent + schema.props["scale"])
        return -unscaled if sign else unscaled
    if isinstance(value, datetime.datetime):
        return (value - EPOCH) // datetime.timedelta(microseconds=1)
    if isinstance(value, datetime.date):
        return (value - datetime.date(1970, 1, 1)).days
    if isinstance(value, datetime.time):
        return ((value.hour * 60 + value.minute) * 60 + value.second) * 1000000 + value.microsecond
    if isinstance(value, float) and value != value:
        return "NaN"
    return value


def same(got, want, where):
    if isinstance(want, dict):
        assert isinstance(got, dict) and set(got) == set(want), f"{where}: keys {sorted(got)} vs {sorted(want)}"
        for k in want:
            same(got[k], want[k], f"{where}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{where}: {got} vs {want}"
        for i, (g, w) in enumerate(zip(got, want)):
            same(g, w, f"{where}[{i}]")
    elif isinstance(want, float) or isinstance(got, float):
        assert isinstance(got, (int, float)) and float(got) == float(want), f"{where}: {got} vs {want}"
    else:
        assert got == want and type(got) is type(want), f"{where}: {got!r} vs {want!r}"


# ---- the test ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    if not os.path.exists(UNIT_LAKE):
        pytest.fail(f"{UNIT_LAKE} does not exist: build with `make` first (or set FLOE_UNIT_LAKE)")
    out = tmp_path_factory.mktemp("avro_out")
    env = dict(os.environ, FLOE_AVRO_OUT=str(out))
    run = subprocess.run([UNIT_LAKE, "--gtest_filter=ManifestWriter*:Codecs/ManifestCodecTest*"], env=env,
                         cwd=str(out), capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    return out


def read(path):
    with warnings.catch_warnings():
        # python3-avro warns on logical types it does not know (Iceberg's "map", timestamp-nanos,
        # uuid on fixed) and reads the underlying type, as the spec intends.
        warnings.simplefilter("ignore")
        with open(path, "rb") as f:
            reader = avro_datafile.DataFileReader(f, avro_io.DatumReader())
            meta = {k: v.decode() for k, v in reader.meta.items()}
            schema = reader.datum_reader.writers_schema
            records = list(reader)
    return meta, schema, records


def needs_codec(name):
    for codec, module in (("snappy", "snappy"), ("zstandard", "zstandard")):
        if name.endswith(codec):
            pytest.importorskip(module, reason=f"python3-{module} is not installed")


@pytest.mark.parametrize("name", MANIFESTS)
def test_manifest(written, name):
    needs_codec(name)
    expect = json.loads((written / f"{name}.expect.json").read_text())
    meta, schema, records = read(written / f"{name}.avro")
    version = expect["format_version"]

    for key, value in expect["header"].items():
        assert meta.get(key) == value, f"header {key}: {meta.get(key)!r} vs {value!r}"
    for key in ("schema", "schema-id", "partition-spec", "partition-spec-id", "format-version"):
        assert key in meta, f"header key {key} is missing"
    assert ("content" in meta) == (version >= 2), "the content header key is v2+ only"
    assert json.loads(meta["schema"])["type"] == "struct"
    spec_fields = json.loads(meta["partition-spec"])
    assert isinstance(spec_fields, list), "partition-spec must be the fields array, not an object"
    assert [f["field-id"] for f in spec_fields] == [p["field-id"] for p in expect["partition_fields"]]
    for f in spec_fields:
        assert set(f) >= {"name", "transform", "source-id", "field-id"}, f
    if name.startswith("manifest_v2_codec_"):
        assert meta["avro.codec"] == name.rsplit("_", 1)[1]

    assert schema.type == "record" and schema.name == "manifest_entry", f"root record {schema.name}"
    names = []
    walk_named(schema, set(), names)
    assert len(names) == len(set(names)), f"named types defined twice: {names}"
    check_record(schema, ENTRY, version, "manifest_entry")
    r2 = non_null([f for f in schema.fields if f.other_props["field-id"] == 2][0], False, "data_file")
    r102 = [f for f in r2.fields if f.other_props["field-id"] == 102][0]
    assert not isinstance(r102.type, avro_schema.UnionSchema), "the partition record is never nullable"
    check_partition_record(r102.type, expect["partition_fields"], "r2")

    assert len(records) == len(expect["records"])
    for i, (record, want) in enumerate(zip(records, expect["records"])):
        same(normalise(schema, record), want, f"{name} record {i}")


@pytest.mark.parametrize("name", LISTS)
def test_manifest_list(written, name):
    expect = json.loads((written / f"{name}.expect.json").read_text())
    meta, schema, records = read(written / f"{name}.avro")
    version = expect["format_version"]

    for key, value in expect["header"].items():
        assert meta.get(key) == value, f"header {key}: {meta.get(key)!r} vs {value!r}"
    assert ("sequence-number" in meta) == (version >= 2)
    assert ("first-row-id" in meta) == (version >= 3)
    for key in ("snapshot-id", "parent-snapshot-id", "format-version"):
        assert key in meta, f"header key {key} is missing"

    assert schema.type == "record" and schema.name == "manifest_file", f"root record {schema.name}"
    names = []
    walk_named(schema, set(), names)
    assert len(names) == len(set(names)), f"named types defined twice: {names}"
    check_record(schema, MANIFEST_FILE, version, "manifest_file")

    assert len(records) == len(expect["records"])
    for i, (record, want) in enumerate(zip(records, expect["records"])):
        same(normalise(schema, record), want, f"{name} record {i}")
