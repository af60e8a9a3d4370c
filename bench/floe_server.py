#!/usr/bin/python3
"""floe_server.py FILE.bench [--repeat N]: runs a benchmark file like floe_bench, but on a `floe`
server process over the MySQL protocol (pymysql) instead of an embedded instance, and prints the
same JSON lines. run.py takes it in floe_bench's place with FLOE_BENCH=bench/floe_server.py.

For a server binary newer than the build's floe_bench (the statements a suite needs exist in the
server first), or to measure through the protocol. The server is FLOE_SERVER (default: floe of
FLOE_BENCH_BUILD, else build/release), started on free ports over a temporary data directory with
--file-roots /tmp (and BENCH_DATA) and --threads BENCH_THREADS (default: every core); it stops
when the file is done. Figures include the protocol: sending the statement and reading every row
of its answer (as text). `load` and `size` blocks are not supported here (floe_bench runs them).
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import pymysql

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def read_bench(path):
    """The file's blocks, as floe_bench reads them."""
    blocks, current = [], None
    with open(path) as f:
        for line in f.read().split("\n"):
            if line == "":
                current = None
                continue
            if line.startswith("#") and current is None:
                continue
            if current is None:
                words = line.split()
                kind, name = words[0], words[1] if len(words) > 1 else ""
                if kind not in ("setup", "query", "step", "size", "load", "generate", "datagen", "before", "serve"):
                    raise SystemExit(f"{path}: unexpected line: {line}")
                engine = ""
                if kind == "query" and len(words) > 2:
                    engine = words[2]
                if kind == "step" and len(words) > 3:
                    engine = words[3]
                rows = int(words[2]) if kind == "step" and len(words) > 2 else 0
                current = {"kind": kind, "name": name, "engine": engine, "rows": rows, "sql": ""}
                blocks.append(current)
                continue
            current["sql"] += line + "\n"
    return blocks


def statements(sql):
    return [s.strip() for s in re.split(r";\s*\n", sql) if s.strip()]


class Server:
    def __init__(self):
        build = os.path.abspath(os.environ.get("FLOE_BENCH_BUILD", os.path.join(ROOT, "build/release")))
        self.binary = os.environ.get("FLOE_SERVER", os.path.join(build, "floe"))
        self.data_dir = tempfile.mkdtemp(prefix="floe-bench-server-")
        roots = ["/tmp"] + ([os.environ["BENCH_DATA"]] if os.environ.get("BENCH_DATA") else [])
        threads = os.environ.get("BENCH_THREADS", str(os.cpu_count()))
        self.proc = subprocess.Popen(
            [self.binary, "--data-dir", os.path.join(self.data_dir, "data"), "--mysql-port", "0", "--http-port",
             "0", "--bind-address", "127.0.0.1", "--log-level", "info", "--file-roots", ",".join(roots),
             "--threads", threads], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.port = None
        ready = threading.Event()

        def pump():
            for line in self.proc.stderr:
                m = re.search(r"event=mysql\.listening .*port=(\d+)", line)
                if m:
                    self.port = int(m.group(1))
                if "event=floe.ready" in line:
                    ready.set()
                if "level=error" in line or "level=warn" in line:
                    sys.stderr.write(line)
            ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not ready.wait(60) or self.proc.poll() is not None or self.port is None:
            self.stop()
            raise SystemExit(f"{self.binary} did not start")

    def connect(self):
        # conv={}: every value as the server's text, as floe_bench prints it.
        return pymysql.connect(host="127.0.0.1", port=self.port, user="root", password="", autocommit=True,
                               conv={}, connect_timeout=30, read_timeout=24 * 3600, write_timeout=3600)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.data_dir, ignore_errors=True)


def text(value):
    """A value as the server sent it (numbers come as binary-charset bytes)."""
    if value is None or isinstance(value, str):
        return value
    return value.decode() if isinstance(value, (bytes, bytearray)) else str(value)


def emit(record):
    print(json.dumps(record), flush=True)


def main():
    args = sys.argv[1:]
    repeat, file = 3, None
    i = 0
    while i < len(args):
        if args[i] == "--repeat":
            repeat = int(args[i + 1])
            i += 2
            continue
        file = args[i]
        i += 1
    if not file:
        sys.exit("usage: floe_server.py FILE.bench [--repeat N]")
    server = Server()
    rc = 0
    try:
        conn = server.connect()
        cur = conn.cursor()

        def run(sql):
            cur.execute(sql)
            return cur.fetchall() if cur.description is not None else None

        threads = os.environ.get("BENCH_THREADS")
        if threads:
            run(f"SET pipeline_dop = {int(threads)}")
        before = ""
        for b in read_bench(file):
            kind = b["kind"]
            if kind == "before":
                if b["name"] in ("", "floe"):
                    before = b["sql"]
                continue
            if kind == "setup":
                if b["name"] not in ("", "floe"):
                    continue
                start = time.monotonic()
                for s in statements(b["sql"]):
                    run(s)
                print(f"setup: {(time.monotonic() - start) * 1000:.0f} ms", file=sys.stderr, flush=True)
                continue
            if kind == "step":
                if b["engine"] not in ("", "floe"):
                    continue
                start = time.monotonic()
                for s in statements(b["sql"]):
                    run(s)
                emit({"engine": "floe", "kind": "step", "name": b["name"],
                      "ms": [(time.monotonic() - start) * 1000], "rows": b["rows"]})
                continue
            if kind in ("generate", "datagen", "serve"):
                continue
            if kind in ("load", "size"):
                raise SystemExit(f"floe_server.py: '{kind}' blocks are not supported (floe_bench runs them)")
            before_each, before = before, ""
            if b["engine"] not in ("", "floe"):
                continue
            times, rows, answer = [], 0, []
            try:
                for r in range(repeat):
                    for s in statements(before_each):
                        run(s)
                    start = time.monotonic()
                    result = run(b["sql"].strip().rstrip(";"))
                    times.append((time.monotonic() - start) * 1000)
                    rows = len(result) if result is not None else 0
                    if r + 1 == repeat and result is not None:
                        answer = [[text(v) for v in row] for row in result[:200]]
            except pymysql.MySQLError as e:
                emit({"engine": "floe", "name": b["name"], "error": f"{e.args[0]}: {e.args[1]}"
                      if len(e.args) > 1 else str(e)})
                continue
            record = {"engine": "floe", "name": b["name"], "ms": times, "rows": rows, "result": answer}
            if b["engine"] == "floe":
                record["only"] = "floe"
            emit(record)
    except Exception as e:  # noqa: BLE001 - reported like floe_bench's fatal errors
        print(f"floe_server.py: {e}", file=sys.stderr)
        rc = 1
    finally:
        server.stop()
    return rc


if __name__ == "__main__":
    sys.exit(main())
