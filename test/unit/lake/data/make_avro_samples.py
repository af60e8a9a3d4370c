#!/usr/bin/python3
"""Writes the sample_<codec>.avro files beside this script with Debian's python3-avro 1.11.1
(plus python3-snappy and python3-zstandard), an Avro implementation independent of Floe's.

Run from a directory without an avro/ folder:  cd /tmp && /usr/bin/python3 <this script>
Every file holds the same 5 records in 3 blocks (writer.sync() ends a block); the unit test
avro_reader_test.cpp checks their values."""
import datetime
import decimal
import io
import json
import os

import avro.datafile
import avro.io
import avro.schema

SCHEMA = {
    "type": "record", "name": "sample", "namespace": "floe.test",
    "fields": [
        {"name": "b", "type": "boolean", "field-id": 1},
        {"name": "i", "type": "int", "field-id": 2},
        {"name": "l", "type": "long", "field-id": 3},
        {"name": "f", "type": "float", "field-id": 4},
        {"name": "d", "type": "double", "field-id": 5},
        {"name": "s", "type": "string", "field-id": 6},
        {"name": "by", "type": "bytes", "field-id": 7},
        {"name": "fx", "type": {"type": "fixed", "name": "four", "size": 4}, "field-id": 8},
        {"name": "e", "type": {"type": "enum", "name": "color", "symbols": ["RED", "GREEN", "BLUE"]}, "field-id": 9},
        {"name": "arr", "type": {"type": "array", "items": "long", "element-id": 11}, "field-id": 10},
        {"name": "m", "type": {"type": "map", "values": "int", "key-id": 13, "value-id": 14}, "field-id": 12},
        {"name": "u", "type": ["null", "string"], "default": None, "field-id": 15},
        {"name": "inner", "field-id": 16, "type": {
            "type": "record", "name": "inner_rec", "namespace": "other.ns",
            "fields": [
                {"name": "x", "type": "floe.test.four", "field-id": 17},
                {"name": "y", "type": ["null", "long"], "field-id": 18},
            ]}},
        {"name": "dec", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}, "field-id": 19},
        {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros"}, "field-id": 20},
        {"name": "kv", "field-id": 21, "type": {"type": "array", "logicalType": "map", "items": {
            "type": "record", "name": "k21_v22", "fields": [
                {"name": "key", "type": "int", "field-id": 22},
                {"name": "value", "type": "long", "field-id": 23}]}}},
    ],
}


def record(n):
    return {
        "b": n % 2 == 0,
        "i": -n * 1000 - 1,
        "l": (1 << 40) * n - 7,
        "f": 1.5 * n,
        "d": -0.25 * n,
        "s": "row %d \u00e9" % n,
        "by": bytes(range(n)),
        "fx": bytes([n, n + 1, n + 2, n + 3]),
        "e": ["RED", "GREEN", "BLUE"][n % 3],
        "arr": list(range(n)),
        "m": {"k%d" % j: j * n for j in range(n % 3)},
        "u": None if n % 2 else "u%d" % n,
        "inner": {"x": b"\x00\xff\x10\x20", "y": None if n == 0 else -n},
        "dec": decimal.Decimal(1234 + n).scaleb(-2),
        "ts": datetime.datetime(2023, 11, 14, 22, 13, 20, n, tzinfo=datetime.timezone.utc),  # 1700000000000000 + n µs
        "kv": [{"key": 100 + j, "value": j * 10} for j in range(n)],
    }


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    schema = avro.schema.parse(json.dumps(SCHEMA))
    for codec in ["null", "deflate", "snappy", "zstandard"]:
        buf = io.BytesIO()
        writer = avro.datafile.DataFileWriter(buf, avro.io.DatumWriter(), schema, codec=codec)
        writer.set_meta("iceberg.note", b"kept as bytes")
        for n in range(5):
            writer.append(record(n))
            if n in (1, 3):
                writer.sync()
        writer.flush()
        with open(os.path.join(here, "sample_%s.avro" % codec), "wb") as f:
            f.write(buf.getvalue())
        writer.close()


if __name__ == "__main__":
    main()
