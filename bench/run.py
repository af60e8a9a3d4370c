#!/usr/bin/python3
"""Runs benchmark suites (bench/<suite>.bench) on Floe (floe_bench, embedded) and on DuckDB (the
peer), checks that both return the same answer, and prints the figures side by side.

Usage: run.py [--suite NAME[,NAME...]] [--sf N] [--repeat N] [FILE.bench...]

- {SF} and {DATA} in a suite file become the scale factor and the suite's data directory
  (/tmp/floe-bench-data/<suite>-sf<SF>), {DATA_ROOT} the directory of every suite's data;
  `datagen tpch` blocks run floe_datagen there once, `datagen KIND` with a script
  bench/gen/KIND.py runs that script (`KIND.py SF DIR`) instead.
- The tools come from build/release (FLOE_BENCH_BUILD=DIR takes them from another build directory;
  FLOE_BENCH and FLOE_DATAGEN name the binaries themselves).
- `query NAME floe` blocks run on Floe only: their figure is printed and recorded, with no ratio;
  beside a `query NAME duckdb` block of the same name, the two (each engine's own statement for the
  same work, e.g. CTAS into Iceberg and COPY ... TO) are set side by side with a ratio, outside the
  geometric mean, their answers compared only when Floe's has rows.
- A query whose answer differs between the engines (rows compared in order, numbers to a relative
  1e-6; ties in ORDER BY may come in either order) or that fails in either engine is reported as a
  FAILURE and makes the run exit 1: never averaged away.
- The results also go to bench/results/<suite>.json and .md, with the machine they came from.
- `serve KIND` starts a server the suite reads from, for the suite's whole run: run.py runs
  `bench/gen/KIND.py serve SF DIR`, which prints `ENDPOINT <url>` once it listens and stops its
  server when its stdin closes; {ENDPOINT} in the suite file becomes that url (iceberg_s3: s3rver).
- Script suites (SCRIPT_SUITES: bench/<suite>.py) start their own processes and peers; today
  `routine_load` (Kafka into Floe through Routine Load, beside kcat and DuckDB), `cdc` (Debezium
  change events into a Primary Key table, beside DuckDB applying them from a file) and `micro` (the
  engine's kernels under Google Benchmark).
"""
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA_ROOT = os.environ.get("BENCH_DATA", "/tmp/floe-bench-data")


def run(cmd):
    out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed (exit {out.returncode})")
    return {r["name"]: r for r in (json.loads(line) for line in out.stdout.splitlines() if line.startswith("{"))}


