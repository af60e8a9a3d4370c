#!/usr/bin/python3
"""iceberg_write.py SF DIR: the source data of the iceberg_write suite (run by `datagen iceberg_write`).

- DIR/src/<table>.parquet: the eight TPC-H tables of floe_datagen at scale factor SF, rewritten by
  DuckDB into row groups of 122,880 rows (zstd), so that either engine reads them in parallel
  (floe_datagen's own Parquet holds a table in one row group);
- DIR/warehouse: the empty hadoop-catalog warehouse Floe writes its Iceberg tables into;
- DIR/duckdb_w: where DuckDB's COPY ... TO writes its Parquet files.
"""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # bench/
ROOT = os.path.dirname(HERE)
TABLES = ["region", "nation", "supplier", "part", "partsupp", "customer", "orders", "lineitem"]
ROW_GROUP_SIZE = 122880

CONVERT = """
import { DuckDBInstance } from '@duckdb/node-api';
const [gen, src, rowGroup, tables] = JSON.parse(process.argv[1]);
const conn = await (await DuckDBInstance.create(':memory:')).connect();
for (const t of tables) {
  await conn.run(`COPY (SELECT * FROM read_parquet('${gen}/${t}.parquet')) TO '${src}/${t}.parquet' ` +
                 `(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${rowGroup})`);
}
"""


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: iceberg_write.py SF DIR")
    sf, data = sys.argv[1], os.path.abspath(sys.argv[2])
    gen, src = os.path.join(data, "gen"), os.path.join(data, "src")
    tool = os.environ.get("FLOE_DATAGEN", os.path.join(ROOT, "build/release/bench/floe_datagen"))
    shutil.rmtree(gen, ignore_errors=True)
    subprocess.run([tool, "tpch", sf, gen, "--parquet"], check=True)
    os.makedirs(src, exist_ok=True)
    subprocess.run(["node", "--input-type=module", "-e", CONVERT, json.dumps([gen, src, ROW_GROUP_SIZE, TABLES])],
                   check=True, cwd=HERE)
    shutil.rmtree(gen)
    for d in ("warehouse", "duckdb_w"):
        os.makedirs(os.path.join(data, d), exist_ok=True)


if __name__ == "__main__":
    main()
