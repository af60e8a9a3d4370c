#!/usr/bin/python3
"""iceberg_s3.py SF DIR | iceberg_s3.py serve SF DIR: the object store of bench/iceberg_s3.bench.

`iceberg_s3.py SF DIR` (run.py's `datagen iceberg_s3`, once):
- makes sure the iceberg suite's warehouse exists (DATA_ROOT/iceberg-sf<SF>, DATA_ROOT being DIR's
  parent; bench/gen/iceberg.py writes it when it is not complete), so the S3 copy and the local
  figures read the very same files;
- starts s3rver (npm, test/integration/node_modules) with its store at DIR/s3rver and uploads every
  file of that warehouse, unchanged, to s3://floe-bench/warehouse/<relative path> with botocore
  (Debian's python3-botocore);
- writes DIR/catalog.db, an Iceberg JDBC catalog (SQLite, the iceberg_tables table of Iceberg's
  JdbcCatalog) naming the two tables for the Floe catalog `ice_s3`:
  metadata_location s3://floe-bench/warehouse/tpch/<table>/metadata/v1.metadata.json.
  The metadata inside still names file:// paths; the suite's catalog maps them to the bucket with
  'location.rewrite' = 'file://<warehouse>=>s3://floe-bench/warehouse'.

`iceberg_s3.py serve SF DIR` (run.py's `serve iceberg_s3`, around each run of the suite): starts
s3rver on a free port over DIR/s3rver, prints `ENDPOINT http://127.0.0.1:<port>` once it listens,
and stops it when its stdin closes.

s3rver checks SigV4 signatures only for its own credentials, S3RVER/S3RVER.
"""
import os
import socket
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
S3RVER = os.path.join(ROOT, "test", "integration", "node_modules", "s3rver", "bin", "s3rver.js")
BUCKET = "floe-bench"
KEY = "S3RVER"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_s3rver(store, log):
    """s3rver over `store` on a free port; returns (process, url) once it accepts connections."""
    if not os.path.exists(S3RVER):
        raise SystemExit(f"s3rver is not installed at {S3RVER} (scripts/install-deps.sh installs it)")
    os.makedirs(store, exist_ok=True)
    port = free_port()
    # --openssl-legacy-provider: s3rver's continuation tokens use DES, which OpenSSL 3 keeps there.
    proc = subprocess.Popen(["node", "--openssl-legacy-provider", S3RVER, "-d", store, "-a", "127.0.0.1", "-p",
                             str(port), "--silent", "--configure-bucket", BUCKET],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"s3rver exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    stop_s3rver(proc)
    raise SystemExit("s3rver did not start listening")


def stop_s3rver(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def client(url):
    import botocore.session
    from botocore.config import Config
    options = dict(s3={"addressing_style": "path"}, retries={"max_attempts": 3})
    try:  # botocore >= 1.36 sends CRC trailers unless told not to; s3rver does not read them
        config = Config(request_checksum_calculation="when_required", response_checksum_validation="when_required",
                        **options)
    except TypeError:
        config = Config(**options)
    return botocore.session.get_session().create_client("s3", endpoint_url=url, region_name="us-east-1",
                                                        aws_access_key_id=KEY, aws_secret_access_key=KEY,
                                                        config=config)


def generate(sf, data):
    local = os.path.join(os.path.dirname(os.path.abspath(data)), f"iceberg-sf{sf}")
    if not os.path.exists(os.path.join(local, ".complete")):
        os.makedirs(local, exist_ok=True)
        subprocess.run([sys.executable, os.path.join(HERE, "iceberg.py"), str(sf), local], check=True,
                       cwd=os.path.dirname(HERE))
        open(os.path.join(local, ".complete"), "w").close()
    warehouse = os.path.join(local, "warehouse")
    os.makedirs(data, exist_ok=True)
    with open(os.path.join(data, "s3rver.log"), "w") as log:
        proc, url = start_s3rver(os.path.join(data, "s3rver"), log)
        try:
            s3 = client(url)
            count = size = 0
            for root, _, files in os.walk(warehouse):
                for name in sorted(files):
                    path = os.path.join(root, name)
                    key = "warehouse/" + os.path.relpath(path, warehouse)
                    with open(path, "rb") as f:
                        body = f.read()
                    s3.put_object(Bucket=BUCKET, Key=key, Body=body)
                    count += 1
                    size += len(body)
            print(f"uploaded {count} files ({size / 2**20:.0f} MiB) to s3://{BUCKET}/warehouse", flush=True)
        finally:
            stop_s3rver(proc)
    db = os.path.join(data, "catalog.db")
    if os.path.exists(db):
        os.unlink(db)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) "
                 "NOT NULL, table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000), "
                 "previous_metadata_location VARCHAR(1000), PRIMARY KEY (catalog_name, table_namespace, table_name))")
    for table in ("lineitem", "orders"):
        conn.execute("INSERT INTO iceberg_tables VALUES ('ice_s3', 'tpch', ?, ?, NULL)",
                     (table, f"s3://{BUCKET}/warehouse/tpch/{table}/metadata/v1.metadata.json"))
    conn.commit()
    conn.close()


def serve(data):
    with open(os.path.join(data, "s3rver.log"), "a") as log:
        proc, url = start_s3rver(os.path.join(data, "s3rver"), log)
        try:
            print(f"ENDPOINT {url}", flush=True)
            sys.stdin.read()  # until run.py closes our stdin
        finally:
            stop_s3rver(proc)


def main():
    args = sys.argv[1:]
    if args and args[0] == "serve" and len(args) == 3:
        serve(args[2])
    elif len(args) == 2:
        generate(args[0], args[1])
    else:
        raise SystemExit("usage: iceberg_s3.py SF DIR | iceberg_s3.py serve SF DIR")


if __name__ == "__main__":
    main()
