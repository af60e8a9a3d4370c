#!/usr/bin/env python3
"""CDC benchmark (issue 26): Debezium change events from Kafka (librdkafka's mock cluster) into a
Primary Key table through Routine Load with "envelope" = "debezium", ordered by LSN
(debezium.position_column).

1. Throughput: a Primary Key table of ROWS rows (default 10M) takes EVENTS change events (default
   400k: 70% updates of existing keys, 20% creates of new keys, 10% deletes; keyed by id over 16
   partitions, LSNs increasing), with 1 consumer and with CONSUMERS consumers
   (desired_concurrent_number). Time = until the job has committed every event.
   Peer: DuckDB (one thread) applying the same changes from a newline-delimited JSON file to a
   table of the same ROWS rows with a primary key (newest event per key: DELETE the deleted keys,
   INSERT OR REPLACE the rest) — DuckDB has no Kafka consumer or CDC decoder, so this is the
   nearest peer for the table work.
2. Latency: change events produced at RATE per second for SECONDS into a 1-partition topic; a
   poller reads MAX(seq) every 10 ms. Produce-to-visible p50 / p99 / max.

Usage: cdc.py (env ROWS, EVENTS, CONSUMERS, RATE, SECONDS). Results: bench/results/cdc.{json,md}.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import routine_load as rl  # noqa: E402  (the mock cluster, the server, machine())
from confluent_kafka import Producer  # noqa: E402

ROWS = int(os.environ.get("ROWS", 10_000_000))
EVENTS = int(os.environ.get("EVENTS", 400_000))
CONSUMERS = int(os.environ.get("CONSUMERS", 4))
RATE = int(os.environ.get("RATE", 100000))
SECONDS = int(os.environ.get("SECONDS", 3))


def change(i):
    """The i-th change event: (key id, op, the row after or None)."""
    kind = i % 10
    if kind < 7:
        k = (i * 7919) % ROWS
        return k, "u", {"id": k, "name": f"n{i}", "amount": i % 100000, "seq": i}
    if kind < 9:
        k = ROWS + i
        return k, "c", {"id": k, "name": f"new{i}", "amount": i % 1000, "seq": i}
    k = (i * 104729) % ROWS
    return k, "d", None


def envelope(i, k, op, after):
    return {"before": {"id": k} if op != "c" else None, "after": after,
            "source": {"connector": "postgresql", "lsn": 1_000_000 + i, "ts_ms": 1767225600000 + i},
            "op": op, "ts_ms": 1767225600000 + i}


def produce(bootstrap, topic, partitions, n):
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20, "batch.num.messages": 10000,
                  "queue.buffering.max.messages": 1000000})
    for i in range(n):
        k, op, after = change(i)
        value = json.dumps(envelope(i, k, op, after), separators=(",", ":")).encode()
        while True:
            try:
                p.produce(topic, value, key=json.dumps({"id": k}).encode(), partition=k % partitions)
                break
            except BufferError:
                p.poll(0.05)
    assert p.flush(120) == 0


DDL = "CREATE TABLE bench.{t} (id BIGINT, name VARCHAR(32), amount BIGINT, seq BIGINT, _pos BIGINT) " \
      "PRIMARY KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 8"


def throughput(floe, mock, table, consumers):
    floe.query(DDL.format(t=table))
    floe.query(f"INSERT INTO bench.{table} SELECT generate_series, concat('r', generate_series), 0, -1, 0 "
               f"FROM generate_series(0, {ROWS - 1})")
    floe.query(f"""CREATE ROUTINE LOAD bench.{table}_job ON {table}
        PROPERTIES ("format" = "json", "envelope" = "debezium", "debezium.position_column" = "_pos",
                    "max_batch_interval" = "1", "max_batch_rows" = "200000",
                    "desired_concurrent_number" = "{consumers}")
        FROM KAFKA ("kafka_broker_list" = "{mock.bootstrap}", "kafka_topic" = "changes",
                    "property.kafka_default_offsets" = "OFFSET_BEGINNING")""")
    expected = {}
    for i in range(EVENTS):
        p = change(i)[0] % 16
        expected[p] = expected.get(p, 0) + 1
    started = time.perf_counter()
    while True:
        progress = json.loads(floe.query(f"SHOW ROUTINE LOAD FOR bench.{table}_job")[0][14] or "{}")
        # Progress: each partition's last committed offset.
        at = {k: int(v) if str(v).isdigit() else -1 for k, v in progress.items()}
        if all(at.get(str(p), -1) >= n - 1 for p, n in expected.items()):
            break
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    floe.query(f"STOP ROUTINE LOAD FOR bench.{table}_job")
    return elapsed


def duckdb_time(path):
    script = os.path.join(HERE, ".cdc_peer.mjs")
    with open(script, "w") as f:
        f.write(f"""
import {{ DuckDBInstance }} from '@duckdb/node-api';
const db = await DuckDBInstance.create(':memory:', {{threads: '1'}});
const con = await db.connect();
await con.run(`CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR, amount BIGINT, seq BIGINT)`);
await con.run(`INSERT INTO t SELECT range, 'r' || range, 0, -1 FROM range({ROWS})`);
const t0 = performance.now();
await con.run(`CREATE TEMP TABLE ev AS SELECT * FROM read_json('{path}', format='newline_delimited',
  columns={{id:'BIGINT', op:'VARCHAR', name:'VARCHAR', amount:'BIGINT', seq:'BIGINT', lsn:'BIGINT'}})`);
