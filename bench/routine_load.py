#!/usr/bin/env python3
"""Routine Load benchmark: Kafka (librdkafka's mock cluster, floe_kafka_mock) into Floe.

1. Sustained rate: N JSON events are produced into a 16-partition topic first (the mock cluster
   keeps about 50k messages per partition, so N stays under that); a job then loads
   them from OFFSET_BEGINNING into a Duplicate Key table and (aggregating at ingestion, seed 001's
   pattern) into an Aggregate Key table. Rate = N / time until every row is visible.
   Beside it: kcat reading the same messages to /dev/null (what the Kafka side alone costs) and
   DuckDB loading the same events from a newline-delimited JSON file (read_json), plain and
   aggregated — DuckDB has no Kafka consumer, so this is the nearest peer for parsing and writing.
2. Latency: events produced at a fixed rate into a 1-partition topic, each carrying its sequence
   number; a poller reads MAX(seq) every 10 ms. Latency = when a row became visible minus when it
   was produced; p50 / p99 / max over the run, for a Duplicate Key table and seed 001's Aggregate
   Key rollup at RATE (100k/s) with 0.05 s batches, with the most rowsets any table held (whether
   compaction keeps up).
3. Kafka into Iceberg (a hadoop catalog in the run's directory): the N events into an Iceberg table
   (1 s commits), and produce-to-visible at 1 s commits beside the same load into a hot table,
   with the data files the Iceberg job writes per hour at that cadence.

Usage: routine_load.py [--events N] [--rate R] [--seconds S]   (or EVENTS, RATE, SECONDS,
ICEBERG_RATE, ICEBERG_SECONDS)
Results: bench/results/routine_load.json and .md.
"""
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FLOE = os.path.join(ROOT, "build", "release", "floe")
MOCK = os.path.join(ROOT, "build", "release", "test", "floe_kafka_mock")

sys.path.insert(0, os.path.join(ROOT, "test", "integration"))
import pymysql  # noqa: E402
from confluent_kafka import Producer  # noqa: E402


def arg(name, env, default):
    if name in sys.argv:
        return type(default)(sys.argv[sys.argv.index(name) + 1])
    return type(default)(os.environ.get(env, default))


EVENTS = arg("--events", "EVENTS", 400000)
RATE = arg("--rate", "RATE", 100000)
SECONDS = arg("--seconds", "SECONDS", 3)
ICEBERG_RATE = arg("--iceberg-rate", "ICEBERG_RATE", 20000)
ICEBERG_SECONDS = arg("--iceberg-seconds", "ICEBERG_SECONDS", 10)


def machine():
    cores = os.cpu_count()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1 << 30)
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cores} cores, {cpu}, {mem} GiB, {platform.system()}"