def number(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def same_value(a, b):
    if a is None or b is None:
        return a is None and b is None
    x, y = number(a), number(b)
    if x is not None and y is not None:
        return x == y or abs(x - y) <= 1e-6 * max(1.0, abs(x), abs(y))
    return str(a) == str(b)


def same_rows(a, b):
    return len(a) == len(b) and all(len(r) == len(s) and all(same_value(x, y) for x, y in zip(r, s))
                                    for r, s in zip(a, b))


def compare(floe, duck):
    """None when the answers agree, else what differs."""
    if floe.get("rows") != duck.get("rows"):
        return f"{floe.get('rows')} rows, DuckDB {duck.get('rows')}"
    fr, dr = floe.get("result", []), duck.get("result", [])
    if same_rows(fr, dr):
        return None
    key = lambda row: [("" if v is None else (f"{number(v):.6g}" if number(v) is not None else v)) for v in row]
    if same_rows(sorted(fr, key=key), sorted(dr, key=key)):
        return None  # rows that tie in ORDER BY, in another order
    for i, (r, s) in enumerate(zip(fr, dr)):
        if not (len(r) == len(s) and all(same_value(x, y) for x, y in zip(r, s))):
            return f"row {i}: Floe {r}, DuckDB {s}"
    return "answers differ"


def machine():
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores, {cpu}, {mem}".strip(", ")


def build_dir():
    """The build whose tools run (FLOE_BENCH_BUILD, default build/release)."""
    return os.path.abspath(os.environ.get("FLOE_BENCH_BUILD", os.path.join(ROOT, "build/release")))


def datagen_tool():
    return os.environ.get("FLOE_DATAGEN", os.path.join(build_dir(), "bench/floe_datagen"))


def prepare(path, sf):
    """The suite file with {SF}/{DATA} filled in (a temporary copy) and its data generated."""
    suite = os.path.basename(path)[:-6]
    with open(path) as f:
        text = f.read()
    data = os.path.join(DATA_ROOT, f"{suite}-sf{sf}")
    text = text.replace("{SF}", str(sf)).replace("{DATA}", data).replace("{DATA_ROOT}", os.path.abspath(DATA_ROOT))
    for line in text.splitlines():
        if line.startswith("datagen "):
            kind, extra = line.split()[1], line.split()[2:]  # e.g. `datagen ssb --parquet`
            if not os.path.exists(os.path.join(data, ".complete")):
                print(f"[{suite}] generating {kind} {' '.join(extra)} at SF {sf} into {data} ...", flush=True)
                os.makedirs(data, exist_ok=True)
                script = os.path.join(HERE, "gen", kind + ".py")
                if os.path.exists(script):
                    # A generator script (bench/gen/<kind>.py SF DIR), e.g. iceberg: Parquet plus
                    # Iceberg metadata; it finds floe_datagen through FLOE_DATAGEN itself.
                    subprocess.run([sys.executable, script, str(sf), data] + extra, check=True, cwd=HERE)
                else:
                    subprocess.run([datagen_tool(), kind, str(sf), data] + extra, check=True,
                                   stdout=subprocess.DEVNULL)
                open(os.path.join(data, ".complete"), "w").close()
    servers = []
    for line in text.splitlines():
        if line.startswith("serve "):
            # A server the suite reads from (e.g. s3rver), up for the suite's whole run.
            kind = line.split()[1]
            print(f"[{suite}] starting {kind} ...", flush=True)
            proc = subprocess.Popen([sys.executable, os.path.join(HERE, "gen", kind + ".py"), "serve", str(sf), data],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=HERE)
            servers.append(proc)
            first = proc.stdout.readline().split()
            if len(first) != 2 or first[0] != "ENDPOINT":
                stop_servers(servers)
                raise SystemExit(f"bench/gen/{kind}.py serve did not start its server")
            text = text.replace("{ENDPOINT}", first[1])
    fd, tmp = tempfile.mkstemp(suffix=".bench", prefix=f"{suite}-")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return suite, tmp, servers


def stop_servers(servers):
    """Closes each `serve` script's stdin (it stops its server) and waits for it."""
    for proc in servers:
        try:
            proc.stdin.close()
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


SCRIPT_SUITES = ["routine_load", "cdc", "micro"]


def main():
    args = sys.argv[1:]
    repeat, sf, suites = "3", "1", []

    def take(flag):
        if flag in args:
            i = args.index(flag)
            value = args[i + 1]
            del args[i:i + 2]
            return value
        return None

    repeat = take("--repeat") or os.environ.get("RUNS") or repeat
    sf = take("--sf") or os.environ.get("SF") or sf
    suite_arg = take("--suite") or os.environ.get("SUITE")
    if suite_arg:
        suites = [s.strip() for s in suite_arg.split(",") if s.strip()]
        # Script suites (bench/<suite>.py) run as they are: they start their own servers and peers
        # and write their own results (routine_load: Kafka into Floe).
        scripts = [s for s in suites if s in SCRIPT_SUITES]
        suites = [os.path.join(HERE, s + ".bench") for s in suites if s not in SCRIPT_SUITES]
    else:
        scripts = [] if args else list(SCRIPT_SUITES)
    files = args or suites or ([] if suite_arg else
                               sorted(os.path.join(HERE, f) for f in os.listdir(HERE) if f.endswith(".bench")))
    failed = False
    for script in scripts:
        print(f"[{script}] bench/{script}.py ...", flush=True)
        failed |= subprocess.run([sys.executable, os.path.join(HERE, script + ".py")]).returncode != 0
    if not files:
        sys.exit(1 if failed else 0)
    floe_bin = os.environ.get("FLOE_BENCH", os.path.join(build_dir(), "bench/floe_bench"))
    os.environ.setdefault("FLOE_DATAGEN", datagen_tool())  # for generator scripts
    print(f"{'benchmark':<34} {'floe ms':>10} {'duckdb ms':>10} {'floe/duckdb':>12} {'rows':>10}")
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    for f in files:
        suite, tmp, servers = prepare(f, sf)
        try:
            print(f"[{suite}] DuckDB data files ...", flush=True)
            subprocess.run(["node", os.path.join(HERE, "duckdb_bench.mjs"), tmp, "--generate"], check=True)
            print(f"[{suite}] Floe ...", flush=True)
            floe = run([floe_bin, tmp, "--repeat", repeat])
            print(f"[{suite}] DuckDB ...", flush=True)
            duck = run(["node", os.path.join(HERE, "duckdb_bench.mjs"), tmp, "--repeat", repeat])
        finally:
            os.unlink(tmp)
            stop_servers(servers)
        records, ratios = [], []
        for name, r in floe.items():
            d = duck.get(name, {})
            label = suite + "/" + name
            if r.get("kind") == "size":
                db = d.get("bytes", float("nan"))
                print(f"{label:<34} {r['bytes'] / 2**20:>8.1f}MB {db / 2**20:>8.1f}MB {r['bytes'] / db:>11.2f}x   bytes on disk")
                records.append({"name": name, "kind": "size", "floe_bytes": r["bytes"], "duckdb_bytes": db})
                continue
            if r.get("kind") == "step":
                fm = r["ms"][0]
                dm = d["ms"][0] if d.get("ms") else float("nan")
                rate = f"{r['rows'] / fm * 1000 / 1e6:.2f}M rows/s" if r["rows"] else ""
                drate = f" (duckdb {d['rows'] / dm * 1000 / 1e6:.2f}M)" if d.get("rows") else ""
                if r.get("bytes"):
                    rate += f", {r['bytes'] / fm * 1000 / 2**20:.0f} MB/s"
                    if d.get("bytes"):
                        drate = drate[:-1] + f", {d['bytes'] / dm * 1000 / 2**20:.0f} MB/s)"
                print(f"{label:<34} {fm:>10.1f} {dm:>10.1f} {fm / dm:>11.2f}x   {rate}{drate}")
                records.append({"name": name, "kind": "step", "floe_ms": fm, "duckdb_ms": dm, "rows": r["rows"]})
                continue
            # `query NAME floe` beside `query NAME duckdb`: each engine's own statement for the same
            # work (e.g. CTAS into Iceberg against COPY TO), set side by side outside the mean.
            pair = r.get("only") == "floe" and name in duck
            if r.get("only") == "floe" and not pair and "error" not in r:
                # A figure of Floe's alone (e.g. planning time), outside the ratios.
                fm = sorted(r["ms"])[len(r["ms"]) // 2]
                print(f"{label:<34} {fm:>10.1f} {'-':>10} {'floe only':>12} {r['rows']:>10}")
                records.append({"name": name, "kind": "floe_only", "floe_ms": fm, "rows": r["rows"]})
                continue
            problem = None
            if "error" in r:
                problem = "Floe error: " + r["error"]
            elif "error" in d:
                problem = "DuckDB error: " + d["error"]
            elif not d:
                problem = "DuckDB did not run it"
            elif pair and not r.get("rows"):
                problem = None  # a statement without an answer (CTAS) beside its peer's (COPY's count)
            else:
                problem = compare(r, d)
            if problem:
                failed = True
                print(f"{label:<34} {'FAILED':>10}   {problem[:160]}")
                records.append({"name": name, "kind": "query", "failed": problem})
                continue
            fm, dm = sorted(r["ms"])[len(r["ms"]) // 2], sorted(d["ms"])[len(d["ms"]) // 2]
            if not pair:
                ratios.append(fm / dm if dm > 0 else 1.0)
            print(f"{label:<34} {fm:>10.1f} {dm:>10.1f} {fm / dm:>11.2f}x {r['rows']:>10}{'  (own SQL each)' if pair else ''}")
            records.append({"name": name, "kind": "pair" if pair else "query", "floe_ms": fm, "duckdb_ms": dm,
                            "rows": r["rows"]})
        geo = math.exp(sum(math.log(max(x, 1e-9)) for x in ratios) / len(ratios)) if ratios else None
        if geo:
            print(f"{suite + '/geometric mean':<34} {'':>10} {'':>10} {geo:>11.2f}x   over {len(ratios)} queries")
        write_results(suite, sf, repeat, records, geo)
    return 1 if failed else 0


def write_results(suite, sf, repeat, records, geo):
    meta = {"suite": suite, "sf": sf, "runs": int(repeat), "machine": machine(),
            "date": time.strftime("%Y-%m-%d %H:%M:%S"), "threads": os.environ.get("BENCH_THREADS", str(os.cpu_count())),
            "geometric_mean": geo, "results": records}
    base = os.path.join(HERE, "results", suite)
    with open(base + ".json", "w") as f:
        json.dump(meta, f, indent=1)
    lines = [f"# {suite} (SF {sf}, median of {repeat} runs)", "",
             f"{meta['date']}, {meta['machine']}; Floe and DuckDB with {meta['threads']} thread(s) each.", "",
             "| benchmark | Floe ms | DuckDB ms | Floe/DuckDB |", "|---|---|---|---|"]
    for r in records:
        if r.get("failed"):
            lines.append(f"| {r['name']} | FAILED | | {r['failed'][:100]} |")
        elif r["kind"] == "size":
            lines.append(f"| {r['name']} | {r['floe_bytes'] / 2**20:.1f} MB | {r['duckdb_bytes'] / 2**20:.1f} MB | "
                         f"{r['floe_bytes'] / r['duckdb_bytes']:.2f}x |")
        elif r["kind"] == "floe_only":
            lines.append(f"| {r['name']} | {r['floe_ms']:.1f} | - | Floe only |")
        else:
            ratio = r["floe_ms"] / r["duckdb_ms"] if r["duckdb_ms"] else float("nan")
            name = r["name"] + (" (own SQL each, outside the mean)" if r["kind"] == "pair" else "")
            lines.append(f"| {name} | {r['floe_ms']:.1f} | {r['duckdb_ms']:.1f} | {ratio:.2f}x |")
    if geo:
        lines += ["", f"Geometric mean of the query ratios: {geo:.2f}x."]
    with open(base + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