await con.run(`CREATE TEMP TABLE latest AS SELECT * FROM ev QUALIFY row_number() OVER (PARTITION BY id ORDER BY lsn DESC) = 1`);
await con.run(`DELETE FROM t WHERE id IN (SELECT id FROM latest WHERE op = 'd')`);
await con.run(`INSERT OR REPLACE INTO t SELECT id, name, amount, seq FROM latest WHERE op <> 'd'`);
console.log(JSON.stringify({{ms: performance.now() - t0}}));
""")
    try:
        out = subprocess.run(["node", script], cwd=HERE, capture_output=True, text=True, check=True).stdout
        return json.loads(out.strip().splitlines()[-1])["ms"] / 1000
    except (subprocess.CalledProcessError, FileNotFoundError, ValueError) as e:
        print(f"[cdc] DuckDB peer failed: {e}", flush=True)
        return None
    finally:
        os.remove(script)


def latency(floe, mock):
    mock.topic("live_changes", 1)
    floe.query("CREATE TABLE bench.live (id BIGINT, name VARCHAR(32), amount BIGINT, seq BIGINT, _pos BIGINT) "
               "PRIMARY KEY(id)")
    floe.query(f"""CREATE ROUTINE LOAD bench.live_job ON live
        PROPERTIES ("format" = "json", "envelope" = "debezium", "debezium.position_column" = "_pos",
                    "max_batch_interval" = "0.05")
        FROM KAFKA ("kafka_broker_list" = "{mock.bootstrap}", "kafka_topic" = "live_changes")""")
    rl.wait_running(floe, "bench.live_job")

    def message(i):
        value = json.dumps(envelope(i, i, "c", {"id": i, "name": "x", "amount": i, "seq": i}), separators=(",", ":"))
        return json.dumps({"id": i}).encode(), value.encode()
    return rl.measure_latency(floe, mock, "live_changes", "bench.live", message, RATE, SECONDS)


def main():
    for path in (rl.FLOE, rl.MOCK):
        if not os.path.exists(path):
            sys.exit(f"{path} does not exist: run `make` first")
    data = tempfile.mkdtemp(prefix="floe-bench-cdc-")
    mock = rl.Mock()
    floe = None
    try:
        print(f"[cdc] producing {EVENTS} change events into a 16-partition topic ...", flush=True)
        mock.topic("changes", 16)
        produce(mock.bootstrap, "changes", 16, EVENTS)
        ndjson = os.path.join(data, "changes.json")
        with open(ndjson, "w") as f:
            for i in range(EVENTS):
                k, op, after = change(i)
                row = {"id": k, "op": op, "lsn": 1_000_000 + i, **(after or {})}
                f.write(json.dumps(row, separators=(",", ":")) + "\n")
        floe = rl.Floe(os.path.join(data, "floe"))
        floe.query("CREATE DATABASE bench")
        print(f"[cdc] {ROWS} rows, 1 consumer ...", flush=True)
        one = throughput(floe, mock, "t1", 1)
        print(f"[cdc] {ROWS} rows, {CONSUMERS} consumers ...", flush=True)
        many = throughput(floe, mock, "tn", CONSUMERS)
        same = floe.query("SELECT count(*), sum(amount), sum(seq) FROM bench.t1") == \
            floe.query("SELECT count(*), sum(amount), sum(seq) FROM bench.tn")
        print("[cdc] DuckDB ...", flush=True)
        duck = duckdb_time(ndjson)
        print(f"[cdc] latency at {RATE} events/s for {SECONDS} s ...", flush=True)
        lat = latency(floe, mock)
    finally:
        if floe:
            floe.close()
        mock.close()
        shutil.rmtree(data, ignore_errors=True)
    rate = lambda s: f"{EVENTS / s / 1000:.0f}k events/s" if s else "-"  # noqa: E731
    ratio = lambda s: f"{s / duck:.2f}x" if duck else "-"  # noqa: E731
    lines = [f"# cdc ({EVENTS} Debezium events into a {ROWS}-row Primary Key table, 16 partitions)", "",
             f"{time.strftime('%Y-%m-%d %H:%M:%S')}, {rl.machine()}; DuckDB with 1 thread.", "",
             "| target | time | rate | Floe/DuckDB time |", "|---|---|---|---|",
             f"| Floe Routine Load, 1 consumer | {one:.2f} s | {rate(one)} | {ratio(one)} |",
             f"| Floe Routine Load, {CONSUMERS} consumers | {many:.2f} s | {rate(many)} | {ratio(many)} |",
             f"| DuckDB: newest event per key, DELETE + INSERT OR REPLACE (file) | "
             f"{f'{duck:.2f} s' if duck else '-'} | {rate(duck)} | |",
             "", f"Both Floe tables equal after the run: {same}.", "",
             f"Produce-to-visible latency at {lat['rate']} events/s (achieved {lat['achieved_rate']:.0f}/s) for "
             f"{lat['events']} events (max_batch_interval 0.05 s): p50 {lat['p50_ms']:.0f} ms, "
             f"p99 {lat['p99_ms']:.0f} ms, max {lat['max_ms']:.0f} ms; at most {lat['max_rowsets']} rowsets in any "
             "table during the run (compaction keeping up)."]
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "cdc.md"), "w") as f:
        f.write(text)
    with open(os.path.join(HERE, "results", "cdc.json"), "w") as f:
        json.dump({"suite": "cdc", "rows": ROWS, "events": EVENTS, "consumers": CONSUMERS, "machine": rl.machine(),
                   "date": time.strftime("%Y-%m-%d %H:%M:%S"), "one_consumer_s": one, "many_consumers_s": many,
                   "tables_equal": same, "duckdb_s": duck, "latency": lat}, f, indent=1)


if __name__ == "__main__":
    main()
