"""DuckDB (npm @duckdb/node-api, through duckdb_parquet.mjs) as the peer the Parquet, unload and
late-materialization tests compare Floe with."""
import json
import os
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "duckdb_parquet.mjs")
HAVE_DUCKDB = os.path.isdir(os.path.join(HERE, "node_modules", "@duckdb", "node-api"))
# For modules that need the peer for every test.
requires_duckdb = pytest.mark.skipif(not HAVE_DUCKDB,
                                     reason="@duckdb/node-api is not installed (scripts/install-deps.sh installs it)")


def duckdb(*args):
    """Runs duckdb_parquet.mjs with `args` and returns its JSON answer."""
    out = subprocess.run(["node", PEER, *args], capture_output=True, text=True, timeout=120, cwd=HERE)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def duckdb_sql(sql):
    """The rows of `sql` run by DuckDB, as dicts by column name."""
    return duckdb("sql", sql)["rows"]