class Mock:
    def __init__(self):
        self.proc = subprocess.Popen([MOCK, "1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.bootstrap = self.proc.stdout.readline().split(" ", 1)[1].strip()

    def topic(self, name, partitions):
        self.proc.stdin.write(f"topic {name} {partitions}\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "OK"

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(10)


class Floe:
    def __init__(self, data_dir):
        self.proc = subprocess.Popen([FLOE, "--data-dir", data_dir, "--mysql-port", "0", "--http-port", "0",
                                      "--bind-address", "127.0.0.1", "--log-level", os.environ.get("FLOE_LOG", "info")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.port = self.http_port = None
        for line in self.proc.stderr:
            if "event=mysql.listening" in line:
                self.port = int(line.split("port=")[1].split()[0])
            if "event=http.listening" in line:
                self.http_port = int(line.split("port=")[1].split()[0])
            if "event=floe.ready" in line:
                break
        log = open(os.environ["FLOE_LOG_FILE"], "w") if os.environ.get("FLOE_LOG_FILE") else None

        def drain():
            for line in self.proc.stderr:
                if log:
                    log.write(line)
                    log.flush()

        threading.Thread(target=drain, daemon=True).start()
        self.conn = pymysql.connect(host="127.0.0.1", port=self.port, user="root", autocommit=True)

    def query(self, sql):
        with self.conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()

    def close(self):
        self.conn.close()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)


def event(i):
    return {"seq": i, "ts": 1700000000000 + i, "region": f"r{i % 20}", "user_id": i % 100000,
            "amount": round((i % 1000) * 0.25, 2)}


def produce_all(bootstrap, topic, n, partitions):
    failed = []
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20, "batch.num.messages": 10000,
                  "queue.buffering.max.messages": 1000000,
                  "on_delivery": lambda err, msg: failed.append(err) if err else None})
    for i in range(n):
        while True:
            try:
                p.produce(topic, json.dumps(event(i), separators=(",", ":")).encode(), partition=i % partitions)
                break
            except BufferError:
                p.poll(0.05)
    assert p.flush(120) == 0
    assert not failed, f"{len(failed)} messages were not delivered: {failed[0]}"


DDL_DUP = """CREATE TABLE bench.events (seq BIGINT, ts BIGINT, region VARCHAR(16), user_id BIGINT,
             amount DECIMAL(10, 2)) DUPLICATE KEY(seq)"""
DDL_AGG = """CREATE TABLE bench.stats (minute DATETIME NOT NULL, region VARCHAR(16) NOT NULL,
             events BIGINT SUM DEFAULT "0", amount DECIMAL(15, 2) SUM DEFAULT "0",
             users BITMAP BITMAP_UNION) AGGREGATE KEY(minute, region)"""
JOB_AGG_COLUMNS = ("COLUMNS(seq, ts, region, user_id, amount, minute = FROM_UNIXTIME(FLOOR(ts / 60000) * 60), "
                   "events = 1, users = BITMAP_HASH(user_id))")


def timed_job(floe, mock, name, table, columns, check):
    floe.query(f"""CREATE ROUTINE LOAD bench.{name} ON {table} {columns}
        PROPERTIES ("format" = "json", "max_batch_interval" = "1", "max_batch_rows" = "200000",
                    "timezone" = "UTC")
        FROM KAFKA ("kafka_broker_list" = "{mock.bootstrap}", "kafka_topic" = "events",
                    "property.kafka_default_offsets" = "OFFSET_BEGINNING"{os.environ.get("KAFKA_EXTRA", "")})""")
    started = time.perf_counter()
    while floe.query(check)[0][0] != EVENTS:
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    floe.query(f"STOP ROUTINE LOAD FOR bench.{name}")
    return elapsed


def kcat_time(mock):
    kcat = shutil.which("kcat") or shutil.which("kafkacat")
    if not kcat:
        return None
    started = time.perf_counter()
    subprocess.run([kcat, "-C", "-b", mock.bootstrap, "-t", "events", "-o", "beginning", "-e", "-q"],
                   stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def duckdb_times(path):
    """DuckDB (one thread) loading the NDJSON file: plain, and aggregated like the Aggregate job."""
    script = os.path.join(HERE, ".routine_load_peer.mjs")
    with open(script, "w") as f:
        f.write(f"""
import {{ DuckDBInstance }} from '@duckdb/node-api';
const db = await DuckDBInstance.create(':memory:', {{threads: '1'}});
const con = await db.connect();
const src = "read_json('{path}', format='newline_delimited', columns={{seq:'BIGINT', ts:'BIGINT', region:'VARCHAR', user_id:'BIGINT', amount:'DECIMAL(10,2)'}})";
let t = performance.now();
await con.run(`CREATE TABLE events AS SELECT * FROM ${{src}}`);
const plain = performance.now() - t;
t = performance.now();
await con.run(`CREATE TABLE stats AS SELECT to_timestamp(floor(ts / 60000) * 60) AS minute, region, count(*) AS events, sum(amount) AS amount, list(DISTINCT user_id) AS users FROM ${{src}} GROUP BY ALL`);
const agg = performance.now() - t;
console.log(JSON.stringify({{plain, agg}}));
""")
    try:
        out = subprocess.run(["node", script], cwd=HERE, capture_output=True, text=True, check=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        return r["plain"] / 1000, r["agg"] / 1000
    except (subprocess.CalledProcessError, FileNotFoundError, ValueError) as e:
        print(f"[routine_load] DuckDB peer failed: {e}", flush=True)
        return None, None
    finally:
        os.remove(script)


def max_rowsets(floe):
    """The most rowsets any hot table holds now (GET /metrics): whether compaction keeps up."""
    import urllib.request
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{floe.http_port}/metrics", timeout=5) as r:
            for line in r.read().decode().splitlines():
                if line.startswith("starrocks_be_max_tablet_rowset_num "):
                    return int(float(line.split()[1]))
    except OSError:
        pass
    return None


def measure_latency(floe, mock, topic, table, message, rate, seconds):
    """Produce-to-visible latency: `message(i)` -> (key bytes or None, value bytes) produced at
    `rate` per second for `seconds` into the 1-partition `topic` (whose job the caller created);
    a poller reads MAX(seq) of `table` every 10 ms, so message i is visible once seq >= i; another
    samples the most rowsets any table holds (compaction keeping up with the commits)."""
    total = rate * seconds
    produced_at = [0.0] * total
    visible_at = [0.0] * total
    done = threading.Event()
    rowsets = []

    def poll():
        conn = pymysql.connect(host="127.0.0.1", port=floe.port, user="root", autocommit=True)
        seen = -1
        deadline = time.time() + seconds + 60
        with conn.cursor() as cur:
            while seen < total - 1 and time.time() < deadline:
                cur.execute(f"SELECT MAX(seq) FROM {table}")
                top = cur.fetchone()[0]
                now = time.perf_counter()
                if top is not None and top > seen:
                    for s in range(seen + 1, top + 1):
                        visible_at[s] = now
                    seen = top
                time.sleep(0.01)
        conn.close()
        done.set()

    def sample_rowsets():
        while not done.is_set():
            n = max_rowsets(floe)
            if n is not None:
                rowsets.append(n)
            done.wait(0.25)

    threading.Thread(target=poll, daemon=True).start()
    threading.Thread(target=sample_rowsets, daemon=True).start()
    p = Producer({"bootstrap.servers": mock.bootstrap, "linger.ms": 1})
    start = time.perf_counter()
    for i in range(total):
        target = start + i / rate
        delay = target - time.perf_counter()
        if delay > 0.0005:
            time.sleep(delay)
        key, value = message(i)
        while True:
            try:
                p.produce(topic, value, key=key)
                break
            except BufferError:  # the producer's queue is full: let it drain
                p.poll(0.001)
        produced_at[i] = time.perf_counter()
        if i % 100 == 0:
            p.poll(0)
    achieved = total / (time.perf_counter() - start)
    p.flush(30)
    done.wait(seconds + 90)
    lat = sorted((visible_at[i] - produced_at[i]) * 1000 for i in range(total) if visible_at[i])
    return {"p50_ms": lat[len(lat) // 2], "p99_ms": lat[int(len(lat) * 0.99)], "max_ms": lat[-1],
            "events": total, "visible": len(lat), "rate": rate, "achieved_rate": achieved,
            "max_rowsets": max(rowsets) if rowsets else None}


def wait_running(floe, job):
    while floe.query(f"SHOW ROUTINE LOAD FOR {job}")[0][7] != "RUNNING":
        time.sleep(0.05)
    time.sleep(0.5)


def iceberg_latency(floe, mock, warehouse):
    """Produce-to-visible at 1 s commits (max_batch_interval 1) into a hot Duplicate Key table and
    into an Iceberg table, and the data files the Iceberg job writes per hour at that cadence."""
    out = {}
    for kind, table in (("hot", "bench.live1s"), ("iceberg", "ice.db.live1s")):
        topic = f"live1s_{kind}"
        mock.topic(topic, 1)
        if kind == "hot":
            floe.query("CREATE TABLE bench.live1s (seq BIGINT, ts BIGINT, region VARCHAR(16), user_id BIGINT, "
                       "amount DECIMAL(10, 2)) DUPLICATE KEY(seq)")
        else:
            floe.query("CREATE TABLE ice.db.live1s (seq BIGINT, ts BIGINT, region STRING, user_id BIGINT, "
                       "amount DECIMAL(10, 2))")
        floe.query(f"""CREATE ROUTINE LOAD bench.{topic}_job ON {table}
            PROPERTIES ("format" = "json", "max_batch_interval" = "1")
            FROM KAFKA ("kafka_broker_list" = "{mock.bootstrap}", "kafka_topic" = "{topic}")""")
        wait_running(floe, f"bench.{topic}_job")
        msg = lambda i: (None, json.dumps(event(i), separators=(",", ":")).encode())  # noqa: E731
        started = time.time()
        out[kind] = measure_latency(floe, mock, topic, table, msg, ICEBERG_RATE, ICEBERG_SECONDS)
        elapsed = time.time() - started
        floe.query(f"STOP ROUTINE LOAD FOR bench.{topic}_job")
        if kind == "iceberg":
            files = 0
            for _, _, names in os.walk(os.path.join(warehouse, "db", "live1s", "data")):
                files += sum(1 for n in names if n.endswith(".parquet"))
            out[kind]["files"] = files
            out[kind]["files_per_hour"] = files / elapsed * 3600
    return out


def latency(floe, mock):
    """Seed 001's pattern at RATE events/s: a Duplicate Key table, and an Aggregate Key table
    aggregating at ingestion (its seq column MAX, so MAX(seq) still says what is visible)."""
    out = {}
    mock.topic("live", 1)
    floe.query("CREATE TABLE bench.live (seq BIGINT, ts BIGINT, region VARCHAR(16), user_id BIGINT, "
               "amount DECIMAL(10, 2)) DUPLICATE KEY(seq)")
    floe.query(f"""CREATE ROUTINE LOAD bench.live_job ON live
        PROPERTIES ("format" = "json", "max_batch_interval" = "0.05")
        FROM KAFKA ("kafka_broker_list" = "{mock.bootstrap}", "kafka_topic" = "live")""")
    wait_running(floe, "bench.live_job")
    msg = lambda i: (None, json.dumps(event(i), separators=(",", ":")).encode())  # noqa: E731
    out["duplicate"] = measure_latency(floe, mock, "live", "bench.live", msg, RATE, SECONDS)
    floe.query("STOP ROUTINE LOAD FOR bench.live_job")
    mock.topic("live_agg", 1)
    floe.query(DDL_AGG.replace("bench.stats", "bench.live_stats").replace(
        "BITMAP_UNION)", "BITMAP_UNION, seq BIGINT MAX)"))
    floe.query(f"""CREATE ROUTINE LOAD bench.live_agg_job ON live_stats {JOB_AGG_COLUMNS}
        PROPERTIES ("format" = "json", "max_batch_interval" = "0.05")
        FROM KAFKA ("kafka_broker_list" = "{mock.bootstrap}", "kafka_topic" = "live_agg")""")
    wait_running(floe, "bench.live_agg_job")
    out["aggregate"] = measure_latency(floe, mock, "live_agg", "bench.live_stats", msg, RATE, SECONDS)
    floe.query("STOP ROUTINE LOAD FOR bench.live_agg_job")
    return out


def main():
    for path in (FLOE, MOCK):
        if not os.path.exists(path):
            sys.exit(f"{path} does not exist: run `make` first")
    data = tempfile.mkdtemp(prefix="floe-bench-rl-")
    mock = Mock()
    floe = None
    try:
        print(f"[routine_load] producing {EVENTS} JSON events into a 16-partition topic ...", flush=True)
        mock.topic("events", 16)
        produce_all(mock.bootstrap, "events", EVENTS, 16)
        ndjson = os.path.join(data, "events.json")
        with open(ndjson, "w") as f:
            for i in range(EVENTS):
                f.write(json.dumps(event(i), separators=(",", ":")) + "\n")
        floe = Floe(os.path.join(data, "floe"))
        floe.query("CREATE DATABASE bench")
        floe.query(DDL_DUP)
        floe.query(DDL_AGG)
        warehouse = os.path.join(data, "floe", "import", "warehouse")  # under the server's file root
        os.makedirs(warehouse, exist_ok=True)
        floe.query("CREATE EXTERNAL CATALOG ice PROPERTIES ('type'='iceberg', 'iceberg.catalog.type'='hadoop', "
                   f"'iceberg.catalog.warehouse'='{warehouse}')")
        floe.query("CREATE DATABASE ice.db")
        floe.query("CREATE TABLE ice.db.events (seq BIGINT, ts BIGINT, region STRING, user_id BIGINT, "
                   "amount DECIMAL(10, 2))")
        print("[routine_load] Duplicate Key job ...", flush=True)
        dup = timed_job(floe, mock, "dup_job", "events", "", "SELECT COUNT(*) FROM bench.events")
        print("[routine_load] Aggregate Key job ...", flush=True)
        agg = timed_job(floe, mock, "agg_job", "stats", JOB_AGG_COLUMNS, "SELECT SUM(events) FROM bench.stats")
        print("[routine_load] Iceberg table job ...", flush=True)
        ice = timed_job(floe, mock, "ice_job", "ice.db.events", "", "SELECT COUNT(*) FROM ice.db.events")
        print("[routine_load] kcat and DuckDB ...", flush=True)
        kcat = kcat_time(mock)
        duck_plain, duck_agg = duckdb_times(ndjson)
        print(f"[routine_load] latency at {RATE} events/s for {SECONDS} s ...", flush=True)
        lat = latency(floe, mock)
        print(f"[routine_load] 1 s commits, hot and Iceberg, at {ICEBERG_RATE} events/s ...", flush=True)
        ice_lat = iceberg_latency(floe, mock, warehouse)
    finally:
        if floe:
            floe.close()
        mock.close()
        shutil.rmtree(data, ignore_errors=True)

    def rate(seconds):
        return f"{EVENTS / seconds / 1000:.0f}k/s" if seconds else "-"

    rows = [
        ("Duplicate Key table", dup, duck_plain),
        ("Aggregate Key table (seed 001 pattern)", agg, duck_agg),
        ("Iceberg table (hadoop catalog, 1 s commits)", ice, duck_plain),
    ]
    lines = [f"# routine_load ({EVENTS} JSON events, 16 partitions)", "",
             f"{time.strftime('%Y-%m-%d %H:%M:%S')}, {machine()}; DuckDB with 1 thread.", "",
             "| target | Floe Routine Load | DuckDB read_json (file) | Floe/DuckDB time |", "|---|---|---|---|"]
    for name, floe_s, duck_s in rows:
        ratio = f"{floe_s / duck_s:.2f}x" if duck_s else "-"
        lines.append(f"| {name} | {floe_s:.2f} s ({rate(floe_s)}) | "
                     f"{f'{duck_s:.2f} s ({rate(duck_s)})' if duck_s else '-'} | {ratio} |")
    if kcat:
        lines.append(f"| kcat reading the topic to /dev/null | {kcat:.2f} s ({rate(kcat)}) | | |")
    lines += ["", f"Produce-to-visible latency at {RATE} events/s for {SECONDS} s (max_batch_interval 0.05 s; "
              "most rowsets any table held during the run, i.e. whether compaction keeps up):", "",
              "| table | achieved rate | p50 | p99 | max | most rowsets |", "|---|---|---|---|---|---|"]
    for name, key in (("Duplicate Key", "duplicate"), ("Aggregate Key (seed 001 pattern)", "aggregate")):
        m = lat[key]
        lines.append(f"| {name} | {m['achieved_rate'] / 1000:.0f}k/s | {m['p50_ms']:.0f} ms | {m['p99_ms']:.0f} ms | "
                     f"{m['max_ms']:.0f} ms | {m['max_rowsets']} |")
    lines += ["", f"Kafka into Iceberg at 1 s commits (max_batch_interval 1), {ICEBERG_RATE} events/s for "
              f"{ICEBERG_SECONDS} s, beside the same load into a hot table:", "",
              "| target | p50 | p99 | max | data files | files per hour |", "|---|---|---|---|---|---|"]
    for name, key in (("hot Duplicate Key table", "hot"), ("Iceberg table", "iceberg")):
        m = ice_lat[key]
        files = m.get("files")
        per_hour = f"{m['files_per_hour']:.0f}" if files is not None else "-"
        lines.append(f"| {name} | {m['p50_ms']:.0f} ms | {m['p99_ms']:.0f} ms | {m['max_ms']:.0f} ms | "
                     f"{files if files is not None else '-'} | {per_hour} |")
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "routine_load.md"), "w") as f:
        f.write(text)
    with open(os.path.join(HERE, "results", "routine_load.json"), "w") as f:
        json.dump({"suite": "routine_load", "events": EVENTS, "machine": machine(),
                   "date": time.strftime("%Y-%m-%d %H:%M:%S"),
                   "duplicate_s": dup, "aggregate_s": agg, "kcat_s": kcat, "duckdb_plain_s": duck_plain,
                   "duckdb_aggregate_s": duck_agg, "latency": lat, "iceberg_s": ice,
                   "iceberg_latency": ice_lat}, f, indent=1)


if __name__ == "__main__":
    main()
